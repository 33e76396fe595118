/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Datagrams waiting for the endpoint: the connection's send queue (held back by congestion
 * control or pacing, or queued inside a callback) and the handoff from other threads.
 *
 * The handoff: a media thread must never wait for the endpoint's lock (the event loop may
 * hold it while joining that very thread), and dropping what it sends loses audio and
 * timing reports whenever a dispatch happens to run. So it leaves the datagram in the
 * handoff queue, under a lock of its own that is held only for a list operation, and
 * whoever holds the endpoint's lock next takes it over: the next send on the connection,
 * or the endpoint's next flush, which pf_net_quic_endpoint_get_timeout() asks for at once
 * while anything waits. */
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "quic_internal.h"

pfq_dgram *pfq_dgram_new(const uint8_t *data, size_t len)
{
    pfq_dgram *d = malloc(sizeof(*d) + len);
    if (!d)
        return NULL;
    d->next = NULL;
    d->len = len;
    memcpy(d->data, data, len);
    return d;
}

void pfq_dgram_queue_push(pfq_dgram_queue *q, pfq_dgram *d)
{
    while (q->head && q->bytes + d->len > PFQ_DGRAM_QUEUE_BYTES)
        free(pfq_dgram_queue_pop(q));
    d->next = NULL;
    if (q->tail)
        q->tail->next = d;
    else
        q->head = d;
    q->tail = d;
    q->bytes += d->len;
}

pfq_dgram *pfq_dgram_queue_pop(pfq_dgram_queue *q)
{
    pfq_dgram *d = q->head;
    if (!d)
        return NULL;
    q->head = d->next;
    if (!q->head)
        q->tail = NULL;
    q->bytes -= d->len;
    d->next = NULL;
    return d;
}

void pfq_dgram_queue_clear(pfq_dgram_queue *q)
{
    for (pfq_dgram *d; (d = pfq_dgram_queue_pop(q));)
        free(d);
}

void pfq_handoff_init(pf_net_quic_conn *c)
{
    pthread_mutex_init(&c->handoff_lock, NULL);
    atomic_init(&c->handoff_pending, 0);
}

void pfq_handoff_finish(pf_net_quic_conn *c)
{
    pfq_dgram_queue_clear(&c->handoff);
    pthread_mutex_destroy(&c->handoff_lock);
}

int pfq_handoff_put(pf_net_quic_conn *c, const uint8_t *data, size_t len)
{
    if (len > PFQ_DGRAM_QUEUE_BYTES)
        return PF_ERR_LIMIT;
    pfq_dgram *d = pfq_dgram_new(data, len);
    if (!d)
        return PF_ERR_NOMEM;
    pthread_mutex_lock(&c->handoff_lock);
    pfq_dgram_queue_push(&c->handoff, d);
    atomic_store(&c->handoff_pending, 1);
    pthread_mutex_unlock(&c->handoff_lock);
    return 0;
}

int pfq_handoff_pending(const pf_net_quic_conn *c)
{
    return atomic_load(&c->handoff_pending);
}

pfq_dgram_queue pfq_handoff_take(pf_net_quic_conn *c)
{
    pfq_dgram_queue q = {0};
    if (!atomic_load(&c->handoff_pending))
        return q;
    pthread_mutex_lock(&c->handoff_lock);
    q = c->handoff;
    c->handoff = (pfq_dgram_queue){0};
    atomic_store(&c->handoff_pending, 0);
    pthread_mutex_unlock(&c->handoff_lock);
    return q;
}
