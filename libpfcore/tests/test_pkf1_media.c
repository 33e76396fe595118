/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 media plane: the header and AEAD vectors of native-protocol.md §7.3/§7.4, the
 * GF(2^16) parity of the packetizer against reed-solomon-simd 3.1 (tests/vectors), and
 * packetizer → reassembler round trips with loss, reordering, duplicates and forgeries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <nettle/sha2.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_media.h"

#include "gs_test_util.h"
#include "pkf1_fec.h"

#ifndef PF_VECTORS_DIR
#error "PF_VECTORS_DIR must point at tests/vectors"
#endif

static pf_rs16_tables *tables;

static int setup(void **state)
{
    (void)state;
    return pf_rs16_tables_create(&tables);
}

static int teardown(void **state)
{
    (void)state;
    pf_rs16_tables_destroy(tables);
    return 0;
}

static const char *header_hex = "f6e5d4c3b2a1f017 2a000000 02010000 b80b0000 10000000 0000 0100 "
                                "0300 0200 0000 8005 c9 01 01 05";

static void test_header_vector(void **state)
{
    (void)state;
    uint8_t want[40], got[40];
    gs_unhex(header_hex, want);
    pf_pkf1_media_header h = {
        .pts_ns = 0x17F0A1B2C3D4E5F6ull, .frame_index = 42, .stream_seq = 258,
        .frame_bytes = 3000, .user_flags = PF_PKF1_USER_FLAG_RECOVERY_POINT, .block_index = 0,
        .block_count = 1, .data_shards = 3, .recovery_shards = 2, .shard_index = 0,
        .shard_bytes = 1408, .magic = 0xC9, .version = 1, .fec_scheme = 1,
        .flags = PF_PKF1_MEDIA_FLAG_PIC | PF_PKF1_MEDIA_FLAG_SOF,
    };
    assert_int_equal(pf_pkf1_media_header_encode(&h, got), 0);
    assert_memory_equal(got, want, 40);
    pf_pkf1_media_header d;
    assert_int_equal(pf_pkf1_media_header_decode(want, 40, &d), 0);
    assert_memory_equal(&d, &h, sizeof(h));
    assert_int_equal(pf_pkf1_media_header_decode(want, 39, &d), PF_ERR_MALFORMED);
    want[36] = 0xC8;
    assert_int_equal(pf_pkf1_media_header_decode(want, 40, &d), PF_ERR_MALFORMED);
}

/* §7.3: key 00..0f (AES) / 00..1f (ChaCha), salt a1b2c3d4, seq 258, header ‖ 00..0f. */
static void test_aead_vectors(void **state)
{
    (void)state;
    static const char *aes = "0000000000000102 7cd45e2d977a7f8a39b8ee25c38aa7a22803c7ff904c6221"
                             "db235a34501237edccaa82ff46a32cd65bbca3f90281adf041aff9e23defca29"
                             "09a69141b87dff8722f95c6241ca0c7f";
    static const char *chacha = "0000000000000102 8b8bdf0534625df64d85234005a94b70e83632397c4911"
                                "e271d596e34573adadad6d5f202c35315fe2a77689ae6bc512948c50bed3a525"
                                "e45cc67c1df7d4a3af2999a18407772670";
    uint8_t key[32], salt[4] = {0xa1, 0xb2, 0xc3, 0xd4}, nonce[12], want_nonce[12];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    assert_int_equal(pf_pkf1_media_nonce(salt, PF_PKF1_MEDIA_DIR_HOST, 258, nonce), 0);
    gs_unhex("21b2c3d40000000000000102", want_nonce);
    assert_memory_equal(nonce, want_nonce, 12);
    assert_int_equal(pf_pkf1_media_nonce(salt, PF_PKF1_MEDIA_DIR_CLIENT, 258, nonce), 0);
    assert_int_equal(nonce[0], 0xa1);
    pf_pkf1_media_nonce(salt, PF_PKF1_MEDIA_DIR_HOST, 258, nonce);

    const char *vec[2] = {aes, chacha};
    const uint32_t alg[2] = {PF_AEAD_AES128_GCM, PF_AEAD_CHACHA20_POLY1305};
    for (int v = 0; v < 2; v++) {
        uint8_t dg[8 + 56 + 16], want[sizeof(dg)];
        assert_int_equal(gs_unhex(vec[v], want), sizeof(want));
        memset(dg, 0, 6);
        dg[6] = 0x01;
        dg[7] = 0x02;
        gs_unhex(header_hex, dg + 8);
        for (int i = 0; i < 16; i++)
            dg[48 + i] = (uint8_t)i;
        pf_aead *a;
        assert_int_equal(pf_aead_create(NULL, alg[v], key, v ? 32 : 16, &a), 0);
        assert_int_equal(pf_aead_seal(a, nonce, dg, 8, dg + 8, 56, dg + 8, dg + 64), 0);
        assert_memory_equal(dg, want, sizeof(want));
        pf_aead_destroy(a);
    }
}

