/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
#include "pf/core/rs16.h"

#include "gf16.h"
#include "gf16_fft.h"

#ifndef PF_VECTORS_DIR
#error "PF_VECTORS_DIR must point at tests/vectors"
#endif

#define MAX_REC 4096

/* One record of the leopard-rs or reed-solomon-simd vector files. */
struct record {
    char id[64];
    uint32_t k, m;
    size_t shard_bytes;
    uint64_t seed;
    char data_sha[65];
    char all_sha[65];
    char (*rec_sha)[65]; /* m entries */
    char **rec_hex;      /* m entries, NULL when the record has none */
};

static pf_rs16_tables *tables;

/* xorshift64* with little-endian byte extraction (vectors/gamestream-rs/README.md §2). */
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

static void sha_shards(uint8_t *const *p, uint32_t n, size_t bs, uint8_t *ret_digest)
{
    struct sha256_ctx c;
    sha256_init(&c);
    for (uint32_t i = 0; i < n; i++)
        sha256_update(&c, bs, p[i]);
    sha256_digest(&c, SHA256_DIGEST_SIZE, ret_digest);
}

static void to_hex(const uint8_t *p, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void free_record(struct record *r)
{
    if (r->rec_hex)
        for (uint32_t j = 0; j < r->m; j++)
            free(r->rec_hex[j]);
    free(r->rec_hex);
    free(r->rec_sha);
    memset(r, 0, sizeof(*r));
}

/* Reads the next record; returns 0 at end of file. */
static int read_record(FILE *f, struct record *r)
{
    static char line[1 << 16];
    memset(r, 0, sizeof(*r));
    int in = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        char key[64] = "";
        int off = 0;
        if (sscanf(line, "%63s %n", key, &off) < 1)
            continue;
        const char *val = line + off;
        if (!in) {
            if (strcmp(key, "vector") == 0) {
                in = 1;
                snprintf(r->id, sizeof(r->id), "%s", val);
            }
            continue;
        }
        if (strcmp(key, "end") == 0) {
            assert_non_null(r->rec_sha);
            return 1;
        } else if (strcmp(key, "k") == 0) {
            r->k = (uint32_t)strtoul(val, NULL, 10);
        } else if (strcmp(key, "m") == 0) {
            r->m = (uint32_t)strtoul(val, NULL, 10);
            assert_true(r->m > 0 && r->m <= MAX_REC);
            r->rec_sha = calloc(r->m, sizeof(*r->rec_sha));
            r->rec_hex = calloc(r->m, sizeof(char *));
        } else if (strcmp(key, "shard_bytes") == 0) {
            r->shard_bytes = strtoul(val, NULL, 10);
        } else if (strcmp(key, "seed") == 0) {
            r->seed = strtoull(val, NULL, 16);
        } else if (strcmp(key, "data_sha256") == 0) {
            snprintf(r->data_sha, sizeof(r->data_sha), "%s", val);
        } else if (strcmp(key, "recovery_all_sha256") == 0) {
            snprintf(r->all_sha, sizeof(r->all_sha), "%s", val);
        } else if (strcmp(key, "recovery_sha256") == 0 || strcmp(key, "recovery_hex") == 0) {
            char *end;
            unsigned long j = strtoul(val, &end, 10);
            assert_non_null(r->rec_sha);
            assert_true(j < r->m);
            while (*end == ' ')
                end++;
            if (key[9] == 's')
                snprintf(r->rec_sha[j], 65, "%s", end);
            else
                r->rec_hex[j] = strdup(end);
        }
    }
    return 0;
}

static const uint32_t kernels[] = { PF_SIMD_PORTABLE, PF_SIMD_SSSE3, PF_SIMD_AVX2,
                                    PF_SIMD_AVX512 };

