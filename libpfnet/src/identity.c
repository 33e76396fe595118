/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "pf/core/crypto.h"
#include "pf/core/error.h"

#include "netlog.h"

/* Clients pin this certificate for ever (§3.3): 20 years, as Sunshine does. */
#define CERT_VALIDITY_S (20LL * 365 * 24 * 3600)

void pf_net_identity_destroy(pf_net_identity *id)
{
    if (!id)
        return;
    if (id->pkey)
        gnutls_privkey_deinit(id->pkey);
    if (id->key)
        gnutls_x509_privkey_deinit(id->key);
    if (id->crt)
        gnutls_x509_crt_deinit(id->crt);
    if (id->key_pem) {
        gnutls_memset(id->key_pem, 0, strlen(id->key_pem));
        free(id->key_pem);
    }
    free(id->cert_pem);
    free(id->cert_der);
    free(id);
}

char *pfi_datum_to_str(const gnutls_datum_t *d)
{
    char *s = malloc(d->size + 1);
    if (!s)
        return NULL;
    memcpy(s, d->data, d->size);
    s[d->size] = '\0';
    return s;
}

/* Derives everything the protocol needs from key and certificate once, so the pairing
 * path never re-parses. */
static int finish(pf_net_identity *id)
{
    gnutls_datum_t d = {0};
    if (gnutls_privkey_init(&id->pkey) < 0 ||
        gnutls_privkey_import_x509(id->pkey, id->key, 0) < 0)
        return PF_ERR_CRYPTO;
    if (gnutls_x509_privkey_export2(id->key, GNUTLS_X509_FMT_PEM, &d) < 0)
        return PF_ERR_CRYPTO;
    id->key_pem = pfi_datum_to_str(&d);
    gnutls_memset(d.data, 0, d.size);
    gnutls_free(d.data);
    if (gnutls_x509_crt_export2(id->crt, GNUTLS_X509_FMT_PEM, &d) < 0)
        return PF_ERR_CRYPTO;
    id->cert_pem = pfi_datum_to_str(&d);
    gnutls_free(d.data);
    if (gnutls_x509_crt_export2(id->crt, GNUTLS_X509_FMT_DER, &d) < 0)
        return PF_ERR_CRYPTO;
    id->cert_der = malloc(d.size);
    if (id->cert_der)
        memcpy(id->cert_der, d.data, d.size);
    id->cert_der_len = d.size;
    gnutls_free(d.data);
    if (!id->key_pem || !id->cert_pem || !id->cert_der)
        return PF_ERR_NOMEM;
    size_t sl = sizeof(id->certsig);
    if (gnutls_x509_crt_get_signature(id->crt, (char *)id->certsig, &sl) < 0)
        return PF_ERR_CRYPTO;
    id->certsig_len = sl;
    return 0;
}

static void format_uuid(const uint8_t r[16], char *out)
{
    uint8_t b[16];
    memcpy(b, r, 16);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

int pf_net_identity_create(const char *common_name, pf_net_identity **ret_identity)
{
    pf_assert_return(ret_identity, PF_ERR_INVALID_ARGUMENT);
    const char *cn = common_name && *common_name ? common_name : "punktfunk";
    pf_net_identity *id = calloc(1, sizeof(*id));
    if (!id)
        return PF_ERR_NOMEM;
    int r = PF_ERR_CRYPTO;
    uint8_t rnd[16], serial[8];
    if (gnutls_rnd(GNUTLS_RND_RANDOM, rnd, sizeof(rnd)) < 0 ||
        gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)) < 0)
        goto fail;
    serial[0] &= 0x7f; /* a positive INTEGER */
    format_uuid(rnd, id->uniqueid);
    if (gnutls_x509_privkey_init(&id->key) < 0 ||
        gnutls_x509_privkey_generate(id->key, GNUTLS_PK_RSA, 2048, 0) < 0)
        goto fail;
    time_t now = time(NULL);
    if (gnutls_x509_crt_init(&id->crt) < 0 || gnutls_x509_crt_set_version(id->crt, 3) < 0 ||
        gnutls_x509_crt_set_serial(id->crt, serial, sizeof(serial)) < 0 ||
        gnutls_x509_crt_set_dn_by_oid(id->crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                      (unsigned)strlen(cn)) < 0 ||
        gnutls_x509_crt_set_activation_time(id->crt, now - 3600) < 0 ||
        gnutls_x509_crt_set_expiration_time(id->crt, now + CERT_VALIDITY_S) < 0 ||
        gnutls_x509_crt_set_key(id->crt, id->key) < 0 ||
        gnutls_x509_crt_sign2(id->crt, id->crt, id->key, GNUTLS_DIG_SHA256, 0) < 0)
        goto fail;
    r = finish(id);
    if (r < 0)
        goto fail;
    *ret_identity = id;
    return 0;
