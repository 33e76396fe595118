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
#include "e2e.h"
#include "encoder_impl.h"
#include "ff_common.h"
#include "pf/encode.h"

static pf_encode_device *sw(void)
{
    return e2e_device(PF_ENCODE_BACKEND_SOFTWARE);
}

static void h264_720p_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {17, 40};
    e2e_run(sw(), PF_ENCODE_CODEC_H264, 1280, 720, 60, idr_at, 2, 30.0);
}

static void h264_1080p_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {9};
    e2e_run(sw(), PF_ENCODE_CODEC_H264, 1920, 1080, 24, idr_at, 1, 30.0);
}

static void hevc_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {5};
    e2e_run(sw(), PF_ENCODE_CODEC_HEVC, 640, 360, 12, idr_at, 1, 30.0);
}

static void av1_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {5};
    e2e_run(sw(), PF_ENCODE_CODEC_AV1, 640, 360, 12, idr_at, 1, 28.0);
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

static double mean_size(struct e2e_fixture *f, uint32_t first, uint32_t count, uint64_t *seed,
                        bool *saw_idr)
{
    double total = 0;
    for (uint32_t n = first; n < first + count; n++) {
        fill_noise(f->pixels, (size_t)f->w * f->h * 4, seed);
        pf_frame fr = e2e_cpu_frame(f->pixels, f->w, f->h, n);
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
    struct e2e_fixture f;
    e2e_open(&f, sw(), &s);
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
    e2e_close(&f);
}

/* Moonlight recognises a keyframe only by finding its first slice inside the first packet of
 * the frame (1000 payload bytes at the smallest packet size, after the 8-byte frame header),
 * so nothing long (a version SEI) may sit between the parameter sets and the slice. */
static size_t first_slice_offset(const uint8_t *au, size_t len, uint32_t codec)
{
    for (size_t i = 0; i + 4 < len; i++) {
        if (au[i] != 0 || au[i + 1] != 0 || au[i + 2] != 1)
            continue;
        uint8_t h = au[i + 3];
        int vcl = codec == PF_ENCODE_CODEC_HEVC ? ((h >> 1) & 0x3f) < 32
                                                : ((h & 0x1f) >= 1 && (h & 0x1f) <= 5);
        if (vcl)
            return i;
    }
    return len;
}

static void keyframe_slice_starts_in_the_first_packet(void **state)
{
    static const uint32_t codecs[] = {PF_ENCODE_CODEC_H264, PF_ENCODE_CODEC_HEVC};
    for (size_t c = 0; c < sizeof(codecs) / sizeof(codecs[0]); c++) {
        pf_encode_video_settings s;
        pf_encode_video_settings_default(&s);
        s.codec = codecs[c];
        s.width = 640;
        s.height = 360;
        struct e2e_fixture f;
        e2e_open(&f, sw(), &s);
        pf_encode_packet pkt;
        int size = e2e_encode_one(&f, 0, 0, &pkt);
        assert_true(size > 0);
        assert_true(pkt.flags & PF_ENCODE_PACKET_IDR);
        size_t at = first_slice_offset(f.au, (size_t)size, codecs[c]);
        print_message("# codec %u: first slice at byte %zu of %d\n", codecs[c], at, size);
        assert_true(at + 8 < 1000);
        e2e_close(&f);
    }
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
    struct e2e_fixture f;
    e2e_open(&f, sw(), &s);
    struct test_decoder *dec = test_decoder_open(PF_ENCODE_CODEC_HEVC);
    pf_encode_packet pkt;
    int size = e2e_encode_one(&f, 0, 0, &pkt);
    struct test_decoded out;
    assert_int_equal(test_decoder_push(dec, f.au, (size_t)size, &out), 1);
    assert_true(out.pix_fmt == AV_PIX_FMT_YUV420P10LE);
    assert_true(out.has_mastering);
    test_decoder_close(dec);
    e2e_close(&f);

    /* libaom cannot carry the metadata: refused at create, not silently dropped. */
    s.codec = PF_ENCODE_CODEC_AV1;
    pf_encode_device *dev = sw();
    pf_encode_video *v = NULL;
    assert_int_equal(pf_encode_video_create(dev, &s, &v), PF_ERR_UNSUPPORTED);
    assert_null(v);
    pf_encode_device_destroy(dev);
}

static void bad_frames_give_clear_errors(void **state)
{
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.width = 320;
    s.height = 192;
    struct e2e_fixture f;
    e2e_open(&f, sw(), &s);
    pf_frame fr = e2e_cpu_frame(f.pixels, 320, 192, 0);
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
    e2e_close(&f);
}

static void invalidation_forces_idr(void **state)
{
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.width = 320;
    s.height = 192;
    struct e2e_fixture f;
    e2e_open(&f, sw(), &s);
    pf_encode_packet pkt;
    e2e_encode_one(&f, 0, 0, &pkt);
    e2e_encode_one(&f, 1, 0, &pkt);
    assert_false(pkt.flags & PF_ENCODE_PACKET_IDR);
    assert_int_equal(pf_encode_video_invalidate_refs(f.enc, 1, 1), 1);
    e2e_encode_one(&f, 2, 0, &pkt);
    assert_true(pkt.flags & PF_ENCODE_PACKET_IDR);
    assert_int_equal(pf_encode_video_invalidate_refs(f.enc, 3, 2), PF_ERR_INVALID_ARGUMENT);
    e2e_close(&f);
}

/* Colour description in the VUI, and slices: what the client's decoder is told. */
static void vui_and_slices(void **state)
{
    for (uint32_t k = 0; k < 4; k++) {
        uint32_t range = k & 1;
        bool bt601 = k >= 2;
        pf_encode_video_settings s;
        pf_encode_video_settings_default(&s);
        s.width = 320;
        s.height = 192;
        s.color_range = range;
        s.color_space = bt601 ? PF_COLOR_SPACE_BT601 : PF_COLOR_SPACE_BT709;
        s.slices = 4;
        s.threads = 1;
        struct e2e_fixture f;
        e2e_open(&f, sw(), &s);
        struct test_decoder *dec = test_decoder_open(PF_ENCODE_CODEC_H264);
        pf_encode_packet pkt;
        int size = e2e_encode_one(&f, 0, 0, &pkt);
        int types[64], slices = 0;
        int n = annexb_nal_types(f.au, (size_t)size, false, types, 64);
        for (int i = 0; i < n; i++)
            slices += types[i] == 5;
        assert_int_equal(slices, 4);
        struct test_decoded out;
        assert_int_equal(test_decoder_push(dec, f.au, (size_t)size, &out), 1);
        assert_int_equal(out.primaries, bt601 ? AVCOL_PRI_SMPTE170M : AVCOL_PRI_BT709);
        assert_int_equal(out.trc, bt601 ? AVCOL_TRC_SMPTE170M : AVCOL_TRC_BT709);
        assert_int_equal(out.space, bt601 ? AVCOL_SPC_SMPTE170M : AVCOL_SPC_BT709);
        assert_int_equal(out.full_range, range == PF_COLOR_RANGE_FULL);
        /* The pattern survives either range: the converter and the VUI agree. */
        assert_int_equal(pattern_counter(out.bgrx, 320, 320 * 4), 0);
        test_decoder_close(dec);
        e2e_close(&f);
    }
}

/* An encoder error mid-stream is reported, and the next frame re-creates the encoder and
 * comes out as an IDR. The error is provoked by draining the codec behind the stream's back,
 * after which libavcodec refuses every frame (AVERROR_EOF), like a wedged encoder. */
static void encoder_errors_recover_with_idr(void **state)
{
    struct pf_encode_video *v = calloc(1, sizeof(*v));
    pf_encode_video_settings_default(&v->settings);
    v->settings.width = 320;
    v->settings.height = 192;
    struct pfi_ff_stream st;
    memset(&st, 0, sizeof(st));
    assert_int_equal(pfi_ff_open(&st, "libx264", &v->settings, AV_PIX_FMT_NV12, NULL), 0);
    AVFrame *good = av_frame_alloc();
    good->format = AV_PIX_FMT_NV12;
    good->width = 320;
    good->height = 192;
    assert_int_equal(av_frame_get_buffer(good, 0), 0);
    memset(good->data[0], 100, (size_t)good->linesize[0] * 192);
    memset(good->data[1], 128, (size_t)good->linesize[1] * 96);

    uint8_t au[1 << 16];
    pf_encode_packet pkt = {.struct_size = sizeof(pkt)};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(av_frame_make_writable(good), 0);
        assert_int_equal(pfi_ff_encode(v, &st, good, i == 0), 0);
        assert_true(pf_encode_video_receive(v, au, sizeof(au), &pkt) > 0);
        v->frames_in++;
    }
    assert_false(pkt.flags & PF_ENCODE_PACKET_IDR);
    assert_int_equal(avcodec_send_frame(st.ctx, NULL), 0);
    assert_int_equal(av_frame_make_writable(good), 0);
    assert_int_equal(pfi_ff_encode(v, &st, good, false), PF_ERR_IO);
    assert_true(st.broken);
    v->frames_in++;
    assert_int_equal(av_frame_make_writable(good), 0);
    assert_int_equal(pfi_ff_encode(v, &st, good, false), 0);
    assert_false(st.broken);
    assert_true(pf_encode_video_receive(v, au, sizeof(au), &pkt) > 0);
    assert_true(pkt.flags & PF_ENCODE_PACKET_IDR);
    av_frame_free(&good);
    pfi_ff_close(&st);
    for (uint32_t i = 0; i < PFI_PACKET_QUEUE; i++)
        free(v->queue[i].data);
    free(v);
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
        cmocka_unit_test(keyframe_slice_starts_in_the_first_packet),
        cmocka_unit_test(hdr10_hevc_carries_metadata),
        cmocka_unit_test(bad_frames_give_clear_errors),
        cmocka_unit_test(invalidation_forces_idr),
        cmocka_unit_test(encoder_errors_recover_with_idr),
        cmocka_unit_test(vui_and_slices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
