/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream video packetizer and reassembler: wire layout (gamestream-protocol.md §6.2–§6.6),
 * FEC rules, numbering, and round trips through loss, reordering, duplicates and garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/core/gs_video.h"
#include "pf/core/rs8.h"

#include "gs_rs8_cache.h"
#include "gs_test_util.h"

#define P_SMALL 48u /* CH = 32: many shards from small frames keep the tests fast */

static const uint8_t test_key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

typedef struct packets {
    uint8_t *buf;
    size_t stride;
    pf_gs_video_tx_result res;
} packets;

typedef struct collector {
    uint8_t *data;
    size_t len;
    uint32_t frames;
    uint32_t last_index;
    uint32_t last_type;
    uint32_t last_latency;
    uint32_t last_ts;
    uint32_t recovered;
    uint32_t lost_first;
    uint32_t lost_count;
    uint32_t lost_calls;
} collector;

static void on_frame(void *user_data, const pf_gs_video_frame *f)
{
    collector *c = user_data;
    free(c->data);
    c->data = malloc(f->len ? f->len : 1);
    assert_non_null(c->data);
    memcpy(c->data, f->data, f->len);
    c->len = f->len;
    c->frames++;
    c->last_index = f->frame_index;
    c->last_type = f->frame_type;
    c->last_latency = f->host_latency;
    c->last_ts = f->rtp_timestamp;
    c->recovered += f->recovered_shards;
}

static void on_lost(void *user_data, uint32_t first, uint32_t count)
{
    collector *c = user_data;
    if (c->lost_calls == 0)
        c->lost_first = first;
    c->lost_count += count;
    c->lost_calls++;
}

static pf_gs_video_tx *make_tx(uint32_t packet_size, uint32_t fec, int encrypt)
{
    pf_gs_video_tx_settings s;
    assert_int_equal(pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &s), 0);
    s.packet_size = packet_size;
    s.fec_percent = fec;
    s.encrypt = (uint32_t)encrypt;
    memcpy(s.key, test_key, 16);
    pf_gs_video_tx *tx = NULL;
    assert_int_equal(pf_gs_video_tx_create(&s, &tx), 0);
    return tx;
}

static pf_gs_video_rx *make_rx(uint32_t packet_size, int encrypt, collector *c)
{
    pf_gs_video_rx_settings s;
    assert_int_equal(pf_gs_video_rx_settings_default(PF_GS_VIDEO_RX_SETTINGS_VERSION, &s), 0);
    s.packet_size = packet_size;
    s.decrypt = (uint32_t)encrypt;
    memcpy(s.key, test_key, 16);
    s.callbacks.on_frame = on_frame;
    s.callbacks.on_frames_lost = on_lost;
    s.callbacks.user_data = c;
    pf_gs_video_rx *rx = NULL;
    assert_int_equal(pf_gs_video_rx_create(&s, &rx), 0);
    return rx;
}

static void packetize(pf_gs_video_tx *tx, const uint8_t *au, size_t len, uint32_t type,
                      packets *out)
{
    uint32_t pbytes = 0, max = 0;
    assert_int_equal(pf_gs_video_tx_get_frame_size(tx, len, &pbytes, &max), 0);
    out->stride = pbytes;
    out->buf = malloc((size_t)max * pbytes);
    assert_non_null(out->buf);
    pf_gs_video_frame_info info = {
        .version = PF_GS_VIDEO_FRAME_INFO_VERSION,
        .frame_type = type,
        .host_latency = 123,
        .rtp_timestamp = 0x01020304u,
    };
    assert_int_equal(pf_gs_video_tx_packetize(tx, &info, au, len, out->buf,
                                              (size_t)max * pbytes, pbytes, &out->res),
                     0);
    assert_int_equal(out->res.packet_count, max);
    assert_int_equal(out->res.packet_bytes, pbytes);
}

static uint8_t *pkt_at(const packets *p, uint32_t i)
{
    return p->buf + (size_t)i * p->stride;
}

static uint32_t le32(const uint8_t *b)
{
    return b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static uint16_t be16(const uint8_t *b)
{
    return (uint16_t)((b[0] << 8) | b[1]);
}

/* Per-block layout read back from the plaintext headers of packetizer output. */
typedef struct block_view {
    uint32_t first; /* packet index of the block's first shard */
    uint32_t k;
    uint32_t m;
} block_view;

static uint32_t blocks_of(const packets *p, size_t hdr_off, block_view *v)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->res.packet_count;) {
        const uint8_t *h = pkt_at(p, i) + hdr_off;
        uint32_t fi = le32(h + 28);
        uint32_t k = fi >> 22, pct = (fi >> 4) & 0xff;
        v[n].first = i;
        v[n].k = k;
        v[n].m = (k * pct + 99) / 100;
        i += v[n].k + v[n].m;
        n++;
    }
    return n;
}

static void free_packets(packets *p)
{
    free(p->buf);
    p->buf = NULL;
}