/* ---- parity against reed-solomon-simd 3.1 ------------------------------------------------ */

static void gen_data(uint8_t *d, size_t len, uint64_t seed)
{
    uint64_t s = seed, w = 0;
    for (size_t n = 0; n < len; n++) {
        if (n % 8 == 0) {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            w = s * 0x2545F4914F6CDD1Dull;
        }
        d[n] = (uint8_t)(w >> (8 * (n % 8)));
    }
}

static void sha_hex(const uint8_t *p, size_t len, char out[65])
{
    struct sha256_ctx c;
    uint8_t dig[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, len, p);
    sha256_digest(&c, sizeof(dig), dig);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", dig[i]);
}

/* Encodes every record's shape through the packetizer's block coder (shape-extended
 * codecs) and compares each recovery shard's SHA-256; then loses min(k, m) data shards and
 * decodes. */
/* The @m recovery shards of the @k data shards at @data, into @rec (both consecutive, @bs
 * bytes each), through the pointer arrays @dp and @rp. */
static void encode_block(pfi_pkf1_fec *fec, uint32_t k, uint32_t m, const uint8_t *data,
                         uint8_t *rec, size_t bs, const uint8_t **dp, uint8_t **rp)
{
    for (uint32_t i = 0; i < k; i++)
        dp[i] = data + (size_t)i * bs;
    for (uint32_t j = 0; j < m; j++)
        rp[j] = rec + (size_t)j * bs;
    assert_int_equal(pfi_pkf1_fec_encode(fec, k, m, dp, rp, bs), 0);
}

