/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/crypto.h
 * Packet sealing and the primitives GameStream and punktfunk/1 need, behind an ops table.
 *
 * The default ops use GnuTLS (AES-128-GCM), Nettle (AES blocks, SHA-256, HKDF)
 * and libsodium (ChaCha20-Poly1305, random bytes). On x86-64 CPUs with 256-bit VAES and
 * VPCLMULQDQ (and an OS that saves ymm state), AES-128-GCM with 12-byte nonces runs on the
 * library's own constant-time kernel instead, chosen once per pf_aead at create time; both
 * give identical output. An app may pass its own table (for
 * example CryptoKit or javax.crypto) to every call that takes @c ops; NULL means default.
 *
 * Nonces are never generated here: every seal takes the caller's nonce, and the protocol
 * headers (pf/core/gs_video.h, pf/core/gs_control.h, punktfunk/1) say how each one is built
 * from a sequence number. A nonce must never repeat under one key.
 *
 * pf_aead takes 12-byte nonces only. GameStream's legacy control-stream IV (16 bytes, GCM
 * with a non-96-bit IV, gamestream-protocol §5.3) goes through pf_aes128_gcm_seal_iv16() and
 * pf_aes128_gcm_open_iv16(), which build GCM from the table's aes128_ecb, so a custom ops
 * table covers them as well.
 *
 * Errors: an ops function may return any PF_ERR_* value; the wrappers pass it through.
 *
 * Threading: ops tables are immutable and every function here is reentrant; the library keeps
 * no global state (libsodium's own sodium_init() is called where needed, and is idempotent and
 * thread-safe). A pf_aead is used by one thread at a time.
 */
#ifndef PF_CORE_CRYPTO_H
#define PF_CORE_CRYPTO_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_AEAD_AES128_GCM 0u        /**< 16-byte key */
#define PF_AEAD_CHACHA20_POLY1305 1u /**< 32-byte key (RFC 8439) */
#define PF_AEAD_NONCE_BYTES 12u
#define PF_AEAD_TAG_BYTES 16u
#define PF_AES_BLOCK_BYTES 16u
#define PF_AES128_KEY_BYTES 16u
#define PF_CHACHA20_POLY1305_KEY_BYTES 32u
#define PF_GCM_LEGACY_IV_BYTES 16u /**< pf_aes128_gcm_seal_iv16() IV length */
#define PF_SHA256_BYTES 32u

#define PF_CRYPTO_OPS_VERSION 1u

/**
 * A crypto provider. Every function returns 0 or a negative PF_ERR_* value and receives
 * @c user_data first. Buffers may alias exactly (in place) where noted. The public wrappers
 * validate every argument before calling in, so an implementation sees non-NULL pointers
 * (except for zero lengths), keys of the right size and whole blocks. A NULL function makes
 * the matching wrapper return PF_ERR_UNSUPPORTED.
 *
 * Ownership: the table and @c user_data are borrowed; they must outlive every object and
 * call that uses them. Threading: functions may be called from several threads at once
 * (on different contexts). Since 0.1.
 */
typedef struct pf_crypto_ops {
    uint32_t version; /**< PF_CRYPTO_OPS_VERSION */
    void *user_data;  /**< passed to every call; borrowed */
    /** Creates a keyed AEAD context for @p alg; returns PF_ERR_UNSUPPORTED if not offered. */
    int (*aead_create)(void *user_data, uint32_t alg, const uint8_t *key, size_t key_len,
                       void **ret_ctx);
    void (*aead_destroy)(void *user_data, void *ctx);
    /** Encrypts @p len bytes of @p in into @p out (in == out allowed) and writes the 16-byte
     * tag to @p tag. */
    int (*aead_seal)(void *user_data, void *ctx, const uint8_t *nonce, const uint8_t *aad,
                     size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag);
    /** Verifies @p tag and decrypts into @p out (in == out allowed); PF_ERR_AUTH on
     * mismatch. */
    int (*aead_open)(void *user_data, void *ctx, const uint8_t *nonce, const uint8_t *aad,
                     size_t aad_len, const uint8_t *in, size_t len, const uint8_t *tag,
                     uint8_t *out);
    /** AES-128-CBC without padding; @p len is a multiple of 16; in == out allowed. */
    int (*aes128_cbc)(void *user_data, int encrypt, const uint8_t *key, const uint8_t *iv,
                      const uint8_t *in, size_t len, uint8_t *out);
    /** AES-128-ECB without padding; @p len is a multiple of 16; in == out allowed. */
    int (*aes128_ecb)(void *user_data, int encrypt, const uint8_t *key, const uint8_t *in,
                      size_t len, uint8_t *out);
    int (*sha256)(void *user_data, const uint8_t *data, size_t len, uint8_t *out);
    /** RFC 5869 HKDF with SHA-256; @p out_len <= 255 * 32. */
    int (*hkdf_sha256)(void *user_data, const uint8_t *salt, size_t salt_len,
                       const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                       size_t info_len, uint8_t *out, size_t out_len);
    /** Fills @p out with cryptographically secure random bytes. */
    int (*random)(void *user_data, uint8_t *out, size_t len);
} pf_crypto_ops;

