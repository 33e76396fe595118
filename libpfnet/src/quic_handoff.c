/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Datagrams handed over by a thread that found the endpoint busy. A media thread must never
 * wait for the endpoint's lock (the event loop may hold it while joining that very thread),
 * and dropping what it sends loses a frame's timing report whenever a dispatch happens to
 * run. So it leaves the datagram here, under a lock of its own that is held only for a list
 * operation, and whoever holds the endpoint's lock next sends it: the next send on the
 * connection, or the endpoint's next flush, which pf_net_quic_endpoint_get_timeout() asks for
 * at once while anything waits. Latest-wins like the send queue: beyond
 * PFQ_DGRAM_QUEUE_BYTES the oldest give way. */
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "quic_internal.h"

void pfq_handoff_init(pf_net_quic_conn *c)
{
    pthread_mutex_init(&c->handoff_lock, NULL);
    atomic_init(&c->handoff_pending, 0);
}

static void free_list(pfq_dgram *d)
{
    for (pfq_dgram *n; d; d = n) {
        n = d->next;
        free(d);
    }
}

void pfq_handoff_finish(pf_net_quic_conn *c)
{
    free_list(c->handoff);
    c->handoff = c->handoff_tail = NULL;
    pthread_mutex_destroy(&c->handoff_lock);
}

int pfq_handoff_put(pf_net_quic_conn *c, const uint8_t *data, size_t len)
{
    if (len > PFQ_DGRAM_QUEUE_BYTES)
        return PF_ERR_LIMIT;
    pfq_dgram *d = malloc(sizeof(*d) + len);
    if (!d)
        return PF_ERR_NOMEM;
    d->next = NULL;
    d->len = len;
    memcpy(d->data, data, len);
    pthread_mutex_lock(&c->handoff_lock);
    while (c->handoff && c->handoff_bytes + len > PFQ_DGRAM_QUEUE_BYTES) {
        pfq_dgram *old = c->handoff;
        c->handoff = old->next;
        if (!c->handoff)
            c->handoff_tail = NULL;
        c->handoff_bytes -= old->len;
        free(old);
    }
    if (c->handoff_tail)
        c->handoff_tail->next = d;
    else
        c->handoff = d;
    c->handoff_tail = d;
    c->handoff_bytes += len;
    atomic_store(&c->handoff_pending, 1);
    pthread_mutex_unlock(&c->handoff_lock);
    return 0;
}

int pfq_handoff_pending(const pf_net_quic_conn *c)
{
    return atomic_load(&c->handoff_pending);
}

pfq_dgram *pfq_handoff_take(pf_net_quic_conn *c)
{
    if (!atomic_load(&c->handoff_pending))
        return NULL;
    pthread_mutex_lock(&c->handoff_lock);
    pfq_dgram *d = c->handoff;
    c->handoff = c->handoff_tail = NULL;
    c->handoff_bytes = 0;
    atomic_store(&c->handoff_pending, 0);
    pthread_mutex_unlock(&c->handoff_lock);
    return d;
}