static void test_parity_vectors(void **state)
{
    (void)state;
    char path[512], line[512];
    snprintf(path, sizeof(path), "%s/reed-solomon-simd/vectors.txt", PF_VECTORS_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    pfi_pkf1_fec fec;
    assert_int_equal(pfi_pkf1_fec_init(&fec, tables, PF_SIMD_AUTO, 1408, 4096), 0);
    uint32_t k = 0, m = 0, bs = 0, records = 0;
    uint64_t seed = 0;
    char (*want)[65] = calloc(4096, 65);
    while (fgets(line, sizeof(line), f)) {
        unsigned long long v;
        unsigned j;
        char hex[65];
        if (sscanf(line, "k %u", &k) == 1 || sscanf(line, "m %u", &m) == 1 ||
            sscanf(line, "shard_bytes %u", &bs) == 1)
            continue;
        if (sscanf(line, "seed %llx", &v) == 1) {
            seed = v;
            continue;
        }
        if (sscanf(line, "recovery_sha256 %u %64s", &j, hex) == 2) {
            assert_true(j < 4096);
            memcpy(want[j], hex, 65);
            continue;
        }
        if (strncmp(line, "end", 3) != 0 || bs > 1408)
            continue;
        uint8_t *data = malloc((size_t)k * bs), *rec = malloc((size_t)(k + m) * bs);
        const uint8_t **dp = calloc(k, sizeof(*dp));
        uint8_t **rp = calloc(k + m, sizeof(*rp));
        gen_data(data, (size_t)k * bs, seed);
        encode_block(&fec, k, m, data, rec, bs, dp, rp);
        for (uint32_t i = 0; i < m; i++) {
            sha_hex(rp[i], bs, hex);
            if (strcmp(hex, want[i]) != 0)
                fail_msg("k %u m %u bytes %u: recovery %u differs", k, m, bs, i);
        }
        /* decode: lose min(k, m) data shards spread over the block */
        uint8_t *all = malloc((size_t)(k + m) * bs), *present = malloc(k + m);
        memcpy(all, data, (size_t)k * bs);
        memcpy(all + (size_t)k * bs, rec, (size_t)m * bs);
        for (uint32_t i = 0; i < k + m; i++) {
            rp[i] = all + (size_t)i * bs;
            present[i] = 1;
        }
        uint32_t e = k < m ? k : m;
        for (uint32_t t = 0; t < e; t++) {
            present[(uint64_t)t * k / e] = 0;
            memset(rp[(uint64_t)t * k / e], 0xEE, bs);
        }
        assert_int_equal(pfi_pkf1_fec_decode(&fec, k, m, rp, present, bs), (int)e);
        assert_memory_equal(all, data, (size_t)k * bs);
        free(all);
        free(present);
        free(data);
        free(rec);
        free(dp);
        free(rp);
        records++;
    }
    fclose(f);
    free(want);
    pfi_pkf1_fec_finish(&fec);
    assert_true(records >= 15);
}

static uint32_t cached_codecs(const pfi_pkf1_fec *fec)
{
    uint32_t n = 0;
    for (size_t i = 0; i < PFI_PKF1_FEC_CACHE; i++)
        n += fec->cache[i].rs != NULL;
    return n;
}

/* Blocks with more parity than the crate's high-rate engine takes (next_pow2(k) <
 * next_pow2(m), sent under heavy loss) go through one shared low-rate codec per
 * (next_pow2(k), chunk count): the parity must be byte for byte the exact (k, m) codec's,
 * which test_parity_vectors and the rs16 vectors tie to the crate, and every pattern of up to
 * m lost shards must decode. */
static void test_low_rate_shapes_share_codecs(void **state)
{
    (void)state;
    enum { BS = 192, MAX_K = 600 };
    pfi_pkf1_fec fec;
    assert_int_equal(pfi_pkf1_fec_init(&fec, tables, PF_SIMD_AUTO, BS, MAX_K), 0);
    uint8_t *data = malloc((size_t)2 * MAX_K * BS), *exact = malloc((size_t)MAX_K * BS);
    uint8_t *all = malloc((size_t)2 * MAX_K * BS), *present = malloc(2 * MAX_K);
    const uint8_t **dp = calloc(MAX_K, sizeof(*dp));
    uint8_t **rp = calloc(2 * MAX_K, sizeof(*rp));
    uint64_t rng = 0x10e4a7e;
    uint32_t shapes = 0;
    for (uint32_t k = 2; k <= 300; k += 1 + (uint32_t)(gs_rand(&rng) % 9)) {
        uint32_t pk = 1;
        while (pk < k)
            pk <<= 1;
        /* m from just above pk (the first low-rate shape) to twice k, capped. */
        for (int t = 0; t < 3; t++) {
            uint32_t lo = pk + 1, hi = 2 * k + 2 > MAX_K ? MAX_K : 2 * k + 2;
            if (lo > hi)
                break;
            uint32_t m = lo + (uint32_t)(gs_rand(&rng) % (hi - lo + 1));
            gen_data(data, (size_t)k * BS, gs_rand(&rng));
            encode_block(&fec, k, m, data, all + (size_t)k * BS, BS, dp, rp);
            pf_rs16_settings st;
            pf_rs16_settings_default(PF_RS16_SETTINGS_VERSION, &st);
            st.tables = tables;
            pf_rs16 *rs;
            assert_int_equal(pf_rs16_create(k, m, BS, &st, &rs), 0);
            uint8_t *ep[MAX_K];
            for (uint32_t j = 0; j < m; j++)
                ep[j] = exact + (size_t)j * BS;
            assert_int_equal(pf_rs16_encode(rs, dp, ep, BS), 0);
            pf_rs16_destroy(rs);
            if (memcmp(all + (size_t)k * BS, exact, (size_t)m * BS) != 0)
                fail_msg("k %u m %u: parity differs from the exact codec's", k, m);
            /* Lose m shards anywhere (data and parity alike), then rebuild. */
            memcpy(all, data, (size_t)k * BS);
            memset(present, 1, k + m);
            uint32_t lost_data = 0;
            for (uint32_t n = 0; n < m;) {
                uint32_t i = (uint32_t)(gs_rand(&rng) % (k + m));
                if (!present[i])
                    continue;
                present[i] = 0;
                memset(all + (size_t)i * BS, 0xEE, BS);
                lost_data += i < k;
                n++;
            }
            for (uint32_t i = 0; i < k + m; i++)
                rp[i] = all + (size_t)i * BS;
            assert_int_equal(pfi_pkf1_fec_decode(&fec, k, m, rp, present, BS), (int)lost_data);
            if (memcmp(all, data, (size_t)k * BS) != 0)
                fail_msg("k %u m %u: decode rebuilt wrong data", k, m);
            shapes++;
        }
    }
    assert_true(shapes >= 100);
    pfi_pkf1_fec_finish(&fec);

    /* Shapes of one family share a codec: every k in (32, 64] with m in (64, 128] is one
     * (64, 128) codec. */
    assert_int_equal(pfi_pkf1_fec_init(&fec, tables, PF_SIMD_AUTO, BS, MAX_K), 0);
    for (uint32_t k = 33; k <= 64; k += 3) {
        uint32_t m = 65 + (k * 7) % 64;
        gen_data(data, (size_t)k * BS, k);
        encode_block(&fec, k, m, data, all, BS, dp, rp);
    }
    assert_int_equal(cached_codecs(&fec), 1);
    pfi_pkf1_fec_finish(&fec);
    free(data);
    free(exact);
    free(all);
    free(present);
    free(dp);
    free(rp);
}

/* ---- round trips -------------------------------------------------------------------------- */

typedef struct sink {
    uint8_t *expect;     /* the AU last packetized */
    size_t expect_len;
    uint32_t frames, lost, last_index, recovered;
    int mismatch;
} sink;

static void on_frame(void *user, const pf_pkf1_video_frame *f)
{
    sink *s = user;
    s->frames++;
    s->last_index = f->frame_index;
    s->recovered += f->recovered_shards;
    if (f->len != s->expect_len || (f->len && memcmp(f->data, s->expect, f->len) != 0))
        s->mismatch = 1;
}

static void on_lost(void *user, uint32_t first, uint32_t count)
{
    sink *s = user;
    (void)first;
    s->lost += count;
}

typedef struct pair {
    pf_pkf1_video_tx *tx;
    pf_pkf1_video_rx *rx;
    sink sink;
    uint8_t *out;
    size_t out_cap;
} pair;

static void make_pair(pair *p, uint32_t cipher, uint32_t shard, uint32_t fec)
{
    memset(p, 0, sizeof(*p));
    pf_pkf1_video_tx_settings ts;
    pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.shard_payload = shard;
    ts.fec_percent = fec;
    ts.cipher = cipher;
    ts.rs16_tables = tables;
    for (int i = 0; i < 32; i++)
        ts.key[i] = (uint8_t)(i * 7);
    memcpy(ts.salt, "\x01\x02\x03\x04", 4);
    assert_int_equal(pf_pkf1_video_tx_create(&ts, &p->tx), 0);
    pf_pkf1_video_rx_settings rs;
    pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &rs);
    rs.shard_payload = shard;
    rs.cipher = cipher;
    memcpy(rs.key, ts.key, 32);
    memcpy(rs.salt, ts.salt, 4);
    rs.rs16_tables = tables;
    rs.callbacks.on_frame = on_frame;
    rs.callbacks.on_frames_lost = on_lost;
    rs.callbacks.user_data = &p->sink;
    assert_int_equal(pf_pkf1_video_rx_create(&rs, &p->rx), 0);
    p->out_cap = (size_t)12000 * (shard + 64);
    p->out = malloc(p->out_cap);
}

