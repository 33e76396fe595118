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
#include "pf/core/rs8.h"

#include "gf256.h"
#include "rs8_kernel.h"

#ifndef PF_VECTORS_DIR
#error "PF_VECTORS_DIR must name tests/vectors"
#endif

static const uint32_t all_simd[] = {PF_SIMD_PORTABLE, PF_SIMD_SSSE3, PF_SIMD_AVX2,
                                    PF_SIMD_AVX512};

/* Every kernel is run on its own, including both AVX2 kernels on a CPU with GFNI (where
 * create picks the GFNI one). Variant 0 is the portable reference. */
static const struct variant {
    uint32_t simd;
    int gfni;
    pfi_rs8_kernel_fn kernel;
} variants[] = {
    {PF_SIMD_PORTABLE, 0, pfi_rs8_kernel_portable},
#if defined(__x86_64__)
    {PF_SIMD_SSSE3, 0, pfi_rs8_kernel_ssse3},
    {PF_SIMD_AVX2, 0, pfi_rs8_kernel_avx2},
    {PF_SIMD_AVX2, 1, pfi_rs8_kernel_avx2_gfni},
    {PF_SIMD_AVX512, 0, pfi_rs8_kernel_avx512},
    {PF_SIMD_AVX512, 1, pfi_rs8_kernel_avx512_gfni},
#endif
};
#define N_VARIANTS (sizeof(variants) / sizeof(variants[0]))

static int variant_ok(size_t v)
{
    return pf_core_simd_supported(variants[v].simd) &&
           (!variants[v].gfni || pfi_rs8_cpu_has_gfni());
}

static pf_rs8 *make(uint32_t k, uint32_t m, uint32_t matrix, size_t variant)
{
    pf_rs8_settings s;
    assert_int_equal(pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION, &s), 0);
    s.simd = variants[variant].simd;
    pf_rs8 *rs = NULL;
    assert_int_equal(pf_rs8_create(k, m, matrix, &s, &rs), 0);
    assert_non_null(rs);
    assert_int_equal(pf_rs8_get_simd(rs), variants[variant].simd);
    pfi_rs8_set_kernel(rs, variants[variant].kernel);
    return rs;
}

static void hex_decode(const char *hex, uint8_t *out, size_t n)
{
    assert_true(strlen(hex) >= 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static void sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, n, p);
    sha256_digest(&c, 32, out);
}

/* Block of k + m shards in one allocation, offset by one byte so no shard is aligned. */
struct block {
    uint8_t *mem;
    uint8_t *shard[PF_RS8_MAX_SHARDS];
};

static void block_alloc(struct block *b, uint32_t n, size_t len)
{
    b->mem = malloc((size_t)n * (len + 1) + 1);
    assert_non_null(b->mem);
    for (uint32_t i = 0; i < n; i++)
        b->shard[i] = b->mem + 1 + (size_t)i * (len + 1);
}

/* ---- field ---------------------------------------------------------------------------- */

static void field_tables_follow_the_definition(void **state)
{
    (void)state;
    unsigned x = 1;
    for (unsigned i = 0; i < 255; i++) {
        assert_int_equal(pfi_gf256_exp[i], x);
        assert_int_equal(pfi_gf256_exp[i + 255], x);
        assert_int_equal(pfi_gf256_log[x], i);
        x <<= 1;
        if (x & 0x100)
            x ^= 0x11d;
    }
    assert_int_equal(pfi_gf256_mul(0x02, 0x80), 0x1d);
    assert_int_equal(pfi_gf256_mul(0x53, 0xca), 0x8f);
    assert_int_equal(pfi_gf256_mul(0xff, 0xff), 0xe2);
    assert_int_equal(pfi_gf256_mul(0, 0x53), 0);
    static const uint8_t inv_expect[] = {0, 1, 0x8e, 0xf4, 0x47, 0xa7};
    for (unsigned a = 1; a < 6; a++)
        assert_int_equal(pfi_gf256_inv((uint8_t)a), inv_expect[a]);
    for (unsigned a = 1; a < 256; a++) {
        assert_int_equal(pfi_gf256_mul((uint8_t)a, pfi_gf256_inv((uint8_t)a)), 1);
        assert_int_equal(pfi_gf256_div((uint8_t)a, (uint8_t)a), 1);
    }
}

static uint8_t slow_mul(uint8_t a, uint8_t b)
{
    unsigned r = 0, x = a;
    for (int i = 0; i < 8; i++) {
        if (b & (1u << i))
            r ^= x;
        x <<= 1;
        if (x & 0x100)
            x ^= 0x11d;
    }
    return (uint8_t)r;
}

