/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

static supervised *find(supervisor *s, pid_t pid)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].pid == pid)
            return &s->v[i];
    return NULL;
}

static void forget(supervisor *s, supervised *c)
{
    *c = s->v[--s->n];
}

pid_t supervisor_start(supervisor *s, const char *name, const char *const argv[],
                       const char *const env[], const char *log_path,
                       supervisor_exit_fn on_exit, void *user_data)
{
    if (s->n == SUPERVISOR_MAX)
        return -EMFILE;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        /* Its own process group: stop() reaches whatever it forks, and a terminal's ^C
         * reaches only the host, which then stops it in order. */
        setsid();
        for (int sig = 1; sig < NSIG; sig++)
            if (sig != SIGKILL && sig != SIGSTOP)
                signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* A host killed outright takes its daemons along. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int out = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (in >= 0)
            dup2(in, 0);
        if (out >= 0) {
            dup2(out, 1);
            dup2(out, 2);
        }
        for (size_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    supervised *c = &s->v[s->n++];
    memset(c, 0, sizeof(*c));
    c->pid = pid;
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->on_exit = on_exit;
    c->user_data = user_data;
    return pid;
}

void supervisor_describe_status(int st, char *out, size_t n)
{
    if (WIFEXITED(st))
        snprintf(out, n, "exit status %d%s", WEXITSTATUS(st),
                 WEXITSTATUS(st) == 127 ? " (not installed?)" : "");
    else if (WIFSIGNALED(st))
        snprintf(out, n, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(out, n, "wait status %#x", st);
}

int supervisor_reaped(supervisor *s, pid_t pid, int st)
{
    supervised *c = find(s, pid);
    if (!c)
        return 0;
    supervised copy = *c;
    forget(s, c);
    if (copy.kill_at_ms) {
        /* Asked to stop: expected, and its stragglers go. */
        kill(-pid, SIGKILL);
        return 1;
    }
    char why[96];
    supervisor_describe_status(st, why, sizeof(why));
    host_log("%s (pid %d) exited unexpectedly: %s", copy.name, (int)pid, why);
    /* Whatever it forked is still in its group. */
    kill(-pid, SIGKILL);
    if (copy.on_exit)
        copy.on_exit(copy.user_data, pid, st);
    return 1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int reap_dead(supervisor *s, supervised *c);

void supervisor_stop(supervisor *s, pid_t pid, uint32_t timeout_ms)
{
    supervised *c = find(s, pid);
    if (!c || reap_dead(s, c))
        return;
    forget(s, c);
    kill(-pid, SIGTERM);
    kill(pid, SIGTERM);
    uint64_t deadline = now_ms() + timeout_ms;
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
            break;
        if (now_ms() >= deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* Stragglers of the group (a daemon's own children) go too. */
    kill(-pid, SIGKILL);
}

static void arm(supervisor *s)
{
    uint64_t next = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].kill_at_ms && s->v[i].kill_at_ms != UINT64_MAX &&
            (!next || s->v[i].kill_at_ms < next))
            next = s->v[i].kill_at_ms;
    if (!s->timer)
        return;
    if (!next) {
        sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
        return;
    }
    sd_event_source_set_time(s->timer, next * 1000u);
    sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *ud)
{
    supervisor *s = ud;
    uint64_t now = now_ms();
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].kill_at_ms && s->v[i].kill_at_ms <= now) {
            host_log("%s (pid %d) did not exit after SIGTERM; killing it", s->v[i].name,
                     (int)s->v[i].pid);
            kill(-s->v[i].pid, SIGKILL);
            kill(s->v[i].pid, SIGKILL);
            /* Reaped by the SIGCHLD handler; no second escalation. */
            s->v[i].kill_at_ms = UINT64_MAX;
        }
    arm(s);
    return 0;
}

int supervisor_init(supervisor *s, sd_event *loop)
{
    memset(s, 0, sizeof(*s));
    int r = sd_event_add_time(loop, &s->timer, CLOCK_MONOTONIC, 0, 10000, on_timer, s);
    if (r >= 0)
        sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
    return r;
}

/* A child asked to stop may have died already (its death noticed elsewhere first, e.g. its
 * PipeWire node vanishing): its status is logged all the same. 1 when it was reaped here. */
static int reap_dead(supervisor *s, supervised *c)
{
    int st;
    if (waitpid(c->pid, &st, WNOHANG) != c->pid)
        return 0;
    char why[96];
    supervisor_describe_status(st, why, sizeof(why));
    host_log("%s (pid %d) had exited: %s", c->name, (int)c->pid, why);
    kill(-c->pid, SIGKILL);
    forget(s, c);
    return 1;
}

void supervisor_stop_async(supervisor *s, pid_t pid, uint32_t timeout_ms)
{
    supervised *c = find(s, pid);
    if (!c || c->kill_at_ms || reap_dead(s, c))
        return;
    if (!s->timer) {
        supervisor_stop(s, pid, timeout_ms);
        return;
    }
    kill(-pid, SIGTERM);
    kill(pid, SIGTERM);
    c->kill_at_ms = now_ms() + timeout_ms;
    arm(s);
}

void supervisor_finish(supervisor *s, uint32_t timeout_ms)
{
    /* All at once, so shutting down takes one timeout, not one per daemon. */
    for (size_t i = 0; i < s->n; i++)
        if (!s->v[i].kill_at_ms) {
            kill(-s->v[i].pid, SIGTERM);
            kill(s->v[i].pid, SIGTERM);
        }
    uint64_t deadline = now_ms() + timeout_ms;
    while (s->n) {
        for (size_t i = 0; i < s->n;) {
            int st;
            pid_t r = waitpid(s->v[i].pid, &st, WNOHANG);
            if (r == s->v[i].pid || (r < 0 && errno == ECHILD)) {
                kill(-s->v[i].pid, SIGKILL);
                forget(s, &s->v[i]);
            } else {
                i++;
            }
        }
        if (!s->n)
            break;
        if (now_ms() >= deadline) {
            while (s->n)
                supervisor_stop(s, s->v[s->n - 1].pid, 0);
            break;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    s->timer = sd_event_source_disable_unref(s->timer);
}