static void free_pair(pair *p)
{
    pf_pkf1_video_tx_destroy(p->tx);
    pf_pkf1_video_rx_destroy(p->rx);
    free(p->out);
    free(p->sink.expect);
}

/* Packetizes an AU of @p len random bytes; returns the result. */
static pf_pkf1_video_tx_result send_au(pair *p, uint32_t index, size_t len, uint64_t seed)
{
    free(p->sink.expect);
    p->sink.expect = malloc(len ? len : 1);
    gs_fill(p->sink.expect, len, seed);
    p->sink.expect_len = len;
    pf_pkf1_video_frame_info info = {.pts_ns = 1000 + index, .frame_index = index};
    pf_pkf1_video_tx_result res;
    uint32_t pkt_bytes, n;
    assert_int_equal(pf_pkf1_video_tx_get_frame_size(p->tx, len, &pkt_bytes, &n), 0);
    assert_int_equal(pf_pkf1_video_tx_packetize(p->tx, &info, p->sink.expect, len, p->out,
                                                p->out_cap, pkt_bytes, &res), 0);
    assert_int_equal(res.packet_count, n);
    return res;
}

static void test_layout(void **state)
{
    (void)state;
    pair p;
    make_pair(&p, PF_AEAD_AES128_GCM, 1408, 20);
    pf_pkf1_video_tx_result r = send_au(&p, 7, 3000, 1);
    /* 3 data shards, m = max(ceil(0.6), 2) = 2 */
    assert_int_equal(r.data_shards, 3);
    assert_int_equal(r.parity_shards, 2);
    assert_int_equal(r.packet_bytes, 1408 + 64);
    assert_int_equal(r.first_seq, 0);
    pf_aead *a;
    uint8_t key[32];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 7);
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 16, &a), 0);
    for (uint32_t i = 0; i < r.packet_count; i++) {
        uint8_t *dg = p.out + (size_t)i * r.packet_bytes, nonce[12], plain[40 + 1408];
        assert_int_equal(dg[7], i); /* seq BE */
        pf_pkf1_media_nonce((const uint8_t *)"\x01\x02\x03\x04", 0, i, nonce);
        assert_int_equal(pf_aead_open(a, nonce, dg, 8, dg + 8, sizeof(plain),
                                      dg + 8 + sizeof(plain), plain), 0);
        pf_pkf1_media_header h;
        assert_int_equal(pf_pkf1_media_header_decode(plain, 40, &h), 0);
        assert_int_equal(h.shard_index, i); /* data first, then parity */
        assert_int_equal(h.stream_seq, i);
        assert_int_equal(h.frame_index, 7);
        assert_int_equal(h.frame_bytes, 3000);
        assert_int_equal(h.data_shards, 3);
        assert_int_equal(h.recovery_shards, 2);
        uint8_t want_flags = PF_PKF1_MEDIA_FLAG_PIC | (i == 0 ? PF_PKF1_MEDIA_FLAG_SOF : 0) |
                             (i == 4 ? PF_PKF1_MEDIA_FLAG_EOF : 0);
        assert_int_equal(h.flags, want_flags);
        if (i == 2) { /* zero-padded tail: 3000 − 2816 = 184 bytes, then zeros */
            assert_memory_equal(plain + 40, p.sink.expect + 2816, 184);
            for (size_t z = 40 + 184; z < sizeof(plain); z++)
                assert_int_equal(plain[z], 0);
        }
    }
    pf_aead_destroy(a);
    /* numbering continues */
    r = send_au(&p, 8, 10, 2);
    assert_int_equal(r.first_seq, 5);
    assert_int_equal(pf_pkf1_video_tx_get_next_seq(p.tx), 8);
    /* too small an output */
    pf_pkf1_video_frame_info info = {.frame_index = 9};
    pf_pkf1_video_tx_result res;
    assert_int_equal(pf_pkf1_video_tx_packetize(p.tx, &info, p.sink.expect, 10, p.out,
                                                2 * 1472, 1472, &res), PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(pf_pkf1_video_tx_get_next_seq(p.tx), 8);
    free_pair(&p);
}