static pf_rs16 *make(uint32_t k, uint32_t m, size_t bytes, uint32_t simd)
{
    pf_rs16_settings s;
    assert_int_equal(pf_rs16_settings_default(PF_RS16_SETTINGS_VERSION, &s), 0);
    s.simd = simd;
    s.tables = tables;
    pf_rs16 *rs = NULL;
    assert_int_equal(pf_rs16_create(k, m, bytes, &s, &rs), 0);
    assert_non_null(rs);
    assert_int_equal(pf_rs16_get_simd(rs), simd);
    return rs;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Loses the shards flagged 0 in @present, decodes, and checks the data shards are back. */
static void check_decode(pf_rs16 *rs, uint32_t k, uint32_t m, size_t bs, const uint8_t *data,
                         uint8_t *const *rec, const uint8_t *present, uint8_t *scratch)
{
    uint8_t **shards = calloc(k + m, sizeof(uint8_t *));
    uint32_t lost = 0, have = 0;
    for (uint32_t i = 0; i < k; i++) {
        shards[i] = scratch + (size_t)i * bs;
        if (present[i]) {
            memcpy(shards[i], data + (size_t)i * bs, bs);
            have++;
        } else {
            memset(shards[i], 0xA5, bs);
            lost++;
        }
    }
    for (uint32_t j = 0; j < m; j++) {
        shards[k + j] = rec[j];
        have += present[k + j] ? 1 : 0;
    }
    /* Recovery shards are only read, lost or not. */
    uint8_t before[SHA256_DIGEST_SIZE], after[SHA256_DIGEST_SIZE];
    sha_shards(rec, m, bs, before);
    int r = pf_rs16_decode(rs, shards, present, bs);
    sha_shards(rec, m, bs, after);
    assert_memory_equal(before, after, sizeof(before));
    if (have < k) {
        assert_int_equal(r, PF_ERR_UNRECOVERABLE);
        for (uint32_t i = 0; i < k; i++)
            if (!present[i])
                assert_int_equal(shards[i][0], 0xA5);
    } else {
        assert_int_equal(r, (int)lost);
        assert_memory_equal(scratch, data, (size_t)k * bs);
    }
    free(shards);
}

/* Erasure sets of the vector READMEs: min(k, m) data shards at floor(t·k/e), then random mixes
 * of data and recovery losses up to m, then one more than m. */
static void decode_patterns(pf_rs16 *rs, uint32_t k, uint32_t m, size_t bs, const uint8_t *data,
                            uint8_t *const *rec, uint64_t seed, int mixes)
{
    uint8_t *present = malloc(k + m);
    uint8_t *scratch = malloc((size_t)k * bs);
    uint32_t e = k < m ? k : m;
    memset(present, 1, k + m);
    for (uint32_t t = 0; t < e; t++)
        present[(uint64_t)t * k / e] = 0;
    check_decode(rs, k, m, bs, data, rec, present, scratch);

    uint64_t s = seed | 1;
    for (int round = 0; round < mixes + 1; round++) {
        uint32_t lose = round < mixes ? 1 + (uint32_t)(rng_next(&s) % m) : m + 1;
        if (lose > k + m)
            break;
        memset(present, 1, k + m);
        for (uint32_t n = 0; n < lose;) {
            uint32_t i = (uint32_t)(rng_next(&s) % (k + m));
            if (present[i]) {
                present[i] = 0;
                n++;
            }
        }
        check_decode(rs, k, m, bs, data, rec, present, scratch);
    }
    free(present);
    free(scratch);
}

static void run_vector_file(const char *name, int *ret_count)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", PF_VECTORS_DIR, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    struct record r;
    int count = 0;
    while (read_record(f, &r)) {
        size_t bs = r.shard_bytes;
        uint8_t *data = malloc((size_t)r.k * bs);
        gen_data(data, (size_t)r.k * bs, r.seed);
        char hex[65];
        sha_hex(data, (size_t)r.k * bs, hex);
        assert_string_equal(hex, r.data_sha);

        const uint8_t **dp = calloc(r.k, sizeof(uint8_t *));
        for (uint32_t i = 0; i < r.k; i++)
            dp[i] = data + (size_t)i * bs;
        uint8_t *recbuf = malloc((size_t)r.m * bs);
        uint8_t **rec = calloc(r.m, sizeof(uint8_t *));
        for (uint32_t j = 0; j < r.m; j++)
            rec[j] = recbuf + (size_t)j * bs;
        char *hexbuf = malloc(2 * bs + 1);

        for (size_t kn = 0; kn < sizeof(kernels) / sizeof(kernels[0]); kn++) {
            if (!pf_core_simd_supported(kernels[kn]))
                continue;
            pf_rs16 *rs = make(r.k, r.m, bs, kernels[kn]);
            memset(recbuf, 0x5A, (size_t)r.m * bs);
            assert_int_equal(pf_rs16_encode(rs, dp, rec, bs), 0);
            for (uint32_t j = 0; j < r.m; j++) {
                sha_hex(rec[j], bs, hex);
                if (strcmp(hex, r.rec_sha[j]) != 0)
                    fail_msg("%s kernel %u recovery %u: %s != %s", r.id, kernels[kn], j, hex,
                             r.rec_sha[j]);
                if (r.rec_hex[j]) {
                    to_hex(rec[j], bs, hexbuf);
                    assert_string_equal(hexbuf, r.rec_hex[j]);
                }
            }
            sha_hex(recbuf, (size_t)r.m * bs, hex);
            assert_string_equal(hex, r.all_sha);
            decode_patterns(rs, r.k, r.m, bs, data, rec, r.seed + kn, 3);
            pf_rs16_destroy(rs);
        }
        free(hexbuf);
        free(rec);
        free(recbuf);
        free(dp);
        free(data);
        free_record(&r);
        count++;
    }
    fclose(f);
    *ret_count = count;
}

