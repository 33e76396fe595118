/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 sessions on the host's desktops (desktop.c): the same per-session output and
 * input as a GameStream session, so that absolute pointer input addresses the very output
 * the client sees and the output can describe the pointer as metadata (native_cursor.c). */
#include "native_desktop.h"

#include "native.h"
#include "native_internal.h"

#include <stdio.h>
#include <string.h>

int native_desktop_wanted(const host *h)
{
    return h->use_desktops;
}

int native_desktop_open(native_desktop *nd, host *h, uint32_t id, uint32_t width,
                        uint32_t height, uint32_t hz, int cursor, char *err, size_t n)
{
    memset(nd, 0, sizeof(*nd));
    nd->h = h;
    nd->id = id;
    nd->cursor = cursor;
    err[0] = '\0';
    if (desktops_open_cursor(&h->desktops, id, width, height, hz, cursor, err, n) < 0)
        return -1;
    nd->open = 1;
    if (desktops_stream_source(&h->desktops, id, &nd->sd) < 0) {
        snprintf(err, n, "the desktop has no picture");
        native_desktop_close(nd);
        return -1;
    }
    return 0;
}

void native_plane_desktop_lost(native_plane *np, uint32_t id)
{
    for (native_conn *nc = np->conns; nc; nc = nc->next)
        if (nc->sess && native_session_desktop_id(nc->sess) == id) {
            native_session_desktop_lost(nc->sess);
            return;
        }
}

void native_desktop_resized(native_desktop *nd, uint32_t width, uint32_t height, uint32_t hz)
{
    if (nd->open)
        desktops_resized(&nd->h->desktops, nd->id, width, height, hz);
}

void native_desktop_close(native_desktop *nd)
{
    if (!nd->open)
        return;
    desktops_close(&nd->h->desktops, nd->id);
    nd->open = 0;
    memset(&nd->sd, 0, sizeof(nd->sd));
}