static void test_parity_rule(void **state)
{
    (void)state;
    /* Welcome 10 %: full blocks never above 410 parity even at 50 % */
    assert_int_equal(pf_pkf1_media_recovery_for(4096, 50, 10, 4096), 410);
    assert_int_equal(pf_pkf1_media_recovery_for(4096, 5, 10, 4096), 205);
    assert_int_equal(pf_pkf1_media_recovery_for(100, 50, 10, 4096), 50);
    assert_int_equal(pf_pkf1_media_recovery_for(1, 10, 10, 4096), 2);
    assert_int_equal(pf_pkf1_media_recovery_for(10, 0, 10, 4096), 0);
    assert_int_equal(pf_pkf1_media_recovery_for(4000, 50, 10, 4096), 506);
    assert_int_equal(pf_pkf1_media_recovery_for(100, 95, 10, 4096), 90);
}

/* Feeds packets [0, n) in the order @p order (NULL = wire order), skipping dropped ones. */
static void feed(pair *p, const pf_pkf1_video_tx_result *r, const uint8_t *drop,
                 const uint32_t *order)
{
    for (uint32_t i = 0; i < r->packet_count; i++) {
        uint32_t at = order ? order[i] : i;
        if (drop && drop[at])
            continue;
        int rc = pf_pkf1_video_rx_feed(p->rx, p->out + (size_t)at * r->packet_bytes,
                                       r->packet_bytes);
        assert_true(rc == 0 || rc == PF_ERR_REPLAY);
    }
}

