/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 certificates (native-protocol.md §1.2): the host's long-lived self-signed
 * ECDSA P-256 certificate, and the SHA-256-of-DER fingerprint both sides pin. GameStream keeps
 * its own RSA identity (identity.c); the two never share a key. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "pf/core/error.h"
#include "pf/net_native.h"

#include "identity.h"
#include "netlog.h"
#include "quic_internal.h"

/* Pinned for ever, like the GameStream certificate: 20 years. */
#define CERT_VALIDITY_S (20LL * 365 * 24 * 3600)

static int is_dns_name(const char *s)
{
    if (!*s || strlen(s) > 253)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.'))
            return 0;
    return 1;
}

static int add_sans(gnutls_x509_crt_t crt, const char *cn)
{
    uint8_t v4[4], v6[16];
    inet_pton(AF_INET, "127.0.0.1", v4);
    inet_pton(AF_INET6, "::1", v6);
    if (is_dns_name(cn) && strcmp(cn, "localhost") != 0 &&
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, cn, (unsigned)strlen(cn),
                                             GNUTLS_FSAN_APPEND) < 0)
        return -1;
    if (gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                             GNUTLS_FSAN_APPEND) < 0 ||
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4,
                                             GNUTLS_FSAN_APPEND) < 0 ||
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, 16,
                                             GNUTLS_FSAN_APPEND) < 0)
        return -1;
    return 0;
}

PF_EXPORT int pf_net_quic_cert_generate(const char *common_name, char **ret_key_pem,
                                        char **ret_cert_pem)
{
    pf_assert_return(ret_key_pem && ret_cert_pem, PF_ERR_INVALID_ARGUMENT);
    const char *cn = common_name && *common_name ? common_name : "punktfunk";
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kd = {0}, cd = {0};
    char *kp = NULL, *cp = NULL;
    int r = PF_ERR_CRYPTO;
    uint8_t serial[16];
    if (gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)) < 0)
        goto out;
    serial[0] &= 0x7f; /* a positive INTEGER */
    time_t now = time(NULL);
    if (gnutls_x509_privkey_init(&key) < 0 ||
        gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
        gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_crt_set_version(crt, 3) < 0 ||
        gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0 ||
        gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                      (unsigned)strlen(cn)) < 0 ||
        gnutls_x509_crt_set_activation_time(crt, now - 3600) < 0 ||
        gnutls_x509_crt_set_expiration_time(crt, now + CERT_VALIDITY_S) < 0 ||
        gnutls_x509_crt_set_key(crt, key) < 0 || add_sans(crt, cn) < 0 ||
        gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0 ||
        gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                          &kd) < 0 ||
        gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd) < 0)
        goto out;
    r = PF_ERR_NOMEM;
    if (!(kp = pfi_datum_to_str(&kd)) || !(cp = pfi_datum_to_str(&cd)))
        goto out;
    *ret_key_pem = kp;
    *ret_cert_pem = cp;
    kp = cp = NULL;
    r = 0;
out:
    if (kd.data) {
        gnutls_memset(kd.data, 0, kd.size);
        gnutls_free(kd.data);
    }
    gnutls_free(cd.data);
    free(kp);
    free(cp);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return r;
}

int pfq_fingerprint_der(const uint8_t *der, size_t len, uint8_t out[32])
{
    return gnutls_hash_fast(GNUTLS_DIG_SHA256, der, len, out) < 0 ? PF_ERR_CRYPTO : 0;
}

PF_EXPORT int pf_net_quic_cert_fingerprint(const char *cert_pem, size_t len,
                                           uint8_t out[PF_NET_QUIC_FINGERPRINT_LEN])
{
    pf_assert_return(cert_pem && out, PF_ERR_INVALID_ARGUMENT);
    gnutls_x509_crt_t crt;
    gnutls_datum_t in = {(unsigned char *)cert_pem, (unsigned)len}, der = {0};
    if (gnutls_x509_crt_init(&crt) < 0)
        return PF_ERR_NOMEM;
    int r = PF_ERR_MALFORMED;
    if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM) >= 0 &&
        gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) >= 0)
        r = pfq_fingerprint_der(der.data, der.size, out);
    gnutls_free(der.data);
    gnutls_x509_crt_deinit(crt);
    return r;
}

PF_EXPORT int pf_net_quic_cert_check_pair(const char *key_pem, const char *cert_pem)
{
    pf_assert_return(key_pem && cert_pem, PF_ERR_INVALID_ARGUMENT);
    gnutls_certificate_credentials_t cred;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return PF_ERR_NOMEM;
    gnutls_datum_t c = {(unsigned char *)cert_pem, (unsigned)strlen(cert_pem)};
    gnutls_datum_t k = {(unsigned char *)key_pem, (unsigned)strlen(key_pem)};
    /* GnuTLS refuses a key that does not match the certificate's public key here. */
    int r = gnutls_certificate_set_x509_key_mem(cred, &c, &k, GNUTLS_X509_FMT_PEM) < 0
                ? PF_ERR_MALFORMED
                : 0;
    gnutls_certificate_free_credentials(cred);
    return r;
}

PF_EXPORT void pf_net_quic_free(void *p)
{
    free(p);
}
