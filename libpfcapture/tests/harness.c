/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The one environment of this test program, for the exit and signal paths, and the process
 * that owns it (a forked child must never run the cleanup). */
static struct pfh_env *active;
static pid_t owner;

uint64_t pfh_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int pfh_have(const char *program)
{
    const char *path = getenv("PATH");
    char buf[4096], *save = NULL, *dir;

    if (!path)
        return 0;
    snprintf(buf, sizeof(buf), "%s", path);
    for (dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char full[4200];

        snprintf(full, sizeof(full), "%s/%s", dir, program);
        if (access(full, X_OK) == 0)
            return 1;
    }
    return 0;
}

pid_t pfh_spawn(struct pfh_env *env, const char *name, char *const argv[])
{
    char log[400];
    pid_t parent = getpid(), pid;

    if (env->n >= PFH_MAX_PROCS)
        return -1;
    snprintf(log, sizeof(log), "%s/%s.log", env->dir, name);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int sigs[] = { SIGSEGV, SIGABRT, SIGTERM, SIGINT, SIGBUS };

        /* Until exec the child carries the test's handlers, which would clean up the whole
         * environment if it were signalled now. */
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
            signal(sigs[i], SIG_DFL);
        /* Dies with the test even when the test is SIGKILLed. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        setpgid(0, 0);
        execvp(argv[0], argv);
        _exit(127);
    }
    env->pids[env->n] = pid;
    snprintf(env->names[env->n], sizeof(env->names[0]), "%s", name);
    env->n++;
    return pid;
}

void pfh_kill(struct pfh_env *env, pid_t pid)
{
    uint64_t deadline;

    for (uint32_t i = 0; i < env->n; i++) {
        if (env->pids[i] != pid)
            continue;
        kill(pid, SIGTERM);
        deadline = pfh_now_ms() + 2000;
        while (waitpid(pid, NULL, WNOHANG) == 0) {
            if (pfh_now_ms() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                break;
            }
            usleep(5000);
        }
        env->pids[i] = env->pids[--env->n];
        memcpy(env->names[i], env->names[env->n], sizeof(env->names[0]));
        return;
    }
}

int pfh_wait_file(struct pfh_env *env, const char *name, uint32_t timeout_ms)
{
    char path[600];
    uint64_t deadline = pfh_now_ms() + timeout_ms;

    snprintf(path, sizeof(path), "%s/%s", env->dir, name);
    while (access(path, F_OK) != 0) {
        if (pfh_now_ms() > deadline)
            return -1;
        usleep(5000);
    }
    return 0;
}

int pfh_start_pipewire(struct pfh_env *env)
{
    char *pw[] = { "pipewire", NULL };
    char *wp[] = { "wireplumber", NULL };
    char sock[400];

    snprintf(sock, sizeof(sock), "%s/pipewire-0", env->dir);
    unlink(sock);
    env->pipewire = pfh_spawn(env, "pipewire", pw);
    if (env->pipewire < 0 || pfh_wait_file(env, "pipewire-0", 5000) < 0) {
        fprintf(stderr, "# harness: pipewire did not start\n");
        return -1;
    }
    /* Without a session manager no stream is ever linked. */
    env->wireplumber = pfh_spawn(env, "wireplumber", wp);
    if (env->wireplumber < 0)
        return -1;
    usleep(300000);
    return 0;
}

void pfh_stop_pipewire(struct pfh_env *env)
{
    if (env->wireplumber > 0)
        pfh_kill(env, env->wireplumber);
    if (env->pipewire > 0)
        pfh_kill(env, env->pipewire);
    env->wireplumber = env->pipewire = 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void pfh_env_stop(struct pfh_env *env)
{
    if (!env || !env->dir[0])
        return;
    if (getenv("PF_TEST_KEEP_LOGS"))
        fprintf(stderr, "# harness: logs kept in %s\n", env->dir);
    /* Reverse start order: compositors before PipeWire before the bus. */
    while (env->n > 0)
        pfh_kill(env, env->pids[env->n - 1]);
    if (!getenv("PF_TEST_KEEP_LOGS"))
        nftw(env->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    env->dir[0] = 0;
    if (active == env)
        active = NULL;
}

static void at_exit(void)
{
    if (getpid() == owner)
        pfh_env_stop(active);
}

static void on_fatal(int sig)
{
    /* Kill by PID only; cleanup of the directory is best effort from a signal handler. */
    if (active && getpid() == owner)
        for (uint32_t i = 0; i < active->n; i++)
            kill(active->pids[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

int pfh_env_start(struct pfh_env *env)
{
    char *bus[] = { "dbus-daemon", "--session", "--nofork", NULL, NULL };
    char addr[400];

    memset(env, 0, sizeof(*env));
    if (!pfh_have("pipewire") || !pfh_have("wireplumber") || !pfh_have("dbus-daemon")) {
        fprintf(stderr, "# harness: pipewire, wireplumber or dbus-daemon missing\n");
        return -1;
    }
    snprintf(env->dir, sizeof(env->dir), "/tmp/pf-capture-test-XXXXXX");
    if (!mkdtemp(env->dir))
        return -1;
    chmod(env->dir, 0700);
    active = env;
    owner = getpid();
    atexit(at_exit);
    signal(SIGSEGV, on_fatal);
    signal(SIGABRT, on_fatal);
    signal(SIGTERM, on_fatal);
    signal(SIGINT, on_fatal);
    signal(SIGBUS, on_fatal);

    setenv("XDG_RUNTIME_DIR", env->dir, 1);
    setenv("PIPEWIRE_RUNTIME_DIR", env->dir, 1);
    unsetenv("PIPEWIRE_REMOTE");
    unsetenv("WAYLAND_DISPLAY");
    unsetenv("DISPLAY");
    unsetenv("SWAYSOCK");
    unsetenv("PF_VDISPLAY");
    /* Keep the daemons quiet and free of desktop services. */
    setenv("PIPEWIRE_LOG_SYSTEMD", "false", 1);
    setenv("WIREPLUMBER_DEBUG", "1", 0);
    snprintf(env->bus, sizeof(env->bus), "unix:path=%s/bus", env->dir);
    snprintf(addr, sizeof(addr), "--address=%s", env->bus);
    bus[3] = addr;
    setenv("DBUS_SESSION_BUS_ADDRESS", env->bus, 1);
    if (pfh_spawn(env, "dbus", bus) < 0 || pfh_wait_file(env, "bus", 5000) < 0) {
        fprintf(stderr, "# harness: dbus-daemon did not start\n");
        pfh_env_stop(env);
        return -1;
    }
    if (pfh_start_pipewire(env) < 0) {
        pfh_env_stop(env);
        return -1;
    }
    return 0;
}