static void leopard_ff16_vectors_match(void **state)
{
    (void)state;
    int n = 0;
    run_vector_file("leopard-rs/vectors-ff16only.txt", &n);
    assert_int_equal(n, 6);
}

static void reed_solomon_simd_vectors_match(void **state)
{
    (void)state;
    int n = 0;
    run_vector_file("reed-solomon-simd/vectors.txt", &n);
    assert_int_equal(n, 18);
}

/* Every erasure pattern of small shapes, on both rate layouts, for every kernel. */
static void small_shapes_decode_every_pattern(void **state)
{
    (void)state;
    static const uint32_t shapes[][2] = { { 1, 1 }, { 1, 3 }, { 2, 1 }, { 2, 2 }, { 3, 2 },
                                          { 2, 5 }, { 4, 3 }, { 5, 3 }, { 3, 6 }, { 6, 4 },
                                          { 7, 4 }, { 9, 3 }, { 4, 9 } };
    const size_t bs = 130;
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        uint32_t k = shapes[s][0], m = shapes[s][1], n = k + m;
        uint8_t *data = malloc((size_t)k * bs), *recbuf = malloc((size_t)m * bs);
        uint8_t *scratch = malloc((size_t)k * bs), present[16];
        const uint8_t *dp[16];
        uint8_t *rec[16];
        gen_data(data, (size_t)k * bs, 0x1234 + s);
        for (uint32_t i = 0; i < k; i++)
            dp[i] = data + (size_t)i * bs;
        for (uint32_t j = 0; j < m; j++)
            rec[j] = recbuf + (size_t)j * bs;
        uint8_t *ref = NULL;
        for (size_t kn = 0; kn < sizeof(kernels) / sizeof(kernels[0]); kn++) {
            if (!pf_core_simd_supported(kernels[kn]))
                continue;
            pf_rs16 *rs = make(k, m, bs, kernels[kn]);
            assert_int_equal(pf_rs16_encode(rs, dp, rec, bs), 0);
            if (!ref) {
                ref = malloc((size_t)m * bs);
                memcpy(ref, recbuf, (size_t)m * bs);
            } else {
                assert_memory_equal(ref, recbuf, (size_t)m * bs);
            }
            for (uint32_t mask = 0; mask < (1u << n); mask++) {
                for (uint32_t i = 0; i < n; i++)
                    present[i] = (mask >> i) & 1u ? 0 : 1;
                check_decode(rs, k, m, bs, data, rec, present, scratch);
            }
            pf_rs16_destroy(rs);
        }
        free(ref);
        free(data);
        free(recbuf);
        free(scratch);
    }
}

/* With k = 1 the code is a repetition code: every recovery shard is the data shard. */
/* Random shapes, shard sizes and buffer offsets, every kernel against the portable one:
 * recovery shards byte for byte, then a decode of random erasures (as many as the shape
 * allows) that must give the data back. */
/* Every kernel's encode of (k, m) at @bs bytes per shard against the portable kernels,
 * byte for byte, from data and into recovery buffers at odd addresses; with @decode, each
 * kernel then rebuilds the data after losing up to m shards anywhere. */
