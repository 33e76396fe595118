/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "video.h"

#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

#include "pattern_counter.h"

struct pfc_video {
    uint32_t codec;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    int waiting_idr, have_counter;
    pfc_video_stats st;
};

int pfc_video_create(uint32_t codec, pfc_video **ret)
{
    pfc_video *v = calloc(1, sizeof(*v));
    if (!v)
        return -1;
    v->codec = codec;
    v->st.first_counter = v->st.last_counter = -1;
    enum AVCodecID id = codec == PF_CLIENT_CODEC_H264   ? AV_CODEC_ID_H264
                        : codec == PF_CLIENT_CODEC_AV1 ? AV_CODEC_ID_AV1
                                                       : AV_CODEC_ID_HEVC;
    const AVCodec *dc = avcodec_find_decoder(id);
    if (!dc || !(v->dec = avcodec_alloc_context3(dc)) || avcodec_open2(v->dec, dc, NULL) < 0 ||
        !(v->pkt = av_packet_alloc()) || !(v->frame = av_frame_alloc())) {
        pfc_video_destroy(v);
        return -1;
    }
    *ret = v;
    return 0;
}

void pfc_video_destroy(pfc_video *v)
{
    if (!v)
        return;
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    free(v);
}

/* An IDR carries its parameter sets in band (§9.2): an SPS (H.264) or VPS (HEVC) NAL near the
 * start. After a loss nothing else decodes cleanly until one. */
static int is_idr(uint32_t codec, const uint8_t *d, size_t len)
{
    size_t n = len < 128 ? len : 128;
    for (size_t i = 0; i + 3 < n; i++) {
        if (d[i] || d[i + 1] || d[i + 2] != 1)
            continue;
        uint8_t h = d[i + 3];
        if (codec == PF_CLIENT_CODEC_H264 && (h & 0x1f) == 7)
            return 1;
        if (codec == PF_CLIENT_CODEC_HEVC && ((h >> 1) & 0x3f) == 32)
            return 1;
    }
    return codec == PF_CLIENT_CODEC_AV1; /* AV1: no cheap test; decode everything */
}

const AVFrame *pfc_video_decode(pfc_video *v, const pf_client_video_frame *f)
{
    v->st.aus++;
    int idr = is_idr(v->codec, f->data, f->len);
    if (idr)
        v->st.idr++;
    if (f->flags & PF_CLIENT_FRAME_DISCONTINUITY) {
        v->waiting_idr = 1;
        v->have_counter = 0;
    }
    if (v->waiting_idr && !idr) {
        v->st.skipped++;
        return NULL;
    }
    v->waiting_idr = 0;
    v->pkt->data = (uint8_t *)f->data;
    v->pkt->size = (int)f->len;
    if (avcodec_send_packet(v->dec, v->pkt) < 0 || avcodec_receive_frame(v->dec, v->frame) < 0) {
        v->st.decode_errors++;
        return NULL;
    }
    v->st.decoded++;
    v->st.width = (uint32_t)v->frame->width;
    v->st.height = (uint32_t)v->frame->height;
    if (v->frame->width >= 512 && v->frame->height >= 32) {
        int c = pattern_luma_counter(v->frame->data[0], (size_t)v->frame->linesize[0]);
        v->st.counter_frames++;
        if (c < 0) {
            v->st.counter_errors++;
        } else {
            if (v->have_counter && (uint16_t)(v->st.last_counter + 1) != (uint16_t)c)
                v->st.counter_gaps++;
            else if (v->have_counter)
                v->st.counter_steps++;
            if (v->st.first_counter < 0)
                v->st.first_counter = c;
            v->st.last_counter = c;
            v->have_counter = 1;
        }
    }
    return v->frame;
}

void pfc_video_get_stats(const pfc_video *v, pfc_video_stats *ret)
{
    *ret = v->st;
}

int pfc_video_waiting_idr(const pfc_video *v)
{
    return v->waiting_idr;
}
