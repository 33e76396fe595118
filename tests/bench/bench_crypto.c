/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-crypto: per-packet AEAD rates against OpenSSL EVP in the same process. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "pf/core/crypto.h"

#include "bench.h"

#define PACKET_BYTES 1400u

static const char usage[] =
    "usage: pf-bench-crypto [--json] [--quick] [--only NAME]\n"
    "  1400-byte packets, one per call, packets/s vs OpenSSL EVP (key set once, IV per packet)\n"
    "  aes128gcm_seal/open, chacha20poly1305_seal: tag stored apart from the ciphertext\n"
    "    (GameStream video layout: tag in front)\n"
    "  aes128gcm_seal_pkf1/open_pkf1: punktfunk/1 datagram, BE64 seq as AAD, tag after the\n"
    "    ciphertext; seal in place, open into a separate buffer\n";

struct pkt {
    uint8_t key[32];
    uint8_t nonce[PF_AEAD_NONCE_BYTES];
    uint8_t in[PACKET_BYTES];
    uint8_t tag[PF_AEAD_TAG_BYTES]; /* GameStream video: tag, then ciphertext */
    uint8_t out[PACKET_BYTES];
    uint8_t dgram[8 + PACKET_BYTES + PF_AEAD_TAG_BYTES]; /* punktfunk/1: seq, ct, tag */
    uint64_t counter;
    /* Where the timed call reads and writes, per shape (set by layout()). */
    const uint8_t *aad, *src;
    uint8_t *dst, *tagp;
    size_t aad_len;
};

/* A new nonce per packet, as a sender builds it from its sequence number. */
static void next_nonce(struct pkt *p)
{
    uint64_t c = ++p->counter;
    for (int i = 0; i < 8; i++)
        p->nonce[4 + i] = (uint8_t)(c >> (56 - 8 * i));
}

struct ours {
    struct pkt p;
    pf_aead *aead;
    int failed;
};

static void ours_seal(void *ctx)
{
    struct ours *o = ctx;
    next_nonce(&o->p);
    o->failed |= pf_aead_seal(o->aead, o->p.nonce, o->p.aad, o->p.aad_len, o->p.src,
                              PACKET_BYTES, o->p.dst, o->p.tagp) != 0;
    bench_consume(o->p.dst, PACKET_BYTES);
}

static void ours_open(void *ctx)
{
    struct ours *o = ctx;
    /* One sealed packet opened again and again: the nonce stays that packet's. */
    o->failed |= pf_aead_open(o->aead, o->p.nonce, o->p.aad, o->p.aad_len, o->p.src,
                              PACKET_BYTES, o->p.tagp, o->p.dst) != 0;
    bench_consume(o->p.dst, PACKET_BYTES);
}

struct ref {
    struct pkt p;
    EVP_CIPHER_CTX *enc, *dec;
    int failed;
};

static void ref_seal(void *ctx)
{
    struct ref *r = ctx;
    next_nonce(&r->p);
    int n = 0, ok = 1;
    ok &= EVP_EncryptInit_ex(r->enc, NULL, NULL, NULL, r->p.nonce);
    if (r->p.aad_len)
        ok &= EVP_EncryptUpdate(r->enc, NULL, &n, r->p.aad, (int)r->p.aad_len);
    ok &= EVP_EncryptUpdate(r->enc, r->p.dst, &n, r->p.src, PACKET_BYTES);
    ok &= EVP_EncryptFinal_ex(r->enc, r->p.dst + n, &n);
    ok &= EVP_CIPHER_CTX_ctrl(r->enc, EVP_CTRL_AEAD_GET_TAG, PF_AEAD_TAG_BYTES, r->p.tagp);
    r->failed |= !ok;
    bench_consume(r->p.dst, PACKET_BYTES);
}

static void ref_open(void *ctx)
{
    struct ref *r = ctx;
    int n = 0, ok = 1;
    ok &= EVP_DecryptInit_ex(r->dec, NULL, NULL, NULL, r->p.nonce);
    if (r->p.aad_len)
        ok &= EVP_DecryptUpdate(r->dec, NULL, &n, r->p.aad, (int)r->p.aad_len);
    ok &= EVP_DecryptUpdate(r->dec, r->p.dst, &n, r->p.src, PACKET_BYTES);
    ok &= EVP_CIPHER_CTX_ctrl(r->dec, EVP_CTRL_AEAD_SET_TAG, PF_AEAD_TAG_BYTES, r->p.tagp);
    ok &= EVP_DecryptFinal_ex(r->dec, r->p.dst + n, &n) > 0;
    r->failed |= !ok;
    bench_consume(r->p.dst, PACKET_BYTES);
}

struct shape {
    const char *name;
    uint32_t alg;
    int open, pkf1;
};