static void check_shape(uint32_t k, uint32_t m, size_t bs, uint64_t *rng, int decode)
{
    uint8_t *data = malloc((size_t)k * bs + 64);
    uint8_t *want = malloc((size_t)m * bs + 64), *got = malloc((size_t)m * bs + 64);
    uint8_t *scratch = malloc((size_t)k * bs);
    const uint8_t **dp = calloc(k, sizeof(*dp));
    uint8_t **pw = calloc(m, sizeof(*pw)), **pg = calloc(m, sizeof(*pg));
    uint8_t *present = malloc(k + m);
    assert_true(data && want && got && scratch && dp && pw && pg && present);
    /* Shards start at odd offsets: the kernels read the caller's buffers unaligned. */
    uint8_t *d0 = data + 1 + rng_next(rng) % 63;
    gen_data(d0, (size_t)k * bs, rng_next(rng));
    uint8_t *w0 = want + 1 + rng_next(rng) % 63, *g0 = got + 1 + rng_next(rng) % 63;
    for (uint32_t i = 0; i < k; i++)
        dp[i] = d0 + (size_t)i * bs;
    for (uint32_t j = 0; j < m; j++) {
        pw[j] = w0 + (size_t)j * bs;
        pg[j] = g0 + (size_t)j * bs;
    }
    pf_rs16 *ref = make(k, m, bs, PF_SIMD_PORTABLE);
    assert_int_equal(pf_rs16_encode(ref, dp, pw, bs), 0);
    pf_rs16_destroy(ref);
    for (size_t kn = 1; kn < sizeof(kernels) / sizeof(kernels[0]); kn++) {
        if (!pf_core_simd_supported(kernels[kn]))
            continue;
        pf_rs16 *rs = make(k, m, bs, kernels[kn]);
        memset(g0, 0xA5, (size_t)m * bs);
        assert_int_equal(pf_rs16_encode(rs, dp, pg, bs), 0);
        if (memcmp(w0, g0, (size_t)m * bs) != 0)
            fail_msg("kernel %u k=%u m=%u bytes=%zu: recovery differs", kernels[kn], k, m, bs);
        if (decode) {
            memset(present, 1, k + m);
            uint32_t lose = 1 + (uint32_t)(rng_next(rng) % m);
            for (uint32_t t = 0; t < lose; t++)
                present[rng_next(rng) % (k + m)] = 0;
            check_decode(rs, k, m, bs, d0, pg, present, scratch);
        }
        pf_rs16_destroy(rs);
    }
    free(data), free(want), free(got), free(scratch), free(dp), free(pw), free(pg);
    free(present);
}

static void kernels_agree_on_random_shapes(void **state)
{
    (void)state;
    uint64_t rng = 0x6a09e667f3bcc909ull;
    for (int round = 0; round < 32; round++) {
        /* The first rounds stay within the direct-solve decoder's shapes (rs16_small.c). */
        uint32_t k = 1 + (uint32_t)(rng_next(&rng) % (round < 8 ? 64 : 300));
        uint32_t m = 1 + (uint32_t)(rng_next(&rng) % (round < 8 ? 10 : round < 16 ? 16 : 120));
        size_t bs = 2 * (1 + (size_t)(rng_next(&rng) % 700));
        /* Whole 64-byte chunks take the fused encoder where the chunk size allows. */
        if (round % 2)
            bs = 64 * (1 + (size_t)(rng_next(&rng) % 22));
        check_shape(k, m, bs, &rng, 1);
    }
}

/* High-rate shapes whose chunk is a power of 4 (16, 64, 256, 1024), in whole 64-byte chunks:
 * the fused encoder, whose last FFT layer writes the recovery shards directly (all of them,
 * or all but the last m mod 4), must agree with the portable kernels. */
static void fused_encoder_matches_portable(void **state)
{
    (void)state;
    static const uint32_t shapes[][2] = { { 20, 13 }, { 16, 16 }, { 70, 61 }, { 64, 34 },
                                          { 300, 250 }, { 260, 129 }, { 1100, 1023 } };
    uint64_t rng = 0x3c6ef372fe94f82bull;
    for (size_t si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++)
        check_shape(shapes[si][0], shapes[si][1], 128, &rng, 0);
}

