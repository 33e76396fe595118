/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Software path end to end: encode a moving, numbered pattern, decode it with libavcodec and
 * check size, count, order, IDR placement, picture quality and rate control. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <libavutil/log.h>
#include <libavutil/pixfmt.h>

#include "decode_helper.h"
#include "pf/encode.h"

struct fixture {
    pf_encode_device *dev;
    pf_encode_video *enc;
    uint8_t *pixels;
    uint8_t *au;
    size_t au_cap;
    uint32_t w, h;
};

static pf_encode_device *software_device(void)
{
    pf_encode_device_settings ds;
    pf_encode_device_settings_default(&ds);
    ds.backend = PF_ENCODE_BACKEND_SOFTWARE;
    pf_encode_device *dev = NULL;
    assert_int_equal(pf_encode_device_create(&ds, &dev), 0);
    return dev;
}

static void fixture_open(struct fixture *f, const pf_encode_video_settings *s)
{
    memset(f, 0, sizeof(*f));
    f->dev = software_device();
    f->w = s->width;
    f->h = s->height;
    assert_int_equal(pf_encode_video_create(f->dev, s, &f->enc), 0);
    f->pixels = malloc((size_t)f->w * f->h * 4);
    f->au_cap = (size_t)f->w * f->h * 4;
    f->au = malloc(f->au_cap);
}

static void fixture_close(struct fixture *f)
{
    pf_encode_video_destroy(f->enc);
    pf_encode_device_destroy(f->dev);
    free(f->pixels);
    free(f->au);
}

static pf_frame cpu_frame(uint8_t *pixels, uint32_t w, uint32_t h, uint64_t n)
{
    pf_frame fr;
    memset(&fr, 0, sizeof(fr));
    fr.struct_size = sizeof(fr);
    fr.width = w;
    fr.height = h;
    fr.format = PF_FRAME_FORMAT_BGRX;
    fr.memory = PF_FRAME_MEMORY_CPU;
    fr.n_planes = 1;
    fr.modifier = PF_FRAME_MODIFIER_LINEAR;
    fr.planes[0].fd = -1;
    fr.planes[0].stride = w * 4;
    fr.planes[0].data = pixels;
    fr.sync_fd = -1;
    fr.timeline_fd = -1;
    fr.pts_ns = 1000000000ull + n * 16666667ull;
    fr.sequence = n;
    return fr;
}

/* Submits frame n and takes its access unit; asserts one unit per frame. */
static int encode_one(struct fixture *f, uint32_t n, uint32_t flags, pf_encode_packet *pkt)
{
    pattern_draw(f->pixels, f->w, f->h, f->w * 4, n);
    pf_frame fr = cpu_frame(f->pixels, f->w, f->h, n);
    assert_int_equal(pf_encode_video_submit(f->enc, &fr, flags), 0);
    pkt->struct_size = sizeof(*pkt);
    int size = pf_encode_video_receive(f->enc, f->au, f->au_cap, pkt);
    assert_true(size > 0);
    assert_int_equal(pkt->frame_index, n);
    assert_int_equal(pkt->pts_ns, fr.pts_ns);
    /* Exactly one access unit per frame: nothing else may be waiting. */
    pf_encode_packet extra = {.struct_size = sizeof(extra)};
    assert_int_equal(pf_encode_video_peek(f->enc, &extra), PF_ERR_AGAIN);
    return size;
}

static bool is_idr_request(uint32_t n, const uint32_t *idr_at, size_t n_idr)
{
    for (size_t i = 0; i < n_idr; i++)
        if (idr_at[i] == n)
            return true;
    return false;
}

