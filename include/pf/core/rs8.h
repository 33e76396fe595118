/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/rs8.h
 * GameStream Reed–Solomon over GF(2^8), byte-identical to Moonlight's nanors.
 *
 * Field: polynomial 0x11D, generator 2. Systematic code, k data shards then m parity shards,
 * k + m <= 255. Parity row j, data column i uses inv((m + i) XOR j) (a Cauchy matrix), or the
 * fixed GameStream audio matrix for (4, 2). Every byte column is an independent codeword, so
 * any shard length works, and buffers need no alignment.
 *
 * Kernels: portable C, SSSE3, AVX2 and AVX-512 split-nibble PSHUFB; on a CPU that also has
 * GFNI the AVX2 and AVX-512 codecs multiply with GF2P8AFFINEQB instead (same output,
 * pf_rs8_get_simd() still says PF_SIMD_AVX2 or PF_SIMD_AVX512). Decoding e lost data shards costs about as much as encoding e parity rows:
 * the e x e system is solved in closed form, with no table built per block.
 *
 * Threading: a pf_rs8 is used by one thread at a time (it owns decode scratch). Objects are
 * independent; create one per thread or per (k, m) shape.
 */
#ifndef PF_CORE_RS8_H
#define PF_CORE_RS8_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_RS8_MAX_SHARDS 255u /**< k + m limit of the GF(2^8) code */

#define PF_RS8_MATRIX_CAUCHY 0u           /**< video and any generic (k, m) */
#define PF_RS8_MATRIX_GAMESTREAM_AUDIO 1u /**< fixed 4+2 matrix from OpenFEC; k = 4, m = 2 only */

#define PF_RS8_SETTINGS_VERSION 1u

/** Settings of pf_rs8_create(); fill with pf_rs8_settings_default(). Since 0.1. */
typedef struct pf_rs8_settings {
    uint32_t version; /**< PF_RS8_SETTINGS_VERSION the caller was built with */
    uint32_t simd;    /**< PF_SIMD_*; PF_SIMD_AUTO picks the best kernel. Since 0.1. */
    pf_log_hook log;  /**< debug messages; borrowed. Since 0.1. */
} pf_rs8_settings;

typedef struct pf_rs8 pf_rs8;

/**
 * Fills @p ret_settings with defaults for settings layout @p version.
 * @return 0, or PF_ERR_INVALID_ARGUMENT for NULL or an unknown version. Since 0.1.
 */
PF_EXPORT int pf_rs8_settings_default(uint32_t version, pf_rs8_settings *ret_settings);

/**
 * Creates a codec for @p k data and @p m parity shards. All tables, including the
 * per-coefficient SIMD tables, are built here; encode and decode never allocate.
 * @param k data shards per block, 1..254. @param m parity shards per block, 1..254.
 * @param matrix PF_RS8_MATRIX_CAUCHY, or PF_RS8_MATRIX_GAMESTREAM_AUDIO with k = 4, m = 2.
 * @param settings may be NULL for defaults; borrowed.
 * @return 0; PF_ERR_INVALID_ARGUMENT for NULL, k or m of 0, or k + m > 255;
 *         PF_ERR_UNSUPPORTED for an unknown matrix, audio with a shape other than (4, 2), or a
 *         SIMD kernel this CPU lacks; PF_ERR_NOMEM.
 * Ownership: *ret_rs is owned by the caller; release with pf_rs8_destroy(); untouched on
 * failure.
 * Threading: any thread; the new object is then used by one thread at a time. Since 0.1.
 */
PF_EXPORT int pf_rs8_create(uint32_t k, uint32_t m, uint32_t matrix,
                            const pf_rs8_settings *settings, pf_rs8 **ret_rs);

/** Destroys @p rs and its tables; NULL is allowed. Since 0.1. */
PF_EXPORT void pf_rs8_destroy(pf_rs8 *rs);

/**
 * @return the SIMD kernel (PF_SIMD_*) this codec runs, never PF_SIMD_AUTO; PF_SIMD_PORTABLE
 * for NULL. Since 0.1.
 */
PF_EXPORT uint32_t pf_rs8_get_simd(const pf_rs8 *rs);

/**
 * Computes m parity shards from k data shards of @p shard_bytes each.
 * @param data k pointers; borrowed. @param parity m pointers to writable buffers; borrowed.
 * No parity buffer may overlap another buffer. Buffers need no alignment.
 * @param shard_bytes length of every shard, > 0.
 * @return 0; PF_ERR_INVALID_ARGUMENT for a NULL codec, array or pointer, or a zero length.
 * Threading: one call at a time per codec (encode keeps no state, but decode shares the
 * object). Since 0.1.
 */
PF_EXPORT int pf_rs8_encode(pf_rs8 *rs, const uint8_t *const *data, uint8_t *const *parity,
                            size_t shard_bytes);

/**
 * Rebuilds lost data shards in place from any k intact shards.
 * @param shards k + m pointers (data 0..k-1, then parity); every pointer is a buffer of
 *        @p shard_bytes; lost data shards are overwritten with their content; lost parity
 *        shards are left alone (encode again to regenerate them). Intact shards are only read.
 *        Buffers must not overlap; lost parity pointers may be NULL. Borrowed.
 * @param present k + m flags; nonzero marks an intact shard. Borrowed.
 * @param shard_bytes length of every shard, > 0.
 * @return the number of data shards rebuilt (0 when none was lost);
 *         PF_ERR_UNRECOVERABLE when fewer than k shards are present (nothing written);
 *         PF_ERR_INVALID_ARGUMENT for a NULL codec, array or needed pointer, or a zero length
 *         (nothing written).
 * Threading: one thread at a time per codec (it uses the codec's scratch). Since 0.1.
 */
PF_EXPORT int pf_rs8_decode(pf_rs8 *rs, uint8_t *const *shards, const uint8_t *present,
                            size_t shard_bytes);

#ifdef __cplusplus
}
#endif

#endif