/* Shapes large enough that the transforms run cache-blocked (gf16_fft.c: more than 384 KiB
 * per run): every 64-byte column is a code of its own, so each sampled column of the
 * blocked encode must equal the encode of that column alone as 64-byte shards, which runs
 * unblocked; the blocked decode must rebuild the data. Every kernel. */
static void blocked_transforms_match_unblocked(void **state)
{
    (void)state;
    static const uint32_t shapes[][2] = { { 1100, 1023 }, { 600, 300 } };
    const size_t bs = 1408, cols[] = { 0, 640, 1344 };
    uint64_t rng = 0x510e527fade682d1ull;
    for (size_t si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++) {
        const uint32_t k = shapes[si][0], m = shapes[si][1];
        uint8_t *data = malloc((size_t)k * bs), *rec = malloc((size_t)m * bs);
        uint8_t *cdata = malloc((size_t)k * 64), *crec = malloc((size_t)m * 64);
        uint8_t *scratch = malloc((size_t)k * bs), *present = malloc(k + m);
        const uint8_t **dp = calloc(k, sizeof(*dp)), **cdp = calloc(k, sizeof(*cdp));
        uint8_t **rp = calloc(m, sizeof(*rp)), **crp = calloc(m, sizeof(*crp));
        assert_true(data && rec && cdata && crec && scratch && present && dp && cdp && rp && crp);
        gen_data(data, (size_t)k * bs, rng_next(&rng));
        for (uint32_t i = 0; i < k; i++) {
            dp[i] = data + (size_t)i * bs;
            cdp[i] = cdata + (size_t)i * 64;
        }
        for (uint32_t j = 0; j < m; j++) {
            rp[j] = rec + (size_t)j * bs;
            crp[j] = crec + (size_t)j * 64;
        }
        for (size_t kn = 0; kn < sizeof(kernels) / sizeof(kernels[0]); kn++) {
            if (!pf_core_simd_supported(kernels[kn]))
                continue;
            pf_rs16 *rs = make(k, m, bs, kernels[kn]), *col = make(k, m, 64, kernels[kn]);
            assert_int_equal(pf_rs16_encode(rs, dp, rp, bs), 0);
            for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
                for (uint32_t i = 0; i < k; i++)
                    memcpy(cdata + (size_t)i * 64, dp[i] + cols[c], 64);
                assert_int_equal(pf_rs16_encode(col, cdp, crp, 64), 0);
                for (uint32_t j = 0; j < m; j++)
                    if (memcmp(rp[j] + cols[c], crp[j], 64) != 0)
                        fail_msg("kernel %u k=%u m=%u: recovery %u differs at column %zu",
                                 kernels[kn], k, m, j, cols[c]);
            }
            memset(present, 1, k + m);
            for (uint32_t t = 0; t < m; t++)
                present[(uint64_t)t * (k + m) / m] = 0;
            check_decode(rs, k, m, bs, data, rp, present, scratch);
            pf_rs16_destroy(rs);
            pf_rs16_destroy(col);
        }
        free(data), free(rec), free(cdata), free(crec), free(scratch), free(present);
        free(dp), free(cdp), free(rp), free(crp);
    }
}

static void single_data_shard_is_copied(void **state)
{
    (void)state;
    uint8_t d[70], r0[70], r1[70], r2[70];
    gen_data(d, sizeof(d), 77);
    const uint8_t *dp[1] = { d };
    uint8_t *rp[3] = { r0, r1, r2 };
    pf_rs16 *rs = make(1, 3, sizeof(d), PF_SIMD_PORTABLE);
    assert_int_equal(pf_rs16_encode(rs, dp, rp, sizeof(d)), 0);
    assert_memory_equal(r0, d, sizeof(d));
    assert_memory_equal(r1, d, sizeof(d));
    assert_memory_equal(r2, d, sizeof(d));
    pf_rs16_destroy(rs);
}

/* A call may use any even size up to the create-time maximum, with the same bytes as a codec
 * created for that size. */
