/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gf16_fft.h"

static inline uint8_t *shard(const struct gf16_run *run, uint32_t i)
{
    return run->base + (size_t)i * run->stride;
}

static inline const struct gf16_lut *lut_or_null(const struct gf16_run *run, uint16_t log_m)
{
    /* Log 65535 stands for the factor zero: the butterfly is only its XOR half. */
    return log_m == GF16_MODULUS ? NULL : &run->t->lut[log_m];
}

/* Whether any wanted output lies in [r, r + len): outputs from @truncated on never are. */
static inline int needed(const uint32_t *need_prefix, uint32_t truncated, uint32_t r,
                         uint32_t len)
{
    if (r >= truncated)
        return 0;
    uint32_t e = r + len < truncated ? r + len : truncated;
    return !need_prefix || need_prefix[e] != need_prefix[r];
}

static void fft_bfly(const struct gf16_run *run, uint8_t *a, uint8_t *b, uint16_t log_m)
{
    if (log_m == GF16_MODULUS)
        run->k->xor_into(b, a, run->bytes);
    else
        run->k->fft2(a, b, &run->t->lut[log_m], run->bytes);
}

/* Layers run in pairs through the radix-4 kernel (Leopard's DIT4); with an odd number of
 * layers the finest one (dist 1) runs alone at the end. A four-block whose lower or upper
 * half holds no wanted output runs as radix-2 butterflies without that half's second layer,
 * which is where decoding few erasures saves most. */

/* Transforms whose run outgrows the L2 cache are cache-blocked: a layer at distance d only
 * combines shards within aligned groups of 4d, so the layers below a block size S can run
 * block by block (all of them over the first S shards, then the next S, ...) with the same
 * butterflies in the same order per shard; only the wider layers stream the whole run.
 * (4000,800) with 1408-byte shards: the encoder's 1024-shard chunk is 1.4 MiB, a block of
 * 256 shards 352 KiB. */
#define FFT_BLOCK_BYTES (384u * 1024u)

/* The block size in shards for @size shards of @bytes: a power of 4 below @size holding at
 * most FFT_BLOCK_BYTES, or 0 where the run fits whole or no block holds two layers. */
static uint32_t block_shards(uint32_t size, size_t bytes)
{
    if ((size_t)size * bytes <= FFT_BLOCK_BYTES)
        return 0;
    uint32_t b = 16;
    while ((size_t)b * 4 * bytes <= FFT_BLOCK_BYTES && b * 4 < size)
        b *= 4;
    return (size_t)b * bytes <= FFT_BLOCK_BYTES && b < size ? b : 0;
}

/* One FFT layer pair (dist4 = 4 * dist) over the four-blocks starting in [r0, r1). */
static void fft_layer(const struct gf16_run *run, uint32_t base, uint32_t dist4, uint32_t dist,
                      uint32_t r0, uint32_t r1, uint32_t truncated,
                      const uint32_t *need_prefix, uint8_t *const *dst, uint32_t *written)
{
    const uint16_t *skew = run->t->skew;
    for (uint32_t r = r0; r < r1; r += dist4) {
        int lo = needed(need_prefix, truncated, r, 2 * dist);
        int hi = needed(need_prefix, truncated, r + 2 * dist, 2 * dist);
        if (!lo && !hi)
            continue;
        uint16_t l01 = skew[base + r + dist], l23 = skew[base + r + 3 * dist];
        uint16_t l02 = skew[base + r + 2 * dist];
        if (lo && hi) {
            const struct gf16_lut *m[3] = { lut_or_null(run, l01), lut_or_null(run, l23),
                                            lut_or_null(run, l02) };
            if (dist == 1 && dst && r + 4 <= truncated) {
                /* The last layer: these four outputs go straight to their shards. */
                uint8_t *const s[4] = { shard(run, r), shard(run, r + 1), shard(run, r + 2),
                                        shard(run, r + 3) };
                run->k->fft4_out(s, dst + r, m, run->bytes);
                *written = r + 4;
                continue;
            }
            for (uint32_t i = r; i < r + dist; i++) {
                uint8_t *const s[4] = { shard(run, i), shard(run, i + dist),
                                        shard(run, i + 2 * dist), shard(run, i + 3 * dist) };
                run->k->fft4(s, m, run->bytes);
            }
            continue;
        }
        for (uint32_t i = r; i < r + dist; i++) {
            uint8_t *a = shard(run, i), *b = shard(run, i + dist);
            uint8_t *c = shard(run, i + 2 * dist), *d = shard(run, i + 3 * dist);
            fft_bfly(run, a, c, l02);
            fft_bfly(run, b, d, l02);
            if (lo)
                fft_bfly(run, a, b, l01);
            else
                fft_bfly(run, c, d, l23);
        }
    }
}