/**
 * @return the built-in ops (GnuTLS, Nettle, libsodium): a static, immutable table.
 * Since 0.1.
 */
PF_EXPORT const pf_crypto_ops *pf_crypto_ops_default(void);

typedef struct pf_aead pf_aead;

/**
 * Creates a keyed AEAD context.
 * @param ops NULL for default; borrowed and must outlive the context. Its @c version must be
 *        PF_CRYPTO_OPS_VERSION (1 in this release).
 * @param alg PF_AEAD_AES128_GCM or PF_AEAD_CHACHA20_POLY1305.
 * @param key PF_AES128_KEY_BYTES or PF_CHACHA20_POLY1305_KEY_BYTES bytes; copied.
 * @param ret_aead receives the context; untouched on failure.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL, wrong key length, ops version); PF_ERR_UNSUPPORTED
 *         (unknown @p alg, or the table has no AEAD); PF_ERR_NOMEM; PF_ERR_CRYPTO.
 * Ownership: *ret_aead is the caller's; free it with pf_aead_destroy().
 * Threading: the context is used by one thread at a time. Since 0.1.
 */
PF_EXPORT int pf_aead_create(const pf_crypto_ops *ops, uint32_t alg, const uint8_t *key,
                             size_t key_len, pf_aead **ret_aead);

/** Destroys @p aead (NULL allowed) and wipes its key schedule. Since 0.1. */
PF_EXPORT void pf_aead_destroy(pf_aead *aead);

/**
 * Seals one packet: @p out receives @p len ciphertext bytes (may equal @p in), @p tag the
 * 16-byte tag, so callers can place the tag before (GameStream) or after (punktfunk/1) the
 * ciphertext. @p nonce is 12 bytes and must be unique per key.
 * @param aad may be NULL when @p aad_len is 0.
 * @param in,out may be NULL when @p len is 0; they either are the same pointer or do not
 *        overlap, and @p tag overlaps neither.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL, partial overlap, more than 2^36 - 32 bytes);
 *         PF_ERR_CRYPTO. Ownership: all buffers are borrowed. Threading: one thread per
 *         @p aead. Since 0.1.
 */
PF_EXPORT int pf_aead_seal(pf_aead *aead, const uint8_t *nonce, const uint8_t *aad,
                           size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                           uint8_t *tag);

/**
 * Opens one packet. On PF_ERR_AUTH (and any other failure of the provider) the @p len bytes
 * of @p out are zeroed, never left as unauthenticated plaintext; with @p in == @p out that
 * wipes the ciphertext too. Argument errors leave @p out untouched.
 * @param in,out as for pf_aead_seal().
 * @return 0; PF_ERR_AUTH; PF_ERR_INVALID_ARGUMENT; PF_ERR_CRYPTO. Ownership: all buffers are
 *         borrowed. Threading: one thread per @p aead. Since 0.1.
 */
PF_EXPORT int pf_aead_open(pf_aead *aead, const uint8_t *nonce, const uint8_t *aad,
                           size_t aad_len, const uint8_t *in, size_t len, const uint8_t *tag,
                           uint8_t *out);

/**
 * AES-128-CBC with PKCS#7 padding (GameStream audio). Output length is len rounded up to the
 * next multiple of 16 (a full block when already aligned).
 * @param key 16 bytes. @param iv 16 bytes.
 * @param in may equal @p out (then @p out_cap must still hold the padded length); otherwise
 *        the two must not overlap. May be NULL when @p len is 0.
 * @param ret_len receives the ciphertext length; untouched on failure.
 * @return 0; PF_ERR_BUFFER_TOO_SMALL (@p out untouched); PF_ERR_INVALID_ARGUMENT;
 *         PF_ERR_UNSUPPORTED; PF_ERR_CRYPTO (@p out zeroed). Since 0.1.
 */
PF_EXPORT int pf_aes128_cbc_encrypt_pkcs7(const pf_crypto_ops *ops, const uint8_t *key,
                                          const uint8_t *iv, const uint8_t *in, size_t len,
                                          uint8_t *out, size_t out_cap, size_t *ret_len);

