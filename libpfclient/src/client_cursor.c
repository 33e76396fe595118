/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cursor channel (native-protocol.md §5.5, §8.6) for apps that draw the pointer
 * themselves: the Hello says CURSOR when the app asked for it; CursorShape (0x50, control
 * stream) and the 0xD0 datagrams are kept as the latest state under the client's lock, which
 * the app reads whenever it draws. Shapes are taken even while pf_client_start() collects the
 * handshake's messages, so that one sent right after the Welcome is not lost. */
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "client_internal.h"

struct pfc_cursor {
    pf_client_cursor info;
    int have; /* a 0x50 or 0xD0 arrived */
    uint8_t rgba[PF_CLIENT_CURSOR_MAX_SIDE * PF_CLIENT_CURSOR_MAX_SIDE * 4];
};

int pf_client_set_cursor_channel(pf_client *c, int enable)
{
    if (!c)
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    int r = 0;
    if (c->state == PFC_STREAMING || c->want_msgs) {
        r = PF_ERR_STATE;
    } else if (enable && !c->cursor) {
        c->cursor = calloc(1, sizeof(*c->cursor));
        r = c->cursor ? 0 : PF_ERR_NOMEM;
    } else if (!enable) {
        free(c->cursor);
        c->cursor = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

uint8_t pfc_cursor_client_caps(pf_client *c)
{
    pthread_mutex_lock(&c->lock);
    uint8_t caps = c->cursor ? PF_PKF1_CLIENT_CAP_CURSOR : 0;
    pthread_mutex_unlock(&c->lock);
    return caps;
}

void pfc_cursor_free(pf_client *c)
{
    free(c->cursor);
    c->cursor = NULL;
}

void pfc_cursor_on_shape(pf_client *c, const pf_pkf1_msg *m)
{
    struct pfc_cursor *k = c->cursor;
    /* The decoder checked 1 ≤ w, h ≤ 120 and the exact pixel length. */
    if (!k || m->blob_len != (size_t)m->width * m->height * 4u)
        return;
    memcpy(k->rgba, m->blob, m->blob_len);
    k->info.flags |= PF_CLIENT_CURSOR_HAS_SHAPE;
    k->info.shape_serial = m->value32;
    k->info.width = m->width;
    k->info.height = m->height;
    k->info.hot_x = m->value16;
    k->info.hot_y = m->value16b;
    k->info.updates++;
    k->have = 1;
}

void pfc_cursor_on_datagram(pf_client *c, const uint8_t *data, size_t len)
{
    struct pfc_cursor *k = c->cursor;
    pf_pkf1_cursor d;
    if (!k || pf_pkf1_cursor_decode(data, len, &d) < 0)
        return;
    uint32_t flags = (k->info.flags & PF_CLIENT_CURSOR_HAS_SHAPE) |
                     (d.flags & PF_PKF1_CURSOR_VISIBLE ? PF_CLIENT_CURSOR_VISIBLE : 0) |
                     (d.flags & PF_PKF1_CURSOR_RELATIVE ? PF_CLIENT_CURSOR_RELATIVE : 0);
    /* Resent states (the host repeats the latest while nothing moves) are no news. */
    if (k->have && flags == k->info.flags && d.x == k->info.x && d.y == k->info.y &&
        d.serial == k->info.position_serial)
        return;
    k->info.flags = flags;
    k->info.x = d.x;
    k->info.y = d.y;
    k->info.position_serial = d.serial;
    k->info.updates++;
    k->have = 1;
}

int pf_client_get_cursor(pf_client *c, pf_client_cursor *ret, uint8_t *rgba, size_t rgba_size)
{
    if (!c || !ret || ret->struct_size < 8)
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    struct pfc_cursor *k = c->cursor;
    int r = 0;
    if (!k || (c->state == PFC_STREAMING && !(c->info.host_caps & PF_PKF1_HOST_CAP_CURSOR))) {
        r = PF_ERR_STATE;
    } else if (!k->have) {
        r = PF_ERR_AGAIN;
    } else {
        pf_client_cursor copy = k->info;
        copy.struct_size = sizeof(copy);
        COPY_SIZED(ret, &copy);
        size_t need = (k->info.flags & PF_CLIENT_CURSOR_HAS_SHAPE)
                          ? (size_t)k->info.width * k->info.height * 4u
                          : 0;
        if (rgba && need) {
            if (rgba_size < need)
                r = PF_ERR_BUFFER_TOO_SMALL;
            else
                memcpy(rgba, k->rgba, need);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

int pf_client_set_cursor_render_mode(pf_client *c, int client_draws)
{
    if (!c)
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    int ok = c->state == PFC_STREAMING && c->cursor &&
             (c->info.host_caps & PF_PKF1_HOST_CAP_CURSOR);
    pthread_mutex_unlock(&c->lock);
    if (!ok)
        return PF_ERR_STATE;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CURSOR_RENDER_MODE);
    m.flag = client_draws ? 1 : 0;
    return pfc_queue_msg(c, &m);
}
