/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 sessions on the host's per-session desktops (desktop.c): the same output and
 * input as a GameStream session, so a native client on a machine without a desktop session
 * gets the private stack and a headless compositor, absolute pointer input addresses the
 * very output the client sees, the apps its Hello names run inside it, and the output can
 * describe the pointer as metadata (native_cursor.c). */
#include "native_desktop.h"

#include <stdio.h>
#include <string.h>

#include "pf/core/error.h"

#include "native.h"
#include "native_internal.h"

int native_desktop_wanted(const host *h)
{
    return h->use_desktops;
}

uint32_t native_desktop_next_id(native_plane *np)
{
    return NATIVE_DESKTOP_ID_BASE + (np->next_desktop++ & 0x7fffffffu);
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

/* After the output was made again: its picture source, and @p in on its injector (the old
 * injector went with the old output: detached before). */
static void take_new_output(native_desktop *nd, native_input *in)
{
    if (desktops_stream_source(&nd->h->desktops, nd->id, &nd->sd) < 0)
        memset(&nd->sd, 0, sizeof(nd->sd));
    native_input_attach(in, nd->sd.injector);
}

int native_desktop_set_mode(native_desktop *nd, native_input *in, uint32_t width,
                            uint32_t height, uint32_t hz)
{
    if (!nd->open)
        return 0;
    char err[400];
    native_input_attach(in, NULL);
    int r = desktops_set_mode(&nd->h->desktops, nd->id, width, height, hz, err, sizeof(err));
    take_new_output(nd, in);
    return r < 0 ? PF_ERR_IO : 0;
}

int native_desktop_set_cursor(native_desktop *nd, native_input *in, int cursor)
{
    if (!nd->open)
        return 0;
    char err[400];
    native_input_attach(in, NULL);
    int r = desktops_set_cursor(&nd->h->desktops, nd->id, cursor, err, sizeof(err));
    if (r == 0)
        nd->cursor = !!cursor;
    take_new_output(nd, in);
    return r == PF_ERR_UNSUPPORTED ? r : r < 0 ? PF_ERR_IO : 0;
}

void native_plane_desktop_lost(native_plane *np, uint32_t id)
{
    for (native_conn *nc = np->conns; nc; nc = nc->next)
        if (nc->sess && native_session_desktop_id(nc->sess) == id) {
            native_session_desktop_lost(nc->sess);
            return;
        }
}

void native_desktop_close(native_desktop *nd)
{
    if (!nd->open)
        return;
    desktops_close(&nd->h->desktops, nd->id);
    nd->open = 0;
    memset(&nd->sd, 0, sizeof(nd->sd));
}

/* The compositor died or the capture broke: native ids end their session (0x68, "output
 * failure" in §10: 0x52 would tell the client a dedicated app exited, which is not what
 * happened); the others are GameStream's. */
static void on_end_session(void *ud, uint32_t id, uint32_t code)
{
    native_plane *np = ud;
    if (id < NATIVE_DESKTOP_ID_BASE) {
        if (np->gs_end_session)
            np->gs_end_session(np->gs_user_data, id, code);
        return;
    }
    native_plane_desktop_lost(np, id);
}

static int on_source_failed(void *ud, uint32_t id)
{
    native_plane *np = ud;
    if (id < NATIVE_DESKTOP_ID_BASE)
        return np->gs_source_failed ? np->gs_source_failed(np->gs_user_data, id) : 0;
    for (native_conn *nc = np->conns; nc; nc = nc->next)
        if (nc->sess && native_session_desktop_id(nc->sess) == id)
            return native_session_source_failed(nc->sess);
    return 0;
}

void native_desktop_attach(native_plane *np)
{
    desktops *d = &np->h->desktops;
    if (!np->h->use_desktops)
        return;
    np->gs_end_session = d->end_session;
    np->gs_source_failed = d->source_failed;
    np->gs_user_data = d->user_data;
    d->end_session = on_end_session;
    d->source_failed = on_source_failed;
    d->user_data = np;
}

void native_desktop_detach(native_plane *np)
{
    desktops *d = &np->h->desktops;
    if (!np->h->use_desktops || d->user_data != np)
        return;
    d->end_session = np->gs_end_session;
    d->source_failed = np->gs_source_failed;
    d->user_data = np->gs_user_data;
}
