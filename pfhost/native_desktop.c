/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 sessions on the host's per-session desktops (desktop.c): the glue between a
 * native session and the `desktops` object GameStream launches use, so a native client on a
 * machine without a desktop session gets the same private stack and headless compositor, its
 * input reaches that compositor, and the apps its Hello names run inside it. */
#include "native_desktop.h"

#include <stdio.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"

#include "host.h"
#include "native_internal.h"

static native_conn *conn_of_desktop(native_plane *np, uint32_t id)
{
    for (native_conn *nc = np->conns; nc; nc = nc->next)
        if (nc->sess && native_session_desktop(nc->sess) == id)
            return nc;
    return NULL;
}

/* The compositor died or the capture broke. 0x68 (session setup failed: "output/encoder
 * failure", §10) is the code whose meaning covers a lost output; 0x52 would tell the client
 * a dedicated app exited, which is not what happened. */
static void on_end_session(void *ud, uint32_t id, uint32_t code)
{
    native_plane *np = ud;
    if (id < NATIVE_DESKTOP_ID_BASE) {
        if (np->gs_end_session)
            np->gs_end_session(np->gs_user_data, id, code);
        return;
    }
    native_conn *nc = conn_of_desktop(np, id);
    if (!nc)
        return;
    /* Nothing may use the compositor's screencast or injector once this returns: the desktop
     * closes right after. */
    native_session_lose_desktop(nc->sess);
    native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "the session's desktop ended (its compositor "
                                                  "or picture source failed)");
}

static int on_source_failed(void *ud, uint32_t id)
{
    native_plane *np = ud;
    if (id < NATIVE_DESKTOP_ID_BASE)
        return np->gs_source_failed ? np->gs_source_failed(np->gs_user_data, id) : 0;
    native_conn *nc = conn_of_desktop(np, id);
    return nc && native_session_source_failed(nc->sess);
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

int native_desktop_open(native_plane *np, uint32_t w, uint32_t h, uint32_t hz, uint32_t *ret_id,
                        char *err, size_t n)
{
    *ret_id = 0;
    if (!np->h->use_desktops)
        return 0;
    uint32_t id = NATIVE_DESKTOP_ID_BASE + (np->next_desktop++ & 0x7fffffffu);
    err[0] = '\0';
    if (desktops_open(&np->h->desktops, id, w, h, hz, err, n) < 0)
        return -1;
    *ret_id = id;
    return 0;
}

void native_desktop_source(native_plane *np, uint32_t id, pipeline_settings *ps)
{
    stream_desktop desk = {.node_id = -1};
    if (!id || desktops_stream_source(&np->h->desktops, id, &desk) < 0)
        return;
    ps->source = PIPELINE_SOURCE_NODE;
    ps->node_id = desk.node_id;
    ps->pipewire_remote = desk.pipewire_remote;
}

int native_desktop_input(native_plane *np, uint32_t id, native_input **ret)
{
    return native_input_create_on(id, desktops_injector(&np->h->desktops, id), ret);
}

int native_desktop_set_mode(native_plane *np, uint32_t id, native_input *in, uint32_t w,
                            uint32_t h, uint32_t hz)
{
    if (!id)
        return 0;
    char err[400];
    /* The old injector goes with the old output. */
    native_input_attach(in, NULL);
    int r = desktops_set_mode(&np->h->desktops, id, w, h, hz, err, sizeof(err));
    native_input_attach(in, desktops_injector(&np->h->desktops, id));
    return r < 0 ? PF_ERR_IO : 0;
}

const char *native_desktop_pipewire(native_plane *np, uint32_t id, const char *fallback)
{
    stream_desktop desk = {.node_id = -1};
    if (!id || desktops_stream_source(&np->h->desktops, id, &desk) < 0)
        return fallback;
    return desk.pipewire_remote ? desk.pipewire_remote : fallback;
}

const char *const *native_desktop_env(native_plane *np, uint32_t id)
{
    return id ? desktops_env(&np->h->desktops, id) : NULL;
}

void native_desktop_close(native_plane *np, uint32_t id)
{
    if (id)
        desktops_close(&np->h->desktops, id);
}
