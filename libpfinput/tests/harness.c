/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int h_init(struct harness *h, uid_t uid)
{
    memset(h, 0, sizeof(*h));
    h->uid = uid;
    snprintf(h->dir, sizeof(h->dir), "/tmp/pf-input-XXXXXX");
    if (!mkdtemp(h->dir))
        return -errno;
    if (uid && chown(h->dir, uid, uid) < 0)
        return -errno;
    snprintf(h->bus_address, sizeof(h->bus_address), "unix:path=%s/bus", h->dir);
    return 0;
}

struct h_proc *h_spawn(struct harness *h, char *const argv[], char *const env[], int capture)
{
    if (h->n >= H_MAX_PROCS)
        return NULL;
    int out[2] = { -1, -1 }, in[2] = { -1, -1 };
    if (capture && (pipe2(out, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0))
        return NULL;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (capture) {
            dup2(out[1], STDOUT_FILENO);
            dup2(in[0], STDIN_FILENO);
        } else {
            int null = open("/dev/null", O_RDWR);
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        /* Daemon chatter goes to a log in the runtime directory, out of the TAP stream. */
        char log[300];
        snprintf(log, sizeof(log), "%s/%s.log", h->dir, strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0]);
        int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (logfd >= 0)
            dup2(logfd, STDERR_FILENO);
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", h->dir);
        setenv("XDG_RUNTIME_DIR", buf, 1);
        setenv("DBUS_SESSION_BUS_ADDRESS", h->bus_address, 1);
        unsetenv("DISPLAY");
        unsetenv("WAYLAND_DISPLAY");
        for (int i = 0; env && env[i]; i++)
            putenv(env[i]);
        if (h->uid) {
            if (setgid(h->uid) < 0 || setuid(h->uid) < 0)
                _exit(126);
            setenv("HOME", h->dir, 1);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    struct h_proc *p = &h->procs[h->n++];
    memset(p, 0, sizeof(*p));
    p->pid = pid;
    p->out_fd = out[0];
    p->in_fd = in[1];
    if (capture) {
        close(out[1]);
        close(in[0]);
        fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
    }
    return p;
}

int h_wait_path(struct harness *h, const char *name, int ms)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", h->dir, name);
    int64_t end = now_ms() + ms;
    while (now_ms() < end) {
        if (access(path, F_OK) == 0)
            return 0;
        usleep(20000);
    }
    return -ETIMEDOUT;
}

int h_start_bus(struct harness *h)
{
    char addr[160];
    snprintf(addr, sizeof(addr), "--address=%s", h->bus_address);
    char *argv[] = { "dbus-daemon", "--session", "--nofork", "--nopidfile", addr, NULL };
    if (!h_spawn(h, argv, NULL, 0))
        return -errno;
    return h_wait_path(h, "bus", 5000);
}

static int fill(struct h_proc *p, int ms)
{
    struct pollfd pfd = { .fd = p->out_fd, .events = POLLIN };
    if (poll(&pfd, 1, ms) <= 0)
        return 0;
    ssize_t n = read(p->out_fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
    if (n <= 0)
        return -1;
    p->len += (size_t)n;
    p->buf[p->len] = '\0';
    return 1;
}

/* Takes one complete line off the buffer. */
static int take_line(struct h_proc *p, char *line, size_t len)
{
    char *nl = memchr(p->buf, '\n', p->len);
    if (!nl)
        return 0;
    size_t n = (size_t)(nl - p->buf);
    snprintf(line, len, "%.*s", (int)n, p->buf);
    memmove(p->buf, nl + 1, p->len - n - 1);
    p->len -= n + 1;
    return 1;
}

int h_expect_line(struct h_proc *p, const char *prefix, char *line, size_t len, int ms)
{
    int64_t end = now_ms() + ms;
    for (;;) {
        while (take_line(p, line, len))
            if (strncmp(line, prefix, strlen(prefix)) == 0)
                return 0;
        int64_t left = end - now_ms();
        if (left <= 0 || fill(p, (int)left) < 0)
            return -ETIMEDOUT;
    }
}


int h_collect(struct h_proc *p, char *out, size_t len, int ms)
{
    int64_t end = now_ms() + ms;
    size_t used = 0;
    out[0] = '\0';
    char line[256];
    for (;;) {
        while (take_line(p, line, sizeof(line))) {
            int n = snprintf(out + used, len - used, "%s\n", line);
            if (n > 0 && (size_t)n < len - used)
                used += (size_t)n;
        }
        int64_t left = end - now_ms();
        if (left <= 0 || fill(p, (int)left) < 0)
            return (int)used;
    }
}

static void stop(struct h_proc *p)
{
    if (p->in_fd >= 0)
        close(p->in_fd);
    if (p->out_fd >= 0)
        close(p->out_fd);
    p->in_fd = p->out_fd = -1;
    if (p->pid <= 0)
        return;
    kill(p->pid, SIGTERM);
    int64_t end = now_ms() + 2000;
    while (now_ms() < end) {
        if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
            p->pid = 0;
            return;
        }
        usleep(10000);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
}

static void rm_tree(const char *dir)
{
    char cmd[128];
    /* The directory name came from mkdtemp under /tmp; nothing else is ever removed. */
    if (strncmp(dir, "/tmp/pf-input-", 14) != 0)
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "harness: could not remove %s\n", dir);
}

void h_finish(struct harness *h)
{
    /* Newest first: clients before the compositor, the compositor before the bus. */
    for (int i = h->n; i-- > 0;)
        stop(&h->procs[i]);
    h->n = 0;
    if (h->dir[0])
        rm_tree(h->dir);
    h->dir[0] = '\0';
}

/* Copies @p from to @p to with mode 0755, owned by @p uid. 0 or -1. */
static int copy_executable(const char *from, const char *to, uid_t uid)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    int ok = out >= 0;
    char buf[65536];
    ssize_t n;
    while (ok && (n = read(in, buf, sizeof(buf))) != 0)
        ok = n > 0 && write(out, buf, (size_t)n) == n;
    if (ok)
        ok = fchown(out, uid, uid) == 0 && fchmod(out, 0755) == 0;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0)
        ok = 0;
    return ok ? 0 : -1;
}

const char *h_helper(struct harness *h, const char *name)
{
    static char path[512];
    char self[400];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return name;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(path, sizeof(path), "%s/%s", self, name);
    if (!h->uid)
        return path;
    char copy[300];
    snprintf(copy, sizeof(copy), "%s/%s", h->dir, name);
    if (copy_executable(path, copy, h->uid) < 0)
        return NULL;
    snprintf(path, sizeof(path), "%s", copy);
    return path;
}