/* --- wire layout ------------------------------------------------------------------------- */

static void single_shard_layout_matches_spec(void **state)
{
    (void)state;
    pf_gs_video_tx *tx = make_tx(1392, 20, 0);
    uint8_t au[100];
    gs_fill(au, sizeof(au), 7);
    packets p;
    packetize(tx, au, sizeof(au), PF_GS_FRAME_TYPE_IDR, &p);
    /* One data shard: n = 1 -> parity 2 and fec 200 (§6.3 step 4). */
    assert_int_equal(p.res.packet_count, 3);
    assert_int_equal(p.res.packet_bytes, 1408);
    assert_int_equal(p.res.frame_index, 1);
    const uint8_t *d = pkt_at(&p, 0);
    static const uint8_t rtp[16] = {0x90, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(d, rtp, 16);
    assert_int_equal(le32(d + 16), 0);                /* streamPacketIndex 0 << 8 */
    assert_int_equal(le32(d + 20), 1);                /* frameIndex starts at 1 */
    assert_int_equal(d[24], 0x07);                    /* PIC_DATA | EOF | SOF */
    assert_int_equal(d[25], 0);
    assert_int_equal(d[26], 0x10);
    assert_int_equal(d[27], 0x00);
    assert_int_equal(le32(d + 28), (1u << 22) | (0u << 12) | (200u << 4));
    /* Frame header: type 0x01, latency 123, IDR, lastPayloadLen = 108 (8 + 100 < CH). */
    static const uint8_t fh[8] = {0x01, 123, 0, 2, 108, 0, 0, 0};
    assert_memory_equal(d + 32, fh, 8);
    assert_memory_equal(d + 40, au, sizeof(au));
    for (size_t i = 40 + sizeof(au); i < 1408; i++)
        assert_int_equal(d[i], 0);
    for (uint32_t j = 1; j < 3; j++) {
        const uint8_t *q = pkt_at(&p, j);
        assert_int_equal(q[0], 0x90);
        assert_int_equal(be16(q + 2), j);
        assert_memory_equal(q + 4, rtp + 4, 4);
        assert_int_equal(le32(q + 20), 1);
        assert_int_equal(q[27], 0x00);
        assert_int_equal(le32(q + 28), (1u << 22) | (j << 12) | (200u << 4));
    }
    free_packets(&p);
    pf_gs_video_tx_destroy(tx);
}

/* §6.3 steps 3–4 for a range of sizes: the announced percentage reproduces the real parity
 * count through the client's formula, blocks respect the RS limit, parity >= 2. */
static void fec_rules_hold_for_every_size(void **state)
{
    (void)state;
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 0);
    const uint32_t ch = P_SMALL - 16;
    static const size_t shards[] = {1, 2, 3, 4, 5, 9, 10, 11, 50, 100, 101, 212, 213, 400,
                                    848, 849, 1000, 2000, 4000};
    for (size_t t = 0; t < sizeof(shards) / sizeof(shards[0]); t++) {
        size_t len = shards[t] * ch - 8;
        uint8_t *au = calloc(len, 1);
        packets p;
        packetize(tx, au, len, 1, &p);
        block_view v[8];
        uint32_t nb = blocks_of(&p, 0, v);
        assert_int_equal(nb, p.res.block_count);
        assert_true(nb >= 1 && nb <= 4);
        uint32_t data = 0;
        for (uint32_t b = 0; b < nb; b++) {
            data += v[b].k;
            if (p.res.fec_skipped) {
                assert_int_equal(v[b].m, 0);
                continue;
            }
            assert_true(v[b].m >= 2);
            assert_true(v[b].k + v[b].m <= 255);
            assert_true(v[b].m == (v[b].k * 20 + 99) / 100 || v[b].m == 2);
            /* Every shard of the block carries the block's layout and its own index. */
            for (uint32_t j = 0; j < v[b].k + v[b].m; j++) {
                const uint8_t *h = pkt_at(&p, v[b].first + j);
                assert_int_equal((le32(h + 28) >> 12) & 0x3ff, j);
                assert_int_equal(h[27], (b << 4) | ((nb - 1) << 6));
                assert_int_equal(be16(h + 2), (uint16_t)(p.res.first_seq + v[b].first + j));
            }
        }
        assert_int_equal(data, shards[t]);
        assert_int_equal(data, p.res.data_shards);
        /* 20 %: D = 212 data shards per block; beyond four blocks FEC is skipped. */
        assert_int_equal(p.res.fec_skipped, shards[t] > 4 * 212 ? 1 : 0);
        if (shards[t] == 1)
            assert_int_equal((le32(pkt_at(&p, 0) + 28) >> 4) & 0xff, 200);
        free_packets(&p);
        free(au);
    }
    pf_gs_video_tx_destroy(tx);
}

/* §6.3 steps 6–7 and §6.5: parity is RS over the whole final data shards; the packetizer
 * overwrites only bytes 0, 2–7, 20–23, 27–31 of each parity shard. */
