/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_IDENTITY_H
#define PF_NET_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "pf/net.h"

/* RSA-2048 signatures and certificate signature values are 256 bytes; larger keys are
 * accepted from clients up to this size. */
#define PFI_SIG_MAX 512u

struct pf_net_identity {
    gnutls_x509_privkey_t key;
    gnutls_privkey_t pkey;
    gnutls_x509_crt_t crt;
    char *key_pem;
    char *cert_pem;
    uint8_t *cert_der;
    size_t cert_der_len;
    uint8_t certsig[PFI_SIG_MAX];
    size_t certsig_len;
    char uniqueid[65];
};

/* A NUL-terminated malloc'd copy of @p d, or NULL. */
char *pfi_datum_to_str(const gnutls_datum_t *d);

/* PKCS#1 v1.5 with SHA-256 over @p data (pairing phase 3). */
int pfi_identity_sign(const pf_net_identity *id, const uint8_t *data, size_t len, uint8_t *sig,
                      size_t *sig_len);

/* A parsed client certificate: its signature value and public key (pairing phase 4). */
typedef struct pfi_peer_cert {
    gnutls_x509_crt_t crt;
    uint8_t certsig[PFI_SIG_MAX];
    size_t certsig_len;
    uint8_t *der;
    size_t der_len;
} pfi_peer_cert;

int pfi_peer_cert_parse(const char *pem, size_t len, pfi_peer_cert *ret);
void pfi_peer_cert_clear(pfi_peer_cert *cert);
/* 0 when @p sig is a valid RSA-SHA256 signature of @p data by the certificate's key. */
int pfi_peer_cert_verify(const pfi_peer_cert *cert, const uint8_t *data, size_t len,
                         const uint8_t *sig, size_t sig_len);

#endif
