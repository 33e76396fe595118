/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/pkf1_pair.h
 * punktfunk/1 PIN pairing (native-protocol.md §6): SPAKE2 over edwards25519 exactly as the
 * reference's spake2 0.4 crate (and python-spake2 0.8) compute it, the punktfunk key
 * confirmation MACs, and a small state machine per side that consumes and produces the
 * typed pairing messages (pf/core/pkf1_control.h).
 *
 * SPAKE2 (§6.3): client = side A, host = side B; password = the PIN's ASCII digits;
 * idA = client certificate fingerprint, idB = host certificate fingerprint (32 raw bytes
 * each). pw = HKDF-SHA256(salt empty, password, "SPAKE2 pw", 48 bytes) read big-endian mod ℓ.
 * A sends 'A' ‖ (x·B + pw·M), B sends 'B' ‖ (y·B + pw·N); K = x·(Y − pw·N) = y·(X − pw·M);
 * key = SHA256(SHA256(pw) ‖ SHA256(idA) ‖ SHA256(idB) ‖ X ‖ Y ‖ K).
 * Confirmation (§6.4): host_confirm = HMAC-SHA256(key, "punktfunk-pair-host" ‖ client_fp ‖
 * host_fp), client_confirm likewise with "punktfunk-pair-client".
 *
 * Host policy stays with the caller: certificate present, 2 s cooldown, an armed window bound
 * to this device, and consuming the PIN (one guess per arming, whatever the outcome) as soon
 * as pf_pkf1_pair_host_on_request() returns (successfully or not).
 *
 * No I/O, clocks, threads or globals; group operations come from libsodium, random scalars
 * and HKDF from the crypto ops table. Threading: an object is used by one thread at a time.
 */
#ifndef PF_CORE_PKF1_PAIR_H
#define PF_CORE_PKF1_PAIR_H

#include "common.h"
#include "crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_PKF1_SPAKE2_SIDE_A 0x41u /**< 'A': the client */
#define PF_PKF1_SPAKE2_SIDE_B 0x42u /**< 'B': the host */
#define PF_PKF1_SPAKE2_MSG_BYTES 33u
#define PF_PKF1_SPAKE2_KEY_BYTES 32u
#define PF_PKF1_FINGERPRINT_BYTES 32u
#define PF_PKF1_PAIR_MAX_MSG_BYTES 128u /**< room for any pairing payload this API writes */
/** Random input of pf_pkf1_spake2_create(): 64 bytes reduced mod ℓ, as the crate draws. */
#define PF_PKF1_SPAKE2_RANDOM_BYTES 64u

typedef struct pf_pkf1_spake2 pf_pkf1_spake2;

/**
 * Starts one side of SPAKE2.
 * @param ops NULL for default; borrowed, must outlive the object.
 * @param side PF_PKF1_SPAKE2_SIDE_A or _B.
 * @param password,password_len the shared password (the PIN digits); copied.
 * @param id_a,id_a_len,id_b,id_b_len identities (may be NULL when the length is 0); copied.
 * @param random NULL to draw the secret scalar from @p ops, or PF_PKF1_SPAKE2_RANDOM_BYTES
 *        bytes (little-endian, reduced mod ℓ) for known-answer tests.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_CRYPTO.
 * Ownership: *ret is the caller's (pf_pkf1_spake2_destroy()). Since 0.2.
 */
PF_EXPORT int pf_pkf1_spake2_create(const pf_crypto_ops *ops, uint32_t side,
                                    const uint8_t *password, size_t password_len,
                                    const uint8_t *id_a, size_t id_a_len, const uint8_t *id_b,
                                    size_t id_b_len, const uint8_t *random,
                                    pf_pkf1_spake2 **ret);

/** Destroys @p s (NULL allowed) and wipes its secrets. Since 0.2. */
PF_EXPORT void pf_pkf1_spake2_destroy(pf_pkf1_spake2 *s);

