/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_NATIVE_CLIENT_H
#define PF_TEST_NATIVE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/pkf1_control.h"
#include "pf/net_native.h"

/* A punktfunk/1 client connection for tests: libpfnet's QUIC endpoint in client mode and
 * libpfcore's codecs, driven synchronously (each call polls until it has what it waits for or
 * its timeout passes). One control stream, framed messages, DATAGRAM frames kept in a small
 * queue. The QUIC part is the same endpoint a client library uses. */
typedef struct native_client native_client;

/* Connects to @p host (numeric) : @p port, presenting @p cert_pem/@p key_pem when given.
 * Returns 0 once the handshake completed (the control stream is opened on first send), or a
 * PF_ERR_* value; on a refusal during the handshake *ret is still set so that the close can be
 * read with nclient_closed(). */
int nclient_connect(const char *host, uint16_t port, const char *cert_pem, const char *key_pem,
                    int timeout_ms, native_client **ret);
void nclient_destroy(native_client *c);

/* SHA-256 of the host certificate seen on this connection. */
void nclient_host_fingerprint(const native_client *c, uint8_t out[32]);

/* Frames and sends one payload on the control stream. */
int nclient_send(native_client *c, const uint8_t *payload, size_t len);
int nclient_send_msg(native_client *c, const pf_pkf1_msg *msg);
/* Receives the next framed payload (copied to @p out). Returns 0, PF_ERR_TIMEOUT, or
 * PF_ERR_STATE once the connection is closed. */
int nclient_recv(native_client *c, uint8_t *out, size_t cap, size_t *ret_len, int timeout_ms);
/* Receives the next typed message of @p type, skipping others; the payload stays in @p buf. */
int nclient_recv_type(native_client *c, uint32_t type, uint8_t *buf, size_t cap,
                      pf_pkf1_msg *ret, int timeout_ms);
/* Waits for the connection to close. Returns 1 with the close (application flag, code) when it
 * did, 0 on timeout. */
int nclient_wait_closed(native_client *c, int timeout_ms, int *ret_app, uint64_t *ret_code);
/* Closes with an application code now. */
void nclient_close(native_client *c, uint64_t code);
/* Next QUIC datagram (copied). Returns 0 or PF_ERR_TIMEOUT. */
int nclient_recv_datagram(native_client *c, uint8_t *out, size_t cap, size_t *ret_len,
                          int timeout_ms);
/* The QUIC connection (for DATAGRAM frames), NULL once closed. */
pf_net_quic_conn *nclient_conn(native_client *c);
/* Runs the endpoint for @p ms (answers keep-alives, collects datagrams). */
void nclient_pump(native_client *c, int ms);

#endif
