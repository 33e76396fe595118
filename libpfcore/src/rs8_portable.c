/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rs8_kernel.h"

#include <string.h>

/* Below this length a full product row costs more to build than it saves, and the two
 * nibble lookups per byte are used directly (SIMD kernels send their short tails here). */
#define PRODUCT_ROW_MIN_LEN 128

/* Plain C kernel: the reference the SIMD kernels are tested against, and the fallback on
 * CPUs without SSSE3. Per (row, input) it expands the coefficient's nibble tables into a full
 * 256-entry product row, which costs 256 XORs and then saves one lookup per byte. */
void pfi_rs8_kernel_portable(const struct pfi_rs8_job *job, size_t off, size_t len)
{
    uint8_t prod[256];
    for (uint32_t r = 0; r < job->n_out; r++) {
        uint8_t *out = job->out[r] + off;
        if (job->init)
            memcpy(out, job->init[r] + off, len);
        else
            memset(out, 0, len);
        const uint8_t *crow = job->coef + (size_t)r * job->coef_stride;
        for (uint32_t i = 0; i < job->n_in; i++) {
            uint8_t c = crow[i];
            if (c == 0)
                continue;
            const uint8_t *t = job->bank + (size_t)c * PFI_RS8_TABLE_BYTES;
            const uint8_t *in = job->in[i] + off;
            if (len < PRODUCT_ROW_MIN_LEN) {
                for (size_t b = 0; b < len; b++)
                    out[b] ^= (uint8_t)(t[in[b] & 15] ^ t[16 + (in[b] >> 4)]);
                continue;
            }
            for (unsigned x = 0; x < 256; x++)
                prod[x] = (uint8_t)(t[x & 15] ^ t[16 + (x >> 4)]);
            for (size_t b = 0; b < len; b++)
                out[b] ^= prod[in[b]];
        }
    }
}
