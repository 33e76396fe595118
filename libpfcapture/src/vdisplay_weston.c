/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "weston": Weston (>= 13) started for the session with its PipeWire backend and the pixman
 * renderer, so it needs neither DRM nor a GPU. Its one output is a PipeWire node at the
 * client's mode, damage driven. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "log.h"
#include "vdisplay_spawned.h"

#define TOPIC "vdisplay_weston"
#define NODE_NAME "weston.pipewire"

/* Weston's state is the processes started for it. */
struct weston_state {
    struct pfi_spawn sp;
};

static int probe(const pf_vdisplay_settings *s)
{
    return pfi_spawn_have(s->command ? s->command : "weston");
}

static int write_config(const char *path, const pf_vdisplay_settings *s)
{
    FILE *f = fopen(path, "we");
    int ok;

    if (!f)
        return PF_ERR_IO;
    /* kiosk-shell: every client fullscreen on the one output, as a streamed desktop wants. */
    fprintf(f, "[core]\nbackend=pipewire\nrenderer=pixman\nshell=kiosk-shell.so\n"
               "idle-time=0\nrequire-input=false\n\n"
               "[output]\nname=pipewire\nmode=%ux%u@%u\n",
            s->width, s->height, (s->refresh_mhz + 500) / 1000);
    ok = fclose(f) == 0;
    return ok ? 0 : PF_ERR_IO;
}

static int create(struct pf_vdisplay *vd)
{
    struct weston_state *st;
    struct pfi_spawn_env env;
    char config[300], config_arg[320], sock[64], sock_path[320];
    const char *argv[] = { vd->command ? vd->command : "weston", config_arg, sock, NULL };
    const char *base;
    pid_t pid;
    int r;

    r = pfi_vdisplay_spawned_begin(vd, sizeof(*st), "weston", &base);
    if (r < 0)
        return r;
    st = vd->backend;
    snprintf(config, sizeof(config), "%s/weston.ini", st->sp.dir);
    snprintf(config_arg, sizeof(config_arg), "--config=%s", config);
    snprintf(sock, sizeof(sock), "--socket=pf-%s", base);
    snprintf(sock_path, sizeof(sock_path), "%s/pf-%s", st->sp.dir, base);
    r = write_config(config, &vd->settings);
    if (r < 0)
        goto fail;
    pfi_vdisplay_spawn_env(vd, st->sp.dir, NULL, &env);
    /* Its socket says it is up; its output's node, that it streams. */
    r = pfi_spawn_start_ready(&st->sp, "weston", argv, env.env, sock_path,
                              vd->settings.timeout_ms, &pid);
    if (r == 0)
        r = pfi_vdisplay_wait_node(vd, NODE_NAME, pid, vd->settings.timeout_ms);
    if (r < 0)
        goto fail;
    snprintf(vd->wayland_display, sizeof(vd->wayland_display), "%s", sock_path);
    vd->caps |= PF_VDISPLAY_CAP_SPAWNED;
    return 0;
fail:
    pfi_cap_debug(&vd->log, TOPIC, "weston failed (%d); logs in %s", r, st->sp.dir);
    pfi_vdisplay_spawned_destroy(vd);
    return r;
}

const struct pfi_vdisplay_impl pfi_vdisplay_weston = {
    .name = "weston",
    .probe = probe,
    .create = create,
    .destroy = pfi_vdisplay_spawned_destroy,
};