/* GF2P8AFFINEQB as the Intel SDM defines it: output bit i is the parity of the input byte
 * ANDed with byte 7 - i of the matrix. */
static uint8_t affine_apply(uint64_t matrix, uint8_t x)
{
    unsigned r = 0;
    for (int i = 0; i < 8; i++)
        r |= (unsigned)__builtin_parity((unsigned)((matrix >> (8 * (7 - i))) & x)) << i;
    return (uint8_t)r;
}

/* The vector expansion of coefficients into bit matrices (the decode's, on AVX-512 GFNI)
 * against the scalar one: every field element, at every length up to 300 (partial vectors,
 * one masked store per eight), from every offset modulo 64, and nothing written past n. */
static void affine_expansion_matches_table(void **state)
{
    (void)state;
#if defined(__x86_64__)
    if (!pf_core_simd_supported(PF_SIMD_AVX512) || !pfi_rs8_cpu_has_gfni())
        skip();
    uint64_t rows[8];
    pfi_rs8_expand_rows(rows);
    uint8_t coef[300 + 64];
    uint64_t out[301];
    for (size_t i = 0; i < sizeof(coef); i++)
        coef[i] = (uint8_t)(i * 167 + 13);
    for (size_t n = 0; n <= 300; n++) {
        const size_t at = n % 64;
        memset(out, 0xA5, sizeof(out));
        pfi_rs8_expand_affine_avx512_gfni(coef + at, out, n, rows);
        for (size_t i = 0; i < n; i++)
            assert_true(out[i] == pfi_gf256_affine(coef[at + i]));
        assert_true(out[n] == 0xA5A5A5A5A5A5A5A5ull);
    }
#else
    skip();
#endif
}

static void multiply_tables_match_the_field(void **state)
{
    (void)state;
    uint8_t t[32];
    for (unsigned c = 0; c < 256; c++) {
        pfi_gf256_nibble_table((uint8_t)c, t);
        uint64_t matrix = pfi_gf256_affine((uint8_t)c);
        for (unsigned b = 0; b < 256; b++) {
            uint8_t want = slow_mul((uint8_t)c, (uint8_t)b);
            assert_int_equal(pfi_gf256_mul((uint8_t)c, (uint8_t)b), want);
            assert_int_equal(t[b & 15] ^ t[16 + (b >> 4)], want);
            assert_int_equal(affine_apply(matrix, (uint8_t)b), want);
        }
    }
}

/* ---- matrices and the protocol document's small vectors -------------------------------- */

/* Encoding one-hot columns reads the parity matrix back through the public API. */
static void read_matrix(pf_rs8 *rs, uint32_t k, uint32_t m, uint8_t *ret /* m x k */)
{
    struct block b;
    block_alloc(&b, k + m, k);
    for (uint32_t i = 0; i < k; i++) {
        memset(b.shard[i], 0, k);
        b.shard[i][i] = 1;
    }
    assert_int_equal(pf_rs8_encode(rs, (const uint8_t *const *)b.shard, b.shard + k, k), 0);
    for (uint32_t j = 0; j < m; j++)
        memcpy(ret + (size_t)j * k, b.shard[k + j], k);
    free(b.mem);
}