/**
 * Decrypts AES-128-CBC and checks/removes PKCS#7 padding. The last block is decrypted and
 * checked first, so on bad padding or a short @p out nothing is written to @p out.
 * @p out_cap needs only the plaintext length (at most @p len - 1).
 * @param in may equal @p out; otherwise the two must not overlap.
 * @param ret_len receives the plaintext length; untouched on failure.
 * @return 0; PF_ERR_MALFORMED (length not a positive multiple of 16); PF_ERR_AUTH (bad
 * padding); PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT; PF_ERR_UNSUPPORTED;
 * PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_aes128_cbc_decrypt_pkcs7(const pf_crypto_ops *ops, const uint8_t *key,
                                          const uint8_t *iv, const uint8_t *in, size_t len,
                                          uint8_t *out, size_t out_cap, size_t *ret_len);

/**
 * AES-128-ECB, no padding (GameStream pairing).
 * @param key 16 bytes. @param in,out @p len bytes, the same pointer or not overlapping.
 * @param len a multiple of 16; 0 does nothing.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL, @p len not a multiple of 16, partial overlap);
 *         PF_ERR_UNSUPPORTED; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_aes128_ecb_encrypt(const pf_crypto_ops *ops, const uint8_t *key,
                                    const uint8_t *in, size_t len, uint8_t *out);
PF_EXPORT int pf_aes128_ecb_decrypt(const pf_crypto_ops *ops, const uint8_t *key,
                                    const uint8_t *in, size_t len, uint8_t *out);

/**
 * SHA-256 of @p len bytes (@p data may be NULL when @p len is 0) into 32 bytes at @p out.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_UNSUPPORTED; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_sha256(const pf_crypto_ops *ops, const uint8_t *data, size_t len,
                        uint8_t *out);

/**
 * RFC 5869 HKDF-SHA256 (extract then expand). An empty salt means 32 zero bytes (RFC 5869
 * §2.2). Each of @p salt, @p ikm and @p info may be NULL when its length is 0.
 * @param out_len 1 to 8160 (255 * 32).
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_UNSUPPORTED; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_hkdf_sha256(const pf_crypto_ops *ops, const uint8_t *salt, size_t salt_len,
                             const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                             size_t info_len, uint8_t *out, size_t out_len);

/**
 * Fills @p out with @p len cryptographically secure random bytes (@p len 0 does nothing).
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_UNSUPPORTED; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_random_bytes(const pf_crypto_ops *ops, uint8_t *out, size_t len);

/**
 * Constant-time comparison: the time depends on @p len only.
 * @return 1 when the @p len bytes are equal (always for @p len 0), else 0; 0 when @p a or
 *         @p b is NULL and @p len > 0. Since 0.1.
 */
PF_EXPORT int pf_memeq_consttime(const void *a, const void *b, size_t len);

/**
 * AES-128-GCM with GameStream's legacy 16-byte control-stream IV (byte 0 = seq & 0xFF, the
 * rest zero; gamestream-protocol §5.3), which GCM hashes into its counter block instead of
 * using it as a 96-bit nonce. Built from the table's aes128_ecb plus a constant-time GHASH:
 * slower than pf_aead_seal(), meant for the few control messages of the legacy mode.
 * @param ops NULL for default. @param key 16 bytes. @param iv PF_GCM_LEGACY_IV_BYTES bytes.
 * @param aad may be NULL when @p aad_len is 0.
 * @param in,out @p len bytes, the same pointer or not overlapping; NULL allowed for @p len 0.
 * @param tag receives the 16-byte tag.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_UNSUPPORTED (no aes128_ecb); PF_ERR_CRYPTO.
 * Ownership: all buffers are borrowed. Threading: reentrant. Since 0.1.
 */
PF_EXPORT int pf_aes128_gcm_seal_iv16(const pf_crypto_ops *ops, const uint8_t *key,
                                      const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                                      const uint8_t *in, size_t len, uint8_t *out,
                                      uint8_t *tag);

/**
 * Opens a message sealed by pf_aes128_gcm_seal_iv16(). The tag is checked before anything is
 * decrypted: on PF_ERR_AUTH @p out is not written.
 * @return 0; PF_ERR_AUTH; PF_ERR_INVALID_ARGUMENT; PF_ERR_UNSUPPORTED; PF_ERR_CRYPTO.
 * Since 0.1.
 */
PF_EXPORT int pf_aes128_gcm_open_iv16(const pf_crypto_ops *ops, const uint8_t *key,
                                      const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                                      const uint8_t *in, size_t len, const uint8_t *tag,
                                      uint8_t *out);

#ifdef __cplusplus
}
#endif

#endif
