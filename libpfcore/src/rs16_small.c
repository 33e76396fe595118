/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small codes decoded by solving for the lost data directly, where the kernels have a
 * matrix-times-shards product (gf16_kernels.dot).
 *
 * The code is linear over GF(2^16) with one m x k matrix G for every symbol column:
 * recovery j = XOR_i G[j][i] * data i. With e data shards lost (L), the other data known (K)
 * and e received recovery shards (R):
 *   s_a = recovery[R_a] ^ XOR_t G[R_a][K_t] * data[K_t]      (e x (k - e) products)
 *   data[L_b] = XOR_a inv(G[R][L])[b][a] * s_a               (e x e products)
 * which is e * k shard products in two passes with every accumulator in registers. The FFT
 * decoder, whose cost grows with the whole domain (64 positions at k = 32, m = 8) and which
 * stores every slot once per transform layer, takes about twice as long for such shapes.
 * The data that comes back is the same (a codeword is determined by any k of its shards),
 * which the vector tests check byte for byte.
 *
 * G is read off the encoder itself at create: data shard i holding the symbol 1 at column
 * i % 32 of a 64-byte shard, and zeros elsewhere, makes column i % 32 of recovery j equal
 * G[j][i]. */
#include <stdlib.h>
#include <string.h>

#include "rs16_impl.h"
#include "rs16_shard.h"

struct rs16_small {
    uint16_t *g;                   /* m x k values of G */
    const struct gf16_lut **coef;  /* m x k (pass 1) and m x m (pass 2) */
    void *scratch;                 /* the kernel's coefficient form, as many */
    const uint8_t **in;            /* k */
    uint8_t **out;                 /* m */
    const uint8_t **init;          /* m */
    uint32_t *lost, *known, *rows; /* k, k, m */
    uint16_t *mat;                 /* e x 2e for the inversion */
    uint8_t *tail;                 /* (k + 3m) chunks of 64 bytes */
};

static uint16_t mul(const struct pf_rs16_tables *t, uint16_t a, uint16_t b)
{
    return a && b ? t->exp[gf16_add_mod(t->log[a], t->log[b])] : 0;
}

static uint16_t inv(const struct pf_rs16_tables *t, uint16_t a)
{
    return t->exp[GF16_MODULUS - t->log[a]];
}

/* Gauss-Jordan on [M | I], e x 2e, with row swaps for zero pivots: 0, or -1 when M is
 * singular (never for an MDS code; kept as a guard). */
static int invert(const struct pf_rs16_tables *t, uint16_t *a, uint32_t e)
{
    const uint32_t w = 2 * e;
    for (uint32_t c = 0; c < e; c++) {
        uint32_t p = c;
        while (p < e && !a[p * w + c])
            p++;
        if (p == e)
            return -1;
        if (p != c)
            for (uint32_t j = 0; j < w; j++) {
                uint16_t x = a[p * w + j];
                a[p * w + j] = a[c * w + j];
                a[c * w + j] = x;
            }
        uint16_t f = inv(t, a[c * w + c]);
        for (uint32_t j = 0; j < w; j++)
            a[c * w + j] = mul(t, a[c * w + j], f);
        for (uint32_t r = 0; r < e; r++) {
            uint16_t g = a[r * w + c];
            if (r == c || !g)
                continue;
            for (uint32_t j = c; j < w; j++)
                a[r * w + j] ^= mul(t, g, a[c * w + j]);
        }
    }
    return 0;
}

bool pfi_rs16_small_fits(uint32_t k, uint32_t m, const struct gf16_kernels *kernels)
{
    return kernels->dot && k <= PFI_RS16_SMALL_MAX_K && m <= PFI_RS16_SMALL_MAX_M;
}

void pfi_rs16_small_destroy(struct rs16_small *s)
{
    if (!s)
        return;
    free(s->g);
    free(s->coef);
    free(s->scratch);
    free(s->in);
    free(s->out);
    free(s->init);
    free(s->lost);
    free(s->known);
    free(s->rows);
    free(s->mat);
    free(s->tail);
    free(s);
}

int pfi_rs16_small_create(struct pf_rs16 *rs)
{
    const uint32_t k = rs->k, m = rs->m;
    struct rs16_small *s = calloc(1, sizeof(*s));
    if (!s)
        return -1;
    rs->small = s;
    const size_t ncoef = (size_t)m * k + (size_t)m * m;
    s->g = malloc(sizeof(uint16_t) * m * k);
    s->coef = malloc(sizeof(*s->coef) * ncoef);
    s->scratch = aligned_alloc(64, GF16_DOT_SCRATCH * ncoef);
    s->in = malloc(sizeof(*s->in) * k);
    s->out = malloc(sizeof(*s->out) * m);
    s->init = malloc(sizeof(*s->init) * m);
    s->lost = malloc(sizeof(uint32_t) * k);
    s->known = malloc(sizeof(uint32_t) * k);
    s->rows = malloc(sizeof(uint32_t) * m);
    s->mat = malloc(sizeof(uint16_t) * 2 * m * m);
    s->tail = aligned_alloc(64, 64 * ((size_t)k + 3 * m));
    if (!s->g || !s->coef || !s->scratch || !s->in || !s->out || !s->init || !s->lost ||
        !s->known || !s->rows || !s->mat || !s->tail)
        return -1;

    /* Unit shards in the tail scratch: up to 32 data shards per encode, 64 bytes each. */
    uint8_t *units = malloc(64 * ((size_t)k + m));
    const uint8_t **dp = malloc(sizeof(*dp) * k);
    uint8_t **rp = malloc(sizeof(*rp) * m);
    if (!units || !dp || !rp) {
        free(units), free(dp), free(rp);
        return -1;
    }
    uint8_t *rec = units + 64 * (size_t)k;
    for (uint32_t j = 0; j < m; j++)
        rp[j] = rec + 64 * (size_t)j;
    for (uint32_t g0 = 0; g0 < k; g0 += 32) {
        memset(units, 0, 64 * (size_t)k);
        for (uint32_t i = 0; i < k; i++)
            dp[i] = units + 64 * (size_t)i;
        for (uint32_t i = g0; i < k && i < g0 + 32; i++)
            units[64 * (size_t)i + (i - g0)] = 1;
        pfi_rs16_encode(rs, dp, rp, 64);
        for (uint32_t j = 0; j < m; j++)
            for (uint32_t i = g0; i < k && i < g0 + 32; i++)
                s->g[(size_t)j * k + i] =
                    (uint16_t)(rp[j][i - g0] | (uint16_t)rp[j][32 + (i - g0)] << 8);
    }
    free(units), free(dp), free(rp);
    return 0;
}

