/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "native_video.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

#include "pf/core/crypto.h"
#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_media.h"

#include "pattern_counter.h"

#define MAX_LAT 8192

struct native_video {
    int fd;
    pf_pkf1_video_rx *rx;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    native_video_stats st;
    int have_counter, lost, waiting_idr;
    uint32_t next_index; /* frame_index expected next */
    uint64_t lat[MAX_LAT];
    size_t n_lat;
    uint64_t seq_lo, seq_hi, seq_got; /* wire sequence numbers seen in this window */
    /* The headers as the client sees them (opened a second time here): each block's k and m
     * counted once, on its first packet. */
    pf_aead *aead;
    uint8_t salt[4];
    uint32_t block_frame;
    uint64_t blocks_seen; /* bit b: block b of block_frame counted */
};

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_frames_lost(void *ud, uint32_t first, uint32_t count);

static void on_frame(void *ud, const pf_pkf1_video_frame *f)
{
    native_video *v = ud;
    /* An AU whose every datagram was lost leaves a gap in the numbering: a loss too. */
    if (v->st.frames && f->frame_index != v->next_index)
        on_frames_lost(v, v->next_index, f->frame_index - v->next_index);
    v->next_index = f->frame_index + 1;
    v->st.frames++;
    uint64_t now = realtime_ns();
    if (v->n_lat < MAX_LAT && now > f->pts_ns && now - f->pts_ns < 10000000000ull)
        v->lat[v->n_lat++] = now - f->pts_ns;
    v->pkt->data = (uint8_t *)f->data;
    v->pkt->size = (int)f->len;
    /* After a loss nothing decodes until an IDR: an AU holding an IDR slice (NAL type 5).
     * Parameter sets alone do not tell, encoders may repeat them on every frame. */
    int idr = 0;
    for (size_t i = 0; i + 3 < f->len && !idr; i++)
        if (f->data[i] == 0 && f->data[i + 1] == 0 && f->data[i + 2] == 1)
            idr = (f->data[i + 3] & 0x1f) == 5;
    if (idr)
        v->st.idr_frames++;
    if (v->waiting_idr && !idr)
        return;
    v->waiting_idr = 0;
    if (avcodec_send_packet(v->dec, v->pkt) < 0 || avcodec_receive_frame(v->dec, v->frame) < 0)
        return;
    v->st.decoded++;
    v->st.width = (uint32_t)v->frame->width;
    v->st.height = (uint32_t)v->frame->height;
    if (v->frame->data[1] && v->frame->data[2]) {
        int cx = v->frame->width / 2, cy = v->frame->height / 2;
        v->st.centre_y = v->frame->data[0][cy * v->frame->linesize[0] + cx];
        v->st.centre_cb = v->frame->data[1][cy / 2 * v->frame->linesize[1] + cx / 2];
        v->st.centre_cr = v->frame->data[2][cy / 2 * v->frame->linesize[2] + cx / 2];
    }
    int c = pattern_luma_counter(v->frame->data[0], (size_t)v->frame->linesize[0]);
    if (c < 0) {
        v->st.counter_errors++;
        if (getenv("NVIDEO_DEBUG"))
            fprintf(stderr, "# unreadable: frame %u len %zu idr %d recovered %u lost so far %llu\n",
                    f->frame_index, f->len, idr, f->recovered_shards,
                    (unsigned long long)v->st.frames_lost);
        return;
    }
    if (v->have_counter && (uint16_t)(v->st.last_counter + 1) != (uint16_t)c)
        v->st.counter_gaps++;
    if (!v->have_counter && !v->st.first_counter)
        v->st.first_counter = (uint64_t)c;
    v->have_counter = 1;
    v->st.last_counter = (uint64_t)c;
}

static void on_frames_lost(void *ud, uint32_t first, uint32_t count)
{
    native_video *v = ud;
    v->st.frames_lost += count;
    if (first + count - v->next_index < 0x80000000u)
        v->next_index = first + count; /* counted once, whoever saw it first */
    v->lost = 1;
    v->waiting_idr = 1;
    v->have_counter = 0;
}

int nvideo_create(const pf_pkf1_welcome *w, int fd, native_video **ret)
{
    native_video *v = calloc(1, sizeof(*v));
    if (!v)
        return PF_ERR_NOMEM;
    v->fd = fd;
    int buf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
    pf_pkf1_video_rx_settings rs;
    pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &rs);
    rs.shard_payload = w->shard_payload;
    rs.max_shard_payload = w->shard_payload;
    rs.max_data_per_block = w->max_data_per_block;
    rs.cipher = w->cipher == PF_PKF1_CIPHER_CHACHA20_POLY1305 ? PF_AEAD_CHACHA20_POLY1305
                                                              : PF_AEAD_AES128_GCM;
    memcpy(rs.key, rs.cipher == PF_AEAD_CHACHA20_POLY1305 ? w->key_chacha : w->key,
           rs.cipher == PF_AEAD_CHACHA20_POLY1305 ? 32 : 16);
    memcpy(rs.salt, w->salt, 4);
    memcpy(v->salt, w->salt, 4);
    rs.callbacks.on_frame = on_frame;
    rs.callbacks.on_frames_lost = on_frames_lost;
    rs.callbacks.user_data = v;
    int r = pf_pkf1_video_rx_create(&rs, &v->rx);
    if (r == 0)
        r = pf_aead_create(NULL, rs.cipher, rs.key, rs.cipher == PF_AEAD_AES128_GCM ? 16 : 32,
                           &v->aead);
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    if (r == 0 && (!codec || !(v->dec = avcodec_alloc_context3(codec)) ||
                   avcodec_open2(v->dec, codec, NULL) < 0 || !(v->pkt = av_packet_alloc()) ||
                   !(v->frame = av_frame_alloc())))
        r = PF_ERR_UNSUPPORTED;
    if (r < 0) {
        nvideo_destroy(v);
        return r;
    }
    *ret = v;
    return 0;
}

