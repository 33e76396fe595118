/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-crypto: per-message AEAD rates against OpenSSL EVP and, where Debian's
 * android-libboringssl is installed, BoringSSL's EVP_AEAD, each interleaved with ours in the
 * same process. Messages of 64 B, 1400 B and 16 KiB, with buffers on 64-byte boundaries and
 * moved off them. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/crypto.h"

#include "bench.h"
#include "bench_boringssl.h"

#define MAX_BYTES 16384u

static const char usage[] =
    "usage: pf-bench-crypto [--json] [--quick] [--only NAME]\n"
    "  one message per call, messages/s vs OpenSSL EVP and BoringSSL EVP_AEAD (key set once,\n"
    "  nonce per message); bytes= gives the message size\n"
    "  aes128gcm_seal/open, chacha20poly1305_seal: tag stored apart from the ciphertext\n"
    "    (GameStream video layout); _unaligned: input at +1 and output at +3 bytes from a\n"
    "    64-byte boundary\n"
    "  aes128gcm_seal_pkf1/open_pkf1: punktfunk/1 datagram, BE64 seq as AAD, tag after the\n"
    "    ciphertext; seal in place, open into a separate buffer\n";

struct shape {
    const char *name;
    uint32_t alg;
    int open, pkf1, unaligned;
    size_t len;
};

struct pkt {
    uint8_t key[32];
    uint8_t nonce[PF_AEAD_NONCE_BYTES];
    uint8_t *mem;  /* 64-byte aligned backing store of the buffers below */
    uint8_t *in;   /* plaintext (sealing) or ciphertext (opening) */
    uint8_t *out;
    uint8_t *dgram; /* punktfunk/1: seq, ciphertext, tag */
    uint8_t tag[PF_AEAD_TAG_BYTES];
    uint64_t counter;
    size_t len;
    /* Where the timed call reads and writes, per shape (set by layout()). */
    const uint8_t *aad, *src;
    uint8_t *dst, *tagp;
    size_t aad_len;
};

/* A new nonce per message, as a sender builds it from its sequence number. */
static void next_nonce(struct pkt *p)
{
    uint64_t c = ++p->counter;
    for (int i = 0; i < 8; i++)
        p->nonce[4 + i] = (uint8_t)(c >> (56 - 8 * i));
}

enum { REGION = MAX_BYTES + 128 };

static int pkt_init(struct pkt *p, const struct shape *s)
{
    memset(p, 0, sizeof(*p));
    p->mem = aligned_alloc(64, 3 * REGION);
    if (!p->mem)
        return -1;
    p->in = p->mem + (s->unaligned ? 1 : 0);
    p->out = p->mem + REGION + (s->unaligned ? 3 : 0);
    p->dgram = p->mem + 2 * REGION;
    p->len = s->len;
    bench_fill(p->key, sizeof(p->key), 1);
    bench_fill(p->nonce, sizeof(p->nonce), 2);
    bench_fill(p->in, s->len, 4);
    bench_fill(p->dgram, 8 + s->len + PF_AEAD_TAG_BYTES, 5);
    return 0;
}

/* Points the timed calls at this shape's buffers; sealing layouts first (see setup()). */
static void layout(struct pkt *p, const struct shape *s, int open)
{
    if (s->pkf1) {
        p->aad = p->dgram;
        p->aad_len = 8;
        p->src = p->dgram + 8;
        p->dst = open ? p->out : p->dgram + 8;
        p->tagp = p->dgram + 8 + p->len;
    } else {
        p->aad = NULL;
        p->aad_len = 0;
        p->src = p->in;
        p->dst = p->out;
        p->tagp = p->tag;
    }
}

struct side {
    struct pkt p;
    pf_aead *aead;                /* ours */
    EVP_CIPHER_CTX *enc, *dec;    /* OpenSSL */
    const struct bssl *bssl;      /* BoringSSL */
    struct bssl_aead_ctx *bctx;
    int failed;
};

static void ours_seal(void *ctx)
{
    struct side *o = ctx;
    next_nonce(&o->p);
    o->failed |= pf_aead_seal(o->aead, o->p.nonce, o->p.aad, o->p.aad_len, o->p.src, o->p.len,
                              o->p.dst, o->p.tagp) != 0;
    bench_consume(o->p.dst, o->p.len);
}

static void ours_open(void *ctx)
{
    struct side *o = ctx;
    /* One sealed message opened again and again: the nonce stays that message's. */
    o->failed |= pf_aead_open(o->aead, o->p.nonce, o->p.aad, o->p.aad_len, o->p.src, o->p.len,
                              o->p.tagp, o->p.dst) != 0;
    bench_consume(o->p.dst, o->p.len);
}

