/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_HTTPC_H
#define PFHOST_HTTPC_H

#include <stddef.h>
#include <stdint.h>

/* A minimal blocking HTTP/1.1 client (one request per connection) for the pfhost command
 * line and the test clients: plain or TLS, optional client certificate, optional pinning of
 * the server certificate. */
typedef struct httpc_tls {
    const char *client_cert_pem; /* NULL: present no certificate */
    const char *client_key_pem;
    const char *pinned_cert_pem; /* NULL: accept any server certificate */
    uint8_t *server_der;         /* out: the server's certificate (malloc), may stay NULL */
    size_t server_der_len;
} httpc_tls;

typedef struct httpc_response {
    int status;
    char *body; /* NUL-terminated; free() */
    size_t len;
} httpc_response;

/* @p extra_headers: zero or more "Name: value\r\n" lines, or NULL. Returns 0 or -errno
 * (-EPROTO for TLS or HTTP framing failures, -EPERM when the pinned certificate differs). */
int httpc_request(const char *host, uint16_t port, httpc_tls *tls, const char *method,
                  const char *path, const char *extra_headers, const char *body,
                  size_t body_len, int timeout_ms, httpc_response *ret);

#endif