/* The layers from dist4 down over [r0, r1), and the lone dist-1 layer of an odd count. */
static void fft_layers(const struct gf16_run *run, uint32_t base, uint32_t dist4, uint32_t r0,
                       uint32_t r1, uint32_t truncated, const uint32_t *need_prefix,
                       uint8_t *const *dst, uint32_t *written)
{
    for (uint32_t dist = dist4 / 4; dist > 0; dist4 = dist, dist /= 4)
        fft_layer(run, base, dist4, dist, r0, r1, truncated, need_prefix, dst, written);
    if (dist4 == 2) {
        for (uint32_t r = r0; r < r1; r += 2)
            if (needed(need_prefix, truncated, r, 2))
                fft_bfly(run, shard(run, r), shard(run, r + 1), run->t->skew[base + r + 1]);
    }
}

static uint32_t fft(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                    uint32_t skew_delta, const uint32_t *need_prefix, uint8_t *const *dst)
{
    uint32_t written = 0;
    /* Skew index r + dist + skew_delta - 1 (r + dist >= 1); unsigned wrap-around keeps the
     * sum exact when skew_delta is 0. */
    const uint32_t base = skew_delta - 1u;
    const uint32_t block = block_shards(size, run->bytes);
    uint32_t dist4 = size;
    if (block) {
        /* The wide layers over the whole run, then the rest block by block. */
        for (; dist4 > block; dist4 /= 4)
            fft_layer(run, base, dist4, dist4 / 4, 0, truncated, truncated, need_prefix, dst,
                      &written);
        for (uint32_t b0 = 0; b0 < truncated; b0 += dist4)
            fft_layers(run, base, dist4, b0, b0 + dist4 < truncated ? b0 + dist4 : truncated,
                       truncated, need_prefix, dst, &written);
    } else {
        fft_layers(run, base, dist4, 0, truncated, truncated, need_prefix, dst, &written);
    }
    return written;
}

void pfi_gf16_fft(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                  uint32_t skew_delta, const uint32_t *need_prefix)
{
    fft(run, size, truncated, skew_delta, need_prefix, NULL);
}

uint32_t pfi_gf16_fft_out(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                          uint32_t skew_delta, uint8_t *const *dst)
{
    if (!run->k->fft4_out || size < 4 || !(size & 0x55555555u))
        return 0;
    return fft(run, size, truncated, skew_delta, NULL, dst);
}

/* One IFFT layer pair at @dist over the four-blocks starting in [r0, r1). */
static void ifft_layer(const struct gf16_run *run, uint32_t base, uint32_t size, uint32_t dist,
                       uint32_t r0, uint32_t r1, const uint8_t *const *src,
                       const struct gf16_run *acc)
{
    const uint16_t *skew = run->t->skew;
    const int first = dist == 1 && src, last = dist * 4 == size && acc;
    for (uint32_t r = r0; r < r1; r += 4 * dist) {
        const struct gf16_lut *m[3] = { lut_or_null(run, skew[base + r + dist]),
                                        lut_or_null(run, skew[base + r + 3 * dist]),
                                        lut_or_null(run, skew[base + r + 2 * dist]) };
        for (uint32_t i = r; i < r + dist; i++) {
            uint8_t *const s[4] = { shard(run, i), shard(run, i + dist), shard(run, i + 2 * dist),
                                    shard(run, i + 3 * dist) };
            if (first) {
                const uint8_t *const in[4] = { src[i], src[i + 1], src[i + 2], src[i + 3] };
                run->k->ifft4_in(s, in, m, run->bytes);
            } else if (last) {
                uint8_t *const out[4] = { shard(acc, i), shard(acc, i + dist),
                                          shard(acc, i + 2 * dist), shard(acc, i + 3 * dist) };
                run->k->ifft4_acc(s, out, m, run->bytes);
            } else {
                run->k->ifft4(s, m, run->bytes);
            }
        }
    }
}