static void openssl_seal(void *ctx)
{
    struct side *r = ctx;
    next_nonce(&r->p);
    int n = 0, ok = 1;
    ok &= EVP_EncryptInit_ex(r->enc, NULL, NULL, NULL, r->p.nonce);
    if (r->p.aad_len)
        ok &= EVP_EncryptUpdate(r->enc, NULL, &n, r->p.aad, (int)r->p.aad_len);
    ok &= EVP_EncryptUpdate(r->enc, r->p.dst, &n, r->p.src, (int)r->p.len);
    ok &= EVP_EncryptFinal_ex(r->enc, r->p.dst + n, &n);
    ok &= EVP_CIPHER_CTX_ctrl(r->enc, EVP_CTRL_AEAD_GET_TAG, PF_AEAD_TAG_BYTES, r->p.tagp);
    r->failed |= !ok;
    bench_consume(r->p.dst, r->p.len);
}

static void openssl_open(void *ctx)
{
    struct side *r = ctx;
    int n = 0, ok = 1;
    ok &= EVP_DecryptInit_ex(r->dec, NULL, NULL, NULL, r->p.nonce);
    if (r->p.aad_len)
        ok &= EVP_DecryptUpdate(r->dec, NULL, &n, r->p.aad, (int)r->p.aad_len);
    ok &= EVP_DecryptUpdate(r->dec, r->p.dst, &n, r->p.src, (int)r->p.len);
    ok &= EVP_CIPHER_CTX_ctrl(r->dec, EVP_CTRL_AEAD_SET_TAG, PF_AEAD_TAG_BYTES, r->p.tagp);
    ok &= EVP_DecryptFinal_ex(r->dec, r->p.dst + n, &n) > 0;
    r->failed |= !ok;
    bench_consume(r->p.dst, r->p.len);
}

static void bssl_seal(void *ctx)
{
    struct side *r = ctx;
    next_nonce(&r->p);
    size_t tag_len = 0;
    r->failed |= !r->bssl->seal_scatter(r->bctx, r->p.dst, r->p.tagp, &tag_len,
                                        PF_AEAD_TAG_BYTES, r->p.nonce, PF_AEAD_NONCE_BYTES,
                                        r->p.src, r->p.len, NULL, 0, r->p.aad, r->p.aad_len);
    bench_consume(r->p.dst, r->p.len);
}

static void bssl_open(void *ctx)
{
    struct side *r = ctx;
    r->failed |= !r->bssl->open_gather(r->bctx, r->p.dst, r->p.nonce, PF_AEAD_NONCE_BYTES,
                                       r->p.src, r->p.len, r->p.tagp, PF_AEAD_TAG_BYTES,
                                       r->p.aad, r->p.aad_len);
    bench_consume(r->p.dst, r->p.len);
}

enum ref_kind { REF_OPENSSL, REF_BORINGSSL };

static int side_init(struct side *x, const struct shape *s, int ours, enum ref_kind kind,
                     const struct bssl *bssl)
{
    memset(x, 0, sizeof(*x));
    if (pkt_init(&x->p, s) != 0)
        return -1;
    layout(&x->p, s, 0);
    const int gcm = s->alg == PF_AEAD_AES128_GCM;
    const size_t key_len = gcm ? PF_AES128_KEY_BYTES : PF_CHACHA20_POLY1305_KEY_BYTES;
    if (ours)
        return pf_aead_create(NULL, s->alg, x->p.key, key_len, &x->aead) == 0 ? 0 : -1;
    if (kind == REF_BORINGSSL) {
        x->bssl = bssl;
        x->bctx = bssl->ctx_new(gcm ? bssl->aes_128_gcm() : bssl->chacha20_poly1305(),
                                x->p.key, key_len, PF_AEAD_TAG_BYTES);
        return x->bctx ? 0 : -1;
    }
    const EVP_CIPHER *c = gcm ? EVP_aes_128_gcm() : EVP_chacha20_poly1305();
    x->enc = EVP_CIPHER_CTX_new();
    x->dec = EVP_CIPHER_CTX_new();
    if (!x->enc || !x->dec || !EVP_EncryptInit_ex(x->enc, c, NULL, x->p.key, NULL) ||
        !EVP_DecryptInit_ex(x->dec, c, NULL, x->p.key, NULL))
        return -1;
    return 0;
}

static void side_finish(struct side *x)
{
    pf_aead_destroy(x->aead);
    EVP_CIPHER_CTX_free(x->enc);
    EVP_CIPHER_CTX_free(x->dec);
    if (x->bctx)
        x->bssl->ctx_free(x->bctx);
    free(x->p.mem);
    memset(x, 0, sizeof(*x));
}

static bench_body seal_of(const struct side *x)
{
    return x->aead ? ours_seal : x->bctx ? bssl_seal : openssl_seal;
}

static bench_body open_of(const struct side *x)
{
    return x->aead ? ours_open : x->bctx ? bssl_open : openssl_open;
}

