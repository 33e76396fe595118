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
    /* The long-message loop's operands as it reads them (gcm_vaes512_wide.S), laid out once
     * per key so that no call stores them: the eleven round keys each broadcast to 64
     * bytes, then H^128..H^1 four to a vector (32 vectors: the loop reduces once per four
     * iterations of 32 blocks), then each power's two halves XORed into both of its qwords
     * (32 vectors). 64-byte aligned (the owner allocates the key so) so that no read
     * splits across cache lines. */
    _Alignas(64) uint8_t wide_rk[11][64];
    uint8_t wide_pow[64][64];
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

/* The long-message loop of the 512-bit kernel (gcm_vaes512_wide.S): @iters (at least one)
 * iterations of 32 blocks at @in / @out, with the round keys @rk and powers @powers laid
 * out as in wide_rk and wide_pow above, and the loop state in @st, which they advance.
 * Opening hashes each iteration's input; sealing hashes each iteration's ciphertext during
 * the next one and the last iteration's after the loop, so both leave every block they
 * wrote hashed into @st->s. */
struct pfi_gcm_wide_state {
    uint8_t ctr[64]; /* counters n..n+3, each lane byte-reversed */
    uint8_t s[16];   /* GHASH state, POLYVAL domain */
    uint32_t n;      /* the first block's counter */
};
void pfi_gcm_vaes512_wide_open(const void *rk, const void *powers,
                               const uint8_t *in, uint8_t *out, size_t iters,
                               struct pfi_gcm_wide_state *st);
void pfi_gcm_vaes512_wide_seal(const void *rk, const void *powers,
                               const uint8_t *in, uint8_t *out, size_t iters,
                               struct pfi_gcm_wide_state *st);

#endif
