/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-session desktops: where a session's picture comes from, who gets its input, and where
 * its apps run. The desktop session's compositor when there is one; otherwise a compositor
 * started for the session (its own bus and runtime directory, publishing on the private
 * PipeWire), supervised, and stopped with the session. */
#include "desktop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "pf/core/error.h"
#include "pf/input.h"
#include "pf/vdisplay.h"

#include "host.h"

#define SPAWN_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 2000

struct desktop {
    desktops *owner;
    uint32_t id;
    uint32_t width, height, fps;
    const char *kind;       /* "spawned" or "desktop" */
    char compositor[32];    /* "mutter", "weston", or the desktop backend's name */
    char dir[256];          /* runtime directory of a spawned compositor */
    char bus_address[320];  /* its own bus (Mutter's names are per bus) */
    char wayland[320];      /* Wayland socket apps connect to */
    char remote[320];       /* PipeWire the output lives on; "" = the default */
    pid_t bus_pid, comp_pid;
    int keep_dir;           /* a failed start keeps its logs for the user */
    int cursor;             /* asked: the pointer as metadata, out of the picture */
    pf_vdisplay *vd;
    pf_input_injector *inj;
    int64_t node;
    char env_store[4][360];
    const char *env[5];
};

static desktop *find(desktops *d, uint32_t id)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i]->id == id)
            return d->v[i];
    return NULL;
}

static void lib_log(void *ud, uint32_t level, const char *topic, const char *msg, size_t len)
{
    if (level < PF_LOG_DEBUG)
        host_log("%s: %.*s", topic, (int)len, msg);
}

/* ------------------------------------------------------------------------------------------ */
/* What this machine offers */

static int bus_has(sd_bus *bus, const char *name)
{
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int has = 0;
    if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "NameHasOwner", &e, &reply, "s", name) >= 0)
        sd_bus_message_read(reply, "b", &has);
    sd_bus_message_unref(reply);
    sd_bus_error_free(&e);
    return has;
}

/* A desktop session a virtual-display backend can drive: a Wayland compositor in the
 * environment, or GNOME's or KDE's screencast API on the user's bus. */
static int desktop_session(char *what, size_t n)
{
    const char *wl = getenv("WAYLAND_DISPLAY"), *sway = getenv("SWAYSOCK");
    if (sway && *sway) {
        snprintf(what, n, "sway (SWAYSOCK=%s)", sway);
        return 1;
    }
    if (wl && *wl) {
        snprintf(what, n, "a Wayland compositor (WAYLAND_DISPLAY=%s)", wl);
        return 1;
    }
    sd_bus *bus = NULL;
    int found = 0;
    if (sd_bus_open_user(&bus) >= 0) {
        if (bus_has(bus, "org.gnome.Mutter.ScreenCast")) {
            snprintf(what, n, "GNOME (Mutter on the session bus)");
            found = 1;
        } else if (bus_has(bus, "org.kde.KWin")) {
            snprintf(what, n, "KDE (KWin on the session bus)");
            found = 1;
        }
    }
    sd_bus_flush_close_unref(bus);
    return found;
}

void desktops_describe(desktops *d)
{
    char what[200], mv[32], wv[32], pv[32], wpv[32], bv[32];
    if (d->forced) {
        snprintf(d->capture_path, sizeof(d->capture_path),
                 "virtual display backend \"%s\" (forced)", d->forced);
    } else if (desktop_session(what, sizeof(what))) {
        snprintf(d->capture_path, sizeof(d->capture_path),
                 "desktop session found: %s; each session gets a virtual output on it", what);
    } else {
        session_stack_version("mutter", mv, sizeof(mv));
        session_stack_version("weston", wv, sizeof(wv));
        session_stack_version("pipewire", pv, sizeof(pv));
        session_stack_version("wireplumber", wpv, sizeof(wpv));
        session_stack_version("dbus-daemon", bv, sizeof(bv));
        if (mv[0] || wv[0])
            snprintf(d->capture_path, sizeof(d->capture_path),
                     "no desktop session: a private stack will be started (dbus-daemon %s, "
                     "PipeWire %s, WirePlumber %s) and a headless %s %s per session",
                     bv[0] ? bv : "missing", pv[0] ? pv : "missing",
                     wpv[0] ? wpv : "missing", mv[0] ? "Mutter" : "Weston", mv[0] ? mv : wv);
        else
            snprintf(d->capture_path, sizeof(d->capture_path),
                     "no desktop session and no headless compositor installed: launches "
                     "will fail until mutter or weston (13 or later) is installed");
    }
    host_log("capture: %s", d->capture_path);
}