static void parity_equals_direct_rs_over_headers(void **state)
{
    (void)state;
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 0);
    const size_t shard = 16 + P_SMALL;
    size_t len = 300 * (P_SMALL - 16);
    uint8_t *au = malloc(len);
    gs_fill(au, len, 99);
    packets p;
    packetize(tx, au, len, 1, &p); /* a second frame so numbering is not all zero */
    free_packets(&p);
    packetize(tx, au, len, 1, &p);
    block_view v[4];
    uint32_t nb = blocks_of(&p, 0, v);
    assert_int_equal(nb, 2);
    for (uint32_t b = 0; b < nb; b++) {
        pf_rs8 *rs = NULL;
        assert_int_equal(pf_rs8_create(v[b].k, v[b].m, PF_RS8_MATRIX_CAUCHY, NULL, &rs), 0);
        const uint8_t *data[255];
        uint8_t *parity[255];
        for (uint32_t i = 0; i < v[b].k; i++)
            data[i] = pkt_at(&p, v[b].first + i);
        for (uint32_t j = 0; j < v[b].m; j++)
            parity[j] = malloc(shard);
        assert_int_equal(pf_rs8_encode(rs, data, parity, shard), 0);
        for (uint32_t j = 0; j < v[b].m; j++) {
            const uint8_t *got = pkt_at(&p, v[b].first + v[b].k + j);
            static const uint8_t rs_bytes[] = {1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                               19, 24, 25, 26};
            for (size_t i = 0; i < sizeof(rs_bytes); i++)
                assert_int_equal(got[rs_bytes[i]], parity[j][rs_bytes[i]]);
            assert_memory_equal(got + 32, parity[j] + 32, shard - 32);
            assert_int_equal(got[0], 0x90);
            assert_int_equal(le32(got + 20), 2);
            assert_int_equal((le32(got + 28) >> 12) & 0x3ff, v[b].k + j);
            free(parity[j]);
        }
        pf_rs8_destroy(rs);
    }
    free_packets(&p);
    free(au);
    pf_gs_video_tx_destroy(tx);
}

static void numbering_continues_across_frames(void **state)
{
    (void)state;
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 0);
    uint8_t au[200] = {0};
    packets a, b;
    packetize(tx, au, sizeof(au), 1, &a);
    packetize(tx, au, sizeof(au), 1, &b);
    assert_int_equal(a.res.frame_index + 1, b.res.frame_index);
    assert_int_equal(b.res.first_seq, a.res.packet_count);
    const uint8_t *first_b = pkt_at(&b, 0);
    assert_int_equal(be16(first_b + 2), a.res.packet_count);
    /* streamPacketIndex counts parity shards too (Sunshine: counter == RTP seq). */
    assert_int_equal(le32(first_b + 16) >> 8, a.res.packet_count);
    assert_int_equal(le32(first_b + 20), 2);
    free_packets(&a);
    free_packets(&b);
    pf_gs_video_tx_destroy(tx);
}

static void encrypted_prefix_layout(void **state)
{
    (void)state;
    pf_gs_video_tx *tx = make_tx(1360, 20, 1);
    uint8_t au[3000];
    gs_fill(au, sizeof(au), 3);
    packets p;
    packetize(tx, au, sizeof(au), 1, &p);
    /* §6.6: 1360 + 16 + 32 = 1408 bytes per datagram. */
    assert_int_equal(p.res.packet_bytes, 1408);
    pf_aead *aead = NULL;
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, test_key, 16, &aead), 0);
    for (uint32_t i = 0; i < p.res.packet_count; i++) {
        const uint8_t *d = pkt_at(&p, i);
        static const uint8_t tail[4] = {0, 0, 0, 'V'};
        assert_int_equal(le32(d), i); /* LE64 counter */
        assert_int_equal(le32(d + 4), 0);
        assert_memory_equal(d + 8, tail, 4);
        assert_int_equal(le32(d + 12), 1); /* frameIndex in clear */
        uint8_t plain[1376];
        assert_int_equal(pf_aead_open(aead, d, NULL, 0, d + 32, 1376, d + 16, plain), 0);
        assert_int_equal(plain[0], 0x90);
        assert_int_equal(be16(plain + 2), i);
    }
    pf_aead_destroy(aead);
    free_packets(&p);
    pf_gs_video_tx_destroy(tx);
}

/* --- round trips ------------------------------------------------------------------------- */

static void feed_all(pf_gs_video_rx *rx, const packets *p, const uint8_t *drop)
{
    for (uint32_t i = 0; i < p->res.packet_count; i++) {
        if (drop && drop[i])
            continue;
        int r = pf_gs_video_rx_feed(rx, pkt_at(p, i), p->res.packet_bytes);
        /* Shards after a block completed are late by design. */
        assert_true(r == 0 || r == PF_ERR_REPLAY);
    }
}

