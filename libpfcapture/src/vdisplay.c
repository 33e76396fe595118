/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Virtual display front end: settings, backend selection (autocreate with the PF_VDISPLAY
 * override, wlroots style) and dispatch to the backend vtable. */
#include "pf/vdisplay.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "log.h"
#include "vdisplay_impl.h"

#define TOPIC "vdisplay"

static const struct pfi_vdisplay_impl *const impls[] = {
    &pfi_vdisplay_mutter,
    &pfi_vdisplay_kwin,
    &pfi_vdisplay_wlr,
    &pfi_vdisplay_gamescope,
    &pfi_vdisplay_mutter_headless,
    &pfi_vdisplay_weston,
    &pfi_vdisplay_testpattern,
};

const struct pfi_vdisplay_impl *const *pfi_vdisplay_impls(uint32_t *ret_count)
{
    *ret_count = sizeof(impls) / sizeof(impls[0]);
    return impls;
}

int pfi_vdisplay_pick(const struct pfi_vdisplay_impl *const *list, uint32_t n, const char *name,
                      const char *env_override)
{
    /* An explicit choice in the settings wins over the environment, which wins over
     * autoselect. "auto" in either place means autoselect. */
    const char *want = name && *name ? name : env_override && *env_override ? env_override : NULL;

    if (!want || strcmp(want, "auto") == 0)
        return -2;
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(list[i]->name, want) == 0)
            return (int)i;
    return -1;
}

PF_EXPORT int pf_vdisplay_settings_init(pf_vdisplay_settings *s)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->width = 1280;
    s->height = 720;
    s->refresh_mhz = 60000;
    return 0;
}

PF_EXPORT const char *pf_vdisplay_backend_name(uint32_t index)
{
    return index < sizeof(impls) / sizeof(impls[0]) ? impls[index]->name : NULL;
}

static int valid_mode(uint32_t w, uint32_t h, uint32_t mhz)
{
    return w >= 64 && w <= 8192 && h >= 64 && h <= 8192 && mhz >= 1000 && mhz <= 1000000;
}

static int try_create(struct pf_vdisplay *vd, const struct pfi_vdisplay_impl *impl)
{
    int r;

    vd->impl = impl;
    vd->node_id = -1;
    vd->caps = 0;
    vd->session_id[0] = 0;
    vd->stream_path[0] = 0;
    vd->wayland_display[0] = 0;
    r = impl->create(vd);
    pfi_cap_debug(&vd->log, TOPIC, "%s: %s (%d)", impl->name, r < 0 ? "failed" : "created", r);
    if (r < 0)
        vd->impl = NULL;
    return r;
}

