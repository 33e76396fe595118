/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "wlr": a headless output on a running sway, made through its IPC (create_output, then the
 * client's mode), captured by the screencopy bridge. sway keeps outputs made this way after
 * its IPC client leaves, so every output we make is written to a record ("pid name"); outputs
 * whose host died are unplugged at the next create. sway 1.7 can neither unplug nor disable
 * a headless output: there the output stays in the record as free (pid 0) and the next
 * create reuses it, so outputs never pile up. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pf/core/error.h"

#include "log.h"
#include "sway_ipc.h"
#include "vdisplay_impl.h"

#ifdef PF_HAVE_WLR
#include "wlr_bridge.h"

#define TOPIC "vdisplay_wlr"
#define MAX_OUTPUTS 32
#define REPLY_SIZE 65536

struct wlr_state {
    int fd;
    char output[64];
    struct pfi_wlr_bridge *bridge;
    char reply[REPLY_SIZE];
};

static int probe(const pf_vdisplay_settings *s)
{
    return getenv("SWAYSOCK") != NULL;
}

static int record_path(char *buf, size_t size)
{
    const char *rt = getenv("XDG_RUNTIME_DIR");
    char dir[300];

    snprintf(dir, sizeof(dir), "%s/punktfunk", rt ? rt : "/tmp");
    mkdir(dir, 0700);
    snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/vdisplay");
    mkdir(dir, 0700);
    return snprintf(buf, size, "%s/wlr-outputs", dir) < (int)size ? 0 : PF_ERR_LIMIT;
}

static int command(struct wlr_state *st, const char *cmd, uint32_t timeout_ms)
{
    int r = pfi_sway_request(st->fd, PFI_SWAY_RUN_COMMAND, cmd, st->reply, sizeof(st->reply),
                             timeout_ms);

    if (r < 0)
        return r;
    return pfi_sway_command_ok(st->reply) ? 0 : PF_ERR_UNSUPPORTED;
}

static int list_outputs(struct wlr_state *st, char names[][64], uint32_t timeout_ms);

static int output_exists(struct wlr_state *st, const char *name, uint32_t timeout_ms)
{
    char names[MAX_OUTPUTS][64];
    int n = list_outputs(st, names, timeout_ms);

    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return n < 0 ? n : 0;
}

static int remove_output(struct wlr_state *st, const char *name, uint32_t timeout_ms)
{
    char cmd[128];

    /* "unplug" (sway 1.8+) destroys a headless output. sway 1.7 has no way to: its reply to
     * "disable" says success while the commit fails, so only the output list is believed. */
    snprintf(cmd, sizeof(cmd), "output %s unplug", name);
    command(st, cmd, timeout_ms);
    return output_exists(st, name, timeout_ms) == 0 ? 0 : PF_ERR_UNSUPPORTED;
}

/* Rewrites the record. Entries of dead hosts have their outputs removed, or kept as free
 * (pid 0) when sway cannot remove them. With @release, our entry for it is removed the same
 * way. With @take, the first free output is claimed for us and copied to @take (size 64);
 * returns 1 then. With @add, a new entry for us is written. */
static int update_record(struct wlr_state *st, const char *release, char *take, const char *add,
                         uint32_t timeout_ms, const pf_log_hook *log)
{
    char path[400], tmp[420], name[64];
    FILE *in, *out;
    int pid, taken = 0;

    if (record_path(path, sizeof(path)) < 0)
        return 0;
    snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
    out = fopen(tmp, "we");
    if (!out)
        return 0;
    in = fopen(path, "re");
    while (in && fscanf(in, "%d %63s", &pid, name) == 2) {
        int mine = release && pid == (int)getpid() && strcmp(name, release) == 0;

        if (mine || (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH)) {
            if (!mine)
                pfi_cap_debug(log, TOPIC, "output %s left by killed host %d", name, pid);
            if (remove_output(st, name, timeout_ms) == 0)
                continue;
            pid = 0;
        }
        if (pid == 0 && take && !taken) {
            taken = 1;
            memcpy(take, name, sizeof(name));
            pid = (int)getpid();
        }
        fprintf(out, "%d %s\n", pid, name);
    }
    if (in)
        fclose(in);
    if (add)
        fprintf(out, "%d %s\n", (int)getpid(), add);
    if (fclose(out) == 0)
        rename(tmp, path);
    else
        unlink(tmp);
    return taken;
}

static int list_outputs(struct wlr_state *st, char names[][64], uint32_t timeout_ms)
{
    int r = pfi_sway_request(st->fd, PFI_SWAY_GET_OUTPUTS, "", st->reply, sizeof(st->reply),
                             timeout_ms);

    return r < 0 ? r : (int)pfi_sway_output_names(st->reply, names, MAX_OUTPUTS);
}

static void destroy(struct pf_vdisplay *vd)
{
    struct wlr_state *st = vd->backend;

    if (!st)
        return;
    pfi_wlr_bridge_stop(st->bridge);
    if (st->fd >= 0 && st->output[0])
        update_record(st, st->output, NULL, NULL, 1000, &vd->log);
    if (st->fd >= 0)
        close(st->fd);
    free(st);
    vd->backend = NULL;
}

static int set_mode(struct pf_vdisplay *vd, uint32_t w, uint32_t h, uint32_t mhz)
{
    struct wlr_state *st = vd->backend;
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "output %s mode --custom %ux%u@%u.%03uHz, output %s enable",
             st->output, w, h, mhz / 1000, mhz % 1000, st->output);
    return command(st, cmd, vd->settings.timeout_ms);
}

