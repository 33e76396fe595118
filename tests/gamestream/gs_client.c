/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gs_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <nettle/aes.h>

static char *datum_str(gnutls_datum_t *d)
{
    char *s = malloc(d->size + 1);
    memcpy(s, d->data, d->size);
    s[d->size] = '\0';
    gnutls_free(d->data);
    return s;
}

int gsc_identity_create(gsc_identity *id)
{
    memset(id, 0, sizeof(*id));
    gnutls_x509_privkey_t k;
    /* qt and embedded use serial 0, which GnuTLS refuses to write; the serial-0 case is
     * covered by a stored OpenSSL-made certificate (gsc_identity_load). */
    static const uint8_t serial1[1] = {1};
    const char *cn = "NVIDIA GameStream Client";
    time_t now = time(NULL);
    gnutls_datum_t d;
    if (gnutls_x509_privkey_init(&k) < 0 ||
        gnutls_x509_privkey_generate(k, GNUTLS_PK_RSA, 2048, 0) < 0 ||
        gnutls_x509_crt_init(&id->crt) < 0 || gnutls_x509_crt_set_version(id->crt, 3) < 0 ||
        gnutls_x509_crt_set_serial(id->crt, serial1, 1) < 0 ||
        gnutls_x509_crt_set_dn_by_oid(id->crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                      (unsigned)strlen(cn)) < 0 ||
        gnutls_x509_crt_set_activation_time(id->crt, now) < 0 ||
        gnutls_x509_crt_set_expiration_time(id->crt, now + 20LL * 365 * 86400) < 0 ||
        gnutls_x509_crt_set_key(id->crt, k) < 0 ||
        gnutls_x509_crt_sign2(id->crt, id->crt, k, GNUTLS_DIG_SHA256, 0) < 0)
        return -1;
    if (gnutls_x509_crt_export2(id->crt, GNUTLS_X509_FMT_PEM, &d) < 0)
        return -1;
    id->cert_pem = datum_str(&d);
    if (gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &d) < 0)
        return -1;
    id->key_pem = datum_str(&d);
    if (gnutls_privkey_init(&id->key) < 0 || gnutls_privkey_import_x509(id->key, k, GNUTLS_PRIVKEY_IMPORT_COPY) < 0)
        return -1;
    gnutls_x509_privkey_deinit(k);
    size_t sl = sizeof(id->certsig);
    if (gnutls_x509_crt_get_signature(id->crt, (char *)id->certsig, &sl) < 0)
        return -1;
    id->certsig_len = sl;
    return 0;
}

int gsc_identity_load(gsc_identity *id, const char *cert_pem, const char *key_pem)
{
    memset(id, 0, sizeof(*id));
    id->cert_pem = strdup(cert_pem);
    id->key_pem = strdup(key_pem);
    gnutls_datum_t cd = {(unsigned char *)id->cert_pem, (unsigned)strlen(cert_pem)};
    gnutls_datum_t kd = {(unsigned char *)id->key_pem, (unsigned)strlen(key_pem)};
    size_t sl = sizeof(id->certsig);
    if (gnutls_x509_crt_init(&id->crt) < 0 ||
        gnutls_x509_crt_import(id->crt, &cd, GNUTLS_X509_FMT_PEM) < 0 ||
        gnutls_privkey_init(&id->key) < 0 ||
        gnutls_privkey_import_x509_raw(id->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0) < 0 ||
        gnutls_x509_crt_get_signature(id->crt, (char *)id->certsig, &sl) < 0)
        return -1;
    id->certsig_len = sl;
    return 0;
}

void gsc_identity_free(gsc_identity *id)
{
    free(id->cert_pem);
    free(id->key_pem);
    if (id->crt)
        gnutls_x509_crt_deinit(id->crt);
    if (id->key)
        gnutls_privkey_deinit(id->key);
    memset(id, 0, sizeof(*id));
}

char *gsc_hex(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++)
        snprintf(s + 2 * i, 3, "%02X", b[i]); /* upper case, as Android sends */
    s[2 * n] = '\0';
    return s;
}

int gsc_unhex(const char *hex, uint8_t *out, size_t cap, size_t *ret_len)
{
    size_t n = hex ? strlen(hex) : 0;
    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    *ret_len = n / 2;
    return 0;
}