static void roundtrip_sizes(uint32_t cipher, uint32_t shard)
{
    static const size_t sizes[] = {0, 1, 1387, 1388, 1389, 1408, 1409, 100000, 1000000,
                                   4096 * 1408 + 1, 4u << 20};
    pair p;
    make_pair(&p, cipher, shard, 20);
    uint64_t rng = 99;
    uint8_t *drop = calloc(12000, 1);
    uint32_t *order = calloc(12000, sizeof(uint32_t));
    for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
        uint32_t index = (uint32_t)t;
        pf_pkf1_video_tx_result r = send_au(&p, index, sizes[t], t + 5);
        /* Lose up to the parity count at random, then shuffle what is left. */
        memset(drop, 0, r.packet_count);
        uint32_t lose = 0;
        for (uint32_t b = 0; b < r.block_count; b++) {
            /* up to m data shards of block b, which starts at datagram b·4096 */
            uint32_t k = b + 1 < r.block_count ? 4096 : r.data_shards - b * 4096;
            uint32_t m = pf_pkf1_media_recovery_for(k, 20, 10, 4096);
            lose = (uint32_t)(gs_rand(&rng) % (m + 1));
            for (uint32_t l = 0; l < lose; l++)
                drop[b * 4096 + gs_rand(&rng) % k] = 1;
        }
        for (uint32_t i = 0; i < r.packet_count; i++)
            order[i] = i;
        for (uint32_t i = r.packet_count; i > 1; i--) {
            uint32_t j = (uint32_t)(gs_rand(&rng) % i), tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        uint32_t before = p.sink.frames;
        feed(&p, &r, drop, t % 2 ? order : NULL);
        if (p.sink.frames != before + 1 || p.sink.mismatch)
            fail_msg("AU of %zu bytes (S %u, %u lost per block) not delivered intact",
                     sizes[t], shard, lose);
        assert_int_equal(p.sink.last_index, index);
    }
    assert_int_equal(p.sink.lost, 0);
    pf_pkf1_video_rx_stats st;
    assert_int_equal(pf_pkf1_video_rx_get_stats(p.rx, &st), 0);
    assert_int_equal(st.frames_delivered, sizeof(sizes) / sizeof(sizes[0]));
    assert_int_equal(st.packets_auth_failed, 0);
    assert_true(st.shards_recovered > 0);
    free(drop);
    free(order);
    free_pair(&p);
}

static void test_roundtrip_aes(void **state)
{
    (void)state;
    roundtrip_sizes(PF_AEAD_AES128_GCM, 1408);
}

