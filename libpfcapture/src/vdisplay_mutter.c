/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mutter backends. "mutter": a virtual monitor on the running GNOME session (ScreenCast
 * RecordVirtual on the user's bus). "mutter-headless": a Mutter started for the session with
 * --headless, its own runtime dir and its own bus, the default that works without a desktop
 * or a GPU. Both keep the ScreenCast session path for RemoteDesktop to attach to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "log.h"
#include "mutter_dbus.h"
#include "vdisplay_spawned.h"

#define TOPIC "vdisplay_mutter"

/* The processes first, as pfi_vdisplay_spawned_begin() wants; "mutter" starts none. */
struct mutter_state {
    struct pfi_spawn sp;
    struct pfi_mutter m;
};

static int session_probe(const pf_vdisplay_settings *s)
{
    struct pfi_mutter m;
    int ok;

    if (pfi_mutter_open(&m, s->dbus_address) < 0)
        return 0;
    ok = pfi_mutter_available(&m, 500);
    pfi_mutter_close(&m);
    return ok;
}

static int finish_create(struct pf_vdisplay *vd, struct mutter_state *st)
{
    int metadata = vd->settings.cursor_mode == PF_VDISPLAY_CURSOR_METADATA;
    int r = pfi_mutter_record_virtual(&st->m, vd->settings.timeout_ms, &vd->log, metadata,
                                      vd->settings.remote_desktop_session_id,
                                      vd->settings.start_linked,
                                      vd->settings.start_linked_user_data);

    if (r < 0)
        return r;
    vd->node_id = st->m.node_id;
    snprintf(vd->session_id, sizeof(vd->session_id), "%s", st->m.session);
    snprintf(vd->stream_path, sizeof(vd->stream_path), "%s", st->m.stream);
    vd->caps |= PF_VDISPLAY_CAP_REMOTE_DESKTOP;
    if (metadata)
        vd->caps |= PF_VDISPLAY_CAP_CURSOR_METADATA;
    return 0;
}

static void destroy(struct pf_vdisplay *vd)
{
    struct mutter_state *st = vd->backend;

    if (!st)
        return;
    /* Stopping the session removes the virtual monitor; then the compositor goes, if ours. */
    pfi_mutter_close(&st->m);
    pfi_vdisplay_spawned_destroy(vd);
}

static int session_create(struct pf_vdisplay *vd)
{
    struct mutter_state *st = calloc(1, sizeof(*st));
    int r;

    if (!st)
        return PF_ERR_NOMEM;
    vd->backend = st;
    r = pfi_mutter_open(&st->m, vd->settings.dbus_address);
    if (r == 0 && !pfi_mutter_available(&st->m, vd->settings.timeout_ms))
        r = PF_ERR_UNSUPPORTED;
    if (r == 0)
        r = finish_create(vd, st);
    if (r < 0)
        destroy(vd);
    return r;
}

const struct pfi_vdisplay_impl pfi_vdisplay_mutter = {
    .name = "mutter",
    .probe = session_probe,
    .create = session_create,
    .destroy = destroy,
};

static int headless_probe(const pf_vdisplay_settings *s)
{
    return pfi_spawn_have(s->command ? s->command : "mutter") && pfi_spawn_have("dbus-daemon");
}

static int headless_create(struct pf_vdisplay *vd)
{
    struct mutter_state *st;
    struct pfi_spawn_env env;
    char bus_path[300], bus_addr[320], bus_arg[340], sock[64];
    const char *bus_argv[] = { "dbus-daemon", "--session", "--nofork", bus_arg, NULL };
    const char *argv[] = { vd->command ? vd->command : "mutter", "--wayland", "--headless",
                           "--no-x11", sock, NULL };
    const char *base;
    pid_t pid;
    int r;

    r = pfi_vdisplay_spawned_begin(vd, sizeof(*st), "mutter-headless", &base);
    if (r < 0)
        return r;
    st = vd->backend;
    snprintf(bus_path, sizeof(bus_path), "%s/bus", st->sp.dir);
    snprintf(bus_addr, sizeof(bus_addr), "unix:path=%s", bus_path);
    snprintf(bus_arg, sizeof(bus_arg), "--address=%s", bus_addr);
    snprintf(sock, sizeof(sock), "--wayland-display=pf-%s", base);
    pfi_vdisplay_spawn_env(vd, st->sp.dir, bus_addr, &env);

    /* Its own bus first: Mutter's D-Bus API is how the output is made. */
    r = pfi_spawn_start_ready(&st->sp, "dbus", bus_argv, env.env, bus_path,
                              vd->settings.timeout_ms, &pid);
    if (r == 0)
        r = pfi_spawn_start_ready(&st->sp, "mutter", argv, env.env, NULL, 0, &pid);
    if (r == 0)
        r = pfi_mutter_open(&st->m, bus_addr);
    if (r == 0)
        r = pfi_mutter_wait_available(&st->m, vd->settings.timeout_ms);
    if (r == 0)
        r = finish_create(vd, st);
    if (r < 0)
        goto fail;
    snprintf(vd->wayland_display, sizeof(vd->wayland_display), "%s/pf-%s", st->sp.dir, base);
    vd->caps |= PF_VDISPLAY_CAP_SPAWNED;
    return 0;
fail:
    pfi_cap_debug(&vd->log, TOPIC, "mutter-headless failed (%d); logs in %s", r, st->sp.dir);
    destroy(vd);
    return r;
}

const struct pfi_vdisplay_impl pfi_vdisplay_mutter_headless = {
    .name = "mutter-headless",
    .probe = headless_probe,
    .create = headless_create,
    .destroy = destroy,
};