/* ------------------------------------------------------------------------------------------ */
/* Opening */

static int start_injector(void *user_data)
{
    return pf_input_injector_start(user_data);
}

static const char *input_backends(const char *desk)
{
    /* uinput carries gamepads where the kernel has it. */
    int uinput = access("/dev/uinput", W_OK) == 0;
    if (!strcmp(desk, "mutter"))
        return uinput ? "mutter,uinput" : "mutter";
    if (!strcmp(desk, "wlr"))
        return uinput ? "wlr,uinput" : "wlr";
    if (!strcmp(desk, "kwin"))
        return uinput ? "kwin,uinput" : "kwin";
    return uinput ? "uinput" : NULL;
}

/* Mutter: the RemoteDesktop session comes first, and the screencast is linked to it, so
 * absolute pointer and touch positions address this very output (test-environment.md). */
static int open_mutter_output(desktop *k, const char *bus_address, uint32_t wait_ms)
{
    pf_input_settings is;
    pf_input_settings_default(&is);
    is.backends = input_backends("mutter");
    is.dbus_address = bus_address;
    is.log = (pf_log_hook){.fn = lib_log};
    /* A compositor just started owns its D-Bus names a moment after its socket appears. */
    int r = PF_ERR_UNSUPPORTED;
    for (uint32_t waited = 0;; waited += 50) {
        r = pf_input_injector_create(&is, &k->inj);
        if (r >= 0 || waited >= wait_ms)
            break;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (r < 0)
        return r;
    char sid[256];
    r = pf_input_injector_get_session_id(k->inj, sid, sizeof(sid));
    if (r <= 0)
        return r < 0 ? r : PF_ERR_UNSUPPORTED;
    pf_vdisplay_settings vs;
    pf_vdisplay_settings_init(&vs);
    vs.width = k->width;
    vs.height = k->height;
    vs.refresh_mhz = k->fps * 1000;
    vs.backend = "mutter";
    vs.cursor_mode = k->cursor ? PF_VDISPLAY_CURSOR_METADATA : PF_VDISPLAY_CURSOR_EMBEDDED;
    vs.pipewire_remote = k->remote[0] ? k->remote : NULL;
    vs.dbus_address = bus_address;
    vs.remote_desktop_session_id = sid;
    vs.start_linked = start_injector;
    vs.start_linked_user_data = k->inj;
    vs.timeout_ms = SPAWN_TIMEOUT_MS;
    vs.log = (pf_log_hook){.fn = lib_log};
    r = pf_vdisplay_create(&vs, &k->vd);
    if (r < 0)
        return r;
    char stream[256];
    pf_input_output out = {.struct_size = sizeof(out), .width = k->width, .height = k->height};
    if (pf_vdisplay_get_stream_path(k->vd, stream, sizeof(stream)) > 0)
        out.stream_path = stream;
    return pf_input_injector_set_output(k->inj, &out);
}

/* Any other backend: the output, then the input of that compositor. */
static int open_output(desktop *k, const char *backend)
{
    pf_vdisplay_settings vs;
    pf_vdisplay_settings_init(&vs);
    vs.width = k->width;
    vs.height = k->height;
    vs.refresh_mhz = k->fps * 1000;
    vs.backend = backend;
    vs.cursor_mode = k->cursor ? PF_VDISPLAY_CURSOR_METADATA : PF_VDISPLAY_CURSOR_EMBEDDED;
    vs.pipewire_remote = k->remote[0] ? k->remote : NULL;
    vs.timeout_ms = SPAWN_TIMEOUT_MS;
    vs.log = (pf_log_hook){.fn = lib_log};
    int r = pf_vdisplay_create(&vs, &k->vd);
    if (r < 0)
        return r;
    const char *own = pf_vdisplay_get_pipewire_remote(k->vd);
    if (own && own != k->remote)
        snprintf(k->remote, sizeof(k->remote), "%s", own);
    const char *wl = pf_vdisplay_get_wayland_display(k->vd);
    if (wl)
        snprintf(k->wayland, sizeof(k->wayland), "%s", wl);
    const char *list = input_backends(backend);
    if (!list) {
        host_log("session %u: %s offers no input injection and /dev/uinput is missing; the "
                 "session is view-only", k->id, backend);
        return 0;
    }
    pf_input_settings is;
    pf_input_settings_default(&is);
    is.backends = list;
    is.vdisplay = backend;
    is.wayland_display = k->wayland[0] ? k->wayland : NULL;
    is.log = (pf_log_hook){.fn = lib_log};
    if (pf_input_injector_create(&is, &k->inj) < 0) {
        host_log("session %u: no input backend for %s; the session is view-only", k->id,
                 backend);
        return 0;
    }
    char name[256];
    pf_input_output out = {.struct_size = sizeof(out), .width = k->width, .height = k->height};
    if (pf_vdisplay_get_session_id(k->vd, name, sizeof(name)) > 0)
        out.name = name;
    pf_input_injector_set_output(k->inj, &out);
    return 0;
}

static void on_compositor_exit(void *user_data, pid_t pid, int wait_status)
{
    desktops *d = user_data;
    for (size_t i = 0; i < d->n; i++) {
        desktop *k = d->v[i];
        if (k->comp_pid != pid && k->bus_pid != pid)
            continue;
        if (k->comp_pid == pid)
            k->comp_pid = 0;
        else
            k->bus_pid = 0;
        uint32_t id = k->id;
        char why[96];
        supervisor_describe_status(wait_status, why, sizeof(why));
        host_log("session %u ends: its %s (pid %d) died (%s)%s", id, k->compositor, (int)pid,
                 why, getenv("PF_KEEP_DESKTOP_LOGS") ? "" : "; PF_KEEP_DESKTOP_LOGS=1 keeps logs");
        /* Closing the session closes the desktop (the wrapped plane) and nothing else. */
        if (d->end_session)
            d->end_session(d->user_data, id, DESKTOP_TERM_SOURCE_LOST);
        desktops_close(d, id);
        return;
    }
}

/* Removes @p dir; what a quitting process writes there after that is swept later. */
static void remove_dir(desktops *d, const char *dir)
{
    session_stack_remove_dir(dir);
    if (!dir[0] || access(dir, F_OK) != 0)
        return;
    char **v = realloc(d->sweep, (d->nsweep + 1) * sizeof(*v));
    if (!v)
        return;
    d->sweep = v;
    if ((v[d->nsweep] = strdup(dir)))
        d->nsweep++;
}

void desktops_sweep(desktops *d)
{
    size_t kept = 0;
    for (size_t i = 0; i < d->nsweep; i++) {
        session_stack_remove_dir(d->sweep[i]);
        if (access(d->sweep[i], F_OK) == 0)
            d->sweep[kept++] = d->sweep[i];
        else
            free(d->sweep[i]);
    }
    d->nsweep = kept;
    if (!kept) {
        free(d->sweep);
        d->sweep = NULL;
    }
}

/* The screencast, then the input session it is linked to, then the compositor and its bus;
 * last the directory with their sockets and logs. */
static void release(desktops *d, desktop *k)
{
    pf_vdisplay_destroy(k->vd);
    pf_input_injector_destroy(k->inj);
    k->vd = NULL;
    k->inj = NULL;
    /* Reaped by the loop: a compositor slow to quit must not stall the streams of others
     * (the host's shutdown waits for them in supervisor_finish()). */
    if (k->comp_pid > 0)
        supervisor_stop_async(d->sup, k->comp_pid, STOP_TIMEOUT_MS);
    if (k->bus_pid > 0)
        supervisor_stop_async(d->sup, k->bus_pid, STOP_TIMEOUT_MS);
    k->comp_pid = k->bus_pid = 0;
    if (k->dir[0] && !k->keep_dir && !getenv("PF_KEEP_DESKTOP_LOGS"))
        remove_dir(d, k->dir);
    k->dir[0] = '\0';
}

static pid_t spawn_in(desktops *d, desktop *k, const char *name, const char *const argv[],
                      const char *const env[])
{
    char log[400];
    snprintf(log, sizeof(log), "%s/%s.log", k->dir, name);
    return supervisor_start(d->sup, name, argv, env, log, on_compositor_exit, d);
}

/* Mutter --headless with its own bus: ScreenCast and RemoteDesktop without a GPU. */
static int open_spawned_mutter(desktops *d, desktop *k, char *err, size_t n)
{
    char bus_path[300], addr_arg[360];
    snprintf(bus_path, sizeof(bus_path), "%s/bus", k->dir);
    snprintf(k->bus_address, sizeof(k->bus_address), "unix:path=%s", bus_path);
    snprintf(addr_arg, sizeof(addr_arg), "--address=%s", k->bus_address);
    const char *const bus_argv[] = {"dbus-daemon", "--session", "--nofork", "--nopidfile",
                                    addr_arg, NULL};
    /* Its runtime files (dbus-1/services) go to the session's directory too. */
    char bus_rt[300];
    snprintf(bus_rt, sizeof(bus_rt), "XDG_RUNTIME_DIR=%s", k->dir);
    const char *const bus_env[] = {bus_rt, NULL};
    k->bus_pid = spawn_in(d, k, "dbus-daemon", bus_argv, bus_env);
    if (k->bus_pid < 0 || session_stack_wait_path(bus_path, k->bus_pid, SPAWN_TIMEOUT_MS) < 0) {
        snprintf(err, n, "the session bus for Mutter did not start (log in %s)", k->dir);
        return -1;
    }
    /* Mutter keeps its settings and caches in the session's directory, not the user's. */
    char e[8][400];
    snprintf(e[0], sizeof(e[0]), "XDG_RUNTIME_DIR=%s", k->dir);
    snprintf(e[1], sizeof(e[1]), "DBUS_SESSION_BUS_ADDRESS=%s", k->bus_address);
    snprintf(e[2], sizeof(e[2]), "PIPEWIRE_REMOTE=%s", k->remote);
    snprintf(e[3], sizeof(e[3]), "XDG_CONFIG_HOME=%s/config", k->dir);
    snprintf(e[4], sizeof(e[4]), "XDG_CACHE_HOME=%s/cache", k->dir);
    snprintf(e[5], sizeof(e[5]), "XDG_DATA_HOME=%s/data", k->dir);
    snprintf(e[6], sizeof(e[6]), "XDG_STATE_HOME=%s/state", k->dir);
    const char *const env[] = {e[0], e[1], e[2], e[3], e[4], e[5], e[6],
                               "GSETTINGS_BACKEND=memory", NULL};
    const char *const argv[] = {"mutter", "--wayland", "--headless", "--no-x11",
                                "--wayland-display=wayland-0", NULL};
    snprintf(k->wayland, sizeof(k->wayland), "%s/wayland-0", k->dir);
    k->comp_pid = spawn_in(d, k, "mutter", argv, env);
    if (k->comp_pid < 0 ||
        session_stack_wait_path(k->wayland, k->comp_pid, SPAWN_TIMEOUT_MS) < 0) {
        snprintf(err, n, "Mutter did not start (log in %s/mutter.log)", k->dir);
        return -1;
    }
    int r = open_mutter_output(k, k->bus_address, SPAWN_TIMEOUT_MS);
    if (r < 0) {
        snprintf(err, n, "Mutter started but gave no screencast: %s (log in %s/mutter.log)",
                 pf_strerror(r), k->dir);
        return -1;
    }
    return 0;
}

static int open_spawned(desktops *d, desktop *k, const char *which, char *err, size_t n)
{
    k->kind = "spawned";
    if (d->pipewire_remote) {
        snprintf(k->remote, sizeof(k->remote), "%s", d->pipewire_remote);
    } else {
        if (session_stack_ensure(&d->stack, d->runtime_dir, err, n) < 0)
            return -1;
        snprintf(k->remote, sizeof(k->remote), "%s", d->stack.pipewire_socket);
    }
    mkdir(d->runtime_dir, 0700);
    snprintf(k->dir, sizeof(k->dir), "%s/desktop-%u.XXXXXX", d->runtime_dir, k->id);
    if (!mkdtemp(k->dir)) {
        snprintf(err, n, "cannot create a directory in %s: %s", d->runtime_dir,
                 strerror(errno));
        k->dir[0] = '\0';
        return -1;
    }
    if (!strcmp(which, "mutter")) {
        snprintf(k->compositor, sizeof(k->compositor), "mutter");
        return open_spawned_mutter(d, k, err, n);
    }
    snprintf(k->compositor, sizeof(k->compositor), "weston");
    int r = open_output(k, "weston");
    if (r < 0)
        snprintf(err, n, "Weston's PipeWire backend gave no output: %s (Weston 13 or later "
                         "is needed: apt install -t bookworm-backports weston)",
                 pf_strerror(r));
    return r < 0 ? -1 : 0;
}

static int open_any(desktops *d, desktop *k, char *err, size_t n)
{
    char what[200];
    const char *forced = d->forced;
    if (forced && !strcmp(forced, "mutter-headless"))
        return open_spawned(d, k, "mutter", err, n);
    if (forced && !strcmp(forced, "weston"))
        return open_spawned(d, k, "weston", err, n);
    if (forced) {
        k->kind = "desktop";
        snprintf(k->compositor, sizeof(k->compositor), "%s", forced);
        if (d->pipewire_remote)
            snprintf(k->remote, sizeof(k->remote), "%s", d->pipewire_remote);
        int r = !strcmp(forced, "mutter") ? open_mutter_output(k, NULL, 0)
                                          : open_output(k, forced);
        if (r < 0)
            snprintf(err, n, "the virtual display backend \"%s\" set by vdisplay or "
                             "PF_VDISPLAY failed: %s; unset it to let pfhost choose",
                     forced, pf_strerror(r));
        return r < 0 ? -1 : 0;
    }
    if (desktop_session(what, sizeof(what))) {
        /* The desktop the user is logged into always comes first. */
        static const char *const order[] = {"mutter", "kwin", "wlr", "gamescope"};
        k->kind = "desktop";
        for (size_t i = 0; i < 4; i++) {
            int r = i == 0 ? open_mutter_output(k, NULL, 0) : open_output(k, order[i]);
            if (r == 0) {
                snprintf(k->compositor, sizeof(k->compositor), "%s", order[i]);
                return 0;
            }
            pf_vdisplay_destroy(k->vd);
            pf_input_injector_destroy(k->inj);
            k->vd = NULL;
            k->inj = NULL;
        }
        host_log("session %u: the desktop session (%s) offers no virtual output; starting a "
                 "headless compositor instead", k->id, what);
    }
    int mutter = session_stack_have("mutter"), weston = session_stack_have("weston");
    if (!mutter && !weston) {
        snprintf(err, n, "No picture source: this host has no desktop session and no headless "
                         "compositor. Install mutter (apt install mutter) or weston 13+ (apt "
                         "install -t bookworm-backports weston) on the host");
        return -1;
    }
    if (mutter && open_spawned(d, k, "mutter", err, n) == 0)
        return 0;
    if (!weston)
        return -1;
    if (mutter) {
        host_log("session %u: %s; trying Weston", k->id, err);
        desktop fresh = {.owner = d, .id = k->id, .width = k->width, .height = k->height,
                         .fps = k->fps, .node = -1};
        release(d, k);
        *k = fresh;
    }
    return open_spawned(d, k, "weston", err, n);
}

int desktops_open(desktops *d, uint32_t id, uint32_t width, uint32_t height, uint32_t fps,
                  char *err, size_t n)
{
    return desktops_open_cursor(d, id, width, height, fps, 0, err, n);
}

int desktops_open_cursor(desktops *d, uint32_t id, uint32_t width, uint32_t height,
                         uint32_t fps, int cursor, char *err, size_t n)
{
    desktops_sweep(d);
    desktop *k = calloc(1, sizeof(*k));
    desktop **v = realloc(d->v, (d->n + 1) * sizeof(*v));
    if (!k || !v) {
        free(k);
        if (v)
            d->v = v;
        snprintf(err, n, "out of memory");
        return -1;
    }
    d->v = v;
    d->v[d->n++] = k;
    k->owner = d;
    k->id = id;
    k->width = width;
    k->height = height;
    k->fps = fps ? fps : 60;
    k->cursor = cursor;
    k->node = -1;
    if (open_any(d, k, err, n) < 0 || !(k = find(d, id)) || !k->vd) {
        if (!err[0])
            snprintf(err, n, "no virtual output could be made");
        snprintf(d->last_error, sizeof(d->last_error), "%s", err);
        host_log("session %u: no picture source: %s", id, err);
        if (k)
            k->keep_dir = 1;
        desktops_close(d, id);
        return -1;
    }
    k->node = pf_vdisplay_get_node_id(k->vd);
    size_t e = 0;
    if (k->wayland[0])
        snprintf(k->env_store[e], sizeof(k->env_store[e]), "WAYLAND_DISPLAY=%s", k->wayland),
            k->env[e] = k->env_store[e], e++;
    if (k->bus_address[0])
        snprintf(k->env_store[e], sizeof(k->env_store[e]), "DBUS_SESSION_BUS_ADDRESS=%s",
                 k->bus_address),
            k->env[e] = k->env_store[e], e++;
    if (k->remote[0])
        snprintf(k->env_store[e], sizeof(k->env_store[e]), "PIPEWIRE_REMOTE=%s", k->remote),
            k->env[e] = k->env_store[e], e++;
    if (k->wayland[0])
        k->env[e++] = "XDG_SESSION_TYPE=wayland";
    k->env[e] = NULL;
    d->last_error[0] = '\0';
    host_log("session %u: %s %s at %ux%u@%u (pid %d, PipeWire node %lld, input %s)", id,
             k->kind, k->compositor, width, height, k->fps, (int)k->comp_pid,
             (long long)k->node, k->inj ? pf_input_injector_get_backend(k->inj) : "none");
    return 0;
}

const char *const *desktops_env(desktops *d, uint32_t id)
{
    desktop *k = find(d, id);
    return k ? k->env : NULL;
}

void desktops_close(desktops *d, uint32_t id)
{
    for (size_t i = 0; i < d->n; i++) {
        desktop *k = d->v[i];
        if (k->id != id)
            continue;
        d->v[i] = d->v[--d->n];
        release(d, k);
        free(k);
        return;
    }
}

/* Mutter's virtual monitors have one mode for life: a new screencast (with its linked input
 * session) replaces the old one on the same compositor, whose apps and bus stay. */
static int renew_mutter_output(desktop *k)
{
    pf_vdisplay_destroy(k->vd);
    pf_input_injector_destroy(k->inj);
    k->vd = NULL;
    k->inj = NULL;
    k->node = -1;
    const char *bus = k->bus_address[0] ? k->bus_address : NULL;
    int r = open_mutter_output(k, bus, bus ? SPAWN_TIMEOUT_MS : 0);
    if (r == 0 && k->vd)
        k->node = pf_vdisplay_get_node_id(k->vd);
    return r;
}

/* Mutter's output renewed at @p width x @p height @ @p fps with the pointer as metadata or
 * not (@p cursor); where that fails, back to the settings that worked, so the session can
 * go on with them. 0 or the error of the new output. */
static int renew_mutter_output_as(desktop *k, uint32_t width, uint32_t height, uint32_t fps,
                                  int cursor)
{
    const uint32_t ow = k->width, oh = k->height, of = k->fps;
    const int oc = k->cursor;
    k->width = width;
    k->height = height;
    k->fps = fps;
    k->cursor = cursor;
    int r = renew_mutter_output(k);
    if (r < 0) {
        k->width = ow;
        k->height = oh;
        k->fps = of;
        k->cursor = oc;
        if (renew_mutter_output(k) < 0)
            host_log("session %u: Mutter gave no output with the old settings either", k->id);
    }
    return r;
}

int desktops_set_mode(desktops *d, uint32_t id, uint32_t width, uint32_t height, uint32_t fps,
                      char *err, size_t n)
{
    desktop *k = find(d, id);
    if (!k || !k->vd) {
        snprintf(err, n, "the session has no desktop");
        return -1;
    }
    fps = fps ? fps : 60;
    int r;
    if (pf_vdisplay_get_caps(k->vd) & PF_VDISPLAY_CAP_SET_MODE) {
        r = pf_vdisplay_set_mode(k->vd, width, height, fps * 1000);
        if (r == 0) {
            k->width = width;
            k->height = height;
            k->fps = fps;
            k->node = pf_vdisplay_get_node_id(k->vd);
            pf_input_output out = {.struct_size = sizeof(out), .width = width, .height = height};
            char name[256];
            if (pf_vdisplay_get_session_id(k->vd, name, sizeof(name)) > 0)
                out.name = name;
            if (k->inj)
                pf_input_injector_set_output(k->inj, &out);
        }
    } else if (!strcmp(k->compositor, "mutter")) {
        r = renew_mutter_output_as(k, width, height, fps, k->cursor);
    } else {
        /* Another output would need another compositor, and the apps in this one with it. */
        r = PF_ERR_UNSUPPORTED;
    }
    if (r < 0) {
        snprintf(err, n, "%s gave no output at %ux%u@%u: %s", k->compositor, width, height, fps,
                 pf_strerror(r));
        host_log("session %u: %s", id, err);
        return -1;
    }
    host_log("session %u: %s output now %ux%u@%u (PipeWire node %lld)", id, k->compositor,
             width, height, fps, (long long)k->node);
    return 0;
}

int desktops_set_cursor(desktops *d, uint32_t id, int cursor, char *err, size_t n)
{
    desktop *k = find(d, id);
    if (!k || !k->vd) {
        snprintf(err, n, "the session has no desktop");
        return -1;
    }
    cursor = !!cursor;
    if (k->cursor == cursor)
        return 0;
    if (strcmp(k->compositor, "mutter") != 0) {
        snprintf(err, n, "%s fixes the pointer mode for the output's life", k->compositor);
        return PF_ERR_UNSUPPORTED;
    }
    int r = renew_mutter_output_as(k, k->width, k->height, k->fps, cursor);
    if (r < 0) {
        snprintf(err, n, "Mutter gave no output with the pointer %s: %s",
                 cursor ? "as metadata" : "in the picture", pf_strerror(r));
        host_log("session %u: %s", id, err);
        return -1;
    }
    host_log("session %u: Mutter output now with the pointer %s (PipeWire node %lld)", id,
             cursor ? "as metadata" : "in the picture", (long long)k->node);
    return 0;
}

pf_input_injector *desktops_injector(desktops *d, uint32_t id)
{
    desktop *k = find(d, id);
    return k ? k->inj : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The seam */

static void wrap_start(void *ud, const session *s)
{
    desktops *d = ud;
    if (d->inner.start)
        d->inner.start(d->inner.user_data, s);
}

static void wrap_stop(void *ud, const session *s)
{
    desktops *d = ud;
    if (d->inner.stop)
        d->inner.stop(d->inner.user_data, s);
    desktops_close(d, s->id);
}

static json_object *wrap_stats(void *ud, const session *s)
{
    desktops *d = ud;
    return d->inner.stats ? d->inner.stats(d->inner.user_data, s) : NULL;
}

static json_object *desktop_json(const desktop *k)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "session", json_object_new_int64(k->id));
    char mode[48];
    snprintf(mode, sizeof(mode), "%ux%u@%u", k->width, k->height, k->fps);
    json_object_object_add(o, "compositor", json_object_new_string(k->compositor));
    json_object_object_add(o, "kind", json_object_new_string(k->kind));
    json_object_object_add(o, "pid", k->comp_pid > 0 ? json_object_new_int(k->comp_pid) : NULL);
    json_object_object_add(o, "mode", json_object_new_string(mode));
    json_object_object_add(o, "wayland_display",
                           k->wayland[0] ? json_object_new_string(k->wayland) : NULL);
    const char *input = k->inj ? pf_input_injector_get_backend(k->inj) : "none";
    json_object_object_add(o, "input", json_object_new_string(input));
    return o;
}

