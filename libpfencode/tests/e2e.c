/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "e2e.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode_helper.h"

pf_encode_device *e2e_device(uint32_t backend)
{
    pf_encode_device_settings ds;
    pf_encode_device_settings_default(&ds);
    ds.backend = backend;
    ds.allow_cpu_vulkan = 1;
    pf_encode_device *dev = NULL;
    assert_int_equal(pf_encode_device_create(&ds, &dev), 0);
    return dev;
}

void e2e_open(struct e2e_fixture *f, pf_encode_device *dev, const pf_encode_video_settings *s)
{
    memset(f, 0, sizeof(*f));
    f->dev = dev;
    f->w = s->width;
    f->h = s->height;
    assert_int_equal(pf_encode_video_create(f->dev, s, &f->enc), 0);
    f->pixels = malloc((size_t)f->w * f->h * 4);
    f->au_cap = (size_t)f->w * f->h * 4;
    f->au = malloc(f->au_cap);
}

void e2e_close(struct e2e_fixture *f)
{
    pf_encode_video_destroy(f->enc);
    pf_encode_device_destroy(f->dev);
    free(f->pixels);
    free(f->au);
}

pf_frame e2e_cpu_frame(uint8_t *pixels, uint32_t w, uint32_t h, uint64_t n)
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
int e2e_encode_one(struct e2e_fixture *f, uint32_t n, uint32_t flags, pf_encode_packet *pkt)
{
    pattern_draw(f->pixels, f->w, f->h, f->w * 4, n);
    pf_frame fr = e2e_cpu_frame(f->pixels, f->w, f->h, n);
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

void e2e_run(pf_encode_device *dev, uint32_t codec, uint32_t w, uint32_t h, uint32_t frames,
                       const uint32_t *idr_at, size_t n_idr, double min_psnr)
{
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.codec = codec;
    s.width = w;
    s.height = h;
    s.bitrate_kbps = w * h / 40; /* ~23 Mbit/s at 720p */
    struct e2e_fixture f;
    e2e_open(&f, dev, &s);
    struct test_decoder *dec = test_decoder_open(codec);
    assert_non_null(dec);
    uint8_t *ref = malloc((size_t)w * h * 4);
    uint32_t decoded = 0;
    double worst = 99;
    for (uint32_t n = 0; n < frames; n++) {
        bool want_idr = n == 0 || is_idr_request(n, idr_at, n_idr);
        pf_encode_packet pkt;
        int size = e2e_encode_one(&f, n, is_idr_request(n, idr_at, n_idr) ? PF_ENCODE_SUBMIT_IDR : 0,
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
    e2e_close(&f);
}