static void matrices_match_matrices_txt(void **state)
{
    (void)state;
    FILE *f = fopen(PF_VECTORS_DIR "/gamestream-rs/matrices.txt", "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    unsigned k = 0, m = 0, records = 0, rows_checked = 0, tables_checked = 0;
    static uint8_t got[255 * 255], again[255 * 255];
    uint8_t want[255];
    int in_matrix = 0;
    while (getline(&line, &cap, f) > 0) {
        char kind[32];
        unsigned j;
        if (strncmp(line, "exp_table ", 10) == 0) {
            hex_decode(line + 10, want, 255);
            assert_memory_equal(want, pfi_gf256_exp, 255);
            tables_checked++;
        } else if (strncmp(line, "inv_table ", 10) == 0) {
            uint8_t inv[256];
            hex_decode(line + 10, inv, 256);
            for (unsigned a = 0; a < 256; a++)
                assert_int_equal(pfi_gf256_inv((uint8_t)a), inv[a]);
            tables_checked++;
        } else if (sscanf(line, "matrix %u %u %31s", &k, &m, kind) == 3) {
            uint32_t mk = strcmp(kind, "audio-override") == 0 ? PF_RS8_MATRIX_GAMESTREAM_AUDIO
                                                               : PF_RS8_MATRIX_CAUCHY;
            for (size_t s = 0; s < N_VARIANTS; s++) {
                if (!variant_ok(s))
                    continue;
                pf_rs8 *other = make(k, m, mk, s);
                read_matrix(other, k, m, s == 0 ? got : again);
                if (s > 0)
                    assert_memory_equal(got, again, (size_t)k * m);
                pf_rs8_destroy(other);
            }
            in_matrix = 1;
            records++;
        } else if (in_matrix && sscanf(line, "row %u", &j) == 1) {
            assert_true(j < m);
            hex_decode(strchr(line + 4, ' ') + 1, want, k);
            assert_memory_equal(got + (size_t)j * k, want, k);
            rows_checked++;
        } else if (strncmp(line, "end", 3) == 0) {
            in_matrix = 0;
        }
    }
    free(line);
    fclose(f);
    assert_int_equal(records, 16);
    assert_true(rows_checked > records);
    assert_int_equal(tables_checked, 2);
}

static void protocol_doc_vectors(void **state)
{
    (void)state;
    static const char *video_parity[2] = {"4288b0f4cf8b4206ce38ebf267d418fa",
                                          "b54bbdc0e4095dd7b9fbe2ad48fb9121"};
    static const char *audio_parity[2] = {"15c835c009adda4214bf28b943ee44cc",
                                          "375fcde62b803400bb520198a986cbef"};
    uint8_t data[5][16], parity[2][16], want[16];
    for (unsigned i = 0; i < 5; i++)
        for (unsigned b = 0; b < 16; b++)
            data[i][b] = (uint8_t)((31 * i + 7 * b + 3) % 256);
    const uint8_t *dp[5] = {data[0], data[1], data[2], data[3], data[4]};
    uint8_t *pp[2] = {parity[0], parity[1]};
    for (size_t s = 0; s < N_VARIANTS; s++) {
        if (!variant_ok(s))
            continue;
        pf_rs8 *rs = make(5, 2, PF_RS8_MATRIX_CAUCHY, s);
        assert_int_equal(pf_rs8_encode(rs, dp, pp, 16), 0);
        for (int j = 0; j < 2; j++) {
            hex_decode(video_parity[j], want, 16);
            assert_memory_equal(parity[j], want, 16);
        }
        pf_rs8_destroy(rs);
        rs = make(4, 2, PF_RS8_MATRIX_GAMESTREAM_AUDIO, s);
        assert_int_equal(pf_rs8_encode(rs, dp, pp, 16), 0);
        for (int j = 0; j < 2; j++) {
            hex_decode(audio_parity[j], want, 16);
            assert_memory_equal(parity[j], want, 16);
        }
        pf_rs8_destroy(rs);
    }
}

/* ---- vectors.txt ------------------------------------------------------------------------ */

struct vec {
    char id[64];
    int audio;
    uint32_t k, m;
    size_t len;
    uint64_t seed;
    uint8_t data_sha[32], data_head[16], all_sha[32];
    uint8_t parity_sha[255][32];
    char *parity_hex[255];
    unsigned n_erase;
    uint32_t erase_n[2];
    uint32_t erase[2][255];
};

static void vec_clear(struct vec *v)
{
    for (unsigned j = 0; j < 255; j++)
        free(v->parity_hex[j]);
    memset(v, 0, sizeof(*v));
}

static void generate(uint64_t seed, uint8_t *d, size_t n)
{
    uint64_t s = seed, w = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0) {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            w = s * 0x2545F4914F6CDD1Dull;
        }
        d[i] = (uint8_t)(w >> (8 * (i % 8)));
    }
}

static void decode_set(pf_rs8 *rs, const struct vec *v, const uint8_t *d, struct block *b,
                       unsigned set)
{
    uint8_t present[255];
    uint32_t lost_data = 0;
    memset(present, 1, sizeof(present));
    for (uint32_t t = 0; t < v->erase_n[set]; t++) {
        uint32_t idx = v->erase[set][t];
        assert_true(idx < v->k + v->m);
        present[idx] = 0;
        memset(b->shard[idx], 0xa5, v->len);
        if (idx < v->k)
            lost_data++;
    }
    assert_int_equal(pf_rs8_decode(rs, b->shard, present, v->len), (int)lost_data);
    for (uint32_t i = 0; i < v->k; i++)
        assert_memory_equal(b->shard[i], d + (size_t)i * v->len, v->len);
}

