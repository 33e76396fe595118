/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/rs16.h
 * punktfunk/1 Reed–Solomon over GF(2^16), byte-identical to Leopard-RS (GF(2^16) path) and to
 * the reed-solomon-simd 3.1 crate with its default rate selection.
 *
 * Field: polynomial 0x1002D in Leopard's Cantor basis; encoding and decoding use the additive
 * FFT, so both cost O(n log n) shard operations. Systematic: k data shards, m recovery shards.
 *
 * Shapes: 1 <= k, 1 <= m and min(next_pow2(k), next_pow2(m)) + max(k, m) <= 65536. Every shape
 * with k <= 32768 and m <= 32768 is accepted; larger counts only when the other side is small
 * (k = 60000 with m <= 4096, for instance). Shapes with next_pow2(k) > next_pow2(m), or with
 * equal powers and k <= m, use the "high rate" layout (Leopard's encoder); the others the "low
 * rate" layout. k = 1 gives m copies of the data shard.
 *
 * Shard bytes: even and > 0; any length works. Each shard is processed in 64-byte chunks of 32
 * field elements (bytes 0–31 low halves, 32–63 high halves). A final t = shard_bytes mod 64
 * bytes are laid into a zeroed chunk as bytes [0, t/2) -> [0, t/2) and [t/2, t) ->
 * [32, 32 + t/2), and read back the same way (the reed-solomon-simd convention).
 *
 * Tables: the field needs 8.4 MiB of read-only tables (exp/log and skew factors, 384 KiB, and
 * a 128-byte multiply table for each of the 65536 field elements, 8 MiB). Building them took
 * about 30 ms of CPU time on the development machine, a third of it first-touch page faults.
 * Build them once with pf_rs16_tables_create() and pass them in the settings of every codec;
 * a codec created without them builds a private copy at that cost.
 *
 * Threading: a pf_rs16 is used by one thread at a time (it owns its work buffers). A
 * pf_rs16_tables is read-only after creation and may be shared by any number of codecs on any
 * threads.
 */
#ifndef PF_CORE_RS16_H
#define PF_CORE_RS16_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_RS16_MAX_TOTAL 65536u  /**< bound of min(next_pow2(k), next_pow2(m)) + max(k, m) */
#define PF_RS16_MAX_SHARDS 32768u /**< k and m each up to this are always accepted */

#define PF_RS16_SETTINGS_VERSION 1u

/** Shared read-only field tables. Since 0.1. */
typedef struct pf_rs16_tables pf_rs16_tables;

/** Settings of pf_rs16_create(); fill with pf_rs16_settings_default(). Since 0.1. */
typedef struct pf_rs16_settings {
    uint32_t version;              /**< PF_RS16_SETTINGS_VERSION the caller was built with */
    uint32_t simd;                 /**< PF_SIMD_*; PF_SIMD_AUTO picks the best. Since 0.1. */
    pf_log_hook log;               /**< debug messages; borrowed. Since 0.1. */
    const pf_rs16_tables *tables;  /**< may be NULL (the codec builds its own); borrowed, must
                                        outlive the codec. Since 0.1. */
} pf_rs16_settings;

typedef struct pf_rs16 pf_rs16;

/**
 * Fills @p ret_settings with defaults for settings layout @p version.
 * @return 0, or PF_ERR_INVALID_ARGUMENT for NULL or an unknown version. Since 0.1.
 */
PF_EXPORT int pf_rs16_settings_default(uint32_t version, pf_rs16_settings *ret_settings);

/**
 * Builds the GF(2^16) tables (8.4 MiB; about 30 ms, see above).
 * @return 0 or PF_ERR_INVALID_ARGUMENT (NULL) or PF_ERR_NOMEM.
 * Ownership: *ret_tables is owned by the caller; release with pf_rs16_tables_destroy() after
 * every codec that uses it. Threading: read-only once created. Since 0.1.
 */
PF_EXPORT int pf_rs16_tables_create(pf_rs16_tables **ret_tables);

/** Destroys @p tables; NULL is allowed. Since 0.1. */
PF_EXPORT void pf_rs16_tables_destroy(pf_rs16_tables *tables);

/**
 * Creates a codec for @p k data and @p m recovery shards of up to @p max_shard_bytes each.
 * Work buffers are sized here; encode and decode never allocate. The work buffer holds
 * N = next_pow2(C + k) slots for the high-rate layout (C = next_pow2(m)) or
 * N = next_pow2(C + m) for the low-rate one (C = next_pow2(k)), each
 * roundup(max_shard_bytes, 64) bytes: 64 slots (90 KiB) for (32, 8) at 1408 bytes, 2048
 * (2.8 MiB) for (1000, 200).
 * @param settings may be NULL for defaults; borrowed.
 * @return 0; PF_ERR_INVALID_ARGUMENT for NULL, k or m of 0, or max_shard_bytes 0 or odd;
 *         PF_ERR_UNSUPPORTED for a shape outside the limits above, an unknown settings version
 *         or a SIMD kernel this CPU lacks; PF_ERR_NOMEM.
 * Ownership: *ret_rs is owned by the caller; release with pf_rs16_destroy(). Threading: one
 * thread at a time per codec. Since 0.1.
 */
PF_EXPORT int pf_rs16_create(uint32_t k, uint32_t m, size_t max_shard_bytes,
                             const pf_rs16_settings *settings, pf_rs16 **ret_rs);

/** Destroys @p rs; NULL is allowed. Since 0.1. */
PF_EXPORT void pf_rs16_destroy(pf_rs16 *rs);

/** @return the SIMD kernel (PF_SIMD_*) this codec runs, or 0 for NULL. Since 0.1. */
PF_EXPORT uint32_t pf_rs16_get_simd(const pf_rs16 *rs);

/**
 * Computes m recovery shards from k data shards of @p shard_bytes each.
 * @param data k pointers; borrowed. @param recovery m pointers to writable buffers; borrowed.
 * @param shard_bytes even, > 0 and at most the create-time maximum.
 * Buffers need no alignment. @return 0 or PF_ERR_INVALID_ARGUMENT.
 * Threading: not concurrently with another call on the same codec. Since 0.1.
 */
PF_EXPORT int pf_rs16_encode(pf_rs16 *rs, const uint8_t *const *data, uint8_t *const *recovery,
                             size_t shard_bytes);

/**
 * Rebuilds lost data shards in place from any k intact shards.
 * @param shards k + m pointers (data 0..k-1, then recovery 0..m-1), each a buffer of
 *        @p shard_bytes; lost data shards are overwritten with their content; lost recovery
 *        shards are left alone. Borrowed.
 * @param present k + m flags; nonzero marks an intact shard. Borrowed.
 * @param shard_bytes even, > 0 and at most the create-time maximum.
 * @return the number of data shards rebuilt (0 when none was lost);
 *         PF_ERR_UNRECOVERABLE when fewer than k shards are present (nothing written);
 *         PF_ERR_INVALID_ARGUMENT.
 * Threading: not concurrently with another call on the same codec. Since 0.1.
 */
PF_EXPORT int pf_rs16_decode(pf_rs16 *rs, uint8_t *const *shards, const uint8_t *present,
                             size_t shard_bytes);

#ifdef __cplusplus
}
#endif

#endif