static const struct gf16_lut *lut_of(const struct pf_rs16_tables *t, uint16_t v)
{
    return v ? &t->lut[t->log[v]] : NULL;
}

/* Runs both passes over [0, bytes) of the buffers named by the pointer arrays. */
static void solve(const struct pf_rs16 *rs, uint32_t e, uint32_t nk, uint8_t *const *syn,
                  uint8_t *const *lost_out, size_t bytes)
{
    struct rs16_small *s = rs->small;
    const struct gf16_dot pass1 = {
        .in = s->in, .out = syn, .init = s->init, .coef = s->coef,
        .n_in = nk, .n_out = e, .scratch = s->scratch,
    };
    rs->kernels->dot(&pass1, bytes);
    const struct gf16_dot pass2 = {
        .in = (const uint8_t *const *)syn, .out = lost_out, .init = NULL,
        .coef = s->coef + (size_t)e * nk, .n_in = e, .n_out = e,
        .scratch = (uint8_t *)s->scratch + GF16_DOT_SCRATCH * (size_t)e * nk,
    };
    rs->kernels->dot(&pass2, bytes);
}

int pfi_rs16_small_decode(struct pf_rs16 *rs, uint8_t *const *shards, const uint8_t *present,
                          size_t shard_bytes)
{
    struct rs16_small *s = rs->small;
    const struct pf_rs16_tables *t = rs->tables;
    const uint32_t k = rs->k, m = rs->m;
    uint32_t e = 0, nk = 0, nr = 0;
    for (uint32_t i = 0; i < k; i++) {
        if (present[i])
            s->known[nk++] = i;
        else
            s->lost[e++] = i;
    }
    for (uint32_t j = 0; j < m && nr < e; j++)
        if (present[k + j])
            s->rows[nr++] = j;

    /* inv(G[R][L]), then the coefficients of both passes. */
    uint16_t *a = s->mat;
    for (uint32_t r = 0; r < e; r++)
        for (uint32_t c = 0; c < e; c++) {
            a[r * 2 * e + c] = s->g[(size_t)s->rows[r] * k + s->lost[c]];
            a[r * 2 * e + e + c] = r == c;
        }
    if (invert(t, a, e) < 0)
        return -1;
    for (uint32_t r = 0; r < e; r++)
        for (uint32_t c = 0; c < nk; c++)
            s->coef[(size_t)r * nk + c] = lut_of(t, s->g[(size_t)s->rows[r] * k + s->known[c]]);
    const struct gf16_lut **c2 = s->coef + (size_t)e * nk;
    for (uint32_t b = 0; b < e; b++)
        for (uint32_t r = 0; r < e; r++)
            c2[(size_t)b * e + r] = lut_of(t, a[b * 2 * e + e + r]);

    /* Whole chunks straight from and to the caller's shards, syndromes in work slots. */
    const size_t body = shard_bytes & ~(size_t)63;
    uint8_t *syn[PFI_RS16_SMALL_MAX_M];
    for (uint32_t r = 0; r < e; r++) {
        syn[r] = pfi_rs16_slot(rs, r);
        s->init[r] = shards[k + s->rows[r]];
        s->out[r] = shards[s->lost[r]];
    }
    for (uint32_t c = 0; c < nk; c++)
        s->in[c] = shards[s->known[c]];
    if (body)
        solve(rs, e, nk, syn, s->out, body);

    /* A partial last chunk goes through the chunk layout in scratch. */
    if (shard_bytes > body) {
        uint8_t *in_t = s->tail, *init_t = in_t + 64 * (size_t)nk;
        uint8_t *syn_t = init_t + 64 * (size_t)e, *out_t = syn_t + 64 * (size_t)e;
        uint8_t *syn_p[PFI_RS16_SMALL_MAX_M], *out_p[PFI_RS16_SMALL_MAX_M];
        for (uint32_t c = 0; c < nk; c++) {
            pfi_rs16_tail_load(in_t + 64 * (size_t)c, shards[s->known[c]], shard_bytes);
            s->in[c] = in_t + 64 * (size_t)c;
        }
        for (uint32_t r = 0; r < e; r++) {
            pfi_rs16_tail_load(init_t + 64 * (size_t)r, shards[k + s->rows[r]], shard_bytes);
            s->init[r] = init_t + 64 * (size_t)r;
            syn_p[r] = syn_t + 64 * (size_t)r;
            out_p[r] = out_t + 64 * (size_t)r;
        }
        solve(rs, e, nk, syn_p, out_p, 64);
        for (uint32_t r = 0; r < e; r++)
            pfi_rs16_tail_store(shards[s->lost[r]], out_p[r], shard_bytes);
    }
    return (int)e;
}