static int create(struct pf_vdisplay *vd)
{
    struct wlr_state *st = calloc(1, sizeof(*st));
    char before[MAX_OUTPUTS][64], after[MAX_OUTPUTS][64];
    uint32_t t = vd->settings.timeout_ms;
    int nb, na, r;

    if (!st)
        return PF_ERR_NOMEM;
    vd->backend = st;
    st->fd = pfi_sway_connect(getenv("SWAYSOCK"));
    if (st->fd < 0) {
        r = st->fd;
        goto fail;
    }
    if (update_record(st, NULL, st->output, NULL, t, &vd->log)) {
        pfi_cap_debug(&vd->log, TOPIC, "reusing free output %s", st->output);
        goto have_output;
    }
    nb = list_outputs(st, before, t);
    r = nb < 0 ? nb : command(st, "create_output", t);
    if (r < 0)
        goto fail;
    na = list_outputs(st, after, t);
    if (na < 0) {
        r = na;
        goto fail;
    }
    /* The new output is the name that was not there before. */
    for (int i = 0; i < na && !st->output[0]; i++) {
        int known = 0;

        for (int j = 0; j < nb; j++)
            known |= strcmp(after[i], before[j]) == 0;
        if (!known) {
            after[i][sizeof(after[i]) - 1] = 0;
            memcpy(st->output, after[i], sizeof(st->output));
        }
    }
    if (!st->output[0]) {
        r = PF_ERR_UNSUPPORTED;
        goto fail;
    }
    update_record(st, NULL, NULL, st->output, t, &vd->log);
have_output:
    r = set_mode(vd, vd->settings.width, vd->settings.height, vd->settings.refresh_mhz);
    if (r == 0)
        r = pfi_wlr_bridge_start(st->output, vd->settings.width, vd->settings.height,
                                 (vd->settings.refresh_mhz + 500) / 1000, vd->pipewire_remote,
                                 t, &st->bridge);
    if (r < 0)
        goto fail;
    vd->node_id = pfi_wlr_bridge_node_id(st->bridge);
    vd->caps |= PF_VDISPLAY_CAP_SET_MODE;
    snprintf(vd->session_id, sizeof(vd->session_id), "%s", st->output);
    pfi_cap_debug(&vd->log, TOPIC, "output %s node %lld", st->output, (long long)vd->node_id);
    return 0;
fail:
    pfi_cap_debug(&vd->log, TOPIC, "sway output failed (%d)", r);
    destroy(vd);
    return r;
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

static int set_mode(struct pf_vdisplay *vd, uint32_t w, uint32_t h, uint32_t mhz)
{
    return PF_ERR_UNSUPPORTED;
}
#endif

const struct pfi_vdisplay_impl pfi_vdisplay_wlr = {
    .name = "wlr",
    .probe = probe,
    .create = create,
    .destroy = destroy,
    .set_mode = set_mode,
};