static void test_roundtrip_chacha_v6(void **state)
{
    (void)state;
    roundtrip_sizes(PF_AEAD_CHACHA20_POLY1305, 1388);
}

static void test_loss_beyond_parity(void **state)
{
    (void)state;
    pair p;
    make_pair(&p, PF_AEAD_AES128_GCM, 1408, 10);
    pf_pkf1_video_tx_result r = send_au(&p, 0, 100000, 3); /* k 72, m 8 */
    uint8_t drop[128] = {0};
    for (uint32_t i = 0; i <= r.parity_shards; i++)
        drop[i * 3] = 1;
    feed(&p, &r, drop, NULL);
    assert_int_equal(p.sink.frames, 0);
    /* the next AU reports the unfinished one lost and completes */
    r = send_au(&p, 1, 5000, 4);
    feed(&p, &r, NULL, NULL);
    assert_int_equal(p.sink.frames, 1);
    assert_int_equal(p.sink.lost, 1);
    /* skipped indices are lost too */
    r = send_au(&p, 4, 5000, 5);
    feed(&p, &r, NULL, NULL);
    assert_int_equal(p.sink.lost, 3);
    free_pair(&p);
}

static void test_replay_and_forgery(void **state)
{
    (void)state;
    pair p;
    make_pair(&p, PF_AEAD_AES128_GCM, 1408, 20);
    pf_pkf1_video_tx_result r = send_au(&p, 0, 50000, 6);
    uint8_t *dg0 = p.out;
    assert_int_equal(pf_pkf1_video_rx_feed(p.rx, dg0, r.packet_bytes), 0);
    assert_int_equal(pf_pkf1_video_rx_feed(p.rx, dg0, r.packet_bytes), PF_ERR_REPLAY);
    uint8_t *dg1 = p.out + r.packet_bytes;
    dg1[100] ^= 1;
    assert_int_equal(pf_pkf1_video_rx_feed(p.rx, dg1, r.packet_bytes), PF_ERR_AUTH);
    dg1[100] ^= 1;
    /* a forged copy did not burn the seq: the genuine one still goes in */
    assert_int_equal(pf_pkf1_video_rx_feed(p.rx, dg1, r.packet_bytes), 0);
    assert_int_equal(pf_pkf1_video_rx_feed(p.rx, dg1, 10), PF_ERR_MALFORMED);
    uint8_t *dg2 = p.out + 2 * r.packet_bytes;
    assert_int_equal(pf_pkf1_video_rx_feed(p.rx, dg2, r.packet_bytes - 2), PF_ERR_AUTH);
    feed(&p, &r, NULL, NULL);
    assert_int_equal(p.sink.frames, 1);
    assert_int_equal(p.sink.mismatch, 0);
    pf_pkf1_video_rx_stats st;
    pf_pkf1_video_rx_get_stats(p.rx, &st);
    assert_true(st.packets_replayed >= 2);
    assert_int_equal(st.shards_late, 0);

    /* Reordering: data shard 1 of the next AU comes after its parity, which rebuilt it.
     * It counts as late (not loss) once, and the AU is delivered before it arrives. */
    r = send_au(&p, 1, 5000, 7); /* k 4, m 2 */
    uint32_t order[6] = {0, 2, 3, 4, 1, 5};
    for (int i = 0; i < 6; i++) {
        int rc = pf_pkf1_video_rx_feed(p.rx, p.out + (size_t)order[i] * r.packet_bytes,
                                       r.packet_bytes);
        assert_int_equal(rc, i < 4 ? 0 : PF_ERR_REPLAY);
    }
    assert_int_equal(p.sink.frames, 2);
    assert_int_equal(p.sink.mismatch, 0);
    pf_pkf1_video_rx_get_stats(p.rx, &st);
    assert_int_equal(st.shards_late, 1);
    assert_int_equal(st.shards_recovered, 1);

    /* A GF(2^8) block, genuinely sealed, is refused rather than repaired with GF(2^16). */
    r = send_au(&p, 2, 5000, 8);
    uint8_t key[32], nonce[12];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 7);
    pf_aead *a;
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 16, &a), 0);
    uint8_t *dg = p.out;
    size_t plain = r.packet_bytes - 24;
    pf_pkf1_media_nonce((const uint8_t *)"\x01\x02\x03\x04", 0, r.first_seq, nonce);
    assert_int_equal(pf_aead_open(a, nonce, dg, 8, dg + 8, plain, dg + 8 + plain, dg + 8), 0);
    dg[8 + 38] = 0; /* fec_scheme */
    assert_int_equal(pf_aead_seal(a, nonce, dg, 8, dg + 8, plain, dg + 8, dg + 8 + plain), 0);
    assert_int_equal(pf_pkf1_video_rx_feed(p.rx, dg, r.packet_bytes), PF_ERR_UNSUPPORTED);
    pf_aead_destroy(a);
    free_pair(&p);
}