static void end_to_end(uint32_t codec, uint32_t w, uint32_t h, uint32_t frames,
                       const uint32_t *idr_at, size_t n_idr, double min_psnr)
{
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.codec = codec;
    s.width = w;
    s.height = h;
    s.bitrate_kbps = w * h / 40; /* ~23 Mbit/s at 720p */
    struct fixture f;
    fixture_open(&f, &s);
    struct test_decoder *dec = test_decoder_open(codec);
    assert_non_null(dec);
    uint8_t *ref = malloc((size_t)w * h * 4);
    uint32_t decoded = 0;
    double worst = 99;
    for (uint32_t n = 0; n < frames; n++) {
        bool want_idr = n == 0 || is_idr_request(n, idr_at, n_idr);
        pf_encode_packet pkt;
        int size = encode_one(&f, n, is_idr_request(n, idr_at, n_idr) ? PF_ENCODE_SUBMIT_IDR : 0,
                              &pkt);
        /* IDR exactly when requested (the first frame always is one). */
        assert_int_equal(!!(pkt.flags & PF_ENCODE_PACKET_IDR), want_idr);
        if (codec != PF_ENCODE_CODEC_AV1) {
            int types[64];
            bool hevc = codec == PF_ENCODE_CODEC_HEVC;
            int nt = annexb_nal_types(f.au, (size_t)size, hevc, types, 64);
            assert_true(nt > 0);
            int first = 0;
            /* AUD and SEI may lead (gamestream-protocol §6.7); then SPS (VPS for HEVC). */
            while (first < nt && (hevc ? (types[first] == 35 || types[first] == 39)
                                       : (types[first] == 9 || types[first] == 6)))
                first++;
            if (want_idr)
                assert_int_equal(types[first], hevc ? 32 : 7);
            for (int i = 0; i < nt && !want_idr; i++)
                assert_true(hevc ? (types[i] < 16 || types[i] > 23) : types[i] != 5);
        }
        struct test_decoded out;
        int got = test_decoder_push(dec, f.au, (size_t)size, &out);
        assert_int_equal(got, 1);
        decoded++;
        assert_int_equal(out.width, w);
        assert_int_equal(out.height, h);
        assert_int_equal(pattern_counter(out.bgrx, w, w * 4), (int)n);
        pattern_draw(ref, w, h, w * 4, n);
        double p = psnr_bgrx(ref, out.bgrx, w, h, w * 4);
        if (p < worst)
            worst = p;
    }
    assert_int_equal(decoded, frames);
    print_message("# %ux%u codec %u: worst PSNR %.2f dB over %u frames\n", w, h, codec, worst,
                  frames);
    assert_true(worst >= min_psnr);
    free(ref);
    test_decoder_close(dec);
    fixture_close(&f);
}

static void h264_720p_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {17, 40};
    end_to_end(PF_ENCODE_CODEC_H264, 1280, 720, 60, idr_at, 2, 30.0);
}

static void h264_1080p_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {9};
    end_to_end(PF_ENCODE_CODEC_H264, 1920, 1080, 24, idr_at, 1, 30.0);
}

static void hevc_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {5};
    end_to_end(PF_ENCODE_CODEC_HEVC, 640, 360, 12, idr_at, 1, 30.0);
}

static void av1_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {5};
    end_to_end(PF_ENCODE_CODEC_AV1, 640, 360, 12, idr_at, 1, 28.0);
}

/* Noise needs every bit it gets, so the size per frame follows the target closely. */
static void fill_noise(uint8_t *p, size_t len, uint64_t *seed)
{
    for (size_t i = 0; i < len; i++) {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        p[i] = (uint8_t)*seed;
    }
}

static double mean_size(struct fixture *f, uint32_t first, uint32_t count, uint64_t *seed,
                        bool *saw_idr)
{
    double total = 0;
    for (uint32_t n = first; n < first + count; n++) {
        fill_noise(f->pixels, (size_t)f->w * f->h * 4, seed);
        pf_frame fr = cpu_frame(f->pixels, f->w, f->h, n);
        assert_int_equal(pf_encode_video_submit(f->enc, &fr, 0), 0);
        pf_encode_packet pkt = {.struct_size = sizeof(pkt)};
        int size = pf_encode_video_receive(f->enc, f->au, f->au_cap, &pkt);
        assert_true(size > 0);
        if (n > first && (pkt.flags & PF_ENCODE_PACKET_IDR))
            *saw_idr = true;
        /* Skip the first frames after a change: rate control needs a moment. */
        if (n >= first + count / 3)
            total += size;
    }
    return total / (count - count / 3);
}