static void check_vector(const struct vec *v, unsigned *ret_checked)
{
    size_t total = (size_t)v->k * v->len;
    uint8_t *d = malloc(total);
    uint8_t h[32];
    assert_non_null(d);
    generate(v->seed, d, total);
    assert_memory_equal(d, v->data_head, total < 16 ? total : 16);
    sha256(d, total, h);
    assert_memory_equal(h, v->data_sha, 32);

    for (size_t s = 0; s < N_VARIANTS; s++) {
        if (!variant_ok(s))
            continue;
        pf_rs8 *rs = make(v->k, v->m,
                          v->audio ? PF_RS8_MATRIX_GAMESTREAM_AUDIO : PF_RS8_MATRIX_CAUCHY,
                          s);
        struct block b;
        block_alloc(&b, v->k + v->m, v->len);
        for (uint32_t i = 0; i < v->k; i++)
            memcpy(b.shard[i], d + (size_t)i * v->len, v->len);
        assert_int_equal(
            pf_rs8_encode(rs, (const uint8_t *const *)b.shard, b.shard + v->k, v->len), 0);
        struct sha256_ctx all;
        sha256_init(&all);
        uint8_t *want = malloc(v->len);
        assert_non_null(want);
        for (uint32_t j = 0; j < v->m; j++) {
            const uint8_t *p = b.shard[v->k + j];
            sha256(p, v->len, h);
            if (memcmp(h, v->parity_sha[j], 32) != 0)
                fail_msg("%s variant %zu: parity %u differs", v->id, s, j);
            sha256_update(&all, v->len, p);
            if (v->parity_hex[j]) {
                hex_decode(v->parity_hex[j], want, v->len);
                assert_memory_equal(p, want, v->len);
            }
        }
        free(want);
        sha256_digest(&all, 32, h);
        assert_memory_equal(h, v->all_sha, 32);

        uint8_t *saved = malloc((size_t)v->m * v->len);
        assert_non_null(saved);
        for (uint32_t j = 0; j < v->m; j++)
            memcpy(saved + (size_t)j * v->len, b.shard[v->k + j], v->len);
        for (unsigned set = 0; set < v->n_erase; set++) {
            /* Restore the parity a previous set erased; decode never rebuilds parity. */
            for (uint32_t j = 0; j < v->m; j++)
                memcpy(b.shard[v->k + j], saved + (size_t)j * v->len, v->len);
            decode_set(rs, v, d, &b, set);
        }
        free(saved);
        free(b.mem);
        pf_rs8_destroy(rs);
        (*ret_checked)++;
    }
    free(d);
}

