/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The common part of the backends that start a compositor for the session: see
 * vdisplay_spawned.h. */
#include "vdisplay_spawned.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "log.h"
#include "pw_util.h"

#define TOPIC "vdisplay"

int pfi_vdisplay_spawned_begin(struct pf_vdisplay *vd, size_t size, const char *backend,
                               const char **ret_base)
{
    struct pfi_spawn *sp = calloc(1, size);
    int r;

    if (!sp)
        return PF_ERR_NOMEM;
    if (pfi_spawn_reap_orphans(backend) > 0)
        pfi_cap_debug(&vd->log, TOPIC, "%s: removed compositors a killed host left behind",
                      backend);
    r = pfi_spawn_init(sp, backend);
    if (r < 0) {
        pfi_cap_debug(&vd->log, TOPIC, "%s: no session directory (%d)", backend, r);
        free(sp);
        return r;
    }
    vd->backend = sp;
    *ret_base = strrchr(sp->dir, '/') + 1;
    return 0;
}

void pfi_vdisplay_spawned_destroy(struct pf_vdisplay *vd)
{
    struct pfi_spawn *sp = vd->backend;

    if (!sp)
        return;
    pfi_spawn_finish(sp, 2000);
    free(sp);
    vd->backend = NULL;
}

void pfi_vdisplay_spawn_env(struct pf_vdisplay *vd, const char *runtime_dir,
                            const char *bus_address, struct pfi_spawn_env *st)
{
    const char *pw_dir = getenv("PIPEWIRE_RUNTIME_DIR");
    uint32_t n = 0;

    if (!pw_dir)
        pw_dir = getenv("XDG_RUNTIME_DIR");
    snprintf(st->runtime, sizeof(st->runtime), "XDG_RUNTIME_DIR=%s", runtime_dir);
    st->env[n++] = st->runtime;
    /* The compositor runs in its own runtime dir but publishes to the caller's PipeWire. */
    if (vd->pipewire_remote) {
        snprintf(st->pipewire, sizeof(st->pipewire), "PIPEWIRE_REMOTE=%s", vd->pipewire_remote);
        st->env[n++] = st->pipewire;
    }
    if (pw_dir) {
        snprintf(st->extra, sizeof(st->extra), "PIPEWIRE_RUNTIME_DIR=%s", pw_dir);
        st->env[n++] = st->extra;
    }
    if (bus_address) {
        snprintf(st->bus, sizeof(st->bus), "DBUS_SESSION_BUS_ADDRESS=%s", bus_address);
        st->env[n++] = st->bus;
    }
    st->env[n] = NULL;
}

int pfi_vdisplay_wait_node(struct pf_vdisplay *vd, const char *node_name, int32_t pid,
                           uint32_t timeout_ms)
{
    struct pfi_pw pw;
    struct pfi_pw_node node;
    int r;

    r = pfi_pw_connect(&pw, "pf-vdisplay", vd->pipewire_remote, NULL, NULL);
    if (r == 0) {
        pw_thread_loop_lock(pw.loop);
        r = pfi_pw_find_node(&pw, 0, node_name, pid, timeout_ms, &node);
        pw_thread_loop_unlock(pw.loop);
    }
    pfi_pw_disconnect(&pw);
    if (r < 0)
        return r;
    vd->node_id = node.id;
    return 0;
}
