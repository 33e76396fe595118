/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pf/core/rs8.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "pf_assert.h"
#include "cpu.h"
#include "gf256.h"
#include "pf_log.h"
#include "rs8_kernel.h"

#define TOPIC "rs8"

/* The two-pass decode works in column chunks so the syndromes of one chunk (e rows) stay in
 * cache between the passes, and so the scratch can be sized at create without knowing
 * shard_bytes. Every GameStream shard size (up to 1408 bytes) is one chunk. A chunk may grow
 * by up to CHUNK_SLACK bytes to absorb a short final piece, which would otherwise fall to
 * the kernels' slow tail path. */
#define CHUNK_BYTES 2048u
#define CHUNK_SLACK 64u

/* Up to this many lost shards decode in one folded pass (rebuild_folded); more take two
 * passes, where folding's e x e x (k - e) coefficient product stops paying for itself. */
#define FOLD_MAX_E 8u
/* Folded coefficient rows are padded to whole vectors so no kernel takes its portable tail
 * path for them. */
#define FOLD_PITCH(nk) (((size_t)(nk) + 63) & ~(size_t)63)


/* GameStream audio: the fixed 4+2 matrix NVIDIA's encoder uses (from OpenFEC), which Moonlight
 * and Sunshine copy over nanors' Cauchy rows (gamestream-protocol.md §7.3). */
static const uint8_t audio_matrix[2][4] = {
    {0x77, 0x40, 0x38, 0x0e},
    {0xc7, 0xa7, 0x0d, 0x6c},
};

struct pf_rs8 {
    uint32_t k;
    uint32_t m;
    uint32_t matrix_kind;
    uint32_t simd;
    pf_log_hook log;
    pfi_rs8_kernel_fn kernel;
    int kernel_gfni; /* the kernel reads coef_affine, so decode expands its coefficients */
    uint8_t *bank;    /* 256 nibble tables, 32-byte aligned */
    uint64_t *affine; /* 256 GFNI bit matrices, one per field element */
    uint8_t *matrix;  /* m rows of k coefficients */
    uint64_t *matrix_affine; /* the same as GFNI bit matrices */
    uint64_t expand_rows[8]; /* pfi_rs8_expand_rows, for the AVX-512 GFNI expansion */

    /* Decode scratch, all sized at create for the worst case, e = min(k, m) lost data. */
    uint8_t *coef1;             /* e x (k - e): parity rows restricted to the known data */
    uint8_t *coef2;             /* e x e: inverse of the lost-column sub-matrix */
    uint8_t *synd;              /* min(k, m) rows of CHUNK_BYTES + CHUNK_SLACK */
    uint8_t *coefd;             /* FOLD_MAX_E rows of FOLD_PITCH(k): the folded pass's rows */
    uint64_t *coefd_affine;     /* coefd (or coef1) as GFNI bit matrices, at coefd's pitch */
    uint64_t *coef2_affine;     /* coef2 as GFNI bit matrices */
    const uint8_t **init_ptrs;  /* m */
    uint32_t *lost;             /* indices of lost data shards */
    uint32_t *known;            /* indices of intact data shards */
    uint32_t *rows;             /* parity rows used for the solve */
    const uint8_t **in_ptrs;    /* k */
    uint8_t **out_ptrs;         /* m */
    int32_t *log_a, *log_b; /* Cauchy inverse: log(A_a / C_a), log(B_b / D_b), m each */
};