static void roundtrip_sizes(int encrypt)
{
    const uint32_t psize = encrypt ? 1360 : 1392;
    const size_t ch = psize - 16;
    pf_gs_video_tx *tx = make_tx(psize, 20, encrypt);
    collector c = {0};
    pf_gs_video_rx *rx = make_rx(psize, encrypt, &c);
    const size_t sizes[] = {1, ch - 8, ch - 7, ch, ch + 1, 2 * ch - 8, 5000, 250 * ch,
                            900 * ch, 4 * 1023 * ch - 8};
    for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
        uint8_t *au = malloc(sizes[t]);
        gs_fill(au, sizes[t], t + 1);
        packets p;
        packetize(tx, au, sizes[t], (uint32_t)(t % 2 ? 1 : 2), &p);
        uint32_t before = c.frames;
        feed_all(rx, &p, NULL);
        assert_int_equal(c.frames, before + 1);
        assert_int_equal(c.len, sizes[t]);
        assert_memory_equal(c.data, au, sizes[t]);
        assert_int_equal(c.last_index, p.res.frame_index);
        assert_int_equal(c.last_type, t % 2 ? 1 : 2);
        assert_int_equal(c.last_latency, 123);
        assert_int_equal(c.last_ts, 0x01020304u);
        if (sizes[t] == 4 * 1023 * ch - 8)
            assert_int_equal(p.res.fec_skipped, 1);
        free_packets(&p);
        free(au);
    }
    assert_int_equal(c.lost_count, 0);
    pf_gs_video_rx_stats st;
    assert_int_equal(pf_gs_video_rx_get_stats(rx, &st), 0);
    assert_int_equal(st.frames_delivered, sizeof(sizes) / sizeof(sizes[0]));
    assert_int_equal(st.packets_malformed + st.packets_auth_failed, 0);
    free(c.data);
    pf_gs_video_rx_destroy(rx);
    pf_gs_video_tx_destroy(tx);
}

/* Adaptive FEC: a new percentage changes the parity of the next frame only, the client can
 * still decode it, and the numbering runs on. */
static void fec_percent_changes_between_frames(void **state)
{
    (void)state;
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 0);
    collector c = {0};
    pf_gs_video_rx *rx = make_rx(P_SMALL, 0, &c);
    uint8_t au[40 * P_SMALL];
    for (size_t i = 0; i < sizeof(au); i++)
        au[i] = (uint8_t)(i * 7 + 1);
    packets a, b;
    block_view va[4], vb[4];
    packetize(tx, au, sizeof(au), 2, &a);
    assert_int_equal(pf_gs_video_tx_get_fec_percent(tx), 20);
    assert_int_equal(pf_gs_video_tx_set_fec_percent(tx, 50), 0);
    assert_int_equal(pf_gs_video_tx_get_fec_percent(tx), 50);
    packetize(tx, au, sizeof(au), 1, &b);
    uint32_t na = blocks_of(&a, 0, va), nb = blocks_of(&b, 0, vb);
    assert_int_equal(na, nb);
    assert_int_equal(va[0].k, vb[0].k);
    assert_int_equal(va[0].m, (va[0].k * 20 + 99) / 100);
    assert_int_equal(vb[0].m, (vb[0].k * 50 + 99) / 100);
    assert_true(b.res.packet_count > a.res.packet_count);
    assert_int_equal(b.res.first_seq, a.res.packet_count);
    /* Lose as many data shards of the new frame's first block as the old parity could not
     * repair but the new one can. */
    uint8_t *drop = calloc(b.res.packet_count, 1);
    assert_non_null(drop);
    for (uint32_t i = 0; i < va[0].m + 1 && i < vb[0].m; i++)
        drop[vb[0].first + i] = 1;
    feed_all(rx, &a, NULL);
    feed_all(rx, &b, drop);
    assert_int_equal(c.frames, 2);
    assert_int_equal(c.len, sizeof(au));
    assert_memory_equal(c.data, au, sizeof(au));
    assert_true(c.recovered >= va[0].m + 1);
    assert_int_equal(pf_gs_video_tx_set_fec_percent(tx, 256), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_gs_video_tx_set_fec_percent(NULL, 20), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_gs_video_tx_get_fec_percent(tx), 50);
    free(drop);
    free(c.data);
    free_packets(&a);
    free_packets(&b);
    pf_gs_video_rx_destroy(rx);
    pf_gs_video_tx_destroy(tx);
}

static void roundtrip_plaintext(void **state)
{
    (void)state;
    roundtrip_sizes(0);
}

static void roundtrip_encrypted(void **state)
{
    (void)state;
    roundtrip_sizes(1);
}