static json_object *wrap_desktop(void *ud, const session *s)
{
    desktop *k = find(ud, s->id);
    return k ? desktop_json(k) : NULL;
}

stream_plane desktops_wrap_plane(desktops *d, stream_plane inner)
{
    d->inner = inner;
    return (stream_plane){.user_data = d, .start = wrap_start, .stop = wrap_stop,
                          .stats = wrap_stats, .desktop = wrap_desktop};
}

int desktops_stream_source(void *ud, uint32_t id, stream_desktop *ret)
{
    desktop *k = find(ud, id);
    if (!k || k->node < 0)
        return PF_ERR_NOT_FOUND;
    ret->node_id = k->node;
    ret->pipewire_remote = k->remote[0] ? k->remote : NULL;
    ret->injector = k->inj;
    ret->cursor_metadata =
        (pf_vdisplay_get_caps(k->vd) & PF_VDISPLAY_CAP_CURSOR_METADATA) != 0;
    return 0;
}

json_object *desktops_status(const desktops *d)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(d->capture_path));
    json_object_object_add(o, "private_stack",
                           json_object_new_boolean(session_stack_up(&d->stack)));
    json_object_object_add(o, "pipewire_remote",
                           session_stack_up(&d->stack)
                               ? json_object_new_string(d->stack.pipewire_socket)
                               : NULL);
    json_object_object_add(o, "last_error",
                           d->last_error[0] ? json_object_new_string(d->last_error) : NULL);
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < d->n; i++)
        json_object_array_add(a, desktop_json(d->v[i]));
    json_object_object_add(o, "desktops", a);
    return o;
}

