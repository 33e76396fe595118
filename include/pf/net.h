/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/net.h
 * libpfnet: versions and the GameStream host identity.
 *
 * The identity is what a Moonlight client pins: an RSA-2048 key, a self-signed X.509
 * certificate (also the HTTPS certificate) and a stable unique id. libpfnet generates and
 * serialises it; where it is stored is the application's choice.
 *
 * Threading: a pf_net_identity is immutable after creation and may be read from any thread.
 */
#ifndef PF_NET_H
#define PF_NET_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ABI generation of libpfnet (soname 0). */
#define PF_NET_ABI_VERSION 0u

/** @return PF_NET_ABI_VERSION of the loaded library. Since 0.1. */
PF_EXPORT uint32_t pf_net_abi_version(void);

/** @return the release string of the loaded library; static storage. Since 0.1. */
PF_EXPORT const char *pf_net_version_string(void);

/** Length of a unique id string without its NUL (a UUID in 8-4-4-4-12 form). */
#define PF_NET_UNIQUEID_LEN 36u

typedef struct pf_net_identity pf_net_identity;

/**
 * Generates a fresh identity: RSA-2048 key, self-signed SHA-256 certificate valid 20 years,
 * random UUID.
 * @param common_name certificate subject CN; NULL gives "punktfunk". Borrowed.
 * @param ret_identity receives the new identity; untouched on failure.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_CRYPTO.
 * Ownership: the caller destroys *ret_identity. Threading: any thread. Since 0.1.
 */
PF_EXPORT int pf_net_identity_create(const char *common_name, pf_net_identity **ret_identity);

/**
 * Rebuilds an identity from its stored parts.
 * @param key_pem, key_len   PKCS#8 or PKCS#1 PEM private key. Borrowed.
 * @param cert_pem, cert_len PEM certificate; its public key must match the private key.
 * @param uniqueid           NUL-terminated unique id, 1..64 printable characters. Borrowed.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_MALFORMED (does not parse, or key and certificate
 *         do not belong together); PF_ERR_NOMEM. Since 0.1.
 */
PF_EXPORT int pf_net_identity_import(const char *key_pem, size_t key_len, const char *cert_pem,
                                     size_t cert_len, const char *uniqueid,
                                     pf_net_identity **ret_identity);

/** Destroys @p identity (NULL allowed) and wipes its key. Since 0.1. */
PF_EXPORT void pf_net_identity_destroy(pf_net_identity *identity);

/**
 * @return the PEM text of the private key (NUL-terminated; borrowed, lives as long as the
 * identity), for the application to store with 0600 permissions. Since 0.1.
 */
PF_EXPORT const char *pf_net_identity_get_key_pem(const pf_net_identity *identity);

/** @return the certificate's PEM text (NUL-terminated; borrowed). Since 0.1. */
PF_EXPORT const char *pf_net_identity_get_cert_pem(const pf_net_identity *identity);

/** @return the unique id (NUL-terminated; borrowed). Since 0.1. */
PF_EXPORT const char *pf_net_identity_get_uniqueid(const pf_net_identity *identity);

/**
 * Computes the id under which a client certificate is known: the first 8 bytes of the
 * SHA-256 of its DER encoding, as 16 lower-case hex characters.
 * @param cert_der, len DER certificate. Borrowed.
 * @param ret_id 17 bytes; receives the NUL-terminated id.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_net_cert_id(const uint8_t *cert_der, size_t len, char *ret_id);

/**
 * Converts a PEM certificate to DER.
 * @param out, out_cap caller buffer. @param ret_len receives the DER length.
 * @return 0; PF_ERR_MALFORMED; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT. Since 0.1.
 */
PF_EXPORT int pf_net_cert_pem_to_der(const char *pem, size_t pem_len, uint8_t *out,
                                     size_t out_cap, size_t *ret_len);

#ifdef __cplusplus
}
#endif

#endif