/* Every erasure subset of size <= m of a one-block frame, for several k. */
static void every_repairable_pattern_small_frames(void **state)
{
    (void)state;
    const uint32_t ch = P_SMALL - 16;
    static const uint32_t ks[] = {1, 2, 3, 5, 10, 11};
    for (int encrypt = 0; encrypt <= 1; encrypt++) {
        for (size_t t = 0; t < sizeof(ks) / sizeof(ks[0]); t++) {
            size_t len = ks[t] * ch - 8 - (ks[t] > 1 ? 5 : 0);
            uint8_t *au = malloc(len);
            gs_fill(au, len, 1000 + t);
            pf_gs_video_tx *tx = make_tx(P_SMALL, 20, encrypt);
            packets p;
            packetize(tx, au, len, 1, &p);
            uint32_t n = p.res.packet_count, m = p.res.parity_shards;
            assert_int_equal(p.res.data_shards, ks[t]);
            uint32_t patterns = 0;
            for (uint32_t mask = 0; mask < (1u << n); mask++) {
                if ((uint32_t)__builtin_popcount(mask) > m)
                    continue;
                uint8_t drop[32] = {0};
                for (uint32_t i = 0; i < n; i++)
                    drop[i] = (uint8_t)((mask >> i) & 1u);
                collector c = {0};
                pf_gs_video_rx *rx = make_rx(P_SMALL, encrypt, &c);
                feed_all(rx, &p, drop);
                assert_int_equal(c.frames, 1);
                assert_int_equal(c.len, len);
                assert_memory_equal(c.data, au, len);
                free(c.data);
                pf_gs_video_rx_destroy(rx);
                patterns++;
            }
            assert_true(patterns > n);
            free_packets(&p);
            free(au);
            pf_gs_video_tx_destroy(tx);
        }
    }
}

/* Drops beyond the parity of one block: the frame is reported lost once the next frame
 * shows up, never delivered corrupt. */
static void unrepairable_patterns_report_lost_frames(void **state)
{
    (void)state;
    const uint32_t ch = P_SMALL - 16;
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 0);
    collector c = {0};
    pf_gs_video_rx *rx = make_rx(P_SMALL, 0, &c);
    size_t len = 5 * ch;
    uint8_t *au = malloc(len);
    gs_fill(au, len, 5);
    packets p;
    packetize(tx, au, len, 1, &p); /* frame 1: k = 6, m = 2 */
    uint32_t n = p.res.packet_count;
    uint32_t lost_frames = 0;
    for (uint32_t mask = 0; mask < (1u << n); mask++) {
        uint32_t dropped = (uint32_t)__builtin_popcount(mask);
        if (dropped != p.res.parity_shards + 1)
            continue;
        uint8_t drop[32] = {0};
        for (uint32_t i = 0; i < n; i++)
            drop[i] = (uint8_t)((mask >> i) & 1u);
        feed_all(rx, &p, drop);
        packets next;
        packetize(tx, au, len, 1, &next); /* the next frame index */
        free_packets(&p);
        p = next;
        lost_frames++;
    }
    feed_all(rx, &p, NULL);
    assert_int_equal(c.frames, 1);
    assert_int_equal(c.lost_count, lost_frames);
    assert_int_equal(c.lost_first, 1);
    free_packets(&p);
    free(au);
    free(c.data);
    pf_gs_video_rx_destroy(rx);
    pf_gs_video_tx_destroy(tx);
}

static void random_drops_big_frames(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed;
    for (int encrypt = 0; encrypt <= 1; encrypt++) {
        pf_gs_video_tx *tx = make_tx(P_SMALL, 20, encrypt);
        collector c = {0};
        pf_gs_video_rx *rx = make_rx(P_SMALL, encrypt, &c);
        uint32_t expect_frames = 0, expect_lost = 0;
        for (int round = 0; round < 40; round++) {
            size_t len = 1 + (size_t)(gs_rand(&seed) % (800u * (P_SMALL - 16)));
            uint8_t *au = malloc(len);
            gs_fill(au, len, gs_rand(&seed));
            packets p;
            packetize(tx, au, len, 1, &p);
            uint8_t *drop = calloc(p.res.packet_count, 1);
            int lose = round % 5 == 4;
            /* Per block: drop up to m random shards; one block one more when losing. */
            block_view bv[4];
            uint32_t nbv = 0;
            if (!encrypt) {
                nbv = blocks_of(&p, 0, bv);
            } else {
                /* Layout is identical to plaintext: rebuild it from the result counts. */
                pf_gs_video_tx *shadow = make_tx(P_SMALL, 20, 0);
                packets q;
                packetize(shadow, au, len, 1, &q);
                nbv = blocks_of(&q, 0, bv);
                free_packets(&q);
                pf_gs_video_tx_destroy(shadow);
            }
            for (uint32_t b = 0; b < nbv; b++) {
                uint32_t total = bv[b].k + bv[b].m;
                uint32_t want = (uint32_t)(gs_rand(&seed) % (bv[b].m + 1));
                if (lose && b == nbv - 1)
                    want = bv[b].m + 1;
                for (uint32_t d = 0; d < want;) {
                    uint32_t i = bv[b].first + (uint32_t)(gs_rand(&seed) % total);
                    if (!drop[i]) {
                        drop[i] = 1;
                        d++;
                    }
                }
            }
            feed_all(rx, &p, drop);
            if (lose) {
                expect_lost++;
            } else {
                expect_frames++;
                assert_int_equal(c.frames, expect_frames);
                assert_int_equal(c.len, len);
                assert_memory_equal(c.data, au, len);
            }
            free(drop);
            free_packets(&p);
            free(au);
        }
        /* A last clean frame flushes the report of a trailing lost one. */
        uint8_t one = 42;
        packets p;
        packetize(tx, &one, 1, 1, &p);
        feed_all(rx, &p, NULL);
        assert_int_equal(c.frames, expect_frames + 1);
        assert_int_equal(c.lost_count, expect_lost);
        free_packets(&p);
        free(c.data);
        pf_gs_video_rx_destroy(rx);
        pf_gs_video_tx_destroy(tx);
    }
}

