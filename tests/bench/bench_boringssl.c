/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench_boringssl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#ifndef PF_BORINGSSL_LIB
#define PF_BORINGSSL_LIB "/usr/lib/x86_64-linux-gnu/android/libcrypto.so.0"
#endif

/* dlsym's void * to a function pointer, without the cast ISO C leaves undefined. */
static int sym(void *h, const char *name, void *fn_ptr, size_t fn_size, char *why,
               size_t why_len)
{
    void *p = dlsym(h, name);
    if (!p) {
        snprintf(why, why_len, "%s has no %s", PF_BORINGSSL_LIB, name);
        return -1;
    }
    memcpy(fn_ptr, &p, fn_size);
    return 0;
}

int bssl_load(struct bssl *b, char *why, size_t why_len)
{
    void *h = dlopen(PF_BORINGSSL_LIB, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!h) {
        snprintf(why, why_len, "%s not loadable (package android-libboringssl)",
                 PF_BORINGSSL_LIB);
        return -1;
    }
    /* Kept loaded for the life of the process. */
    if (sym(h, "EVP_aead_aes_128_gcm", &b->aes_128_gcm, sizeof(b->aes_128_gcm), why,
            why_len) < 0 ||
        sym(h, "EVP_aead_chacha20_poly1305", &b->chacha20_poly1305,
            sizeof(b->chacha20_poly1305), why, why_len) < 0 ||
        sym(h, "EVP_AEAD_CTX_new", &b->ctx_new, sizeof(b->ctx_new), why, why_len) < 0 ||
        sym(h, "EVP_AEAD_CTX_free", &b->ctx_free, sizeof(b->ctx_free), why, why_len) < 0 ||
        sym(h, "EVP_AEAD_CTX_seal_scatter", &b->seal_scatter, sizeof(b->seal_scatter), why,
            why_len) < 0 ||
        sym(h, "EVP_AEAD_CTX_open_gather", &b->open_gather, sizeof(b->open_gather), why,
            why_len) < 0)
        return -1;
    return 0;
}
