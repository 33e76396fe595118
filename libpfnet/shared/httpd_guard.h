/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_HTTPD_GUARD_H
#define PF_NET_HTTPD_GUARD_H

#include <stdint.h>

#include <microhttpd.h>

/* Slow-client defence for a libmicrohttpd daemon. MHD's own timeout is an idle timeout that
 * every byte resets, so a client trickling one header byte at a time (slowloris), or a TLS
 * client that never finishes its handshake, would hold a connection slot forever. The guard
 * gives every connection an absolute deadline from accept until its request is answered (or
 * parked on purpose), and closes it when that passes. Together with a per-address connection
 * limit (MHD_OPTION_PER_IP_CONNECTION_LIMIT) one address cannot hold the server.
 *
 * Shared by libpfnet's GameStream servers and pfhost's management API; one thread. */

typedef struct pfi_httpd_guard_conn pfi_httpd_guard_conn;

typedef struct pfi_httpd_guard {
    pfi_httpd_guard_conn *head;
    uint32_t deadline_ms; /* from accept to answered */
} pfi_httpd_guard;

/* Connections one address may hold on a daemon. A Moonlight client uses a few at once
 * (server info, app list, box art); more from one address is an attack. */
#define PFI_HTTPD_PER_ADDRESS 16u
/* How long a client may take from connecting to a complete request (TLS handshake, request
 * line, headers, body). */
#define PFI_HTTPD_REQUEST_DEADLINE_MS 10000u

void pfi_httpd_guard_init(pfi_httpd_guard *g, uint32_t deadline_ms);
/* Frees the bookkeeping; call after MHD_stop_daemon. */
void pfi_httpd_guard_finish(pfi_httpd_guard *g);

/* MHD_OPTION_NOTIFY_CONNECTION callback; cls is the guard. */
void pfi_httpd_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe);

/* The request on @p conn is complete and being answered (or suspended on purpose): its
 * deadline no longer applies. */
void pfi_httpd_guard_answered(struct MHD_Connection *conn);

/* A request on @p conn was completed (MHD_OPTION_NOTIFY_COMPLETED): a kept-alive connection
 * has the full deadline again for its next request. */
void pfi_httpd_guard_request_done(struct MHD_Connection *conn);

/* 0 when the request's body framing is ambiguous: Transfer-Encoding together with
 * Content-Length, or more than one Content-Length (RFC 9112 §6.3). Such a request is refused
 * rather than guessed at: a front end that reads it the other way would see two requests. */
int pfi_httpd_framing_ok(struct MHD_Connection *conn);

/* Milliseconds until the next deadline, or -1 for none; changes nothing. */
int64_t pfi_httpd_guard_next(const pfi_httpd_guard *g);

/* Closes connections past their deadline (MHD then cleans them up on its next run).
 * Returns ms until the next deadline, or -1 for none. */
int64_t pfi_httpd_guard_expire(pfi_httpd_guard *g);

#endif