/* Both sides must produce the same message before either is timed; an open shape then
 * points both at their sealed copy. */
static int cross_check(const struct shape *s, struct side *o, struct side *r)
{
    seal_of(o)(o);
    seal_of(r)(r);
    const size_t len = s->len;
    if (o->failed || r->failed || memcmp(o->p.dst, r->p.dst, len) != 0 ||
        memcmp(o->p.tagp, r->p.tagp, PF_AEAD_TAG_BYTES) != 0)
        return -1;
    if (!s->open)
        return 0;
    /* The GameStream-layout open reads the sealed message from in; pkf1 reads the
     * datagram in place and decrypts into out. */
    if (!s->pkf1) {
        memcpy(o->p.in, o->p.out, len);
        memcpy(r->p.in, r->p.out, len);
    }
    layout(&o->p, s, 1);
    layout(&r->p, s, 1);
    open_of(o)(o);
    open_of(r)(r);
    return o->failed || r->failed || memcmp(o->p.dst, r->p.dst, len) != 0 ? -1 : 0;
}

static int run_pair(const struct bench_opts *opts, const struct shape *s, enum ref_kind kind,
                    const struct bssl *bssl, const char *ref_name)
{
    static struct side o, r;
    int failed = side_init(&o, s, 1, kind, bssl) != 0 || side_init(&r, s, 0, kind, bssl) != 0 ||
                 cross_check(s, &o, &r) != 0;
    if (failed) {
        fprintf(stderr, "%s: setup or cross-check against %s failed\n", s->name, ref_name);
    } else {
        struct bench_side a = {s->open ? open_of(&o) : seal_of(&o), &o};
        struct bench_side b = {s->open ? open_of(&r) : seal_of(&r), &r};
        double ours_rate = 0, ref_rate = 0;
        bench_compare(opts, a, b, &ours_rate, &ref_rate);
        if (o.failed || r.failed) {
            fprintf(stderr, "%s: a call failed while timing\n", s->name);
            failed = 1;
        } else {
            bench_report(opts, s->name, 0, 0, "bytes", s->len, ours_rate, "msgs/s", ref_name,
                         ref_rate);
        }
    }
    side_finish(&o);
    side_finish(&r);
    return failed;
}

int main(int argc, char **argv)
{
    struct bench_opts opts;
    int r = bench_parse_args(argc, argv, &opts, usage);
    if (r != 0)
        return r > 0 ? 0 : 2;

    opts.thread_cpu = true; /* single-threaded: immune to other processes' time slices */
    struct bssl bssl;
    char why[256] = "";
    const int have_bssl = bssl_load(&bssl, why, sizeof(why)) == 0;
    char legend[1024];
    snprintf(legend, sizeof(legend),
             "openssl-3: %s (Debian libssl3), EVP with the key set once\n"
             "boringssl-debian: %s%s\n",
             OpenSSL_version(OPENSSL_VERSION),
             have_bssl ? "BoringSSL as Debian's android-libboringssl ships it (an Android "
                         "snapshot: 128-bit AES-NI/PCLMULQDQ code, no VAES), EVP_AEAD "
                         "seal_scatter/open_gather"
                       : "not measured: ",
             have_bssl ? "" : why);
    bench_print_env(&opts, legend);

    static const size_t sizes[] = {64, 1400, MAX_BYTES};
    enum { N_SHAPES = 3 * 2 * 2 + 3 };
    struct shape shapes[N_SHAPES];
    size_t n = 0;
    for (int unaligned = 0; unaligned < 2; unaligned++)
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
            for (int open = 0; open < 2; open++)
                shapes[n++] = (struct shape){
                    open ? (unaligned ? "aes128gcm_open_unaligned" : "aes128gcm_open")
                         : (unaligned ? "aes128gcm_seal_unaligned" : "aes128gcm_seal"),
                    PF_AEAD_AES128_GCM, open, 0, unaligned, sizes[i]};
    shapes[n++] = (struct shape){"aes128gcm_seal_pkf1", PF_AEAD_AES128_GCM, 0, 1, 0, 1400};
    shapes[n++] = (struct shape){"aes128gcm_open_pkf1", PF_AEAD_AES128_GCM, 1, 1, 0, 1400};
    shapes[n++] = (struct shape){"chacha20poly1305_seal", PF_AEAD_CHACHA20_POLY1305, 0, 0, 0,
                                 1400};

    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!bench_selected(&opts, shapes[i].name))
            continue;
        failed |= run_pair(&opts, &shapes[i], REF_OPENSSL, NULL, "openssl-3");
        if (have_bssl)
            failed |= run_pair(&opts, &shapes[i], REF_BORINGSSL, &bssl, "boringssl-debian");
    }
    return failed ? 1 : 0;
}