fail:
    pf_net_identity_destroy(id);
    return r;
}

static int valid_uniqueid(const char *u)
{
    size_t n = strlen(u);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (u[i] <= ' ' || u[i] > '~' || u[i] == '<' || u[i] == '>' || u[i] == '&')
            return 0;
    return 1;
}

int pf_net_identity_import(const char *key_pem, size_t key_len, const char *cert_pem,
                           size_t cert_len, const char *uniqueid,
                           pf_net_identity **ret_identity)
{
    pf_assert_return(key_pem && cert_pem && uniqueid && ret_identity, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(key_len > 0 && cert_len > 0 && key_len <= UINT32_MAX &&
                         cert_len <= UINT32_MAX,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(valid_uniqueid(uniqueid), PF_ERR_INVALID_ARGUMENT);
    pf_net_identity *id = calloc(1, sizeof(*id));
    if (!id)
        return PF_ERR_NOMEM;
    int r = PF_ERR_MALFORMED;
    gnutls_datum_t kd = {(unsigned char *)key_pem, (unsigned)key_len};
    gnutls_datum_t cd = {(unsigned char *)cert_pem, (unsigned)cert_len};
    if (gnutls_x509_privkey_init(&id->key) < 0 ||
        gnutls_x509_privkey_import2(id->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0) < 0)
        goto fail;
    if (gnutls_x509_crt_init(&id->crt) < 0 ||
        gnutls_x509_crt_import(id->crt, &cd, GNUTLS_X509_FMT_PEM) < 0)
        goto fail;
    /* The certificate must carry this key, or clients would pin a certificate whose
     * signatures we cannot produce. */
    uint8_t kid[64], cid[64];
    size_t kl = sizeof(kid), cl = sizeof(cid);
    if (gnutls_x509_privkey_get_key_id(id->key, GNUTLS_KEYID_USE_SHA256, kid, &kl) < 0 ||
        gnutls_x509_crt_get_key_id(id->crt, GNUTLS_KEYID_USE_SHA256, cid, &cl) < 0 ||
        kl != cl || memcmp(kid, cid, kl) != 0)
        goto fail;
    snprintf(id->uniqueid, sizeof(id->uniqueid), "%s", uniqueid);
    r = finish(id);
    if (r < 0)
        goto fail;
    *ret_identity = id;
    return 0;
fail:
    pf_net_identity_destroy(id);
    return r;
}

const char *pf_net_identity_get_key_pem(const pf_net_identity *id)
{
    return id ? id->key_pem : NULL;
}

const char *pf_net_identity_get_cert_pem(const pf_net_identity *id)
{
    return id ? id->cert_pem : NULL;
}

const char *pf_net_identity_get_uniqueid(const pf_net_identity *id)
{
    return id ? id->uniqueid : NULL;
}

int pfi_identity_sign(const pf_net_identity *id, const uint8_t *data, size_t len, uint8_t *sig,
                      size_t *sig_len)
{
    gnutls_datum_t d = {(unsigned char *)data, (unsigned)len}, s = {0};
    if (gnutls_privkey_sign_data(id->pkey, GNUTLS_DIG_SHA256, 0, &d, &s) < 0)
        return PF_ERR_CRYPTO;
    if (s.size > PFI_SIG_MAX) {
        gnutls_free(s.data);
        return PF_ERR_CRYPTO;
    }
    memcpy(sig, s.data, s.size);
    *sig_len = s.size;
    gnutls_free(s.data);
    return 0;
}

int pfi_peer_cert_parse(const char *pem, size_t len, pfi_peer_cert *ret)
{
    memset(ret, 0, sizeof(*ret));
    if (!pem || len == 0 || len > 65536)
        return PF_ERR_MALFORMED;
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)len}, der = {0};
    if (gnutls_x509_crt_init(&ret->crt) < 0)
        return PF_ERR_NOMEM;
    size_t sl = sizeof(ret->certsig);
    if (gnutls_x509_crt_import(ret->crt, &d, GNUTLS_X509_FMT_PEM) < 0 ||
        gnutls_x509_crt_get_signature(ret->crt, (char *)ret->certsig, &sl) < 0 ||
        gnutls_x509_crt_export2(ret->crt, GNUTLS_X509_FMT_DER, &der) < 0) {
        pfi_peer_cert_clear(ret);
        return PF_ERR_MALFORMED;
    }
    ret->certsig_len = sl;
    ret->der = malloc(der.size);
    if (!ret->der) {
        gnutls_free(der.data);
        pfi_peer_cert_clear(ret);
        return PF_ERR_NOMEM;
    }
    memcpy(ret->der, der.data, der.size);
    ret->der_len = der.size;
    gnutls_free(der.data);
    return 0;
}

