/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-loss-harness cells: real packetizer → loss channel → real reassembler, in memory. */
#include "loss_sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/gs_video.h"
#include "pf/core/pkf1_media.h"

const char *loss_scheme_name(loss_scheme s)
{
    return s == LOSS_SCHEME_GS8 ? "gamestream-gf8" : "pkf1-gf16";
}

const char *loss_model_name(loss_model m)
{
    return m == LOSS_MODEL_RANDOM ? "random" : "burst";
}

double loss_block_fail(uint32_t n, uint32_t m, double p)
{
    if (m >= n || p <= 0.0)
        return 0.0;
    if (p >= 1.0)
        return 1.0;
    /* Upper tail summed term by term in log space: no cancellation when it is tiny. */
    double sum = 0.0, lp = log(p), lq = log1p(-p);
    for (uint32_t j = m + 1; j <= n; j++)
        sum += exp(lgamma(n + 1.0) - lgamma(j + 1.0) - lgamma(n - j + 1.0) + j * lp +
                   (n - j) * lq);
    return sum > 1.0 ? 1.0 : sum;
}

double loss_burst_frame_fail(const uint32_t *data, const uint32_t *parity, uint32_t blocks,
                             double p, double burst_len)
{
    if (p <= 0.0)
        return 0.0;
    double to_good = 1.0 / burst_len, to_bad = p * to_good / (1.0 - p);
    /* Mass per channel state (good, bad) of the paths on which every block so far held;
     * the state before the frame is the stationary one (the channel starts there and stays
     * there in distribution). */
    double v[2] = {1.0 - p, p};
    for (uint32_t b = 0; b < blocks; b++) {
        uint32_t n = data[b] + parity[b], m = parity[b];
        double *dp = calloc(4 * ((size_t)m + 1), sizeof(double)), *nd = dp + 2 * (m + 1);
        if (!dp)
            return -1.0;
        dp[0] = v[0]; /* dp[2 j + s]: j lost so far, channel in state s */
        dp[1] = v[1];
        for (uint32_t i = 0; i < n; i++) {
            memset(nd, 0, 2 * ((size_t)m + 1) * sizeof(double));
            for (uint32_t j = 0; j <= m; j++) {
                double g = dp[2 * j], d = dp[2 * j + 1];
                nd[2 * j] += g * (1.0 - to_bad) + d * to_good;     /* delivered */
                if (j < m)
                    nd[2 * (j + 1) + 1] += g * to_bad + d * (1.0 - to_good); /* dropped */
            }
            memcpy(dp, nd, 2 * ((size_t)m + 1) * sizeof(double));
        }
        v[0] = v[1] = 0.0;
        for (uint32_t j = 0; j <= m; j++) {
            v[0] += dp[2 * j];
            v[1] += dp[2 * j + 1];
        }
        free(dp);
    }
    double fail = 1.0 - v[0] - v[1];
    return fail < 0.0 ? 0.0 : fail;
}

/* splitmix64: small, seedable, and good enough for loss draws. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double next_unit(uint64_t *s)
{
    return (double)(next_u64(s) >> 11) * 0x1.0p-53;
}

typedef struct channel {
    loss_model model;
    double p, to_bad, to_good;
    int bad;
    uint64_t rng;
} channel;

static int channel_init(channel *ch, const loss_cell_spec *spec, char *err, size_t n)
{
    memset(ch, 0, sizeof(*ch));
    ch->model = spec->model;
    ch->p = spec->loss;
    ch->rng = spec->seed;
    if (spec->model == LOSS_MODEL_BURST && spec->loss > 0.0) {
        if (spec->burst_len < 1.0 || spec->loss >= 1.0) {
            snprintf(err, n, "burst model needs a mean burst length >= 1 and loss < 1");
            return -1;
        }
        ch->to_good = 1.0 / spec->burst_len;
        ch->to_bad = spec->loss * ch->to_good / (1.0 - spec->loss);
        if (ch->to_bad > 1.0) {
            snprintf(err, n, "loss %.3f is unreachable with mean burst length %.2f", spec->loss,
                     spec->burst_len);
            return -1;
        }
        ch->bad = next_unit(&ch->rng) < spec->loss; /* start in the stationary distribution */
    }
    return 0;
}

