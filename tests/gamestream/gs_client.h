/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_GS_CLIENT_H
#define PF_TEST_GS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

/* What a Moonlight client does before streaming (gamestream-protocol.md §2-§3), written
 * independently of libpfnet: its own certificate, its own crypto (Nettle, GnuTLS) and its
 * own XML reading, so a host bug cannot hide behind a shared implementation. */

typedef struct gsc_identity {
    char *cert_pem;
    char *key_pem;
    gnutls_x509_crt_t crt;
    gnutls_privkey_t key;
    uint8_t certsig[512];
    size_t certsig_len;
} gsc_identity;

/* RSA-2048, self-signed SHA-256, CN "NVIDIA GameStream Client", as qt/embedded make. */
int gsc_identity_create(gsc_identity *id);
/* From stored PEM text (e.g. an OpenSSL-made serial-0 certificate). */
int gsc_identity_load(gsc_identity *id, const char *cert_pem, const char *key_pem);
void gsc_identity_free(gsc_identity *id);

typedef struct gsc_pair {
    const gsc_identity *id;
    char pin[5];
    char uniqueid[32];
    uint8_t salt[16];
    uint8_t key[16];
    uint8_t cc[16];
    uint8_t server_response[32];
    uint8_t serverchal[16];
    uint8_t clientsecret[16];
    char *server_cert_pem;
    uint8_t server_certsig[512];
    size_t server_certsig_len;
    int fixed; /* tests: use salt and cc as preset instead of random ones */
} gsc_pair;

#define GSC_OK 0
#define GSC_WRONG_PIN 1  /* the host's hash does not match our PIN */
#define GSC_MITM 2       /* the host's signature does not verify */
#define GSC_BAD_REPLY (-1)

void gsc_pair_init(gsc_pair *p, const gsc_identity *id, const char *pin, const char *uniqueid);
void gsc_pair_free(gsc_pair *p);
/* Each returns the request path with query (malloc) for the phase, or NULL. */
char *gsc_pair_phase1(gsc_pair *p);
int gsc_pair_phase1_reply(gsc_pair *p, const char *xml);
char *gsc_pair_phase2(gsc_pair *p);
int gsc_pair_phase2_reply(gsc_pair *p, const char *xml);
char *gsc_pair_phase3(gsc_pair *p);
/* GSC_OK, GSC_WRONG_PIN, GSC_MITM or GSC_BAD_REPLY: the client-side checks of §3.2. */
int gsc_pair_phase3_reply(gsc_pair *p, const char *xml);
char *gsc_pair_phase4(gsc_pair *p);

/* XML helpers: the text of the first <tag>, the root's status_code (-1 if absent). */
char *gsc_xml_get(const char *xml, const char *tag);
int gsc_xml_status(const char *xml);
char *gsc_hex(const uint8_t *b, size_t n);
int gsc_unhex(const char *hex, uint8_t *out, size_t cap, size_t *ret_len);

#endif
