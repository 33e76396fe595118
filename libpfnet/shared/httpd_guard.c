/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "httpd_guard.h"

#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

struct pfi_httpd_guard_conn {
    pfi_httpd_guard_conn *prev, *next;
    pfi_httpd_guard *guard;
    struct MHD_Connection *conn;
    uint64_t deadline_ms; /* 0 once answered */
    int closing;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void pfi_httpd_guard_init(pfi_httpd_guard *g, uint32_t deadline_ms)
{
    g->head = NULL;
    g->deadline_ms = deadline_ms;
}

void pfi_httpd_guard_finish(pfi_httpd_guard *g)
{
    while (g->head) {
        pfi_httpd_guard_conn *c = g->head;
        g->head = c->next;
        free(c);
    }
}

void pfi_httpd_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe)
{
    pfi_httpd_guard *g = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        pfi_httpd_guard_conn *c = calloc(1, sizeof(*c));
        *socket_context = c;
        if (!c)
            return; /* unguarded: MHD's idle timeout still applies */
        c->guard = g;
        c->conn = conn;
        c->deadline_ms = now_ms() + g->deadline_ms;
        c->next = g->head;
        if (g->head)
            g->head->prev = c;
        g->head = c;
        return;
    }
    pfi_httpd_guard_conn *c = *socket_context;
    if (!c)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        g->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
    *socket_context = NULL;
}

void pfi_httpd_guard_answered(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    pfi_httpd_guard_conn *c = ci ? ci->socket_context : NULL;
    if (c)
        c->deadline_ms = 0;
}

void pfi_httpd_guard_request_done(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    pfi_httpd_guard_conn *c = ci ? ci->socket_context : NULL;
    if (c)
        c->deadline_ms = now_ms() + c->guard->deadline_ms;
}

int64_t pfi_httpd_guard_next(const pfi_httpd_guard *g)
{
    uint64_t now = now_ms();
    int64_t next = -1;
    for (const pfi_httpd_guard_conn *c = g->head; c; c = c->next) {
        if (!c->deadline_ms || c->closing)
            continue;
        int64_t left = c->deadline_ms > now ? (int64_t)(c->deadline_ms - now) : 0;
        if (next < 0 || left < next)
            next = left;
    }
    return next;
}

int64_t pfi_httpd_guard_expire(pfi_httpd_guard *g)
{
    uint64_t now = now_ms();
    int64_t next = -1;
    for (pfi_httpd_guard_conn *c = g->head; c; c = c->next) {
        if (!c->deadline_ms || c->closing)
            continue;
        if (now >= c->deadline_ms) {
            /* MHD has no call to drop a connection; a shut-down socket reads as EOF, and
             * MHD closes it on its next run. */
            const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
            if (ci)
                shutdown(ci->connect_fd, SHUT_RDWR);
            c->closing = 1;
            continue;
        }
        int64_t left = (int64_t)(c->deadline_ms - now);
        if (next < 0 || left < next)
            next = left;
    }
    return next;
}

typedef struct framing {
    unsigned lengths, encodings;
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    framing *f = cls;
    if (key && !strcasecmp(key, "Content-Length"))
        f->lengths++;
    else if (key && !strcasecmp(key, "Transfer-Encoding"))
        f->encodings++;
    return MHD_YES;
}

int pfi_httpd_framing_ok(struct MHD_Connection *conn)
{
    framing f = {0, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
    return f.lengths <= 1 && f.encodings <= 1 && !(f.lengths && f.encodings);
}