/** Copies this side's 33-byte message ('A'/'B' ‖ element) to @p out. @return 0 or
 * PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_spake2_message(const pf_pkf1_spake2 *s, uint8_t *out);

/**
 * Finishes with the peer's message and writes the 32-byte shared key. Once only.
 * @return 0; PF_ERR_MALFORMED (not 33 bytes, wrong side letter, not a valid point);
 *         PF_ERR_STATE (already finished); PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_spake2_finish(pf_pkf1_spake2 *s, const uint8_t *peer_msg,
                                    size_t peer_len, uint8_t *ret_key);

/**
 * Computes a confirmation MAC of §6.4.
 * @param host 1 for host_confirm ("punktfunk-pair-host"), 0 for client_confirm.
 * @param key 32 bytes; @param client_fp, host_fp 32 bytes each; @param out 32 bytes.
 * @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_confirm(int host, const uint8_t *key, const uint8_t *client_fp,
                                   const uint8_t *host_fp, uint8_t *out);

/* ------------------------------------------------------------------------------------------ */
/* Pairing ceremony state machines                                                             */

typedef struct pf_pkf1_pair pf_pkf1_pair;

/**
 * Creates the client side of one ceremony.
 * @param pin,pin_len the PIN the user typed (ASCII digits); copied.
 * @param client_fp,host_fp 32-byte fingerprints (host_fp as observed on this connection).
 * @param name,name_len device label for PairRequest (UTF-8, truncated to 64); may be NULL.
 * @param random as for pf_pkf1_spake2_create().
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_CRYPTO. Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_client_create(const pf_crypto_ops *ops, const uint8_t *pin,
                                         size_t pin_len, const uint8_t *client_fp,
                                         const uint8_t *host_fp, const uint8_t *name,
                                         size_t name_len, const uint8_t *random,
                                         pf_pkf1_pair **ret);

/**
 * Creates the host side for the armed @p pin.
 * @return as pf_pkf1_pair_client_create(). Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_host_create(const pf_crypto_ops *ops, const uint8_t *pin,
                                       size_t pin_len, const uint8_t *client_fp,
                                       const uint8_t *host_fp, const uint8_t *random,
                                       pf_pkf1_pair **ret);

/** Destroys @p p (NULL allowed) and wipes its secrets. Since 0.2. */
PF_EXPORT void pf_pkf1_pair_destroy(pf_pkf1_pair *p);

/**
 * Client, step 1: writes the PairRequest payload (unframed).
 * @return 0; PF_ERR_STATE; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_client_request(pf_pkf1_pair *p, uint8_t *out, size_t out_cap,
                                          size_t *ret_len);

/**
 * Host: handles the PairRequest payload and writes the PairChallenge payload.
 * @return 0; PF_ERR_MALFORMED (not a PairRequest, bad SPAKE2 message); PF_ERR_STATE;
 *         PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_host_on_request(pf_pkf1_pair *p, const uint8_t *payload,
                                           size_t len, uint8_t *out, size_t out_cap,
                                           size_t *ret_len);

/**
 * Client: handles the PairChallenge payload; on a matching host_confirm writes the PairProof
 * payload.
 * @return 0; PF_ERR_AUTH (host_confirm mismatch: wrong PIN, or not the pinned host);
 *         PF_ERR_MALFORMED; PF_ERR_STATE; PF_ERR_BUFFER_TOO_SMALL. Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_client_on_challenge(pf_pkf1_pair *p, const uint8_t *payload,
                                               size_t len, uint8_t *out, size_t out_cap,
                                               size_t *ret_len);

/**
 * Host: checks the PairProof payload in constant time and writes the PairResult payload
 * (ok = 1 on success, ok = 0 on a mismatch; send it either way, then close).
 * @return 0 (paired: store the client); PF_ERR_AUTH (mismatch, result ok = 0 written);
 *         PF_ERR_MALFORMED (nothing written); PF_ERR_STATE; PF_ERR_BUFFER_TOO_SMALL.
 * Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_host_on_proof(pf_pkf1_pair *p, const uint8_t *payload, size_t len,
                                         uint8_t *out, size_t out_cap, size_t *ret_len);

/**
 * Client: handles the PairResult payload.
 * @return 0 (paired: pin host_fp); PF_ERR_AUTH (ok = 0); PF_ERR_MALFORMED; PF_ERR_STATE.
 * Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_client_on_result(pf_pkf1_pair *p, const uint8_t *payload,
                                            size_t len);

/**
 * Host: the device name of the PairRequest handled (UTF-8, not terminated; empty when the
 * client sent none or an invalid one).
 * @param out at least 64 bytes. @param ret_len receives the length.
 * @return 0; PF_ERR_STATE (no request handled yet); PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_pair_host_get_name(const pf_pkf1_pair *p, uint8_t *out, size_t out_cap,
                                         size_t *ret_len);

#ifdef __cplusplus
}
#endif

#endif
