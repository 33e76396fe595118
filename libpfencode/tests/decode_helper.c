/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "decode_helper.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#define BLOCK 32u
#define BITS 16u

void pattern_draw(uint8_t *bgrx, uint32_t w, uint32_t h, uint32_t stride, uint32_t n)
{
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *row = bgrx + (size_t)y * stride;
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = row + x * 4;
            if (y < BLOCK && x < BLOCK * BITS) {
                uint8_t v = (n >> (x / BLOCK)) & 1u ? 235 : 20;
                p[0] = p[1] = p[2] = v;
            } else {
                p[0] = (uint8_t)((x + 3 * n) * 255 / (w + 3 * n + 1));
                p[1] = (uint8_t)(((y + 2 * n) % h) * 255 / h);
                p[2] = (uint8_t)(((x + y + 5 * n) / 4) & 0xff);
            }
            p[3] = 255;
        }
    }
}

int pattern_counter(const uint8_t *bgrx, uint32_t w, uint32_t stride)
{
    int value = 0;
    for (uint32_t b = 0; b < BITS && (b + 1) * BLOCK <= w; b++) {
        /* Sample the block's centre, away from edges that coding blurs. */
        uint32_t sum = 0, count = 0;
        for (uint32_t y = 8; y < BLOCK - 8; y++)
            for (uint32_t x = b * BLOCK + 8; x < (b + 1) * BLOCK - 8; x++, count++)
                sum += bgrx[(size_t)y * stride + x * 4 + 1];
        uint32_t avg = sum / count;
        if (avg > 170)
            value |= 1 << b;
        else if (avg > 85)
            return -1;
    }
    return value;
}

void yuv_reference(const double rgb[3], uint32_t color_space, bool full, int depth,
                   double out[3])
{
    /* ITU-R BT.601-7 §2.5.1, BT.709-6 §3.2, BT.2020-2 Table 4. */
    double kr = 0.2126, kb = 0.0722;
    if (color_space == PF_COLOR_SPACE_BT2020_PQ)
        kr = 0.2627, kb = 0.0593;
    else if (color_space == PF_COLOR_SPACE_BT601)
        kr = 0.299, kb = 0.114;
    double y = kr * rgb[0] + (1 - kr - kb) * rgb[1] + kb * rgb[2];
    double cb = (rgb[2] - y) / (2 * (1 - kb)), cr = (rgb[0] - y) / (2 * (1 - kr));
    double s = depth == 10 ? 4 : 1, maxv = depth == 10 ? 1023 : 255;
    out[0] = full ? y * maxv : 16 * s + 219 * s * y;
    out[1] = 128 * s + (full ? maxv : 224 * s) * cb;
    out[2] = 128 * s + (full ? maxv : 224 * s) * cr;
}

double psnr_bgrx(const uint8_t *a, const uint8_t *b, uint32_t w, uint32_t h, uint32_t stride)
{
    double se = 0;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                double d = (double)a[(size_t)y * stride + x * 4 + c] -
                           (double)b[(size_t)y * stride + x * 4 + c];
                se += d * d;
            }
    double mse = se / ((double)w * h * 3);
    return mse > 0 ? 10.0 * log10(255.0 * 255.0 / mse) : 99.0;
}

struct test_decoder {
    AVCodecContext *ctx;
    AVPacket *pkt;
    AVFrame *frame;
    struct SwsContext *sws;
    uint8_t *bgrx;
    uint32_t w, h;
};

struct test_decoder *test_decoder_open(uint32_t codec)
{
    enum AVCodecID id = codec == PF_ENCODE_CODEC_H264 ? AV_CODEC_ID_H264
                      : codec == PF_ENCODE_CODEC_HEVC ? AV_CODEC_ID_HEVC : AV_CODEC_ID_AV1;
    const AVCodec *c = avcodec_find_decoder(id);
    if (id == AV_CODEC_ID_AV1 && avcodec_find_decoder_by_name("libdav1d"))
        c = avcodec_find_decoder_by_name("libdav1d");
    if (!c)
        return NULL;
    struct test_decoder *d = calloc(1, sizeof(*d));
    d->ctx = avcodec_alloc_context3(c);
    d->ctx->thread_count = 1;
    d->pkt = av_packet_alloc();
    d->frame = av_frame_alloc();
    if (avcodec_open2(d->ctx, c, NULL) < 0) {
        test_decoder_close(d);
        return NULL;
    }
    return d;
}

int test_decoder_push(struct test_decoder *d, const uint8_t *data, size_t size,
                      struct test_decoded *out)
{
    av_packet_unref(d->pkt);
    if (av_new_packet(d->pkt, (int)size) < 0)
        return -1;
    memcpy(d->pkt->data, data, size);
    if (avcodec_send_packet(d->ctx, d->pkt) < 0)
        return -1;
    int r = avcodec_receive_frame(d->ctx, d->frame);
    if (r < 0)
        return 0;
    AVFrame *f = d->frame;
    if (!d->sws || d->w != (uint32_t)f->width || d->h != (uint32_t)f->height) {
        sws_freeContext(d->sws);
        free(d->bgrx);
        d->w = (uint32_t)f->width;
        d->h = (uint32_t)f->height;
        d->bgrx = malloc((size_t)d->w * d->h * 4);
        d->sws = sws_getContext(f->width, f->height, f->format, f->width, f->height,
                                AV_PIX_FMT_BGR0, SWS_BILINEAR, NULL, NULL, NULL);
        bool hdr = f->colorspace == AVCOL_SPC_BT2020_NCL;
        int cs = hdr ? SWS_CS_BT2020 : SWS_CS_ITU709;
        sws_setColorspaceDetails(d->sws, sws_getCoefficients(cs),
                                 f->color_range == AVCOL_RANGE_JPEG, sws_getCoefficients(cs), 1,
                                 0, 1 << 16, 1 << 16);
    }
    uint8_t *dst[4] = {d->bgrx};
    int dst_stride[4] = {(int)d->w * 4};
    sws_scale(d->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
              dst_stride);
    out->width = d->w;
    out->height = d->h;
    out->pix_fmt = f->format;
    out->has_mastering = av_frame_get_side_data(f, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA);
    out->primaries = f->color_primaries;
    out->trc = f->color_trc;
    out->space = f->colorspace;
    out->full_range = f->color_range == AVCOL_RANGE_JPEG;
    out->bgrx = d->bgrx;
    av_frame_unref(f);
    return 1;
}

void test_decoder_close(struct test_decoder *d)
{
    if (!d)
        return;
    avcodec_free_context(&d->ctx);
    av_packet_free(&d->pkt);
    av_frame_free(&d->frame);
    sws_freeContext(d->sws);
    free(d->bgrx);
    free(d);
}

int annexb_nal_types(const uint8_t *data, size_t size, bool hevc, int *types, int max)
{
    if (size < 4 || !((data[0] == 0 && data[1] == 0 && data[2] == 1) ||
                      (data[0] == 0 && data[1] == 0 && data[2] == 0 && data[3] == 1)))
        return -1;
    int n = 0;
    for (size_t i = 0; i + 3 < size && n < max; i++) {
        if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
            uint8_t h = data[i + 3];
            types[n++] = hevc ? (h >> 1) & 0x3f : h & 0x1f;
            i += 2;
        }
    }
    return n;
}
