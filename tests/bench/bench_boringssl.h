/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BoringSSL's EVP_AEAD interface, loaded at run time from Debian's android-libboringssl as a
 * second reference for pf-bench-crypto. Both it and OpenSSL's libcrypto export EVP_* names,
 * so linking both into one program would bind every call to one of them; dlopen with
 * RTLD_LOCAL | RTLD_DEEPBIND keeps BoringSSL's symbols to itself. Only the handful of entry
 * points the bench needs are declared, with BoringSSL's documented prototypes. */
#ifndef PF_BENCH_BORINGSSL_H
#define PF_BENCH_BORINGSSL_H

#include <stddef.h>
#include <stdint.h>

struct bssl_aead_ctx; /* EVP_AEAD_CTX */
struct bssl_aead;     /* EVP_AEAD */

struct bssl {
    const struct bssl_aead *(*aes_128_gcm)(void);
    const struct bssl_aead *(*chacha20_poly1305)(void);
    struct bssl_aead_ctx *(*ctx_new)(const struct bssl_aead *aead, const uint8_t *key,
                                     size_t key_len, size_t tag_len);
    void (*ctx_free)(struct bssl_aead_ctx *ctx);
    int (*seal_scatter)(const struct bssl_aead_ctx *ctx, uint8_t *out, uint8_t *out_tag,
                        size_t *out_tag_len, size_t max_out_tag_len, const uint8_t *nonce,
                        size_t nonce_len, const uint8_t *in, size_t in_len,
                        const uint8_t *extra_in, size_t extra_in_len, const uint8_t *ad,
                        size_t ad_len);
    int (*open_gather)(const struct bssl_aead_ctx *ctx, uint8_t *out, const uint8_t *nonce,
                       size_t nonce_len, const uint8_t *in, size_t in_len,
                       const uint8_t *in_tag, size_t in_tag_len, const uint8_t *ad,
                       size_t ad_len);
};

/* Fills @b from the installed library: 0, or -1 (with the reason in @why) when it is not
 * installed or lacks a symbol. */
int bssl_load(struct bssl *b, char *why, size_t why_len);

#endif