static void vectors_txt_all_kernels(void **state)
{
    (void)state;
    FILE *f = fopen(PF_VECTORS_DIR "/gamestream-rs/vectors.txt", "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    static struct vec v;
    unsigned count = 0, records = 0, checked = 0, in_record = 0;
    while (getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\r\n")] = 0;
        char word[64];
        unsigned j, n;
        if (line[0] == '#' || line[0] == 0)
            continue;
        if (sscanf(line, "count %u", &n) == 1) {
            count = n;
        } else if (sscanf(line, "vector %63s", word) == 1) {
            vec_clear(&v);
            memcpy(v.id, word, sizeof(v.id));
            in_record = 1;
        } else if (!in_record) {
            continue;
        } else if (sscanf(line, "kind %63s", word) == 1) {
            v.audio = strcmp(word, "audio") == 0;
        } else if (sscanf(line, "k %u", &n) == 1) {
            v.k = n;
        } else if (sscanf(line, "m %u", &n) == 1) {
            v.m = n;
        } else if (sscanf(line, "shard_bytes %u", &n) == 1) {
            v.len = n;
        } else if (strncmp(line, "seed 0x", 7) == 0) {
            v.seed = strtoull(line + 7, NULL, 16);
        } else if (strncmp(line, "data_sha256 ", 12) == 0) {
            hex_decode(line + 12, v.data_sha, 32);
        } else if (strncmp(line, "data_head ", 10) == 0) {
            hex_decode(line + 10, v.data_head, 16);
        } else if (sscanf(line, "parity_sha256 %u", &j) == 1) {
            assert_true(j < 255);
            hex_decode(strchr(line + 14, ' ') + 1, v.parity_sha[j], 32);
        } else if (strncmp(line, "parity_all_sha256 ", 18) == 0) {
            hex_decode(line + 18, v.all_sha, 32);
        } else if (sscanf(line, "parity_hex %u", &j) == 1) {
            assert_true(j < 255);
            v.parity_hex[j] = strdup(strchr(line + 11, ' ') + 1);
        } else if (sscanf(line, "erase %u", &n) == 1) {
            assert_true(v.n_erase < 2 && n <= 255);
            char *p = strchr(line + 6, ' ');
            v.erase_n[v.n_erase] = n;
            for (unsigned t = 0; t < n; t++) {
                assert_non_null(p);
                v.erase[v.n_erase][t] = (uint32_t)strtoul(p, &p, 10);
            }
            v.n_erase++;
        } else if (strcmp(line, "end") == 0) {
            assert_int_equal(v.n_erase, 2);
            check_vector(&v, &checked);
            records++;
            in_record = 0;
        }
    }
    vec_clear(&v);
    free(line);
    fclose(f);
    assert_int_equal(count, 64);
    assert_int_equal(records, count);
    assert_true(checked >= records);
    print_message("# %u vectors, %u vector x kernel runs\n", records, checked);
}

/* ---- erasure patterns ------------------------------------------------------------------- */

/* Every erasure pattern of every size on (k, m): up to m it must rebuild the data exactly;
 * above m it must refuse and leave every buffer untouched. */
static void exhaustive_shape(uint32_t k, uint32_t m, uint32_t matrix, size_t variant, size_t len)
{
    const uint32_t n = k + m;
    pf_rs8 *rs = make(k, m, matrix, variant);
    struct block orig, work;
    block_alloc(&orig, n, len);
    block_alloc(&work, n, len);
    for (uint32_t i = 0; i < k; i++)
        for (size_t b = 0; b < len; b++)
            orig.shard[i][b] = (uint8_t)(i * 131 + b * 17 + k * 7 + m + (b >> 3));
    assert_int_equal(pf_rs8_encode(rs, (const uint8_t *const *)orig.shard, orig.shard + k, len),
                     0);
    uint8_t present[16];
    for (uint32_t mask = 0; mask < (1u << n); mask++) {
        uint32_t lost = (uint32_t)__builtin_popcount(mask), lost_data = 0;
        for (uint32_t i = 0; i < n; i++) {
            present[i] = !(mask & (1u << i));
            memcpy(work.shard[i], orig.shard[i], len);
            if (!present[i]) {
                memset(work.shard[i], 0x5a, len);
                lost_data += i < k;
            }
        }
        int r = pf_rs8_decode(rs, work.shard, present, len);
        if (lost <= m) {
            assert_int_equal(r, (int)lost_data);
            for (uint32_t i = 0; i < k; i++)
                assert_memory_equal(work.shard[i], orig.shard[i], len);
        } else {
            assert_int_equal(r, PF_ERR_UNRECOVERABLE);
            for (uint32_t i = 0; i < n; i++) {
                if (present[i])
                    assert_memory_equal(work.shard[i], orig.shard[i], len);
                else
                    for (size_t b = 0; b < len; b++)
                        assert_int_equal(work.shard[i][b], 0x5a);
            }
        }
        for (uint32_t j = 0; j < m; j++) {
            if (present[k + j])
                assert_memory_equal(work.shard[k + j], orig.shard[k + j], len);
        }
    }
    free(orig.mem);
    free(work.mem);
    pf_rs8_destroy(rs);
}

static void every_erasure_pattern_small_shapes(void **state)
{
    (void)state;
    /* Lengths cover the scalar path (< 16), one vector plus an overlapping tail, and more
     * than one 64-byte column block with a ragged end. */
    static const size_t lens[] = {5, 45, 150};
    for (size_t s = 0; s < N_VARIANTS; s++) {
        if (!variant_ok(s))
            continue;
        for (uint32_t k = 1; k <= 6; k++)
            for (uint32_t m = 1; m <= 3; m++)
                for (size_t l = 0; l < 3; l++)
                    exhaustive_shape(k, m, PF_RS8_MATRIX_CAUCHY, s, lens[l]);
        for (size_t l = 0; l < 3; l++)
            exhaustive_shape(4, 2, PF_RS8_MATRIX_GAMESTREAM_AUDIO, s, lens[l]);
    }
}

/* Large random erasures on the biggest shapes: up to m lost, mixed data and parity. */
static void random_erasures_large_shapes(void **state)
{
    (void)state;
    static const uint32_t shapes[][2] = {{200, 55}, {170, 85}, {212, 43}, {32, 7}, {1, 254}};
    uint64_t rng = 0x1234567;
    const size_t len = 333;
    for (size_t s = 0; s < N_VARIANTS; s++) {
        if (!variant_ok(s))
            continue;
        for (size_t sh = 0; sh < 5; sh++) {
            uint32_t k = shapes[sh][0], m = shapes[sh][1], n = k + m;
            pf_rs8 *rs = make(k, m, PF_RS8_MATRIX_CAUCHY, s);
            struct block orig, work;
            block_alloc(&orig, n, len);
            block_alloc(&work, n, len);
            for (uint32_t i = 0; i < k; i++)
                for (size_t b = 0; b < len; b++) {
                    rng = rng * 6364136223846793005ull + 1;
                    orig.shard[i][b] = (uint8_t)(rng >> 40);
                }
            assert_int_equal(
                pf_rs8_encode(rs, (const uint8_t *const *)orig.shard, orig.shard + k, len), 0);
            for (int trial = 0; trial < 6; trial++) {
                uint8_t present[255];
                uint32_t lost = trial == 0 ? m : (uint32_t)((rng >> 33) % (m + 1)), data = 0;
                memset(present, 1, n);
                for (uint32_t t = 0; t < lost;) {
                    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                    uint32_t idx = trial == 0 ? t : (uint32_t)((rng >> 33) % n);
                    if (!present[idx])
                        continue;
                    present[idx] = 0;
                    t++;
                }
                for (uint32_t i = 0; i < n; i++) {
                    memcpy(work.shard[i], orig.shard[i], len);
                    if (!present[i]) {
                        memset(work.shard[i], 0, len);
                        data += i < k;
                    }
                }
                assert_int_equal(pf_rs8_decode(rs, work.shard, present, len), (int)data);
                for (uint32_t i = 0; i < k; i++)
                    assert_memory_equal(work.shard[i], orig.shard[i], len);
            }
            free(orig.mem);
            free(work.mem);
            pf_rs8_destroy(rs);
        }
    }
}

/* ---- kernels agree on every length and alignment ---------------------------------------- */

static void kernels_agree_on_lengths_and_alignment(void **state)
{
    (void)state;
    const uint32_t k = 9, m = 6;
    uint8_t *mem = malloc(4096 * (k + 2 * m));
    assert_non_null(mem);
    for (size_t i = 0; i < 4096 * (k + 2 * m); i++)
        mem[i] = (uint8_t)(i * 2654435761u >> 13);
    pf_rs8 *ref = make(k, m, PF_RS8_MATRIX_CAUCHY, 0);
    for (size_t s = 1; s < N_VARIANTS; s++) {
        if (!variant_ok(s))
            continue;
        pf_rs8 *rs = make(k, m, PF_RS8_MATRIX_CAUCHY, s);
        for (size_t len = 1; len <= 300; len++) {
            size_t align = len % 7;
            const uint8_t *dp[9];
            uint8_t *want[6], *got[6];
            for (uint32_t i = 0; i < k; i++)
                dp[i] = mem + 4096 * i + align;
            for (uint32_t j = 0; j < m; j++) {
                want[j] = mem + 4096 * (k + j) + (len % 5);
                got[j] = mem + 4096 * (k + m + j) + (len % 3);
            }
            /* Guard bytes around the output catch a kernel writing outside [0, len). */
            for (uint32_t j = 0; j < m; j++) {
                got[j][-1] = 0xee;
                got[j][len] = 0xdd;
            }
            assert_int_equal(pf_rs8_encode(ref, dp, want, len), 0);
            assert_int_equal(pf_rs8_encode(rs, dp, got, len), 0);
            for (uint32_t j = 0; j < m; j++) {
                assert_memory_equal(want[j], got[j], len);
                assert_int_equal(got[j][-1], 0xee);
                assert_int_equal(got[j][len], 0xdd);
            }
        }
        pf_rs8_destroy(rs);
    }
    pf_rs8_destroy(ref);
    free(mem);
}

/* Random shapes, lengths and alignments, every kernel against the portable one: row counts
 * that leave every remainder of the kernels' row groups, odd and even input counts (the
 * AVX-512 GFNI kernel takes inputs in pairs), and lengths around every vector width. */
static void kernels_agree_on_random_shapes(void **state)
{
    (void)state;
    enum { MAXK = 40, MAXM = 20, MAXLEN = 3000, PITCH = 3200 };
    uint8_t *mem = malloc((size_t)PITCH * (MAXK + 2 * MAXM));
    assert_non_null(mem);
    uint64_t rng = 0x243f6a8885a308d3ull;
    for (int round = 0; round < 60; round++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        uint32_t k = 1 + (uint32_t)(rng % MAXK), m = 1 + (uint32_t)(rng >> 8) % MAXM;
        size_t len = 1 + (size_t)((rng >> 16) % MAXLEN);
        if (round < 20)
            len = 1 + (size_t)((rng >> 16) % 200);
        generate(rng, mem, (size_t)PITCH * (MAXK + 2 * MAXM));
        const uint8_t *dp[MAXK];
        uint8_t *want[MAXM], *got[MAXM];
        for (uint32_t i = 0; i < k; i++)
            dp[i] = mem + (size_t)PITCH * i + (rng >> (24 + i % 32)) % 64;
        for (uint32_t j = 0; j < m; j++) {
            want[j] = mem + (size_t)PITCH * (MAXK + j) + 1 + (rng >> 40) % 63;
            got[j] = mem + (size_t)PITCH * (MAXK + MAXM + j) + 1 + (rng >> (44 + j % 16)) % 63;
        }
        pf_rs8 *ref = make(k, m, PF_RS8_MATRIX_CAUCHY, 0);
        assert_int_equal(pf_rs8_encode(ref, dp, want, len), 0);
        for (size_t s = 1; s < N_VARIANTS; s++) {
            if (!variant_ok(s))
                continue;
            pf_rs8 *rs = make(k, m, PF_RS8_MATRIX_CAUCHY, s);
            for (uint32_t j = 0; j < m; j++) {
                got[j][-1] = 0xee;
                got[j][len] = 0xdd;
            }
            assert_int_equal(pf_rs8_encode(rs, dp, got, len), 0);
            for (uint32_t j = 0; j < m; j++) {
                if (memcmp(want[j], got[j], len) != 0)
                    fail_msg("kernel %zu k=%u m=%u len=%zu row %u differs", s, k, m, len, j);
                assert_int_equal(got[j][-1], 0xee);
                assert_int_equal(got[j][len], 0xdd);
            }
            pf_rs8_destroy(rs);
        }
        pf_rs8_destroy(ref);
    }
    free(mem);
}

/* Decode works in column chunks; shard lengths around the chunk size must rebuild too. */
static void decode_long_shards(void **state)
{
    (void)state;
    static const size_t lens[] = {1024, 2048, 2112, 2113, 2200, 4096, 4161, 9000};
    const uint32_t k = 10, m = 5;
    for (size_t s = 0; s < N_VARIANTS; s++) {
        if (!variant_ok(s))
            continue;
        pf_rs8 *rs = make(k, m, PF_RS8_MATRIX_CAUCHY, s);
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            size_t len = lens[l];
            struct block orig, work;
            block_alloc(&orig, k + m, len);
            block_alloc(&work, k + m, len);
            for (uint32_t i = 0; i < k; i++)
                for (size_t b = 0; b < len; b++)
                    orig.shard[i][b] = (uint8_t)((b * 7919u + i * 104729u) >> 3);
            assert_int_equal(
                pf_rs8_encode(rs, (const uint8_t *const *)orig.shard, orig.shard + k, len), 0);
            uint8_t present[15] = {0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1};
            for (uint32_t i = 0; i < k + m; i++)
                memcpy(work.shard[i], orig.shard[i], len);
            for (uint32_t i = 0; i < k; i++)
                if (!present[i])
                    memset(work.shard[i], 0, len);
            assert_int_equal(pf_rs8_decode(rs, work.shard, present, len), 5);
            for (uint32_t i = 0; i < k; i++)
                assert_memory_equal(work.shard[i], orig.shard[i], len);
            free(orig.mem);
            free(work.mem);
        }
        pf_rs8_destroy(rs);
    }
}