static int channel_drops(channel *ch)
{
    if (ch->p <= 0.0)
        return 0;
    if (ch->model == LOSS_MODEL_RANDOM)
        return next_unit(&ch->rng) < ch->p;
    double u = next_unit(&ch->rng);
    ch->bad = ch->bad ? !(u < ch->to_good) : u < ch->to_bad;
    return ch->bad;
}

typedef struct run {
    const loss_cell_spec *spec;
    uint8_t *au;          /* frame payload; the first 4 bytes carry the frame number */
    uint8_t *delivered;   /* per frame */
    uint32_t base_index;  /* frame_index of frame 0 */
    uint64_t corrupt;
} run;

static void stamp(uint8_t *au, uint32_t len, uint32_t frame)
{
    for (uint32_t i = 0; i < 4 && i < len; i++)
        au[i] = (uint8_t)(frame >> (8 * i));
}

static void check_frame(run *r, uint32_t frame_index, const uint8_t *data, size_t len)
{
    uint32_t f = frame_index - r->base_index;
    if (f >= r->spec->frames)
        return;
    stamp(r->au, r->spec->frame_bytes, f);
    if (len != r->spec->frame_bytes || memcmp(data, r->au, len) != 0)
        r->corrupt++;
    else
        r->delivered[f] = 1;
}

static void on_gs_frame(void *ud, const pf_gs_video_frame *fr)
{
    check_frame(ud, fr->frame_index, fr->data, fr->len);
}

static void on_pkf1_frame(void *ud, const pf_pkf1_video_frame *fr)
{
    check_frame(ud, fr->frame_index, fr->data, fr->len);
}

/* Block shapes of one frame from its datagrams' headers. */
static void gs_shapes(const uint8_t *out, uint32_t count, size_t stride, loss_cell_result *res)
{
    uint32_t n[4] = {0}, k[4] = {0}, blocks = 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *d = out + i * stride;
        uint32_t b = (d[27] >> 4) & 3u;
        uint32_t fec = (uint32_t)d[28] | (uint32_t)d[29] << 8 | (uint32_t)d[30] << 16 |
                       (uint32_t)d[31] << 24;
        n[b]++;
        k[b] = (fec >> 22) & 0x3FFu;
        if (b + 1 > blocks)
            blocks = b + 1;
    }
    res->block_count = blocks;
    for (uint32_t b = 0; b < blocks; b++) {
        res->block_data[b] = k[b];
        res->block_parity[b] = n[b] - k[b];
    }
}

static void pkf1_shapes(const uint8_t *out, uint32_t count, size_t stride,
                        loss_cell_result *res)
{
    res->block_count = 0;
    for (uint32_t i = 0; i < count; i++) {
        pf_pkf1_media_header h;
        if (pf_pkf1_media_header_decode(out + i * stride, PF_PKF1_MEDIA_HEADER_BYTES, &h) < 0 ||
            h.block_index >= LOSS_MAX_BLOCKS)
            continue;
        res->block_data[h.block_index] = h.data_shards;
        res->block_parity[h.block_index] = h.recovery_shards;
        if (h.block_index + 1u > res->block_count)
            res->block_count = h.block_index + 1u;
    }
}

typedef struct codec {
    pf_gs_video_tx *gtx;
    pf_gs_video_rx *grx;
    pf_pkf1_video_tx *ptx;
    pf_pkf1_video_rx *prx;
} codec;