void pfi_peer_cert_clear(pfi_peer_cert *cert)
{
    if (cert->crt)
        gnutls_x509_crt_deinit(cert->crt);
    free(cert->der);
    memset(cert, 0, sizeof(*cert));
}

int pfi_peer_cert_verify(const pfi_peer_cert *cert, const uint8_t *data, size_t len,
                         const uint8_t *sig, size_t sig_len)
{
    gnutls_pubkey_t pk;
    if (gnutls_pubkey_init(&pk) < 0)
        return PF_ERR_NOMEM;
    int r = PF_ERR_AUTH;
    gnutls_datum_t d = {(unsigned char *)data, (unsigned)len};
    gnutls_datum_t s = {(unsigned char *)sig, (unsigned)sig_len};
    if (gnutls_pubkey_import_x509(pk, cert->crt, 0) >= 0 &&
        gnutls_pubkey_verify_data2(pk, GNUTLS_SIGN_RSA_SHA256, 0, &d, &s) >= 0)
        r = 0;
    gnutls_pubkey_deinit(pk);
    return r;
}

int pf_net_cert_id(const uint8_t *cert_der, size_t len, char *ret_id)
{
    pf_assert_return(cert_der && len > 0 && ret_id, PF_ERR_INVALID_ARGUMENT);
    uint8_t h[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, cert_der, len, h) < 0)
        return PF_ERR_CRYPTO;
    for (int i = 0; i < 8; i++)
        snprintf(ret_id + 2 * i, 3, "%02x", h[i]);
    return 0;
}

int pf_net_cert_pem_to_der(const char *pem, size_t pem_len, uint8_t *out, size_t out_cap,
                           size_t *ret_len)
{
    pf_assert_return(pem && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pfi_peer_cert c;
    int r = pfi_peer_cert_parse(pem, pem_len, &c);
    if (r < 0)
        return r;
    if (c.der_len > out_cap) {
        pfi_peer_cert_clear(&c);
        return PF_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(out, c.der, c.der_len);
    *ret_len = c.der_len;
    pfi_peer_cert_clear(&c);
    return 0;
}