/* Points the timed calls at this shape's buffers; sealing layouts first (see setup()). */
static void layout(struct pkt *p, const struct shape *s, int open)
{
    if (s->pkf1) {
        p->aad = p->dgram;
        p->aad_len = 8;
        p->src = p->dgram + 8;
        p->dst = open ? p->out : p->dgram + 8;
        p->tagp = p->dgram + 8 + PACKET_BYTES;
    } else {
        p->aad = NULL;
        p->aad_len = 0;
        p->src = p->in;
        p->dst = p->out;
        p->tagp = p->tag;
    }
}

static int setup(const struct shape *s, struct ours *o, struct ref *r)
{
    memset(o, 0, sizeof(*o));
    bench_fill(o->p.key, sizeof(o->p.key), 1);
    bench_fill(o->p.nonce, sizeof(o->p.nonce), 2);
    bench_fill(o->p.in, sizeof(o->p.in), 4);
    bench_fill(o->p.dgram, sizeof(o->p.dgram), 5);
    size_t key_len = s->alg == PF_AEAD_AES128_GCM ? PF_AES128_KEY_BYTES
                                                  : PF_CHACHA20_POLY1305_KEY_BYTES;
    if (pf_aead_create(NULL, s->alg, o->p.key, key_len, &o->aead) != 0)
        return -1;

    memset(r, 0, sizeof(*r));
    r->p = o->p;
    layout(&o->p, s, 0);
    layout(&r->p, s, 0);
    const EVP_CIPHER *c = s->alg == PF_AEAD_AES128_GCM ? EVP_aes_128_gcm()
                                                       : EVP_chacha20_poly1305();
    r->enc = EVP_CIPHER_CTX_new();
    r->dec = EVP_CIPHER_CTX_new();
    if (!r->enc || !r->dec || !EVP_EncryptInit_ex(r->enc, c, NULL, r->p.key, NULL) ||
        !EVP_DecryptInit_ex(r->dec, c, NULL, r->p.key, NULL))
        return -1;

    /* Both sides must produce the same packet before either is timed. */
    ours_seal(o);
    ref_seal(r);
    if (o->failed || r->failed || memcmp(o->p.dst, r->p.dst, PACKET_BYTES) != 0 ||
        memcmp(o->p.tagp, r->p.tagp, PF_AEAD_TAG_BYTES) != 0)
        return -1;
    if (s->open) {
        /* The GameStream-layout open reads the sealed packet from in; pkf1 reads the
         * datagram in place and decrypts into out. */
        if (!s->pkf1) {
            memcpy(o->p.in, o->p.out, PACKET_BYTES);
            memcpy(r->p.in, r->p.out, PACKET_BYTES);
        }
        layout(&o->p, s, 1);
        layout(&r->p, s, 1);
        ours_open(o);
        ref_open(r);
        if (o->failed || r->failed || memcmp(o->p.dst, r->p.dst, PACKET_BYTES) != 0)
            return -1;
    }
    return 0;
}

static void teardown(struct ours *o, struct ref *r)
{
    pf_aead_destroy(o->aead);
    EVP_CIPHER_CTX_free(r->enc);
    EVP_CIPHER_CTX_free(r->dec);
}

static int run_shape(const struct bench_opts *opts, const struct shape *s)
{
    if (!bench_selected(opts, s->name))
        return 0;
    static struct ours o;
    static struct ref r;
    if (setup(s, &o, &r) != 0) {
        fprintf(stderr, "%s: setup or cross-check against OpenSSL failed\n", s->name);
        teardown(&o, &r);
        return 1;
    }
    struct bench_side a = {s->open ? ours_open : ours_seal, &o};
    struct bench_side b = {s->open ? ref_open : ref_seal, &r};
    double ours_rate = 0, ref_rate = 0;
    bench_compare(opts, a, b, &ours_rate, &ref_rate);
    int failed = o.failed || r.failed;
    teardown(&o, &r);
    if (failed) {
        fprintf(stderr, "%s: a call failed while timing\n", s->name);
        return 1;
    }
    bench_report(opts, s->name, 0, 0, "bytes", PACKET_BYTES, ours_rate, "packets/s", "openssl",
                 ref_rate);
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_opts opts;
    int r = bench_parse_args(argc, argv, &opts, usage);
    if (r != 0)
        return r > 0 ? 0 : 2;
    static const struct shape shapes[] = {
        {"aes128gcm_seal", PF_AEAD_AES128_GCM, 0, 0},
        {"aes128gcm_open", PF_AEAD_AES128_GCM, 1, 0},
        {"aes128gcm_seal_pkf1", PF_AEAD_AES128_GCM, 0, 1},
        {"aes128gcm_open_pkf1", PF_AEAD_AES128_GCM, 1, 1},
        {"chacha20poly1305_seal", PF_AEAD_CHACHA20_POLY1305, 0, 0},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
        failed |= run_shape(&opts, &shapes[i]);
    return failed ? 1 : 0;
}