static void duplicates_and_reordering_within_blocks(void **state)
{
    (void)state;
    uint64_t seed = 77;
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 0);
    collector c = {0};
    pf_gs_video_rx *rx = make_rx(P_SMALL, 0, &c);
    size_t len = 500 * (P_SMALL - 16);
    uint8_t *au = malloc(len);
    gs_fill(au, len, 11);
    packets p;
    packetize(tx, au, len, 1, &p);
    block_view v[4];
    uint32_t nb = blocks_of(&p, 0, v);
    assert_int_equal(nb, 3);
    uint32_t dups = 0;
    for (uint32_t b = 0; b < nb; b++) {
        /* Feed the data shards of the block in a shuffled order with a duplicate of each
         * fed shard right away; drop one data shard so that parity is needed too. */
        uint32_t order[255];
        for (uint32_t i = 0; i < v[b].k; i++)
            order[i] = i;
        for (uint32_t i = v[b].k - 1; i > 0; i--) {
            uint32_t j = (uint32_t)(gs_rand(&seed) % (i + 1));
            uint32_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        const uint8_t *parity = pkt_at(&p, v[b].first + v[b].k);
        assert_int_equal(pf_gs_video_rx_feed(rx, parity, p.stride), 0);
        assert_int_equal(pf_gs_video_rx_feed(rx, parity, p.stride), PF_ERR_REPLAY);
        dups++;
        for (uint32_t i = 0; i + 1 < v[b].k; i++) {
            const uint8_t *d = pkt_at(&p, v[b].first + order[i]);
            assert_int_equal(pf_gs_video_rx_feed(rx, d, p.stride), 0);
            if (i + 2 < v[b].k) {
                assert_int_equal(pf_gs_video_rx_feed(rx, d, p.stride), PF_ERR_REPLAY);
                dups++;
            }
        }
        /* The block completed with k shards: the rest is late. */
        assert_int_equal(pf_gs_video_rx_feed(rx, pkt_at(&p, v[b].first + order[v[b].k - 1]),
                                             p.stride),
                         PF_ERR_REPLAY);
    }
    assert_int_equal(c.frames, 1);
    assert_int_equal(c.recovered, nb);
    assert_memory_equal(c.data, au, len);
    pf_gs_video_rx_stats st;
    pf_gs_video_rx_get_stats(rx, &st);
    assert_int_equal(st.packets_stale, dups + nb);
    assert_int_equal(st.shards_recovered, nb);
    free_packets(&p);
    free(au);
    free(c.data);
    pf_gs_video_rx_destroy(rx);
    pf_gs_video_tx_destroy(tx);
}

/* Blocks may interleave, and a whole frame that never arrives is reported. */
static void skipped_frames_are_reported(void **state)
{
    (void)state;
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 0);
    collector c = {0};
    pf_gs_video_rx *rx = make_rx(P_SMALL, 0, &c);
    uint8_t au[64];
    gs_fill(au, sizeof(au), 1);
    packets f1, f2, f3, f4;
    packetize(tx, au, sizeof(au), 2, &f1);
    packetize(tx, au, sizeof(au), 1, &f2);
    packetize(tx, au, sizeof(au), 1, &f3);
    packetize(tx, au, sizeof(au), 1, &f4);
    feed_all(rx, &f1, NULL);
    feed_all(rx, &f4, NULL);
    assert_int_equal(c.frames, 2);
    assert_int_equal(c.lost_first, 2);
    assert_int_equal(c.lost_count, 2);
    /* Older frames after that are stale, not delivered. */
    assert_int_equal(pf_gs_video_rx_feed(rx, pkt_at(&f2, 0), f2.stride), PF_ERR_REPLAY);
    assert_int_equal(c.frames, 2);
    free_packets(&f1);
    free_packets(&f2);
    free_packets(&f3);
    free_packets(&f4);
    free(c.data);
    pf_gs_video_rx_destroy(rx);
    pf_gs_video_tx_destroy(tx);
}

/* --- hostile input ----------------------------------------------------------------------- */

