/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "gamescope": gamescope started headless at the client's mode; it publishes its output as
 * the PipeWire node "gamescope". Chosen by autoselect only inside a gamescope session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "log.h"
#include "vdisplay_spawned.h"

#define TOPIC "vdisplay_gamescope"
#define NODE_NAME "gamescope"

/* gamescope's state is the process started for it. */
struct gamescope_state {
    struct pfi_spawn sp;
};

static int probe(const pf_vdisplay_settings *s)
{
    const char *desktop = getenv("XDG_CURRENT_DESKTOP");

    return (getenv("GAMESCOPE_WAYLAND_DISPLAY") ||
            (desktop && strcmp(desktop, "gamescope") == 0)) &&
           pfi_spawn_have(s->command ? s->command : "gamescope");
}

static int create(struct pf_vdisplay *vd)
{
    struct gamescope_state *st;
    struct pfi_spawn_env env;
    char w[16], h[16], hz[16];
    const char *argv[] = { vd->command ? vd->command : "gamescope", "--headless", "-W", w, "-H",
                           h, "-r", hz, NULL };
    const char *base;
    pid_t pid;
    int r;

    r = pfi_vdisplay_spawned_begin(vd, sizeof(*st), "gamescope", &base);
    if (r < 0)
        return r;
    st = vd->backend;
    snprintf(w, sizeof(w), "%u", vd->settings.width);
    snprintf(h, sizeof(h), "%u", vd->settings.height);
    snprintf(hz, sizeof(hz), "%u", (vd->settings.refresh_mhz + 500) / 1000);
    pfi_vdisplay_spawn_env(vd, st->sp.dir, NULL, &env);
    /* It has no socket to wait for: its output's node says it is up. */
    r = pfi_spawn_start_ready(&st->sp, "gamescope", argv, env.env, NULL, 0, &pid);
    if (r == 0)
        r = pfi_vdisplay_wait_node(vd, NODE_NAME, pid, vd->settings.timeout_ms);
    if (r < 0)
        goto fail;
    vd->caps |= PF_VDISPLAY_CAP_SPAWNED;
    return 0;
fail:
    pfi_cap_debug(&vd->log, TOPIC, "gamescope failed (%d)", r);
    pfi_vdisplay_spawned_destroy(vd);
    return r;
}

const struct pfi_vdisplay_impl pfi_vdisplay_gamescope = {
    .name = "gamescope",
    .probe = probe,
    .create = create,
    .destroy = pfi_vdisplay_spawned_destroy,
};