int pf_rs8_settings_default(uint32_t version, pf_rs8_settings *ret_settings)
{
    pf_assert_return(ret_settings, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(version == PF_RS8_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    memset(ret_settings, 0, sizeof(*ret_settings));
    ret_settings->version = version;
    ret_settings->simd = PF_SIMD_AUTO;
    return 0;
}

static pfi_rs8_kernel_fn kernel_for(uint32_t simd)
{
    switch (simd) {
#if defined(__x86_64__)
    case PF_SIMD_AVX512:
        return pfi_rs8_cpu_has_gfni() ? pfi_rs8_kernel_avx512_gfni : pfi_rs8_kernel_avx512;
    case PF_SIMD_AVX2:
        return pfi_rs8_cpu_has_gfni() ? pfi_rs8_kernel_avx2_gfni : pfi_rs8_kernel_avx2;
    case PF_SIMD_SSSE3:
        return pfi_rs8_kernel_ssse3;
#endif
    default:
        return pfi_rs8_kernel_portable;
    }
}

int pfi_rs8_cpu_has_gfni(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("gfni") && __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

static int is_gfni(pfi_rs8_kernel_fn kernel)
{
#if defined(__x86_64__)
    return kernel == pfi_rs8_kernel_avx2_gfni || kernel == pfi_rs8_kernel_avx512_gfni;
#else
    (void)kernel;
    return 0;
#endif
}

void pfi_rs8_set_kernel(pf_rs8 *rs, pfi_rs8_kernel_fn kernel)
{
    rs->kernel = kernel;
    rs->kernel_gfni = is_gfni(kernel);
}

static const char *simd_name(uint32_t simd)
{
    switch (simd) {
    case PF_SIMD_AVX512:
        return pfi_rs8_cpu_has_gfni() ? "avx512+gfni" : "avx512";
    case PF_SIMD_AVX2:
        return pfi_rs8_cpu_has_gfni() ? "avx2+gfni" : "avx2";
    case PF_SIMD_SSSE3:
        return "ssse3";
    default:
        return "portable";
    }
}

static void build_matrix(pf_rs8 *rs)
{
    for (uint32_t j = 0; j < rs->m; j++) {
        for (uint32_t i = 0; i < rs->k; i++) {
            uint8_t c;
            if (rs->matrix_kind == PF_RS8_MATRIX_GAMESTREAM_AUDIO)
                c = audio_matrix[j][i];
            else
                c = pfi_gf256_inv((uint8_t)((rs->m + i) ^ j));
            rs->matrix[(size_t)j * rs->k + i] = c;
        }
    }
}

int pf_rs8_create(uint32_t k, uint32_t m, uint32_t matrix, const pf_rs8_settings *settings,
                  pf_rs8 **ret_rs)
{
    pf_rs8_settings defaults;
    pf_assert_return(ret_rs, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(k > 0 && m > 0 && k < PF_RS8_MAX_SHARDS && m < PF_RS8_MAX_SHARDS &&
                         k + m <= PF_RS8_MAX_SHARDS,
                     PF_ERR_INVALID_ARGUMENT);
    if (!settings) {
        pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION, &defaults);
        settings = &defaults;
    }
    pf_assert_return(settings->version == PF_RS8_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(matrix == PF_RS8_MATRIX_CAUCHY || matrix == PF_RS8_MATRIX_GAMESTREAM_AUDIO,
                     PF_ERR_UNSUPPORTED);
    pf_assert_return(matrix != PF_RS8_MATRIX_GAMESTREAM_AUDIO || (k == 4 && m == 2),
                     PF_ERR_UNSUPPORTED);
    int simd = pfi_simd_resolve(settings->simd);
    pf_assert_return(simd >= 0, PF_ERR_UNSUPPORTED);

    pf_rs8 *rs = calloc(1, sizeof(*rs));
    if (!rs)
        return PF_ERR_NOMEM;
    rs->k = k;
    rs->m = m;
    rs->matrix_kind = matrix;
    rs->simd = (uint32_t)simd;
    rs->log = settings->log;
    rs->kernel = kernel_for(rs->simd);
    rs->kernel_gfni = is_gfni(rs->kernel);
    rs->bank = aligned_alloc(32, 256 * PFI_RS8_TABLE_BYTES);
    rs->affine = malloc(256 * sizeof(uint64_t));
    /* Padded: the folded decode has the kernel read whole vectors from any row. */
    rs->matrix = calloc((size_t)m * k + FOLD_PITCH(k), 1);
    rs->matrix_affine = malloc(sizeof(uint64_t) * m * k);
    rs->coefd = calloc(FOLD_MAX_E, FOLD_PITCH(k));
    const size_t n_affine = (size_t)m * k > FOLD_MAX_E * FOLD_PITCH(k)
                                ? (size_t)m * k
                                : FOLD_MAX_E * FOLD_PITCH(k);
    rs->coefd_affine = malloc(sizeof(uint64_t) * n_affine);
    rs->coef2_affine = malloc(sizeof(uint64_t) * m * m);
    rs->synd = malloc((size_t)(k < m ? k : m) * (CHUNK_BYTES + CHUNK_SLACK));
    rs->init_ptrs = malloc(sizeof(*rs->init_ptrs) * m);
    rs->coef1 = malloc((size_t)m * k);
    rs->coef2 = malloc((size_t)m * m);
    rs->lost = malloc(sizeof(uint32_t) * k);
    rs->known = malloc(sizeof(uint32_t) * k);
    rs->rows = malloc(sizeof(uint32_t) * m);
    rs->in_ptrs = malloc(sizeof(*rs->in_ptrs) * k);
    rs->out_ptrs = malloc(sizeof(*rs->out_ptrs) * m);
    rs->log_a = malloc(sizeof(int32_t) * 2 * m);
    if (!rs->bank || !rs->affine || !rs->matrix || !rs->matrix_affine || !rs->coefd ||
        !rs->coefd_affine || !rs->coef2_affine || !rs->synd || !rs->init_ptrs ||
        !rs->coef1 || !rs->coef2 || !rs->lost ||
        !rs->known || !rs->rows || !rs->in_ptrs || !rs->out_ptrs ||
        !rs->log_a) {
        pf_rs8_destroy(rs);
        return PF_ERR_NOMEM;
    }
    rs->log_b = rs->log_a + m;
    for (unsigned c = 0; c < 256; c++) {
        pfi_gf256_nibble_table((uint8_t)c, rs->bank + c * PFI_RS8_TABLE_BYTES);
        rs->affine[c] = pfi_gf256_affine((uint8_t)c);
    }
    pfi_rs8_expand_rows(rs->expand_rows);
    build_matrix(rs);
    for (size_t i = 0; i < (size_t)m * k; i++)
        rs->matrix_affine[i] = rs->affine[rs->matrix[i]];
    pfi_log_debug(&rs->log, TOPIC, "rs8 k=%u m=%u matrix=%s kernel=%s", k, m,
                  matrix == PF_RS8_MATRIX_CAUCHY ? "cauchy" : "audio", simd_name(rs->simd));
    *ret_rs = rs;
    return 0;
}

void pf_rs8_destroy(pf_rs8 *rs)
{
    if (!rs)
        return;
    free(rs->bank);
    free(rs->affine);
    free(rs->matrix);
    free(rs->matrix_affine);
    free(rs->coefd);
    free(rs->coefd_affine);
    free(rs->coef2_affine);
    free(rs->synd);
    free(rs->init_ptrs);
    free(rs->coef1);
    free(rs->coef2);
    free(rs->lost);
    free(rs->known);
    free(rs->rows);
    free(rs->in_ptrs);
    free(rs->out_ptrs);
    free(rs->log_a);
    free(rs);
}

uint32_t pf_rs8_get_simd(const pf_rs8 *rs)
{
    pf_assert_return(rs, PF_SIMD_PORTABLE);
    return rs->simd;
}

int pf_rs8_encode(pf_rs8 *rs, const uint8_t *const *data, uint8_t *const *parity,
                  size_t shard_bytes)
{
    pf_assert_return(rs && data && parity && shard_bytes > 0, PF_ERR_INVALID_ARGUMENT);
    for (uint32_t i = 0; i < rs->k; i++)
        pf_assert_return(data[i], PF_ERR_INVALID_ARGUMENT);
    for (uint32_t j = 0; j < rs->m; j++)
        pf_assert_return(parity[j], PF_ERR_INVALID_ARGUMENT);
    const struct pfi_rs8_job job = {
        .bank = rs->bank,
        .coef = rs->matrix,
        .coef_affine = rs->matrix_affine,
        .coef_stride = rs->k,
        .in = data,
        .out = parity,
        .init = NULL,
        .n_in = rs->k,
        .n_out = rs->m,
    };
    rs->kernel(&job, 0, shard_bytes);
    return 0;
}

/* Inverse of the e x e Cauchy sub-matrix B[a][b] = 1 / (u_a + v_b), with u_a the parity row
 * index and v_b = m + lost data index (all distinct, so no denominator is 0). Closed form:
 *   inv(B)[b][a] = A_a * B_b / ((u_a + v_b) * C_a * D_b)
 * with A_a = prod_t (u_a + v_t), B_b = prod_t (u_t + v_b), C_a = prod_{t != a} (u_a + u_t),
 * D_b = prod_{t != b} (v_b + v_t). Worked in logarithms it is O(e^2), against O(e^3) for
 * Gauss-Jordan, which matters at e = 50 once per block. */
static void cauchy_inverse(pf_rs8 *rs, uint32_t e)
{
    /* Local copies: the byte stores into coef2 may alias anything as far as the compiler
     * knows, and would otherwise reload every array of rs in the inner loops. */
    uint8_t u[256], v[256];
    int32_t *restrict log_a = rs->log_a, *restrict log_b = rs->log_b;
    uint8_t *restrict coef2 = rs->coef2;
    const uint8_t *restrict lg = pfi_gf256_log, *restrict ex = pfi_gf256_exp;
    for (uint32_t a = 0; a < e; a++) {
        u[a] = (uint8_t)rs->rows[a];
        v[a] = (uint8_t)(rs->m + rs->lost[a]);
    }
    for (uint32_t a = 0; a < e; a++) {
        int32_t la = 0, lb = 0, lc = 0, ld = 0;
        const uint8_t ua = u[a], va = v[a];
        for (uint32_t t = 0; t < e; t++) {
            la += lg[(uint8_t)(ua ^ v[t])];
            lb += lg[(uint8_t)(u[t] ^ va)];
            if (t != a) {
                lc += lg[(uint8_t)(ua ^ u[t])];
                ld += lg[(uint8_t)(va ^ v[t])];
            }
        }
        /* Reduced here, once per row and column, so that the e^2 entries below need no
         * modulo: A_a / C_a and B_b / D_b as logarithms in [0, 254]. */
        la = (la - lc) % 255;
        lb = (lb - ld) % 255;
        log_a[a] = la < 0 ? la + 255 : la;
        log_b[a] = lb < 0 ? lb + 255 : lb;
    }
    for (uint32_t b = 0; b < e; b++) {
        const uint8_t vb = v[b];
        const int32_t base = log_b[b] + 255;
        for (uint32_t a = 0; a < e; a++) {
            /* In [1, 763]; the exp table covers [0, 509]. */
            int32_t l = log_a[a] + base - lg[(uint8_t)(u[a] ^ vb)];
            l -= l >= 510 ? 255 : 0;
            coef2[(size_t)b * e + a] = ex[l];
        }
    }
}

/* The audio matrix is not Cauchy, but with m = 2 the system is at most 2 x 2:
 * inv([p q; r s]) = [s q; r p] / (ps + qr) in characteristic 2. Its MDS property (every
 * 2 x 2 minor nonzero) is checked by the tests through all 15 two-erasure patterns. */
static void small_inverse(pf_rs8 *rs, uint32_t e)
{
    const uint8_t *mat = rs->matrix;
    const uint32_t k = rs->k;
    if (e == 1) {
        rs->coef2[0] = pfi_gf256_inv(mat[(size_t)rs->rows[0] * k + rs->lost[0]]);
        return;
    }
    uint8_t p = mat[(size_t)rs->rows[0] * k + rs->lost[0]];
    uint8_t q = mat[(size_t)rs->rows[0] * k + rs->lost[1]];
    uint8_t r = mat[(size_t)rs->rows[1] * k + rs->lost[0]];
    uint8_t s = mat[(size_t)rs->rows[1] * k + rs->lost[1]];
    uint8_t det_inv = pfi_gf256_inv((uint8_t)(pfi_gf256_mul(p, s) ^ pfi_gf256_mul(q, r)));
    rs->coef2[0] = pfi_gf256_mul(s, det_inv);
    rs->coef2[1] = pfi_gf256_mul(q, det_inv);
    rs->coef2[2] = pfi_gf256_mul(r, det_inv);
    rs->coef2[3] = pfi_gf256_mul(p, det_inv);
}

void pfi_rs8_expand_rows(uint64_t rows[8])
{
    /* Byte j of the matrix of c has bit b = bit 7 - j of c * 2^b, whose input bits are byte j
     * of the matrix of 2^b; as a GF2P8AFFINEQB matrix that mask goes to byte 7 - b. */
    for (int j = 0; j < 8; j++)
        rows[j] = 0;
    uint8_t p = 1;
    for (int b = 0; b < 8; b++) {
        const uint64_t a = pfi_gf256_affine(p);
        for (int j = 0; j < 8; j++)
            rows[j] |= ((a >> (8 * j)) & 0xffu) << (8 * (7 - b));
        p = (uint8_t)((p << 1) ^ ((p & 0x80) ? 0x1d : 0));
    }
}

/* The GFNI kernels' bit matrices for @n coefficients. */
static void expand_affine(const pf_rs8 *rs, const uint8_t *coef, uint64_t *out, size_t n)
{
    if (!rs->kernel_gfni)
        return;
    for (size_t i = 0; i < n; i++)
        out[i] = rs->affine[coef[i]];
}

/* The same for @rows rows of @n coefficients, @pitch apart in both arrays: at once, padding
 * included, where a vector expansion runs; row by row otherwise. */
static void expand_affine_rows(const pf_rs8 *rs, const uint8_t *coef, uint64_t *out,
                               uint32_t rows, size_t n, size_t pitch)
{
#if defined(__x86_64__)
    if (rs->kernel == pfi_rs8_kernel_avx512_gfni) {
        pfi_rs8_expand_affine_avx512_gfni(coef, out, (size_t)rows * pitch, rs->expand_rows);
        return;
    }
#endif
    for (uint32_t r = 0; r < rows; r++)
        expand_affine(rs, coef + (size_t)r * pitch, out + (size_t)r * pitch, n);
}

/* coef1 = the parity rows used, restricted to the known data: a gather of the encode
 * matrix (so no table is built), e rows of k - e, at @pitch apart. */
static void gather_coef1(pf_rs8 *rs, uint32_t e, uint8_t *coef1, size_t pitch)
{
    const uint32_t k = rs->k, nk = k - e;
    for (uint32_t a = 0; a < e; a++) {
        const uint8_t *prow = rs->matrix + (size_t)rs->rows[a] * k;
        for (uint32_t t = 0; t < nk; t++)
            coef1[(size_t)a * pitch + t] = prow[rs->known[t]];
    }
}

/* Rebuilds the e lost data shards in one pass over the shards. With s_a the syndromes
 *   s_a = parity[rows[a]] ^ XOR_t P[rows[a]][known[t]] * data[known[t]]
 * the lost data are data[lost[b]] = XOR_a inv(B)[b][a] * s_a; folding the two products,
 *   data[lost[b]] = XOR_a inv(B)[b][a] * parity[rows[a]] ^ XOR_t D[b][t] * data[known[t]]
 * with D = inv(B) * P[rows][known]. The kernel itself computes inv(B) * P[rows] on whole
 * matrix rows (short byte rows, read in place, padded to whole vectors): its columns at the
 * known data are D, and those at the lost data (the identity there) are replaced by the
 * columns of inv(B), whose input is then the parity shard solved for that column. So the
 * pass reads its k inputs in column order, needs no gather of the matrix, and does the
 * kernel work of encoding e parity rows, with no syndrome buffer written and read back. */
static void rebuild_folded(pf_rs8 *rs, uint8_t *const *shards, uint32_t e, size_t shard_bytes)
{
    const uint32_t k = rs->k;
    const size_t pitch = FOLD_PITCH(k);
    for (uint32_t a = 0; a < e; a++) {
        rs->in_ptrs[a] = rs->matrix + (size_t)rs->rows[a] * k;
        rs->out_ptrs[a] = rs->coefd + (size_t)a * pitch;
    }
    expand_affine(rs, rs->coef2, rs->coef2_affine, (size_t)e * e);
    const struct pfi_rs8_job fold = {
        .bank = rs->bank,
        .coef = rs->coef2,
        .coef_affine = rs->coef2_affine,
        .coef_stride = e,
        .in = rs->in_ptrs,
        .out = rs->out_ptrs,
        .init = NULL,
        .n_in = e,
        .n_out = e,
    };
    rs->kernel(&fold, 0, pitch);
    /* The lost columns take inv(B), in the coefficient bytes (which the kernels' short
     * tails read) and in the bit matrices the GFNI kernels read; the expansion runs first,
     * on whole vectors that the fold has just stored. */
    const uint32_t *restrict lost = rs->lost;
    uint8_t *restrict coefd = rs->coefd;
    const uint8_t *restrict coef2 = rs->coef2;
    if (rs->kernel_gfni) {
        uint64_t *restrict daff = rs->coefd_affine;
        const uint64_t *restrict caff = rs->coef2_affine;
        expand_affine_rows(rs, coefd, daff, e, k, pitch);
        for (uint32_t b = 0; b < e; b++)
            for (uint32_t a = 0; a < e; a++)
                daff[(size_t)b * pitch + lost[a]] = caff[(size_t)b * e + a];
    }
    for (uint32_t b = 0; b < e; b++)
        for (uint32_t a = 0; a < e; a++)
            coefd[(size_t)b * pitch + lost[a]] = coef2[(size_t)b * e + a];

    for (uint32_t i = 0; i < k; i++)
        rs->in_ptrs[i] = shards[i];
    for (uint32_t a = 0; a < e; a++) {
        rs->in_ptrs[rs->lost[a]] = shards[k + rs->rows[a]];
        rs->out_ptrs[a] = shards[rs->lost[a]];
    }
    const struct pfi_rs8_job pass = {
        .bank = rs->bank,
        .coef = rs->coefd,
        .coef_affine = rs->coefd_affine,
        .coef_stride = pitch,
        .in = rs->in_ptrs,
        .out = rs->out_ptrs,
        .init = NULL,
        .n_in = k,
        .n_out = e,
    };
    rs->kernel(&pass, 0, shard_bytes);
}

/* Rebuilds the e lost data shards chunk by chunk in two passes:
 *   pass 1: s_a = parity[rows[a]] ^ XOR_t P[rows[a]][known[t]] * data[known[t]];
 *   pass 2: data[lost[b]] = XOR_a inv(B)[b][a] * s_a.
 * The kernel work is e * k row-shard products, the same as encoding e parity rows. */
static void rebuild_two_pass(pf_rs8 *rs, uint8_t *const *shards, uint32_t e,
                             size_t shard_bytes)
{
    const uint32_t k = rs->k, nk = k - e;
    const size_t pitch = CHUNK_BYTES + CHUNK_SLACK;
    gather_coef1(rs, e, rs->coef1, nk);
    expand_affine(rs, rs->coef1, rs->coefd_affine, (size_t)e * nk);
    expand_affine(rs, rs->coef2, rs->coef2_affine, (size_t)e * e);
    const struct pfi_rs8_job pass1 = {
        .bank = rs->bank,
        .coef = rs->coef1,
        .coef_affine = rs->coefd_affine,
        .coef_stride = nk,
        .in = rs->in_ptrs,
        .out = rs->out_ptrs,
        .init = rs->init_ptrs,
        .n_in = nk,
        .n_out = e,
    };
    const struct pfi_rs8_job pass2 = {
        .bank = rs->bank,
        .coef = rs->coef2,
        .coef_affine = rs->coef2_affine,
        .coef_stride = e,
        .in = rs->init_ptrs,
        .out = rs->out_ptrs,
        .init = NULL,
        .n_in = e,
        .n_out = e,
    };
    for (size_t pos = 0; pos < shard_bytes;) {
        size_t len = shard_bytes - pos;
        if (len > CHUNK_BYTES + CHUNK_SLACK)
            len = CHUNK_BYTES;
        for (uint32_t t = 0; t < nk; t++)
            rs->in_ptrs[t] = shards[rs->known[t]] + pos;
        for (uint32_t a = 0; a < e; a++) {
            rs->init_ptrs[a] = shards[k + rs->rows[a]] + pos;
            rs->out_ptrs[a] = rs->synd + a * pitch;
        }
        rs->kernel(&pass1, 0, len);
        /* Pass 2 reads the syndromes just written and writes the lost shards; the pointer
         * arrays of pass 1 are reused, init_ptrs now naming the syndromes. */
        for (uint32_t a = 0; a < e; a++) {
            rs->init_ptrs[a] = rs->synd + a * pitch;
            rs->out_ptrs[a] = shards[rs->lost[a]] + pos;
        }
        rs->kernel(&pass2, 0, len);
        pos += len;
    }
}

int pf_rs8_decode(pf_rs8 *rs, uint8_t *const *shards, const uint8_t *present, size_t shard_bytes)
{
    pf_assert_return(rs && shards && present && shard_bytes > 0, PF_ERR_INVALID_ARGUMENT);
    const uint32_t k = rs->k, m = rs->m;
    uint32_t e = 0, nk = 0, np = 0;
    for (uint32_t i = 0; i < k; i++) {
        pf_assert_return(shards[i], PF_ERR_INVALID_ARGUMENT);
        if (present[i])
            rs->known[nk++] = i;
        else
            rs->lost[e++] = i;
    }
    for (uint32_t j = 0; j < m; j++) {
        if (!present[k + j])
            continue;
        pf_assert_return(shards[k + j], PF_ERR_INVALID_ARGUMENT);
        /* Only e parity rows are needed; the first intact ones are as good as any. */
        if (np < e)
            rs->rows[np] = j;
        np++;
    }
    if (e == 0)
        return 0;
    if (np < e) {
        pfi_log_debug(&rs->log, TOPIC, "unrecoverable: %u data lost, %u parity intact", e, np);
        return PF_ERR_UNRECOVERABLE;
    }
    if (rs->matrix_kind == PF_RS8_MATRIX_CAUCHY)
        cauchy_inverse(rs, e);
    else
        small_inverse(rs, e);
    if (e <= FOLD_MAX_E)
        rebuild_folded(rs, shards, e, shard_bytes);
    else
        rebuild_two_pass(rs, shards, e, shard_bytes);
    return (int)e;
}