static void smaller_shard_sizes_per_call(void **state)
{
    (void)state;
    const uint32_t k = 10, m = 4;
    uint8_t data[10 * 200], ra[4 * 200], rb[4 * 200];
    gen_data(data, sizeof(data), 99);
    pf_rs16 *big = make(k, m, 1408, PF_SIMD_PORTABLE);
    for (size_t bs = 2; bs <= 200; bs += 66) {
        const uint8_t *dp[10];
        uint8_t *pa[4], *pb[4];
        for (uint32_t i = 0; i < k; i++)
            dp[i] = data + i * bs;
        for (uint32_t j = 0; j < m; j++) {
            pa[j] = ra + j * bs;
            pb[j] = rb + j * bs;
        }
        pf_rs16 *exact = make(k, m, bs, PF_SIMD_PORTABLE);
        assert_int_equal(pf_rs16_encode(big, dp, pa, bs), 0);
        assert_int_equal(pf_rs16_encode(exact, dp, pb, bs), 0);
        assert_memory_equal(ra, rb, m * bs);
        decode_patterns(big, k, m, bs, data, pa, bs, 4);
        pf_rs16_destroy(exact);
    }
    pf_rs16_destroy(big);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    pf_rs16 *rs = NULL;
    pf_rs16_settings s;
    assert_int_equal(pf_rs16_settings_default(99, &s), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_settings_default(PF_RS16_SETTINGS_VERSION, NULL),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_create(0, 2, 64, NULL, &rs), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_create(2, 0, 64, NULL, &rs), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_create(2, 2, 0, NULL, &rs), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_create(2, 2, 63, NULL, &rs), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_create(2, 2, 64, NULL, NULL), PF_ERR_INVALID_ARGUMENT);
    pf_rs16_settings_default(PF_RS16_SETTINGS_VERSION, &s);
    s.tables = tables;
    /* Leopard's own example of a shape out of range, and the crate's hard limits. */
    assert_int_equal(pf_rs16_create(60000, 5000, 64, &s, &rs), PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_rs16_create(65537, 1, 64, &s, &rs), PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_rs16_create(40000, 40000, 64, &s, &rs), PF_ERR_UNSUPPORTED);
    s.simd = 77;
    assert_int_equal(pf_rs16_create(2, 2, 64, &s, &rs), PF_ERR_UNSUPPORTED);
    s.simd = PF_SIMD_AUTO;
    s.version = 2;
    assert_int_equal(pf_rs16_create(2, 2, 64, &s, &rs), PF_ERR_UNSUPPORTED);
    assert_null(rs);

    rs = make(3, 2, 128, PF_SIMD_PORTABLE);
    uint8_t b[5][128] = { { 0 } };
    const uint8_t *dp[3] = { b[0], b[1], b[2] };
    uint8_t *rp[2] = { b[3], b[4] };
    uint8_t *sp[5] = { b[0], b[1], b[2], b[3], b[4] };
    uint8_t present[5] = { 0, 1, 1, 1, 1 };
    assert_int_equal(pf_rs16_encode(rs, dp, rp, 130), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_encode(rs, dp, rp, 63), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_encode(rs, dp, rp, 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_encode(rs, NULL, rp, 64), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_encode(NULL, dp, rp, 64), PF_ERR_INVALID_ARGUMENT);
    dp[1] = NULL;
    assert_int_equal(pf_rs16_encode(rs, dp, rp, 64), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_decode(rs, sp, NULL, 64), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs16_decode(rs, sp, present, 65), PF_ERR_INVALID_ARGUMENT);
    sp[4] = NULL;
    assert_int_equal(pf_rs16_decode(rs, sp, present, 64), PF_ERR_INVALID_ARGUMENT);
    sp[4] = b[4];
    uint8_t too_few[5] = { 0, 0, 1, 1, 0 };
    assert_int_equal(pf_rs16_decode(rs, sp, too_few, 64), PF_ERR_UNRECOVERABLE);
    uint8_t all[5] = { 1, 1, 1, 0, 0 };
    assert_int_equal(pf_rs16_decode(rs, sp, all, 64), 0);
    pf_rs16_destroy(rs);
    pf_rs16_destroy(NULL);
    pf_rs16_tables_destroy(NULL);
    assert_int_equal(pf_rs16_get_simd(NULL), 0);
    assert_int_equal(pf_rs16_tables_create(NULL), PF_ERR_INVALID_ARGUMENT);
}

/* The largest shapes the crate accepts are accepted too, at a small shard size. */
static void limit_shapes_are_accepted(void **state)
{
    (void)state;
    static const uint32_t shapes[][2] = { { 32768, 32768 }, { 65535, 1 }, { 1, 65535 },
                                          { 60000, 4096 } };
    for (size_t s = 0; s < 4; s++) {
        pf_rs16 *rs = make(shapes[s][0], shapes[s][1], 2, PF_SIMD_PORTABLE);
        pf_rs16_destroy(rs);
    }
}

/* A codec that builds private tables gives the same bytes as one using shared tables. */
static void private_tables_match_shared(void **state)
{
    (void)state;
    uint8_t data[8 * 64], ra[2 * 64], rb[2 * 64];
    gen_data(data, sizeof(data), 5);
    const uint8_t *dp[8];
    uint8_t *pa[2] = { ra, ra + 64 }, *pb[2] = { rb, rb + 64 };
    for (int i = 0; i < 8; i++)
        dp[i] = data + 64 * i;
    pf_rs16 *own = NULL, *shared = make(8, 2, 64, PF_SIMD_PORTABLE);
    assert_int_equal(pf_rs16_create(8, 2, 64, NULL, &own), 0);
    assert_int_equal(pf_rs16_encode(own, dp, pa, 64), 0);
    assert_int_equal(pf_rs16_encode(shared, dp, pb, 64), 0);
    assert_memory_equal(ra, rb, sizeof(ra));
    pf_rs16_destroy(own);
    pf_rs16_destroy(shared);
}

/* The locator over a small domain equals the direct sum of logs it stands for. */
static void locator_matches_direct_sum(void **state)
{
    (void)state;
    const struct pf_rs16_tables *t = tables;
    uint16_t walsh[256], e[256];
    uint8_t erased[256];
    uint64_t s = 42;
    for (uint32_t size = 2; size <= 256; size *= 4) {
        pfi_gf16_locator_prepare(t, size, walsh);
        for (uint32_t i = 0; i < size; i++) {
            erased[i] = (rng_next(&s) & 3) == 0;
            e[i] = erased[i];
        }
        pfi_gf16_locator(walsh, size, e);
        for (uint32_t i = 0; i < size; i++) {
            uint32_t sum = 0;
            for (uint32_t j = 0; j < size; j++)
                if (erased[j] && j != i)
                    sum = (sum + t->log[i ^ j]) % 65535u;
            assert_int_equal(e[i] % 65535u, sum);
        }
    }
}

/* Field facts: exp and log are inverse, and the multiply tables agree with exp/log. */
static void field_tables_are_consistent(void **state)
{
    (void)state;
    const struct pf_rs16_tables *t = tables;
    for (uint32_t x = 1; x < GF16_ORDER; x++)
        assert_int_equal(t->exp[t->log[x]], x);
    assert_int_equal(t->log[1], 0);
    uint64_t s = 7;
    for (int n = 0; n < 1000; n++) {
        uint16_t x = (uint16_t)rng_next(&s), lm = (uint16_t)rng_next(&s);
        const struct gf16_lut *l = &t->lut[lm];
        uint16_t p = 0;
        for (int q = 0; q < 4; q++) {
            uint8_t nib = (x >> (4 * q)) & 15;
            p ^= (uint16_t)(l->lo[q][nib] | (l->hi[q][nib] << 8));
        }
        assert_int_equal(p, gf16_mul_log(t, x, lm));
        /* Multiplying by m then by 1/m is the identity. */
        assert_int_equal(gf16_mul_log(t, gf16_mul_log(t, x, lm), (uint16_t)(65535 - lm)), x);
    }
}

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(field_tables_are_consistent),
        cmocka_unit_test(locator_matches_direct_sum),
        cmocka_unit_test(single_data_shard_is_copied),
        cmocka_unit_test(kernels_agree_on_random_shapes),
        cmocka_unit_test(fused_encoder_matches_portable),
        cmocka_unit_test(blocked_transforms_match_unblocked),
        cmocka_unit_test(small_shapes_decode_every_pattern),
        cmocka_unit_test(smaller_shard_sizes_per_call),
        cmocka_unit_test(private_tables_match_shared),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(limit_shapes_are_accepted),
        cmocka_unit_test(leopard_ff16_vectors_match),
        cmocka_unit_test(reed_solomon_simd_vectors_match),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