static int codec_create(codec *c, const loss_cell_spec *spec, const pf_rs16_tables *tables,
                        run *r)
{
    int rc;
    if (spec->scheme == LOSS_SCHEME_GS8) {
        pf_gs_video_tx_settings ts;
        pf_gs_video_rx_settings rs;
        pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &ts);
        pf_gs_video_rx_settings_default(PF_GS_VIDEO_RX_SETTINGS_VERSION, &rs);
        ts.fec_percent = spec->parity_percent;
        rs.callbacks = (pf_gs_video_rx_callbacks){.on_frame = on_gs_frame, .user_data = r};
        r->base_index = ts.first_frame_index;
        rc = pf_gs_video_tx_create(&ts, &c->gtx);
        return rc < 0 ? rc : pf_gs_video_rx_create(&rs, &c->grx);
    }
    pf_pkf1_video_tx_settings ts;
    pf_pkf1_video_rx_settings rs;
    pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &ts);
    pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &rs);
    ts.encrypt = 0;
    rs.decrypt = 0;
    /* 90 % is the protocol's ceiling (§7.6); the packetizer refuses more. */
    ts.welcome_fec_percent = ts.fec_percent = spec->parity_percent < PF_PKF1_MEDIA_MAX_FEC_PERCENT
                                                  ? spec->parity_percent
                                                  : PF_PKF1_MEDIA_MAX_FEC_PERCENT;
    ts.rs16_tables = rs.rs16_tables = tables;
    if (spec->frame_bytes > rs.max_frame_bytes)
        rs.max_frame_bytes = spec->frame_bytes;
    rs.callbacks = (pf_pkf1_video_rx_callbacks){.on_frame = on_pkf1_frame, .user_data = r};
    r->base_index = 0;
    rc = pf_pkf1_video_tx_create(&ts, &c->ptx);
    return rc < 0 ? rc : pf_pkf1_video_rx_create(&rs, &c->prx);
}

static void codec_destroy(codec *c)
{
    pf_gs_video_tx_destroy(c->gtx);
    pf_gs_video_rx_destroy(c->grx);
    pf_pkf1_video_tx_destroy(c->ptx);
    pf_pkf1_video_rx_destroy(c->prx);
}

static int frame_size(const codec *c, size_t len, uint32_t *bytes, uint32_t *packets)
{
    return c->gtx ? pf_gs_video_tx_get_frame_size(c->gtx, len, bytes, packets)
                  : pf_pkf1_video_tx_get_frame_size(c->ptx, len, bytes, packets);
}

static int packetize(codec *c, uint32_t f, const uint8_t *au, size_t len, uint8_t *out,
                     size_t cap, size_t stride, uint32_t *ret_count)
{
    int rc;
    if (c->gtx) {
        pf_gs_video_frame_info info = {.version = PF_GS_VIDEO_FRAME_INFO_VERSION,
                                       .frame_type = PF_GS_FRAME_TYPE_P,
                                       .rtp_timestamp = f * 1500u};
        pf_gs_video_tx_result res;
        rc = pf_gs_video_tx_packetize(c->gtx, &info, au, len, out, cap, stride, &res);
        *ret_count = res.packet_count;
    } else {
        pf_pkf1_video_frame_info info = {.pts_ns = (uint64_t)f * 16666667u, .frame_index = f};
        pf_pkf1_video_tx_result res;
        rc = pf_pkf1_video_tx_packetize(c->ptx, &info, au, len, out, cap, stride, &res);
        *ret_count = res.packet_count;
    }
    return rc;
}

static void feed(codec *c, const uint8_t *pkt, size_t len)
{
    /* Refusals (stale shards of finished blocks) are part of normal loss handling. */
    if (c->grx)
        (void)pf_gs_video_rx_feed(c->grx, pkt, len);
    else
        (void)pf_pkf1_video_rx_feed(c->prx, pkt, len);
}