char *gsc_xml_get(const char *xml, const char *tag)
{
    char open[64], close[64];
    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    const char *a = xml ? strstr(xml, open) : NULL;
    if (!a)
        return NULL;
    a += strlen(open);
    const char *b = strstr(a, close);
    if (!b)
        return NULL;
    char *s = malloc((size_t)(b - a) + 1);
    memcpy(s, a, (size_t)(b - a));
    s[b - a] = '\0';
    return s;
}

int gsc_xml_status(const char *xml)
{
    const char *p = xml ? strstr(xml, "<root status_code=\"") : NULL;
    int v;
    if (!p || sscanf(p + 19, "%d", &v) != 1)
        return -1;
    return v;
}

static void ecb(const uint8_t key[16], int enc, const uint8_t *in, size_t n, uint8_t *out)
{
    struct aes128_ctx c;
    if (enc) {
        aes128_set_encrypt_key(&c, key);
        aes128_encrypt(&c, n, out, in);
    } else {
        aes128_set_decrypt_key(&c, key);
        aes128_decrypt(&c, n, out, in);
    }
}

static void sha256(const uint8_t *in, size_t n, uint8_t out[32])
{
    gnutls_hash_fast(GNUTLS_DIG_SHA256, in, n, out);
}

void gsc_pair_init(gsc_pair *p, const gsc_identity *id, const char *pin, const char *uniqueid)
{
    memset(p, 0, sizeof(*p));
    p->id = id;
    snprintf(p->pin, sizeof(p->pin), "%s", pin);
    snprintf(p->uniqueid, sizeof(p->uniqueid), "%s", uniqueid);
}

void gsc_pair_free(gsc_pair *p)
{
    free(p->server_cert_pem);
    memset(p, 0, sizeof(*p));
}

static char *fmt_path(const gsc_pair *p, const char *extra)
{
    size_t n = strlen(extra) + 200;
    char *s = malloc(n);
    snprintf(s, n,
             "/pair?uniqueid=%s&uuid=0f1e2d3c4b5a69788796a5b4c3d2e1f0&devicename=roth&"
             "updateState=1&%s",
             p->uniqueid, extra);
    return s;
}

char *gsc_pair_phase1(gsc_pair *p)
{
    if (!p->fixed)
        gnutls_rnd(GNUTLS_RND_NONCE, p->salt, 16);
    uint8_t buf[20], h[32];
    memcpy(buf, p->salt, 16);
    memcpy(buf + 16, p->pin, 4);
    sha256(buf, 20, h);
    memcpy(p->key, h, 16);
    char *salt = gsc_hex(p->salt, 16);
    char *cert = gsc_hex((const uint8_t *)p->id->cert_pem, strlen(p->id->cert_pem));
    size_t n = strlen(cert) + 200;
    char *q = malloc(n);
    snprintf(q, n, "phrase=getservercert&salt=%s&clientcert=%s", salt, cert);
    char *path = fmt_path(p, q);
    free(q);
    free(salt);
    free(cert);
    return path;
}

int gsc_pair_phase1_reply(gsc_pair *p, const char *xml)
{
    char *paired = gsc_xml_get(xml, "paired"), *hex = gsc_xml_get(xml, "plaincert");
    int ok = paired && !strcmp(paired, "1") && hex && *hex;
    free(paired);
    if (!ok) {
        free(hex);
        return GSC_BAD_REPLY;
    }
    size_t n = strlen(hex) / 2, got;
    p->server_cert_pem = malloc(n + 1);
    if (gsc_unhex(hex, (uint8_t *)p->server_cert_pem, n, &got) < 0) {
        free(hex);
        return GSC_BAD_REPLY;
    }
    free(hex);
    p->server_cert_pem[got] = '\0';
    gnutls_x509_crt_t crt;
    gnutls_datum_t d = {(unsigned char *)p->server_cert_pem, (unsigned)got};
    size_t sl = sizeof(p->server_certsig);
    int r = gnutls_x509_crt_init(&crt) >= 0 &&
                    gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) >= 0 &&
                    gnutls_x509_crt_get_signature(crt, (char *)p->server_certsig, &sl) >= 0
                ? GSC_OK
                : GSC_BAD_REPLY;
    p->server_certsig_len = sl;
    gnutls_x509_crt_deinit(crt);
    return r;
}