static void garbage_and_tampering_never_crash(void **state)
{
    (void)state;
    uint64_t seed = 1234;
    for (int encrypt = 0; encrypt <= 1; encrypt++) {
        collector c = {0};
        pf_gs_video_rx *rx = make_rx(P_SMALL, encrypt, &c);
        uint8_t buf[200];
        for (int i = 0; i < 20000; i++) {
            size_t len = (size_t)(gs_rand(&seed) % sizeof(buf));
            gs_fill(buf, len, gs_rand(&seed));
            if (!encrypt && len > 0 && i % 2)
                buf[0] = 0x90; /* get past the first check half the time */
            int r = pf_gs_video_rx_feed(rx, buf, len);
            assert_true(r <= 0);
        }
        assert_int_equal(pf_gs_video_rx_feed(rx, NULL, 0),
                         encrypt ? PF_ERR_MALFORMED : PF_ERR_MALFORMED);
        assert_int_equal(pf_gs_video_rx_feed(NULL, buf, 10), PF_ERR_INVALID_ARGUMENT);
        free(c.data);
        pf_gs_video_rx_destroy(rx);
    }

    /* A flipped ciphertext bit fails the tag; a flipped clear frameIndex too. */
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 1);
    collector c = {0};
    pf_gs_video_rx *rx = make_rx(P_SMALL, 1, &c);
    uint8_t au[10] = {1, 2, 3};
    packets p;
    packetize(tx, au, sizeof(au), 1, &p);
    uint8_t copy[128];
    memcpy(copy, pkt_at(&p, 0), p.stride);
    copy[40] ^= 1;
    assert_int_equal(pf_gs_video_rx_feed(rx, copy, p.stride), PF_ERR_AUTH);
    memcpy(copy, pkt_at(&p, 0), p.stride);
    copy[17] ^= 1;
    assert_int_equal(pf_gs_video_rx_feed(rx, copy, p.stride), PF_ERR_AUTH);
    assert_int_equal(pf_gs_video_rx_feed(rx, pkt_at(&p, 0), p.stride - 1), PF_ERR_AUTH);
    feed_all(rx, &p, NULL);
    assert_int_equal(c.frames, 1);
    pf_gs_video_rx_stats st;
    pf_gs_video_rx_get_stats(rx, &st);
    assert_int_equal(st.packets_auth_failed, 3);
    free_packets(&p);
    free(c.data);
    pf_gs_video_rx_destroy(rx);
    pf_gs_video_tx_destroy(tx);
}

/* A recovered block whose data shards break the flag rules is dropped, not delivered. */
static void insane_flags_drop_the_frame(void **state)
{
    (void)state;
    pf_gs_video_tx *tx = make_tx(P_SMALL, 20, 0);
    collector c = {0};
    pf_gs_video_rx *rx = make_rx(P_SMALL, 0, &c);
    uint8_t au[100];
    gs_fill(au, sizeof(au), 8);
    packets p;
    packetize(tx, au, sizeof(au), 1, &p);
    pkt_at(&p, 0)[24] = 0x01; /* SOF missing on the first shard */
    feed_all(rx, &p, NULL);
    assert_int_equal(c.frames, 0);
    assert_int_equal(c.lost_count, 1);
    free_packets(&p);
    free(c.data);
    pf_gs_video_rx_destroy(rx);
    pf_gs_video_tx_destroy(tx);
}

/* --- API contract ------------------------------------------------------------------------ */

static void arguments_are_validated(void **state)
{
    (void)state;
    pf_gs_video_tx_settings s;
    pf_gs_video_tx *tx = NULL;
    assert_int_equal(pf_gs_video_tx_settings_default(99, &s), PF_ERR_INVALID_ARGUMENT);
    pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &s);
    s.packet_size = 20;
    assert_int_equal(pf_gs_video_tx_create(&s, &tx), PF_ERR_INVALID_ARGUMENT);
    s.packet_size = 1392;
    s.min_parity = 3;
    assert_int_equal(pf_gs_video_tx_create(&s, &tx), PF_ERR_INVALID_ARGUMENT);
    assert_null(tx);
    assert_int_equal(pf_gs_video_tx_create(NULL, &tx), 0);

    uint8_t au[3000] = {0};
    pf_gs_video_frame_info info = {.version = PF_GS_VIDEO_FRAME_INFO_VERSION, .frame_type = 1};
    pf_gs_video_tx_result res;
    uint8_t out[1408 * 3];
    /* Three data shards + parity need 5 datagrams: too small, numbering untouched. */
    assert_int_equal(pf_gs_video_tx_packetize(tx, &info, au, sizeof(au), out, sizeof(out),
                                              1408, &res),
                     PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(pf_gs_video_tx_packetize(tx, &info, au, sizeof(au), out, sizeof(out), 100,
                                              &res),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_gs_video_tx_packetize(tx, &info, au, 0, out, sizeof(out), 1408, &res),
                     PF_ERR_INVALID_ARGUMENT);
    uint32_t pb, mp;
    assert_int_equal(pf_gs_video_tx_get_frame_size(tx, (size_t)4 * 1023 * 1376, &pb, &mp),
                     PF_ERR_LIMIT);
    assert_int_equal(pf_gs_video_tx_packetize(tx, &info, au, 100, out, sizeof(out), 1408, &res),
                     0);
    assert_int_equal(res.first_seq, 0);
    assert_int_equal(res.frame_index, 1);
    pf_gs_video_tx_destroy(tx);
    pf_gs_video_tx_destroy(NULL);
    pf_gs_video_rx_destroy(NULL);
}

