/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/common.h
 * Export macros, versions and the per-object log hook shared by every libpfcore header.
 */
#ifndef PF_CORE_COMMON_H
#define PF_CORE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PF_EXPORT __attribute__((visibility("default")))
#define PF_DEPRECATED __attribute__((deprecated))
#else
#define PF_EXPORT
#define PF_DEPRECATED
#endif

/** ABI generation of libpfcore; bumped only on an incompatible change (soname). */
#define PF_CORE_ABI_VERSION 1u

/**
 * @return PF_CORE_ABI_VERSION of the library actually loaded; compare it with the macro the
 * caller was compiled against before using any other call.
 * Since 0.1.
 */
PF_EXPORT uint32_t pf_core_abi_version(void);

/** @return the release string of the loaded library ("0.1.0"); static storage. Since 0.1. */
PF_EXPORT const char *pf_core_version_string(void);

/** Log levels, syslog numbering. */
#define PF_LOG_ERROR 3u
#define PF_LOG_WARNING 4u
#define PF_LOG_INFO 6u
#define PF_LOG_DEBUG 7u

/**
 * Log hook installed per object (no global logger). @p msg is not NUL-terminated beyond
 * @p len; @p topic names the file that logs. Called on the thread that called into the
 * object. Since 0.1.
 */
typedef void (*pf_log_fn)(void *user_data, uint32_t level, const char *topic,
                          const char *msg, size_t len);

/** A log hook and its user data; a NULL @c fn discards messages. Since 0.1. */
typedef struct pf_log_hook {
    pf_log_fn fn;      /**< may be NULL; borrowed */
    void *user_data;   /**< passed back to fn; borrowed */
    uint32_t max_level; /**< messages above this level are not formatted; 0 = PF_LOG_DEBUG */
} pf_log_hook;

/** SIMD kernel selection for the FEC codecs. Since 0.1. */
#define PF_SIMD_AUTO 0u     /**< best the CPU offers (default) */
#define PF_SIMD_PORTABLE 1u /**< plain C; always available */
#define PF_SIMD_SSSE3 2u    /**< x86-64 SSSE3 (PSHUFB) */
#define PF_SIMD_AVX2 3u     /**< x86-64 AVX2 */
/** x86-64 AVX-512 (F, DQ, BW, VL) with the OS saving zmm state; the GF(2^8) codec also uses
 * GFNI where present. Since 0.2. */
#define PF_SIMD_AVX512 4u

/**
 * @return 1 when this CPU and build can run kernel @p simd (a PF_SIMD_* value), else 0.
 * PF_SIMD_AUTO and PF_SIMD_PORTABLE always return 1. Since 0.1.
 */
PF_EXPORT int pf_core_simd_supported(uint32_t simd);

/** @return the kernel PF_SIMD_AUTO resolves to on this CPU. Since 0.1. */
PF_EXPORT uint32_t pf_core_simd_best(void);

#ifdef __cplusplus
}
#endif

#endif