char *gsc_pair_phase2(gsc_pair *p)
{
    uint8_t enc[16];
    if (!p->fixed)
        gnutls_rnd(GNUTLS_RND_NONCE, p->cc, 16);
    ecb(p->key, 1, p->cc, 16, enc);
    char *hex = gsc_hex(enc, 16), q[80];
    snprintf(q, sizeof(q), "clientchallenge=%s", hex);
    free(hex);
    return fmt_path(p, q);
}

int gsc_pair_phase2_reply(gsc_pair *p, const char *xml)
{
    char *hex = gsc_xml_get(xml, "challengeresponse");
    uint8_t enc[48], plain[48];
    size_t n;
    int r = hex && gsc_unhex(hex, enc, sizeof(enc), &n) == 0 && n == 48 ? GSC_OK : GSC_BAD_REPLY;
    free(hex);
    if (r != GSC_OK)
        return r;
    ecb(p->key, 0, enc, 48, plain);
    memcpy(p->server_response, plain, 32);
    memcpy(p->serverchal, plain + 32, 16);
    return GSC_OK;
}

char *gsc_pair_phase3(gsc_pair *p)
{
    gnutls_rnd(GNUTLS_RND_NONCE, p->clientsecret, 16);
    uint8_t in[16 + 512 + 16], h[32], enc[32];
    memcpy(in, p->serverchal, 16);
    memcpy(in + 16, p->id->certsig, p->id->certsig_len);
    memcpy(in + 16 + p->id->certsig_len, p->clientsecret, 16);
    sha256(in, 32 + p->id->certsig_len, h);
    ecb(p->key, 1, h, 32, enc);
    char *hex = gsc_hex(enc, 32), q[120];
    snprintf(q, sizeof(q), "serverchallengeresp=%s", hex);
    free(hex);
    return fmt_path(p, q);
}

int gsc_pair_phase3_reply(gsc_pair *p, const char *xml)
{
    char *hex = gsc_xml_get(xml, "pairingsecret");
    uint8_t buf[16 + 512];
    size_t n;
    int ok = hex && gsc_unhex(hex, buf, sizeof(buf), &n) == 0 && n > 16;
    free(hex);
    if (!ok)
        return GSC_BAD_REPLY;
    /* Check 1: the host signed its secret with the key of the certificate it sent. */
    gnutls_x509_crt_t crt;
    gnutls_pubkey_t pk;
    gnutls_datum_t d = {(unsigned char *)p->server_cert_pem,
                        (unsigned)strlen(p->server_cert_pem)};
    gnutls_datum_t data = {buf, 16}, sig = {buf + 16, (unsigned)(n - 16)};
    int sig_ok = gnutls_x509_crt_init(&crt) >= 0 &&
                 gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) >= 0 &&
                 gnutls_pubkey_init(&pk) >= 0 && gnutls_pubkey_import_x509(pk, crt, 0) >= 0 &&
                 gnutls_pubkey_verify_data2(pk, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig) >= 0;
    gnutls_pubkey_deinit(pk);
    gnutls_x509_crt_deinit(crt);
    if (!sig_ok)
        return GSC_MITM;
    /* Check 2: H(cc ‖ certsig(Cs) ‖ serversecret) matches what the host sent in phase 2. */
    uint8_t in[16 + 512 + 16], h[32];
    memcpy(in, p->cc, 16);
    memcpy(in + 16, p->server_certsig, p->server_certsig_len);
    memcpy(in + 16 + p->server_certsig_len, buf, 16);
    sha256(in, 32 + p->server_certsig_len, h);
    return memcmp(h, p->server_response, 32) == 0 ? GSC_OK : GSC_WRONG_PIN;
}

char *gsc_pair_phase4(gsc_pair *p)
{
    gnutls_datum_t data = {p->clientsecret, 16}, sig = {0};
    if (gnutls_privkey_sign_data(p->id->key, GNUTLS_DIG_SHA256, 0, &data, &sig) < 0)
        return NULL;
    uint8_t buf[16 + 512];
    memcpy(buf, p->clientsecret, 16);
    memcpy(buf + 16, sig.data, sig.size);
    char *hex = gsc_hex(buf, 16 + sig.size);
    gnutls_free(sig.data);
    size_t n = strlen(hex) + 40;
    char *q = malloc(n);
    snprintf(q, n, "clientpairingsecret=%s", hex);
    free(hex);
    char *path = fmt_path(p, q);
    free(q);
    return path;
}