static void bitrate_change_takes_effect(void **state)
{
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.width = 640;
    s.height = 360;
    s.fps = 60;
    s.bitrate_kbps = 12000;
    struct fixture f;
    fixture_open(&f, &s);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    bool idr = false;
    double high = mean_size(&f, 0, 30, &seed, &idr);
    assert_int_equal(pf_encode_video_set_bitrate(f.enc, 1500), 0);
    double low = mean_size(&f, 30, 30, &seed, &idr);
    /* x264 reconfigures in place: no IDR was needed for the change. */
    assert_false(idr);
    print_message("# mean frame %.0f bytes at 12 Mbit/s, %.0f at 1.5 Mbit/s\n", high, low);
    assert_true(high > 12000000.0 / 8 / 60 * 0.5);
    assert_true(low < high * 0.35);
    /* 1.5 Mbit/s at 60 fps is 3125 bytes a frame; allow rate-control slack. */
    assert_true(low < 3125 * 2.0);
    /* Halving the frame rate doubles the budget per frame. */
    assert_int_equal(pf_encode_video_set_fps(f.enc, 30), 0);
    double slow = mean_size(&f, 60, 30, &seed, &idr);
    print_message("# mean frame %.0f bytes at 1.5 Mbit/s and 30 fps\n", slow);
    assert_true(slow > low * 1.4);
    fixture_close(&f);
}

static void hdr10_hevc_carries_metadata(void **state)
{
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.codec = PF_ENCODE_CODEC_HEVC;
    s.width = 320;
    s.height = 192;
    s.bit_depth = 10;
    s.color_space = PF_COLOR_SPACE_BT2020_PQ;
    s.has_hdr10 = 1;
    /* BT.2020 primaries and D65 in 0.00002 units, 1000 / 0.005 cd/m². */
    s.hdr10 = (pf_encode_hdr10){.primaries_x = {8500, 6550, 35400},
                                .primaries_y = {39850, 2300, 14600},
                                .white_x = 15635, .white_y = 16450,
                                .max_luminance = 10000000, .min_luminance = 50,
                                .max_cll = 1000, .max_fall = 400};
    struct fixture f;
    fixture_open(&f, &s);
    struct test_decoder *dec = test_decoder_open(PF_ENCODE_CODEC_HEVC);
    pf_encode_packet pkt;
    int size = encode_one(&f, 0, 0, &pkt);
    struct test_decoded out;
    assert_int_equal(test_decoder_push(dec, f.au, (size_t)size, &out), 1);
    assert_true(out.pix_fmt == AV_PIX_FMT_YUV420P10LE);
    assert_true(out.has_mastering);
    test_decoder_close(dec);
    fixture_close(&f);
}

