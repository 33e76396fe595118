/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GCM_VAES_H
#define PF_CORE_GCM_VAES_H

#include <stddef.h>
#include <stdint.h>

/* GHASH key powers kept per key: up to sixteen blocks are hashed with one reduction. */
#define PFI_GCM_VAES_POWERS 16

/* AES-128-GCM key material for the VAES/VPCLMULQDQ kernel (gcm_vaes.c). Plain bytes, so
 * that code built without those ISA flags can allocate and wipe it. */
struct pfi_gcm_vaes_key {
    uint8_t rk[11][16];                    /* AES-128 encryption round keys */
    uint8_t hpow[PFI_GCM_VAES_POWERS][16]; /* hpow[i] = H^(16 - i), POLYVAL domain */
    /* hpow_hi[i] = H^(32 - i): the 512-bit kernel hashes 32 blocks per reduction on long
     * messages. */
    uint8_t hpow_hi[PFI_GCM_VAES_POWERS][16];
};

/* Only call these when pfi_cpu_has_vaes_gcm() said yes (cpu.h). Nonces are 12 bytes; the
 * caller has validated every argument (pf_aead_seal/open): in == out or no overlap, and
 * len <= 2^36 - 32, so the 32-bit block counter never wraps. */
void pfi_gcm_vaes_init(struct pfi_gcm_vaes_key *k, const uint8_t *key);
void pfi_gcm_vaes_seal(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce,
                       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                       uint8_t *out, uint8_t *tag);
/* Decrypts while hashing, then compares tags in constant time: 0 or PF_ERR_AUTH, and on
 * PF_ERR_AUTH out holds unauthenticated plaintext that the caller must wipe. */
int pfi_gcm_vaes_open(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce,
                      const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                      const uint8_t *tag, uint8_t *out);

/* The same on 512-bit VAES and VPCLMULQDQ (gcm_vaes512.c), with the key from
 * pfi_gcm_vaes_init: only where pfi_cpu_has_vaes512_gcm() said yes. */
void pfi_gcm_vaes512_seal(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce,
                          const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                          uint8_t *out, uint8_t *tag);
int pfi_gcm_vaes512_open(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce,
                         const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                         const uint8_t *tag, uint8_t *out);

#endif