static void shape_cache_reuses_and_bounds(void **state)
{
    (void)state;
    pfi_rs8_cache cache;
    assert_int_equal(pfi_rs8_cache_init(&cache, 2, NULL), 0);
    pf_rs8 *a, *b, *a2, *c;
    assert_int_equal(pfi_rs8_cache_get(&cache, 10, 2, PF_RS8_MATRIX_CAUCHY, &a), 0);
    assert_int_equal(pfi_rs8_cache_get(&cache, 20, 4, PF_RS8_MATRIX_CAUCHY, &b), 0);
    assert_int_equal(pfi_rs8_cache_get(&cache, 10, 2, PF_RS8_MATRIX_CAUCHY, &a2), 0);
    assert_ptr_equal(a, a2);
    assert_ptr_not_equal(a, b);
    /* (20, 4) is the least recently used and gets replaced; (10, 2) survives. */
    assert_int_equal(pfi_rs8_cache_get(&cache, 30, 6, PF_RS8_MATRIX_CAUCHY, &c), 0);
    assert_int_equal(pfi_rs8_cache_get(&cache, 10, 2, PF_RS8_MATRIX_CAUCHY, &a2), 0);
    assert_ptr_equal(a, a2);
    int found_b = 0;
    for (uint32_t i = 0; i < cache.capacity; i++)
        found_b |= cache.entries[i].k == 20;
    assert_false(found_b);
    assert_int_equal(pfi_rs8_cache_get(&cache, 0, 2, PF_RS8_MATRIX_CAUCHY, &c),
                     PF_ERR_INVALID_ARGUMENT);
    pfi_rs8_cache_finish(&cache);
}

static void count_builds(void *user_data, uint32_t level, const char *topic, const char *msg,
                         size_t len)
{
    (void)level;
    (void)len;
    if (strcmp(topic, "gs_rs8_cache") == 0 && strncmp(msg, "built", 5) == 0)
        (*(uint32_t *)user_data)++;
}

/* Once a frame size was seen, packetizing it again builds no codec (the frame path does
 * not allocate). */
static void repeated_shapes_build_no_codec(void **state)
{
    (void)state;
    uint32_t builds = 0;
    pf_gs_video_tx_settings s;
    pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &s);
    s.packet_size = P_SMALL;
    s.log.fn = count_builds;
    s.log.user_data = &builds;
    pf_gs_video_tx *tx = NULL;
    assert_int_equal(pf_gs_video_tx_create(&s, &tx), 0);
    size_t len = 450 * (P_SMALL - 16); /* three blocks of two shapes */
    uint8_t *au = calloc(len, 1);
    packets p;
    packetize(tx, au, len, 1, &p);
    free_packets(&p);
    uint32_t after_first = builds;
    assert_true(after_first >= 1 && after_first <= 3);
    for (int i = 0; i < 5; i++) {
        packetize(tx, au, len, 1, &p);
        free_packets(&p);
    }
    assert_int_equal(builds, after_first);
    packetize(tx, au, 10, 1, &p); /* a new shape */
    free_packets(&p);
    assert_int_equal(builds, after_first + 1);
    free(au);
    pf_gs_video_tx_destroy(tx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_shard_layout_matches_spec),
        cmocka_unit_test(fec_rules_hold_for_every_size),
        cmocka_unit_test(parity_equals_direct_rs_over_headers),
        cmocka_unit_test(numbering_continues_across_frames),
        cmocka_unit_test(fec_percent_changes_between_frames),
        cmocka_unit_test(encrypted_prefix_layout),
        cmocka_unit_test(roundtrip_plaintext),
        cmocka_unit_test(roundtrip_encrypted),
        cmocka_unit_test(every_repairable_pattern_small_frames),
        cmocka_unit_test(unrepairable_patterns_report_lost_frames),
        cmocka_unit_test(random_drops_big_frames),
        cmocka_unit_test(duplicates_and_reordering_within_blocks),
        cmocka_unit_test(skipped_frames_are_reported),
        cmocka_unit_test(garbage_and_tampering_never_crash),
        cmocka_unit_test(insane_flags_drop_the_frame),
        cmocka_unit_test(arguments_are_validated),
        cmocka_unit_test(shape_cache_reuses_and_bounds),
        cmocka_unit_test(repeated_shapes_build_no_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