/* A source can die without a child of ours exiting (the desktop's compositor, PipeWire):
 * its session ends with the same reason. */
static int on_watch(sd_event_source *src, uint64_t usec, void *ud)
{
    desktops *d = ud;
    for (size_t i = 0; i < d->n; i++) {
        uint32_t id = d->v[i]->id;
        if (!d->source_failed || !d->source_failed(d->user_data, id))
            continue;
        host_log("session %u ends: its picture source failed", id);
        if (d->end_session)
            d->end_session(d->user_data, id, DESKTOP_TERM_SOURCE_LOST);
        desktops_close(d, id);
        i = (size_t)-1;
    }
    sd_event_source_set_time(src, usec + 500000);
    return 0;
}

void desktops_init(desktops *d, supervisor *sup, const char *runtime_dir, const char *forced,
                   const char *pipewire_remote, sd_event *loop)
{
    memset(d, 0, sizeof(*d));
    d->sup = sup;
    session_stack_init(&d->stack, sup);
    d->runtime_dir = runtime_dir;
    d->forced = forced && *forced && strcmp(forced, "auto") ? forced : NULL;
    d->pipewire_remote = pipewire_remote;
    uint64_t now;
    if (loop && sd_event_now(loop, CLOCK_MONOTONIC, &now) >= 0 &&
        sd_event_add_time(loop, &d->watch, CLOCK_MONOTONIC, now + 500000, 100000, on_watch,
                          d) >= 0)
        sd_event_source_set_enabled(d->watch, SD_EVENT_ON);
}

void desktops_finish(desktops *d)
{
    while (d->n)
        desktops_close(d, d->v[d->n - 1]->id);
    free(d->v);
    d->v = NULL;
    char stack_dir[sizeof(d->stack.dir)];
    snprintf(stack_dir, sizeof(stack_dir), "%s", d->stack.dir);
    session_stack_stop(&d->stack);
    remove_dir(d, stack_dir);
    d->watch = sd_event_source_disable_unref(d->watch);
}