void nvideo_destroy(native_video *v)
{
    if (!v)
        return;
    pf_pkf1_video_rx_destroy(v->rx);
    pf_aead_destroy(v->aead);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    free(v);
}

/* Reads the k and m of the block a datagram belongs to. */
static void count_block(native_video *v, const uint8_t *dg, size_t n, uint64_t seq)
{
    uint8_t plain[9216], nonce[PF_AEAD_NONCE_BYTES];
    if (n < PF_PKF1_MEDIA_OVERHEAD + 2 || n > sizeof(plain))
        return;
    size_t len = n - PF_PKF1_MEDIA_SEQ_BYTES - PF_AEAD_TAG_BYTES;
    pf_pkf1_media_nonce(v->salt, PF_PKF1_MEDIA_DIR_HOST, seq, nonce);
    pf_pkf1_media_header h;
    if (pf_aead_open(v->aead, nonce, dg, PF_PKF1_MEDIA_SEQ_BYTES, dg + PF_PKF1_MEDIA_SEQ_BYTES,
                     len, dg + n - PF_AEAD_TAG_BYTES, plain) < 0 ||
        pf_pkf1_media_header_decode(plain, len, &h) < 0 || h.block_index >= 64)
        return;
    if (h.frame_index != v->block_frame || !v->st.blocks) {
        v->block_frame = h.frame_index;
        v->blocks_seen = 0;
    }
    if (v->blocks_seen & (1ull << h.block_index))
        return;
    v->blocks_seen |= 1ull << h.block_index;
    v->st.blocks++;
    v->st.block_data += h.data_shards;
    v->st.block_parity += h.recovery_shards;
    /* more than the §7.6 rule gives at any percentage the §9.3 controller picks (<= 50 %) */
    uint32_t rule50 = (h.data_shards + 1) / 2 < 2 ? 2 : (h.data_shards + 1) / 2;
    if (h.recovery_shards > rule50)
        v->st.blocks_loss_sized++;
    /* more than the rule at the Welcome's 10 % */
    uint32_t rule10 = (h.data_shards + 9) / 10 < 2 ? 2 : (h.data_shards + 9) / 10;
    if (h.recovery_shards > rule10)
        v->st.blocks_over_rule10++;
}

int nvideo_poll(native_video *v, int ms)
{
    uint64_t before = v->st.frames;
    struct pollfd p = {v->fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0)
        return 0;
    uint8_t buf[9216];
    for (int i = 0; i < 4096; i++) {
        ssize_t n = recv(v->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0)
            break;
        v->st.packets++;
        if (n >= 8) {
            /* The wire seq is in clear (§7.2): the window's loss is the share of missing
             * numbers between the lowest and highest seen. */
            uint64_t seq = 0;
            for (int b = 0; b < 8; b++)
                seq = seq << 8 | buf[b];
            if (!v->seq_got || seq < v->seq_lo)
                v->seq_lo = seq;
            if (!v->seq_got || seq > v->seq_hi)
                v->seq_hi = seq;
            v->seq_got++;
            count_block(v, buf, (size_t)n, seq);
        }
        pf_pkf1_video_rx_feed(v->rx, buf, (size_t)n);
    }
    return (int)(v->st.frames - before);
}

int nvideo_take_lost(native_video *v)
{
    int l = v->lost;
    v->lost = 0;
    return l;
}

uint32_t nvideo_loss_ppm(native_video *v)
{
    /* §9.1 derives loss from FEC counters (recovered − late); this client counts the gaps in
     * the wire sequence instead, which also sees loss in blocks FEC could not repair. */
    uint64_t span = v->seq_got ? v->seq_hi - v->seq_lo + 1 : 0;
    uint64_t got = v->seq_got;
    v->seq_got = 0;
    if (!span || got >= span)
        return 0;
    return (uint32_t)((span - got) * 1000000u / span);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void nvideo_get_stats(native_video *v, native_video_stats *ret)
{
    pf_pkf1_video_rx_stats s;
    pf_pkf1_video_rx_get_stats(v->rx, &s);
    v->st.shards_recovered = s.shards_recovered;
    v->st.probe_packets = s.packets_probe;
    if (v->n_lat) {
        qsort(v->lat, v->n_lat, sizeof(v->lat[0]), cmp_u64);
        v->st.latency_ns[0] = v->lat[v->n_lat / 2];
        v->st.latency_ns[1] = v->lat[v->n_lat * 99 / 100];
    }
    *ret = v->st;
}
