/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "session_stack.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

/* A cold start on two busy cores: dbus-daemon and PipeWire are up in well under a second. */
#define START_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 3000

void session_stack_init(session_stack *st, supervisor *sup)
{
    memset(st, 0, sizeof(*st));
    st->sup = sup;
}

int session_stack_have(const char *program)
{
    const char *path = getenv("PATH");
    char buf[2048];
    snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
    char *save = NULL;
    for (char *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char full[2400];
        snprintf(full, sizeof(full), "%s/%s", d, program);
        if (access(full, X_OK) == 0)
            return 1;
    }
    return 0;
}

void session_stack_version(const char *program, char *out, size_t n)
{
    out[0] = '\0';
    if (!session_stack_have(program))
        return;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "%s --version 2>&1", program);
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    /* "mutter 43.8", "D-Bus Message Bus Daemon 1.14.10", "Compiled with libpipewire 1.4.2":
     * the last word of the first line that names a number. */
    char line[256];
    while (!out[0] && fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *last = strrchr(line, ' ');
        last = last ? last + 1 : line;
        if (isdigit((unsigned char)last[0]))
            snprintf(out, n, "%s", last);
    }
    pclose(p);
}

int session_stack_wait_path(const char *path, pid_t pid, uint32_t timeout_ms)
{
    struct timespec step = {0, 10 * 1000 * 1000};
    for (uint32_t waited = 0; access(path, F_OK) != 0; waited += 10) {
        /* The loop's SIGCHLD handler has not run yet: a dead child is still a zombie. */
        int st;
        if (pid > 0 && waitpid(pid, &st, WNOHANG | WNOWAIT) == pid)
            return -1;
        if (waited >= timeout_ms)
            return -1;
        nanosleep(&step, NULL);
    }
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

void session_stack_remove_dir(const char *dir)
{
    if (dir[0])
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int session_stack_up(const session_stack *st)
{
    return st->bus > 0 && st->pipewire > 0 && st->wireplumber > 0;
}

/* One of the daemons died: the rest goes too, and the next launch starts it afresh. The
 * sessions on it lose their picture and end through their source. */
static void on_daemon_exit(void *user_data, pid_t pid, int wait_status)
{
    session_stack *st = user_data;
    if (st->bus == pid)
        st->bus = 0;
    if (st->pipewire == pid)
        st->pipewire = 0;
    if (st->wireplumber == pid)
        st->wireplumber = 0;
    host_log("private session stack lost a daemon; it restarts at the next launch");
    session_stack_stop(st);
}

static pid_t start(session_stack *st, const char *name, const char *const argv[],
                   const char *const env[])
{
    char log[400];
    snprintf(log, sizeof(log), "%s/%s.log", st->dir, name);
    return supervisor_start(st->sup, name, argv, env, log, on_daemon_exit, st);
}

int session_stack_ensure(session_stack *st, const char *runtime_dir, char *err, size_t n)
{
    if (session_stack_up(st))
        return 0;
    session_stack_stop(st);
    static const char *const need[][2] = {
        {"dbus-daemon", "dbus-daemon (Debian package dbus-daemon)"},
        {"pipewire", "pipewire (Debian package pipewire-bin)"},
        {"wireplumber", "wireplumber (Debian package wireplumber)"},
    };
    for (size_t i = 0; i < 3; i++)
        if (!session_stack_have(need[i][0])) {
            snprintf(err, n, "no desktop session and %s is not installed", need[i][1]);
            return -1;
        }
    mkdir(runtime_dir, 0700);
    snprintf(st->dir, sizeof(st->dir), "%s/stack.XXXXXX", runtime_dir);
    if (!mkdtemp(st->dir)) {
        snprintf(err, n, "cannot create a directory in %s: %s", runtime_dir, strerror(errno));
        st->dir[0] = '\0';
        return -1;
    }
    char bus_path[300], state[300];
    snprintf(bus_path, sizeof(bus_path), "%s/bus", st->dir);
    snprintf(st->bus_address, sizeof(st->bus_address), "unix:path=%s", bus_path);
    snprintf(st->pipewire_socket, sizeof(st->pipewire_socket), "%s/pipewire-0", st->dir);
    snprintf(state, sizeof(state), "%s/state", st->dir);
    mkdir(state, 0700);

    char e_rt[320], e_bus[360], e_state[320];
    snprintf(e_rt, sizeof(e_rt), "XDG_RUNTIME_DIR=%s", st->dir);
    snprintf(e_bus, sizeof(e_bus), "DBUS_SESSION_BUS_ADDRESS=%s", st->bus_address);
    /* WirePlumber keeps default-node choices in XDG_STATE_HOME: ours, not the user's. */
    snprintf(e_state, sizeof(e_state), "XDG_STATE_HOME=%s", state);
    const char *const env[] = {e_rt, e_bus, e_state, "PIPEWIRE_REMOTE=pipewire-0", NULL};

    char addr_arg[360];
    snprintf(addr_arg, sizeof(addr_arg), "--address=%s", st->bus_address);
    const char *const bus_argv[] = {"dbus-daemon", "--session", "--nofork", "--nopidfile",
                                    addr_arg, NULL};
    const char *const pw_argv[] = {"pipewire", NULL};
    const char *const wp_argv[] = {"wireplumber", NULL};
    const char *failed = NULL;
    st->bus = start(st, "dbus-daemon", bus_argv, env);
    if (st->bus < 0 || session_stack_wait_path(bus_path, st->bus, START_TIMEOUT_MS) < 0)
        failed = "dbus-daemon";
    if (!failed) {
        st->pipewire = start(st, "pipewire", pw_argv, env);
        if (st->pipewire < 0 ||
            session_stack_wait_path(st->pipewire_socket, st->pipewire, START_TIMEOUT_MS) < 0)
            failed = "pipewire";
    }
    if (!failed) {
        st->wireplumber = start(st, "wireplumber", wp_argv, env);
        if (st->wireplumber < 0)
            failed = "wireplumber";
    }
    if (failed) {
        snprintf(err, n, "the private session stack did not start: %s failed (log in %s)",
                 failed, st->dir);
        /* Keep the logs of a failed start for the user; the daemons go. */
        pid_t *pids[] = {&st->wireplumber, &st->pipewire, &st->bus};
        for (size_t i = 0; i < 3; i++)
            if (*pids[i] > 0)
                supervisor_stop(st->sup, *pids[i], STOP_TIMEOUT_MS);
        st->bus = st->pipewire = st->wireplumber = 0;
        st->dir[0] = '\0';
        return -1;
    }
    host_log("private session stack started in %s: bus %s, PipeWire %s (pids %d, %d, %d)",
             st->dir, st->bus_address, st->pipewire_socket, (int)st->bus, (int)st->pipewire,
             (int)st->wireplumber);
    return 0;
}

void session_stack_stop(session_stack *st)
{
    /* Reaped by the loop, or by supervisor_finish() when the host ends. */
    pid_t *pids[] = {&st->wireplumber, &st->pipewire, &st->bus};
    for (size_t i = 0; i < 3; i++) {
        if (*pids[i] > 0)
            supervisor_stop_async(st->sup, *pids[i], STOP_TIMEOUT_MS);
        *pids[i] = 0;
    }
    session_stack_remove_dir(st->dir);
    st->dir[0] = '\0';
}
