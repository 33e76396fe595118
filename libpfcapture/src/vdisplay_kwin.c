/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "kwin": a virtual output on a running KWin through zkde_screencast_unstable_v1 (version 2+:
 * stream_virtual_output). KWin answers with the PipeWire node of the new output; the output
 * lives as long as the stream object, so closing it (or our connection dying with the host)
 * removes it. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pf/core/error.h"

#include "log.h"
#include "pw_util.h"
#include "vdisplay_impl.h"

#ifdef PF_HAVE_KWIN
#include <wayland-client.h>

#include "zkde-screencast-unstable-v1-client-protocol.h"

#define TOPIC "vdisplay_kwin"

struct kwin_state {
    struct wl_display *display;
    struct wl_registry *registry;
    struct zkde_screencast_unstable_v1 *screencast;
    struct zkde_screencast_stream_unstable_v1 *stream;
    uint32_t version;
    int64_t node;
    int failed;
    char error[128];
};

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface,
                      uint32_t version)
{
    struct kwin_state *st = data;

    if (strcmp(iface, zkde_screencast_unstable_v1_interface.name) == 0 && version >= 2) {
        st->version = version < 3 ? version : 3;
        st->screencast = wl_registry_bind(reg, name, &zkde_screencast_unstable_v1_interface,
                                          st->version);
    }
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
    .global = on_global,
    .global_remove = on_global_remove,
};

static void on_closed(void *data, struct zkde_screencast_stream_unstable_v1 *s)
{
    struct kwin_state *st = data;

    st->failed = 1;
    snprintf(st->error, sizeof(st->error), "closed by the compositor");
}

static void on_created(void *data, struct zkde_screencast_stream_unstable_v1 *s, uint32_t node)
{
    struct kwin_state *st = data;

    st->node = node;
}

static void on_failed(void *data, struct zkde_screencast_stream_unstable_v1 *s,
                      const char *error)
{
    struct kwin_state *st = data;

    st->failed = 1;
    snprintf(st->error, sizeof(st->error), "%s", error ? error : "");
}

static const struct zkde_screencast_stream_unstable_v1_listener stream_listener = {
    .closed = on_closed,
    .created = on_created,
    .failed = on_failed,
};

static int probe(const pf_vdisplay_settings *s)
{
    const char *desktop = getenv("XDG_CURRENT_DESKTOP");

    return getenv("WAYLAND_DISPLAY") &&
           (getenv("KDE_FULL_SESSION") || (desktop && strstr(desktop, "KDE")));
}

/* Dispatches until @done or the deadline; PF_ERR_TIMEOUT or PF_ERR_IO. */
static int dispatch_until(struct kwin_state *st, const int64_t *node, const int *failed,
                          uint32_t timeout_ms)
{
    uint64_t deadline = pfi_now_ns() + (uint64_t)timeout_ms * 1000000u;

    while (*node < 0 && !*failed) {
        struct pollfd pfd = { wl_display_get_fd(st->display), POLLIN, 0 };
        uint64_t now = pfi_now_ns();
        int r;

        if (now >= deadline)
            return PF_ERR_TIMEOUT;
        while (wl_display_prepare_read(st->display) != 0)
            if (wl_display_dispatch_pending(st->display) < 0)
                return PF_ERR_IO;
        if (wl_display_flush(st->display) < 0 && errno != EAGAIN) {
            wl_display_cancel_read(st->display);
            return PF_ERR_IO;
        }
        r = poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1);
        if (r > 0) {
            if (wl_display_read_events(st->display) < 0)
                return PF_ERR_IO;
        } else {
            wl_display_cancel_read(st->display);
        }
        if (wl_display_dispatch_pending(st->display) < 0)
            return PF_ERR_IO;
    }
    return 0;
}

static void destroy(struct pf_vdisplay *vd)
{
    struct kwin_state *st = vd->backend;

    if (!st)
        return;
    if (st->stream)
        zkde_screencast_stream_unstable_v1_close(st->stream);
    if (st->screencast)
        zkde_screencast_unstable_v1_destroy(st->screencast);
    if (st->registry)
        wl_registry_destroy(st->registry);
    if (st->display) {
        wl_display_roundtrip(st->display);
        wl_display_disconnect(st->display);
    }
    free(st);
    vd->backend = NULL;
}

static int create(struct pf_vdisplay *vd)
{
    struct kwin_state *st = calloc(1, sizeof(*st));
    char name[64];
    int r, metadata;

    if (!st)
        return PF_ERR_NOMEM;
    vd->backend = st;
    st->node = -1;
    st->display = wl_display_connect(NULL);
    if (!st->display) {
        destroy(vd);
        return PF_ERR_IO;
    }
    st->registry = wl_display_get_registry(st->display);
    wl_registry_add_listener(st->registry, &registry_listener, st);
    if (wl_display_roundtrip(st->display) < 0) {
        destroy(vd);
        return PF_ERR_IO;
    }
    if (!st->screencast) {
        pfi_cap_debug(&vd->log, TOPIC, "no zkde_screencast_unstable_v1 >= 2");
        destroy(vd);
        return PF_ERR_UNSUPPORTED;
    }
    /* The name shows in KWin's display settings: say whose output it is. */
    snprintf(name, sizeof(name), "punktfunk-%d-%ux%u", (int)getpid(), vd->settings.width,
             vd->settings.height);
    /* KWin sends the pointer as PipeWire metadata (SPA_META_Cursor) on request. */
    metadata = vd->settings.cursor_mode == PF_VDISPLAY_CURSOR_METADATA;
    st->stream = zkde_screencast_unstable_v1_stream_virtual_output(
        st->screencast, name, (int32_t)vd->settings.width, (int32_t)vd->settings.height,
        wl_fixed_from_int(1),
        metadata ? ZKDE_SCREENCAST_UNSTABLE_V1_POINTER_METADATA
                 : ZKDE_SCREENCAST_UNSTABLE_V1_POINTER_EMBEDDED);
    zkde_screencast_stream_unstable_v1_add_listener(st->stream, &stream_listener, st);
    r = dispatch_until(st, &st->node, &st->failed, vd->settings.timeout_ms);
    if (r == 0 && st->failed) {
        pfi_cap_debug(&vd->log, TOPIC, "KWin refused the output: %s", st->error);
        r = PF_ERR_UNSUPPORTED;
    }
    if (r < 0) {
        destroy(vd);
        return r;
    }
    vd->node_id = st->node;
    if (metadata)
        vd->caps |= PF_VDISPLAY_CAP_CURSOR_METADATA;
    pfi_cap_debug(&vd->log, TOPIC, "output %s node %lld", name, (long long)st->node);
    return 0;
}
#else
static int probe(const pf_vdisplay_settings *s)
{
    return 0;
}

static int create(struct pf_vdisplay *vd)
{
    return PF_ERR_UNSUPPORTED; /* built without wayland-client */
}

static void destroy(struct pf_vdisplay *vd)
{
}
#endif

const struct pfi_vdisplay_impl pfi_vdisplay_kwin = {
    .name = "kwin",
    .probe = probe,
    .create = create,
    .destroy = destroy,
};