/* Adaptive FEC and a shard-size change mid-stream (§9.3, §9.4): the wire is self-describing,
 * so the reassembler follows without being told. */
static void test_live_changes(void **state)
{
    (void)state;
    pair p;
    memset(&p, 0, sizeof(p));
    pf_pkf1_video_tx_settings ts;
    pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.max_shard_payload = 8908;
    ts.rs16_tables = tables;
    assert_int_equal(pf_pkf1_video_tx_create(&ts, &p.tx), 0);
    pf_pkf1_video_rx_settings rs;
    pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &rs);
    rs.max_shard_payload = 8908;
    rs.rs16_tables = tables;
    rs.callbacks.on_frame = on_frame;
    rs.callbacks.on_frames_lost = on_lost;
    rs.callbacks.user_data = &p.sink;
    assert_int_equal(pf_pkf1_video_rx_create(&rs, &p.rx), 0);
    p.out_cap = (size_t)2000 * (8908 + 64);
    p.out = malloc(p.out_cap);
    uint8_t drop[2000];
    static const uint32_t percents[] = {5, 50, 90, 0};
    static const uint32_t shards[] = {1408, 8908, 512, 1408};
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(pf_pkf1_video_tx_set_fec_percent(p.tx, percents[i]), 0);
        assert_int_equal(pf_pkf1_video_tx_set_shard_payload(p.tx, shards[i]), 0);
        pf_pkf1_video_tx_result r = send_au(&p, i, 300000, 20 + i);
        assert_int_equal(r.packet_bytes, shards[i] + 64);
        memset(drop, 0, sizeof(drop));
        /* lose as many data shards as the parity covers */
        for (uint32_t l = 0; l < r.parity_shards && l < r.data_shards; l++)
            drop[l * r.data_shards / r.parity_shards] = 1;
        feed(&p, &r, drop, NULL);
        assert_int_equal(p.sink.frames, i + 1);
        assert_int_equal(p.sink.mismatch, 0);
    }
    assert_int_equal(pf_pkf1_video_tx_set_fec_percent(p.tx, 91), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_pkf1_video_tx_set_shard_payload(p.tx, 8910), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_pkf1_video_tx_set_shard_payload(p.tx, 1407), PF_ERR_INVALID_ARGUMENT);
    /* a shard over the client's ceiling is refused */
    pf_pkf1_video_rx_destroy(p.rx);
    rs.max_shard_payload = 1408;
    assert_int_equal(pf_pkf1_video_rx_create(&rs, &p.rx), 0);
    assert_int_equal(pf_pkf1_video_tx_set_shard_payload(p.tx, 1410), 0);
    pf_pkf1_video_tx_result r = send_au(&p, 9, 3000, 30);
    assert_int_equal(pf_pkf1_video_rx_feed(p.rx, p.out, r.packet_bytes), PF_ERR_MALFORMED);
    free_pair(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_vector),
        cmocka_unit_test(test_aead_vectors),
        cmocka_unit_test(test_parity_rule),
        cmocka_unit_test(test_parity_vectors),
        cmocka_unit_test(test_low_rate_shapes_share_codecs),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_roundtrip_aes),
        cmocka_unit_test(test_roundtrip_chacha_v6),
        cmocka_unit_test(test_loss_beyond_parity),
        cmocka_unit_test(test_replay_and_forgery),
        cmocka_unit_test(test_live_changes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
