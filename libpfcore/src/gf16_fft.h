/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GF16_FFT_H
#define PF_CORE_GF16_FFT_H

#include <stddef.h>
#include <stdint.h>

#include "gf16.h"
#include "gf16_kernels.h"

/* A run of shards in a work buffer: shard i of the run starts at base + i * stride, and the
 * transforms touch the first @bytes (a multiple of 64) of each. */
struct gf16_run {
    const struct pf_rs16_tables *t;
    const struct gf16_kernels *k;
    uint8_t *base;
    size_t stride;
    size_t bytes;
};

/* Leopard's additive FFT and its inverse over @size (a power of two) shards, evaluating at the
 * subspace shifted by @skew_delta. Only the first @truncated outputs of the FFT are computed,
 * and the IFFT needs inputs from @truncated on to be zero. @need_prefix (size + 1 entries, may
 * be NULL for "all") counts the wanted FFT outputs below each position; blocks holding none
 * are skipped, as Leopard's decoder does with its error bitfield. */
void pfi_gf16_fft(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                  uint32_t skew_delta, const uint32_t *need_prefix);
/* pfi_gf16_fft with every output wanted, whose last layer stores outputs [0, w) to
 * @dst[0..w) instead of the run's slots, w returned: a multiple of 4, 0 where the kernels
 * have no fft4_out or @size is not a power of 4 (the last layer is then radix-2). Outputs
 * [w, truncated) are in the slots as usual. */
uint32_t pfi_gf16_fft_out(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                          uint32_t skew_delta, uint8_t *const *dst);
void pfi_gf16_ifft(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                   uint32_t skew_delta);

/* pfi_gf16_ifft whose first layer reads shard i from @src[i] (NULL: from the run) and whose
 * last layer XORs its outputs into the slots of @acc instead of storing them (NULL: stores).
 * With @acc, @size must be a power of 4 and at least 16, and the run's slots hold garbage
 * afterwards; with @src, size >= 16 too, and src[i] for i in [truncated, roundup4) must
 * read as zeros. Needs the kernels' ifft4_in / ifft4_acc for whichever is given. */
void pfi_gf16_ifft_fused(const struct gf16_run *run, uint32_t size, uint32_t truncated,
                         uint32_t skew_delta, const uint8_t *const *src,
                         const struct gf16_run *acc);

/* Formal derivative in the novel polynomial basis, over @size shards. */
void pfi_gf16_formal_derivative(const struct gf16_run *run, uint32_t size);

/* Walsh–Hadamard transform over Z/65535 of @size (a power of two) entries. */
void pfi_gf16_fwht(uint16_t *v, uint32_t size);

/* Fills @ret_walsh (size entries) with the transform of log[0..size) (log 0 taken as 0), the
 * fixed operand of pfi_gf16_locator() for a decode domain of @size positions. */
void pfi_gf16_locator_prepare(const struct pf_rs16_tables *t, uint32_t size,
                              uint16_t *ret_walsh);

/* Turns erasure flags e[0..size) (0 or 1) into e[i] = sum over erased j of log(i ^ j), mod
 * 65535: the log of the erasure locator at every position of the domain. */
void pfi_gf16_locator(const uint16_t *walsh, uint32_t size, uint16_t *e);

#endif