/* ---- arguments -------------------------------------------------------------------------- */

static unsigned log_calls;
static void count_log(void *user_data, uint32_t level, const char *topic, const char *msg,
                      size_t len)
{
    (void)level;
    (void)msg;
    (void)len;
    assert_ptr_equal(user_data, &log_calls);
    assert_string_equal(topic, "rs8");
    log_calls++;
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    pf_rs8_settings s;
    pf_rs8 *rs = (pf_rs8 *)0x1;
    assert_int_equal(pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION, NULL),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_settings_default(0, &s), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION + 1, &s),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION, &s), 0);
    assert_int_equal(s.version, PF_RS8_SETTINGS_VERSION);
    assert_int_equal(s.simd, PF_SIMD_AUTO);

    assert_int_equal(pf_rs8_create(4, 2, PF_RS8_MATRIX_CAUCHY, NULL, NULL),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_create(0, 2, PF_RS8_MATRIX_CAUCHY, NULL, &rs),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_create(4, 0, PF_RS8_MATRIX_CAUCHY, NULL, &rs),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_create(200, 56, PF_RS8_MATRIX_CAUCHY, NULL, &rs),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_create(UINT32_MAX, 2, PF_RS8_MATRIX_CAUCHY, NULL, &rs),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_create(4, 2, 7, NULL, &rs), PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_rs8_create(4, 3, PF_RS8_MATRIX_GAMESTREAM_AUDIO, NULL, &rs),
                     PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_rs8_create(5, 2, PF_RS8_MATRIX_GAMESTREAM_AUDIO, NULL, &rs),
                     PF_ERR_UNSUPPORTED);
    s.simd = 99;
    assert_int_equal(pf_rs8_create(4, 2, PF_RS8_MATRIX_CAUCHY, &s, &rs), PF_ERR_UNSUPPORTED);
    s.simd = PF_SIMD_AUTO;
    s.version = 2;
    assert_int_equal(pf_rs8_create(4, 2, PF_RS8_MATRIX_CAUCHY, &s, &rs),
                     PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < sizeof(all_simd) / sizeof(all_simd[0]); i++) {
        if (pf_core_simd_supported(all_simd[i]))
            continue;
        s.version = PF_RS8_SETTINGS_VERSION;
        s.simd = all_simd[i];
        assert_int_equal(pf_rs8_create(4, 2, PF_RS8_MATRIX_CAUCHY, &s, &rs), PF_ERR_UNSUPPORTED);
    }
    assert_ptr_equal(rs, (pf_rs8 *)0x1); /* untouched on failure */

    /* Largest shape and AUTO picking the best kernel, with the log hook called. */
    assert_int_equal(pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION, &s), 0);
    s.log.fn = count_log;
    s.log.user_data = &log_calls;
    log_calls = 0;
    assert_int_equal(pf_rs8_create(1, 254, PF_RS8_MATRIX_CAUCHY, &s, &rs), 0);
    assert_int_equal(pf_rs8_get_simd(rs), pf_core_simd_best());
    assert_true(log_calls >= 1);
    pf_rs8_destroy(rs);

    rs = make(3, 2, PF_RS8_MATRIX_CAUCHY, 0);
    uint8_t buf[5][8] = {{0}};
    const uint8_t *dp[3] = {buf[0], buf[1], buf[2]};
    const uint8_t *dnull[3] = {buf[0], NULL, buf[2]};
    uint8_t *pp[2] = {buf[3], buf[4]};
    uint8_t *pnull[2] = {buf[3], NULL};
    uint8_t *all[5] = {buf[0], buf[1], buf[2], buf[3], buf[4]};
    uint8_t *hole[5] = {buf[0], NULL, buf[2], buf[3], buf[4]};
    uint8_t present[5] = {1, 0, 1, 1, 1};
    assert_int_equal(pf_rs8_encode(NULL, dp, pp, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_encode(rs, NULL, pp, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_encode(rs, dp, NULL, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_encode(rs, dp, pp, 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_encode(rs, dnull, pp, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_encode(rs, dp, pnull, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_decode(NULL, all, present, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_decode(rs, NULL, present, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_decode(rs, all, NULL, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_decode(rs, all, present, 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_decode(rs, hole, present, 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_rs8_encode(rs, dp, pp, 8), 0);
    assert_int_equal(pf_rs8_decode(rs, all, present, 8), 1);
    /* A lost parity shard is never touched, so its pointer may be NULL. */
    uint8_t *no_parity[5] = {buf[0], buf[1], buf[2], buf[3], NULL};
    uint8_t lost_parity[5] = {1, 0, 1, 1, 0};
    assert_int_equal(pf_rs8_decode(rs, no_parity, lost_parity, 8), 1);
    uint8_t too_many[5] = {0, 0, 1, 1, 0};
    assert_int_equal(pf_rs8_decode(rs, no_parity, too_many, 8), PF_ERR_UNRECOVERABLE);
    pf_rs8_destroy(rs);
    pf_rs8_destroy(NULL);
    assert_int_equal(pf_rs8_get_simd(NULL), PF_SIMD_PORTABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(field_tables_follow_the_definition),
        cmocka_unit_test(multiply_tables_match_the_field),
        cmocka_unit_test(affine_expansion_matches_table),
        cmocka_unit_test(matrices_match_matrices_txt),
        cmocka_unit_test(protocol_doc_vectors),
        cmocka_unit_test(vectors_txt_all_kernels),
        cmocka_unit_test(every_erasure_pattern_small_shapes),
        cmocka_unit_test(random_erasures_large_shapes),
        cmocka_unit_test(kernels_agree_on_lengths_and_alignment),
        cmocka_unit_test(kernels_agree_on_random_shapes),
        cmocka_unit_test(decode_long_shards),
        cmocka_unit_test(bad_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