static void finish(const codec *c, const loss_cell_spec *spec, const run *r, const uint8_t *hit,
                   loss_cell_result *res)
{
    if (c->grx) {
        pf_gs_video_rx_stats st;
        pf_gs_video_rx_get_stats(c->grx, &st);
        res->shards_recovered = st.shards_recovered;
    } else {
        pf_pkf1_video_rx_stats st;
        pf_pkf1_video_rx_get_stats(c->prx, &st);
        res->shards_recovered = st.shards_recovered;
    }
    res->frames_corrupt = r->corrupt;
    for (uint32_t f = 0; f < spec->frames; f++) {
        res->frames_delivered += r->delivered[f];
        res->frames_hit += hit[f];
        res->frames_hit_delivered += hit[f] && r->delivered[f];
    }
    res->residual_loss = 1.0 - (double)res->frames_delivered / (double)res->frames_sent;
    res->recovery_rate =
        res->frames_hit ? (double)res->frames_hit_delivered / (double)res->frames_hit : -1.0;
    res->expected_loss = -1.0;
    if (spec->model == LOSS_MODEL_BURST)
        res->expected_loss = loss_burst_frame_fail(res->block_data, res->block_parity,
                                                   res->block_count, spec->loss,
                                                   spec->burst_len);
    if (spec->model == LOSS_MODEL_RANDOM) {
        double ok = 1.0;
        for (uint32_t b = 0; b < res->block_count; b++)
            ok *= 1.0 - loss_block_fail(res->block_data[b] + res->block_parity[b],
                                        res->block_parity[b], spec->loss);
        res->expected_loss = 1.0 - ok;
    }
}

int loss_cell_run(const loss_cell_spec *spec, const pf_rs16_tables *tables,
                  loss_cell_result *res, char *err, size_t err_len)
{
    memset(res, 0, sizeof(*res));
    channel ch;
    if (!spec->frames || !spec->frame_bytes || channel_init(&ch, spec, err, err_len) < 0) {
        if (!spec->frames || !spec->frame_bytes)
            snprintf(err, err_len, "frames and frame size must be positive");
        return PF_ERR_INVALID_ARGUMENT;
    }
    run r = {.spec = spec};
    codec c = {0};
    uint8_t *out = NULL, *hit = calloc(spec->frames, 1);
    r.au = malloc(spec->frame_bytes);
    r.delivered = calloc(spec->frames, 1);
    uint32_t pkt_bytes = 0, max_packets = 0;
    int rc = PF_ERR_NOMEM;
    if (!hit || !r.au || !r.delivered)
        goto done;
    uint64_t fill = spec->seed ^ 0xA5A5A5A5u;
    for (uint32_t i = 0; i < spec->frame_bytes; i++)
        r.au[i] = (uint8_t)next_u64(&fill);
    rc = codec_create(&c, spec, tables, &r);
    if (rc >= 0)
        rc = frame_size(&c, spec->frame_bytes, &pkt_bytes, &max_packets);
    if (rc < 0) {
        snprintf(err, err_len, "%s, %u-byte frames: %s", loss_scheme_name(spec->scheme),
                 spec->frame_bytes, pf_strerror(rc));
        goto done;
    }
    size_t cap = (size_t)pkt_bytes * max_packets;
    out = malloc(cap);
    rc = PF_ERR_NOMEM;
    if (!out)
        goto done;
    res->frames_sent = spec->frames;
    for (uint32_t f = 0; f < spec->frames; f++) {
        uint32_t count = 0;
        stamp(r.au, spec->frame_bytes, f);
        rc = packetize(&c, f, r.au, spec->frame_bytes, out, cap, pkt_bytes, &count);
        if (rc < 0) {
            snprintf(err, err_len, "packetize: %s", pf_strerror(rc));
            goto done;
        }
        if (f == 0)
            (c.gtx ? gs_shapes : pkf1_shapes)(out, count, pkt_bytes, res);
        for (uint32_t i = 0; i < count; i++) {
            res->datagrams_sent++;
            if (channel_drops(&ch)) {
                res->datagrams_dropped++;
                hit[f] = 1;
                continue;
            }
            feed(&c, out + (size_t)i * pkt_bytes, pkt_bytes);
        }
    }
    finish(&c, spec, &r, hit, res);
    rc = 0;
done:
    codec_destroy(&c);
    free(out);
    free(hit);
    free(r.au);
    free(r.delivered);
    return rc;
}
