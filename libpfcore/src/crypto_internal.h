/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_CRYPTO_INTERNAL_H
#define PF_CORE_CRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/crypto.h"

/* NULL -> the default table; a table of unknown version -> NULL (the caller's error). */
const pf_crypto_ops *pfi_crypto_ops_resolve(const pf_crypto_ops *ops);

/* AES-128-GCM implementations of the built-in ops. AUTO (pf_crypto_ops_default()) takes
 * VAES512 where pfi_cpu_has_vaes512_gcm() allows, else VAES (256-bit) where
 * pfi_cpu_has_vaes_gcm() allows, GnuTLS otherwise. */
#define PFI_GCM_IMPL_AUTO 0u
#define PFI_GCM_IMPL_GNUTLS 1u
#define PFI_GCM_IMPL_VAES 2u
#define PFI_GCM_IMPL_VAES512 3u

/* The built-in ops with AES-128-GCM pinned to one implementation, for tests and benchmarks
 * that compare them: a static table, or NULL for an unknown @impl. The VAES table's
 * aead_create returns PF_ERR_UNSUPPORTED where the CPU or OS cannot run the kernel. */
const pf_crypto_ops *pfi_crypto_ops_gcm_impl(uint32_t impl);

/* 1 when in/out are usable for len bytes: both non-NULL (or len 0), and either the same
 * pointer or not overlapping at all. */
int pfi_buffers_ok(const void *in, const void *out, size_t len);

/* AES-128-GCM for any IV length (NIST SP 800-38D), built on ops->aes128_ecb and a portable
 * constant-time GHASH. Open checks the tag before decrypting: on PF_ERR_AUTH out is not
 * written. Arguments are validated by the caller (ops resolved, aes128_ecb present). */
int pfi_gcm_soft_seal(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                      size_t iv_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                      size_t len, uint8_t *out, uint8_t *tag);
int pfi_gcm_soft_open(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                      size_t iv_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                      size_t len, const uint8_t *tag, uint8_t *out);

#endif