PF_EXPORT int pf_vdisplay_create(const pf_vdisplay_settings *settings, pf_vdisplay **ret_display)
{
    struct pf_vdisplay *vd;
    uint32_t n;
    const struct pfi_vdisplay_impl *const *list = pfi_vdisplay_impls(&n);
    int idx, r = PF_ERR_NOT_FOUND;

    pf_assert_return(settings && ret_display, PF_ERR_INVALID_ARGUMENT);
    /* Callers built before cursor_mode pass the smaller struct; that field reads as 0. */
    pf_assert_return(settings->struct_size >= offsetof(pf_vdisplay_settings, cursor_mode),
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(valid_mode(settings->width, settings->height, settings->refresh_mhz),
                     PF_ERR_INVALID_ARGUMENT);

    idx = pfi_vdisplay_pick(list, n, settings->backend, getenv("PF_VDISPLAY"));
    if (idx == -1) {
        pfi_cap_debug(&settings->log, TOPIC, "unknown backend '%s'",
                      settings->backend ? settings->backend : getenv("PF_VDISPLAY"));
        return PF_ERR_NOT_FOUND;
    }
    vd = calloc(1, sizeof(*vd));
    if (!vd)
        return PF_ERR_NOMEM;
    memcpy(&vd->settings, settings,
           settings->struct_size < sizeof(*settings) ? settings->struct_size : sizeof(*settings));
    vd->settings.struct_size = sizeof(vd->settings);
    vd->log = settings->log;
    if (!vd->settings.timeout_ms)
        vd->settings.timeout_ms = 5000;
    vd->pipewire_remote = settings->pipewire_remote ? strdup(settings->pipewire_remote) : NULL;
    vd->command = settings->command ? strdup(settings->command) : NULL;
    if ((settings->pipewire_remote && !vd->pipewire_remote) ||
        (settings->command && !vd->command)) {
        pf_vdisplay_destroy(vd);
        return PF_ERR_NOMEM;
    }
    vd->settings.pipewire_remote = vd->pipewire_remote;
    vd->settings.command = vd->command;
    vd->settings.backend = NULL;
    if (settings->remote_desktop_session_id && !settings->start_linked) {
        pf_vdisplay_destroy(vd);
        return PF_ERR_INVALID_ARGUMENT;
    }

    if (idx >= 0) {
        r = try_create(vd, list[idx]);
    } else {
        /* Autoselect: the first backend that fits the session and actually works. A
         * failure is not fatal while others remain (never stream black: fall back). */
        for (uint32_t i = 0; i < n; i++) {
            if (!list[i]->probe(&vd->settings))
                continue;
            r = try_create(vd, list[i]);
            if (r >= 0)
                break;
        }
    }
    /* The bus address, link and hook are borrowed for create() only. */
    vd->settings.dbus_address = NULL;
    vd->settings.remote_desktop_session_id = NULL;
    vd->settings.start_linked = NULL;
    if (r < 0) {
        pf_vdisplay_destroy(vd);
        return r;
    }
    *ret_display = vd;
    return 0;
}

PF_EXPORT void pf_vdisplay_destroy(pf_vdisplay *vd)
{
    if (!vd)
        return;
    if (vd->impl)
        vd->impl->destroy(vd);
    free(vd->pipewire_remote);
    free(vd->command);
    free(vd);
}

PF_EXPORT const char *pf_vdisplay_get_backend(pf_vdisplay *vd)
{
    return vd && vd->impl ? vd->impl->name : NULL;
}

PF_EXPORT uint32_t pf_vdisplay_get_caps(pf_vdisplay *vd)
{
    return vd ? vd->caps : 0;
}

PF_EXPORT int64_t pf_vdisplay_get_node_id(pf_vdisplay *vd)
{
    pf_assert_return(vd, PF_ERR_INVALID_ARGUMENT);
    return vd->node_id >= 0 ? vd->node_id : PF_ERR_STATE;
}

PF_EXPORT const char *pf_vdisplay_get_pipewire_remote(pf_vdisplay *vd)
{
    return vd ? vd->pipewire_remote : NULL;
}

PF_EXPORT int pf_vdisplay_get_session_id(pf_vdisplay *vd, char *buf, size_t size)
{
    size_t len;

    pf_assert_return(vd && buf, PF_ERR_INVALID_ARGUMENT);
    if (!vd->session_id[0])
        return PF_ERR_UNSUPPORTED;
    len = strlen(vd->session_id);
    if (len + 1 > size)
        return PF_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, vd->session_id, len + 1);
    return (int)len;
}

PF_EXPORT int pf_vdisplay_get_stream_path(pf_vdisplay *vd, char *buf, size_t size)
{
    size_t len;

    pf_assert_return(vd && buf, PF_ERR_INVALID_ARGUMENT);
    if (!vd->stream_path[0])
        return PF_ERR_UNSUPPORTED;
    len = strlen(vd->stream_path);
    if (len + 1 > size)
        return PF_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, vd->stream_path, len + 1);
    return (int)len;
}

PF_EXPORT const char *pf_vdisplay_get_wayland_display(pf_vdisplay *vd)
{
    return vd && vd->wayland_display[0] ? vd->wayland_display : NULL;
}

PF_EXPORT int pf_vdisplay_set_mode(pf_vdisplay *vd, uint32_t width, uint32_t height,
                                   uint32_t refresh_mhz)
{
    pf_assert_return(vd && vd->impl, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(valid_mode(width, height, refresh_mhz), PF_ERR_INVALID_ARGUMENT);
    if (!vd->impl->set_mode || !(vd->caps & PF_VDISPLAY_CAP_SET_MODE))
        return PF_ERR_UNSUPPORTED;
    return vd->impl->set_mode(vd, width, height, refresh_mhz);
}