void pfi_gf16_ifft_fused(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                         uint32_t skew_delta, const uint8_t *const *src,
                         const struct gf16_run *acc)
{
    const uint16_t *skew = run->t->skew;
    const uint32_t base = skew_delta - 1u;
    const uint32_t block = block_shards(size, run->bytes);
    uint32_t dist = 1;
    if (block) {
        /* The narrow layers block by block (see FFT_BLOCK_BYTES), then the wide ones. */
        for (uint32_t b0 = 0; b0 < truncated; b0 += block) {
            const uint32_t b1 = b0 + block < truncated ? b0 + block : truncated;
            for (uint32_t d = 1; d * 4 <= block; d *= 4)
                ifft_layer(run, base, size, d, b0, b1, src, acc);
        }
        dist = block;
    }
    for (; dist * 4 <= size; dist *= 4)
        ifft_layer(run, base, size, dist, 0, truncated, src, acc);
    if (dist < size) {
        for (uint32_t r = 0; r < truncated; r += 2 * dist) {
            uint16_t log_m = skew[base + r + dist];
            for (uint32_t i = r; i < r + dist; i++) {
                uint8_t *a = shard(run, i), *b = shard(run, i + dist);
                if (log_m == GF16_MODULUS)
                    run->k->xor_into(b, a, run->bytes);
                else
                    run->k->ifft2(a, b, &run->t->lut[log_m], run->bytes);
            }
        }
    }
}

void pfi_gf16_ifft(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                   uint32_t skew_delta)
{
    pfi_gf16_ifft_fused(run, size, truncated, skew_delta, NULL, NULL);
}

void pfi_gf16_formal_derivative(const struct gf16_run *run, uint32_t size)
{
    /* When the run covers whole slots, a block of slots is one contiguous range. */
    int contiguous = run->bytes == run->stride;
    for (uint32_t i = 1; i < size; i++) {
        uint32_t width = i & (~i + 1);
        if (contiguous) {
            run->k->xor_into(shard(run, i - width), shard(run, i), width * run->bytes);
            continue;
        }
        for (uint32_t j = 0; j < width; j++)
            run->k->xor_into(shard(run, i - width + j), shard(run, i + j), run->bytes);
    }
}

void pfi_gf16_fwht(uint16_t *v, uint32_t size)
{
    for (uint32_t dist = 1; dist < size; dist *= 2) {
        for (uint32_t r = 0; r < size; r += 2 * dist) {
            for (uint32_t i = r; i < r + dist; i++) {
                uint16_t a = v[i], b = v[i + dist];
                v[i] = gf16_add_mod(a, b);
                v[i + dist] = gf16_sub_mod(a, b);
            }
        }
    }
}

void pfi_gf16_locator_prepare(const struct pf_rs16_tables *t, uint32_t size, uint16_t *ret_walsh)
{
    ret_walsh[0] = 0;
    for (uint32_t i = 1; i < size; i++)
        ret_walsh[i] = t->log[i];
    pfi_gf16_fwht(ret_walsh, size);
}

/* A dyadic convolution of the erasure flags with the log table: transform, multiply,
 * transform again, then divide by size. Restricting it to the decode domain [0, size) is
 * exact for every position inside it, because i ^ j stays inside for i, j < size; erased
 * positions beyond the domain (the low-rate layout's unused tail) add one constant to every
 * position, which cancels between the multiply and the reveal step of the decoder. */
void pfi_gf16_locator(const uint16_t *walsh, uint32_t size, uint16_t *e)
{
    pfi_gf16_fwht(e, size);
    for (uint32_t i = 0; i < size; i++) {
        uint32_t p = (uint32_t)e[i] * walsh[i];
        e[i] = gf16_add_mod((uint16_t)p, (uint16_t)(p >> 16));
    }
    pfi_gf16_fwht(e, size);
    /* 2^16 = 1 (mod 65535), so dividing by size = 2^s multiplies by 2^(16-s): a rotation. */
    uint32_t s = 0;
    while ((1u << s) < size)
        s++;
    uint32_t rot = (16 - s) & 15;
    if (rot == 0)
        return;
    for (uint32_t i = 0; i < size; i++)
        e[i] = (uint16_t)((e[i] << rot) | (e[i] >> (16 - rot)));
}