static void bad_frames_give_clear_errors(void **state)
{
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.width = 320;
    s.height = 192;
    struct fixture f;
    fixture_open(&f, &s);
    pf_frame fr = cpu_frame(f.pixels, 320, 192, 0);
    pf_frame bad = fr;
    bad.width = 640;
    assert_int_equal(pf_encode_video_submit(f.enc, &bad, 0), PF_ERR_UNSUPPORTED);
    bad = fr;
    bad.format = PF_FRAME_FORMAT_NV12;
    assert_int_equal(pf_encode_video_submit(f.enc, &bad, 0), PF_ERR_UNSUPPORTED);
    bad = fr;
    bad.planes[0].stride = 16;
    assert_int_equal(pf_encode_video_submit(f.enc, &bad, 0), PF_ERR_INVALID_ARGUMENT);
    bad = fr;
    bad.planes[0].data = NULL;
    assert_int_equal(pf_encode_video_submit(f.enc, &bad, 0), PF_ERR_INVALID_ARGUMENT);
    bad = fr;
    bad.struct_size = 8;
    assert_int_equal(pf_encode_video_submit(f.enc, &bad, 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_encode_video_submit(f.enc, &fr, 0x80), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_encode_video_submit(NULL, &fr, 0), PF_ERR_INVALID_ARGUMENT);

    /* A tiled dmabuf cannot be read by the CPU path. */
    int memfd = memfd_create("frame", MFD_CLOEXEC);
    assert_true(memfd >= 0);
    assert_int_equal(ftruncate(memfd, 320 * 192 * 4), 0);
    bad = fr;
    bad.memory = PF_FRAME_MEMORY_DMABUF;
    bad.planes[0].fd = memfd;
    bad.planes[0].data = NULL;
    bad.modifier = 0x0100000000000002ull; /* I915_FORMAT_MOD_Y_TILED */
    assert_int_equal(pf_encode_video_submit(f.enc, &bad, 0), PF_ERR_UNSUPPORTED);

    /* A linear buffer behind an fd (memfd standing in for a dmabuf) is mapped and encoded. */
    uint8_t *map = mmap(NULL, 320 * 192 * 4, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    assert_true(map != MAP_FAILED);
    pattern_draw(map, 320, 192, 320 * 4, 7);
    bad.modifier = PF_FRAME_MODIFIER_LINEAR;
    assert_int_equal(pf_encode_video_submit(f.enc, &bad, 0), 0);
    pf_encode_packet pkt = {.struct_size = sizeof(pkt)};
    assert_true(pf_encode_video_receive(f.enc, f.au, f.au_cap, &pkt) > 0);
    munmap(map, 320 * 192 * 4);
    close(memfd);

    /* An unsignalled fence times out; once signalled the frame goes through. */
    int fence = eventfd(0, EFD_CLOEXEC);
    fr.sync_kind = PF_FRAME_SYNC_FILE;
    fr.sync_fd = fence;
    assert_int_equal(pf_encode_video_submit(f.enc, &fr, 0), PF_ERR_TIMEOUT);
    uint64_t one = 1;
    assert_int_equal(write(fence, &one, sizeof(one)), (int)sizeof(one));
    assert_int_equal(pf_encode_video_submit(f.enc, &fr, 0), 0);
    close(fence);
    fr.sync_kind = PF_FRAME_SYNC_TIMELINE;
    assert_int_equal(pf_encode_video_submit(f.enc, &fr, 0), PF_ERR_UNSUPPORTED);
    fr.sync_kind = PF_FRAME_SYNC_NONE;

    /* A too-small buffer leaves the unit queued. */
    assert_int_equal(pf_encode_video_receive(f.enc, f.au, 4, &pkt), PF_ERR_BUFFER_TOO_SMALL);
    pf_encode_packet peek = {.struct_size = sizeof(peek)};
    assert_int_equal(pf_encode_video_peek(f.enc, &peek), 0);
    assert_int_equal(pf_encode_video_receive(f.enc, f.au, f.au_cap, &pkt), (int)peek.size);

    /* A caller that never receives is told, not silently dropped. */
    int r = 0;
    for (int i = 0; i < 9 && r == 0; i++)
        r = pf_encode_video_submit(f.enc, &fr, 0);
    assert_int_equal(r, PF_ERR_LIMIT);
    fixture_close(&f);
}

static void invalidation_forces_idr(void **state)
{
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.width = 320;
    s.height = 192;
    struct fixture f;
    fixture_open(&f, &s);
    pf_encode_packet pkt;
    encode_one(&f, 0, 0, &pkt);
    encode_one(&f, 1, 0, &pkt);
    assert_false(pkt.flags & PF_ENCODE_PACKET_IDR);
    assert_int_equal(pf_encode_video_invalidate_refs(f.enc, 1, 1), 1);
    encode_one(&f, 2, 0, &pkt);
    assert_true(pkt.flags & PF_ENCODE_PACKET_IDR);
    assert_int_equal(pf_encode_video_invalidate_refs(f.enc, 3, 2), PF_ERR_INVALID_ARGUMENT);
    fixture_close(&f);
}

int main(void)
{
    /* FFmpeg's own chatter (x264 statistics) would drown the TAP output. */
    av_log_set_level(AV_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(h264_720p_end_to_end),
        cmocka_unit_test(h264_1080p_end_to_end),
        cmocka_unit_test(hevc_end_to_end),
        cmocka_unit_test(av1_end_to_end),
        cmocka_unit_test(bitrate_change_takes_effect),
        cmocka_unit_test(hdr10_hevc_carries_metadata),
        cmocka_unit_test(bad_frames_give_clear_errors),
        cmocka_unit_test(invalidation_forces_idr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
