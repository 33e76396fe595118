/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "httpc.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

typedef struct conn {
    int fd;
    gnutls_session_t tls;
    gnutls_certificate_credentials_t cred;
    gnutls_pcert_st pcert;
    gnutls_privkey_t key;
    int have_cert;
} conn;

/* Presents our certificate whatever CA list the server sends: GameStream servers request a
 * certificate but trust none of the self-signed client ones by CA. */
static int retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca, int nreqs,
                    const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **pcert,
                    unsigned *pcert_length, gnutls_privkey_t *pkey)
{
    conn *c = gnutls_session_get_ptr(s);
    if (!c->have_cert) {
        *pcert_length = 0;
        return 0;
    }
    *pcert = &c->pcert;
    *pcert_length = 1;
    *pkey = c->key;
    return 0;
}

static int io_send(conn *c, const void *p, size_t n)
{
    const char *b = p;
    while (n > 0) {
        ssize_t w = c->tls ? gnutls_record_send(c->tls, b, n) : send(c->fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && (c->tls ? w == GNUTLS_E_INTERRUPTED || w == GNUTLS_E_AGAIN : errno == EINTR))
            continue;
        if (w <= 0)
            return -EIO;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static ssize_t io_recv(conn *c, void *p, size_t n)
{
    for (;;) {
        ssize_t r = c->tls ? gnutls_record_recv(c->tls, p, n) : recv(c->fd, p, n, 0);
        if (r >= 0)
            return r;
        if (c->tls ? r == GNUTLS_E_INTERRUPTED : errno == EINTR)
            continue;
        if (c->tls && r == GNUTLS_E_PREMATURE_TERMINATION)
            return 0;
        return -1;
    }
}

static int tls_setup(conn *c, httpc_tls *t, const char *host)
{
    if (gnutls_certificate_allocate_credentials(&c->cred) < 0)
        return -ENOMEM;
    if (t->client_cert_pem && t->client_key_pem) {
        gnutls_datum_t cd = {(unsigned char *)t->client_cert_pem,
                             (unsigned)strlen(t->client_cert_pem)};
        gnutls_datum_t kd = {(unsigned char *)t->client_key_pem,
                             (unsigned)strlen(t->client_key_pem)};
        if (gnutls_pcert_import_x509_raw(&c->pcert, &cd, GNUTLS_X509_FMT_PEM, 0) < 0 ||
            gnutls_privkey_init(&c->key) < 0 ||
            gnutls_privkey_import_x509_raw(c->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0) < 0)
            return -EINVAL;
        c->have_cert = 1;
    }
    gnutls_certificate_set_retrieve_function2(c->cred, retrieve);
    if (gnutls_init(&c->tls, GNUTLS_CLIENT) < 0)
        return -ENOMEM;
    gnutls_session_set_ptr(c->tls, c);
    gnutls_set_default_priority(c->tls);
    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, c->cred);
    gnutls_transport_set_int(c->tls, c->fd);
    int r;
    do {
        r = gnutls_handshake(c->tls);
    } while (r < 0 && !gnutls_error_is_fatal(r));
    if (r < 0)
        return -EPROTO;
    unsigned n = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(c->tls, &n);
    if (!peers || n == 0)
        return -EPROTO;
    t->server_der = malloc(peers[0].size);
    if (t->server_der) {
        memcpy(t->server_der, peers[0].data, peers[0].size);
        t->server_der_len = peers[0].size;
    }
    if (t->pinned_cert_pem) {
        gnutls_x509_crt_t crt;
        gnutls_datum_t pd = {(unsigned char *)t->pinned_cert_pem,
                             (unsigned)strlen(t->pinned_cert_pem)}, der = {0};
        int same = 0;
        if (gnutls_x509_crt_init(&crt) >= 0) {
            if (gnutls_x509_crt_import(crt, &pd, GNUTLS_X509_FMT_PEM) >= 0 &&
                gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) >= 0) {
                same = der.size == peers[0].size && !memcmp(der.data, peers[0].data, der.size);
                gnutls_free(der.data);
            }
            gnutls_x509_crt_deinit(crt);
        }
        if (!same)
            return -EPERM;
    }
    return 0;
}

static void conn_close(conn *c)
{
    if (c->tls) {
        gnutls_bye(c->tls, GNUTLS_SHUT_WR);
        gnutls_deinit(c->tls);
    }
    if (c->have_cert)
        gnutls_pcert_deinit(&c->pcert);
    if (c->key)
        gnutls_privkey_deinit(c->key);
    if (c->cred)
        gnutls_certificate_free_credentials(c->cred);
    if (c->fd >= 0)
        close(c->fd);
}

static int dial(const char *host, uint16_t port, int timeout_ms)
{
    char ps[8];
    snprintf(ps, sizeof(ps), "%u", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *i;
    if (getaddrinfo(host, ps, &hints, &ai) != 0)
        return -EHOSTUNREACH;
    int fd = -ECONNREFUSED;
    for (i = ai; i; i = i->ai_next) {
        fd = socket(i->ai_family, i->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, i->ai_addr, i->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -errno;
    }
    freeaddrinfo(ai);
    return fd;
}

static int parse(char *buf, size_t len, httpc_response *ret)
{
    char *sep = strstr(buf, "\r\n\r\n");
    int status;
    if (!sep || sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        return -EPROTO;
    size_t off = (size_t)(sep + 4 - buf);
    ret->status = status;
    ret->len = len - off;
    ret->body = malloc(ret->len + 1);
    if (!ret->body)
        return -ENOMEM;
    memcpy(ret->body, buf + off, ret->len);
    ret->body[ret->len] = '\0';
    return 0;
}

int httpc_request(const char *host, uint16_t port, httpc_tls *tls, const char *method,
                  const char *path, const char *extra_headers, const char *body,
                  size_t body_len, int timeout_ms, httpc_response *ret)
{
    memset(ret, 0, sizeof(*ret));
    conn c = {.fd = -1};
    int r = dial(host, port, timeout_ms);
    if (r < 0)
        return r;
    c.fd = r;
    if (tls && (r = tls_setup(&c, tls, host)) < 0)
        goto out;
    size_t hn = strlen(path) + strlen(host) + (extra_headers ? strlen(extra_headers) : 0) + 200;
    char *head = malloc(hn);
    if (!head) {
        r = -ENOMEM;
        goto out;
    }
    int v6 = strchr(host, ':') != NULL;
    snprintf(head, hn,
             "%s %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nConnection: close\r\nContent-Length: "
             "%zu\r\n%s\r\n",
             method, path, v6 ? "[" : "", host, v6 ? "]" : "", port, body_len,
             extra_headers ? extra_headers : "");
    r = io_send(&c, head, strlen(head));
    free(head);
    if (r == 0 && body_len)
        r = io_send(&c, body, body_len);
    if (r < 0)
        goto out;
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) {
            r = -ENOMEM;
            goto out;
        }
        if (len == cap) {
            if (cap >= (64u << 20)) {
                free(buf);
                r = -EFBIG;
                goto out;
            }
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb)
                free(buf);
            buf = nb;
            continue;
        }
        ssize_t n = io_recv(&c, buf + len, cap - len);
        if (n < 0) {
            free(buf);
            r = -EPROTO;
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    r = parse(buf, len, ret);
    free(buf);
out:
    conn_close(&c);
    return r;
}
