/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sessions.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"

/* A prep or undo command that takes longer is killed: the client waits on /launch. */
#define PREP_TIMEOUT_MS 30000

static void logf_(session_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(session_table *t, const char *fmt, ...)
{
    if (!t->log)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    t->log(t->log_data, buf);
}

void sessions_init(session_table *t, const stream_plane *plane)
{
    memset(t, 0, sizeof(*t));
    t->next_id = 1;
    if (plane)
        t->plane = *plane;
}

/* Runs @p cmd through /bin/sh in its own process group with the client's mode in the
 * environment (PF_CLIENT_* and, for Sunshine scripts, SUNSHINE_CLIENT_*). */
static pid_t spawn(session_table *t, const char *cmd, const char *cwd)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setsid();
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    char v[32];
    struct {
        const char *suffix;
        uint32_t val;
    } nums[] = {{"WIDTH", t->width}, {"HEIGHT", t->height}, {"FPS", t->fps}};
    for (size_t i = 0; i < 3; i++) {
        char k[64];
        snprintf(v, sizeof(v), "%u", nums[i].val);
        snprintf(k, sizeof(k), "PF_CLIENT_%s", nums[i].suffix);
        setenv(k, v, 1);
        snprintf(k, sizeof(k), "SUNSHINE_CLIENT_%s", nums[i].suffix);
        setenv(k, v, 1);
    }
    setenv("PF_CLIENT_HDR", t->hdr ? "1" : "0", 1);
    setenv("SUNSHINE_CLIENT_HDR", t->hdr ? "true" : "false", 1);
    snprintf(v, sizeof(v), "%u", t->app_id);
    setenv("PF_APP_ID", v, 1);
    setenv("SUNSHINE_APP_ID", v, 1);
    if (t->running.name) {
        setenv("PF_APP_NAME", t->running.name, 1);
        setenv("SUNSHINE_APP_NAME", t->running.name, 1);
    }
    for (size_t i = 0; t->app_env && t->app_env[i]; i++)
        putenv(t->app_env[i]);
    if (cwd && chdir(cwd) < 0)
        _exit(126);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

/* Runs a prep/undo command to completion (bounded). Returns its exit status or -1. */
static int run_sync(session_table *t, const char *cmd, const char *cwd)
{
    pid_t pid = spawn(t, cmd, cwd);
    if (pid < 0)
        return -1;
    for (int waited = 0;; waited += 10) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        if (r < 0 && errno != EINTR)
            return -1;
        if (waited >= PREP_TIMEOUT_MS) {
            kill(-pid, SIGKILL);
            waitpid(pid, &st, 0);
            logf_(t, "command timed out and was killed: %s", cmd);
            return -1;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void undo(session_table *t, size_t upto)
{
    for (size_t i = upto; i-- > 0;)
        if (t->running.prep[i].undo_cmd)
            run_sync(t, t->running.prep[i].undo_cmd, t->running.working_dir);
}

static int copy_app(app *dst, const app *src)
{
    json_object *j = app_to_json(src);
    char err[64];
    int r = app_from_json(j, dst, err, sizeof(err));
    json_object_put(j);
    return r;
}

static void free_env(session_table *t)
{
    for (size_t i = 0; t->app_env && t->app_env[i]; i++)
        free(t->app_env[i]);
    free(t->app_env);
    t->app_env = NULL;
}

static int copy_env(session_table *t)
{
    free_env(t);
    size_t n = 0;
    while (t->launch_env && t->launch_env[n])
        n++;
    if (!n)
        return 0;
    t->app_env = calloc(n + 1, sizeof(char *));
    for (size_t i = 0; t->app_env && i < n; i++)
        if (!(t->app_env[i] = strdup(t->launch_env[i])))
            return -1;
    return t->app_env ? 0 : -1;
}

static void stop_app(session_table *t)
{
    if (!t->app_id)
        return;
    if (t->app_pid > 0) {
        kill(-t->app_pid, SIGTERM);
        /* Give it a moment to exit cleanly before the undo commands change the system
         * under it. */
        for (int i = 0; i < 100; i++) {
            int st;
            if (waitpid(t->app_pid, &st, WNOHANG) != 0)
                break;
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
            if (i == 99)
                kill(-t->app_pid, SIGKILL);
        }
    }
    undo(t, t->running.nprep);
    logf_(t, "app %u (%s) stopped", t->app_id, t->running.name ? t->running.name : "");
    free_env(t);
    app_clear(&t->running);
    t->app_id = 0;
    t->app_pid = 0;
}

static int start_app(session_table *t, const app *a, const pf_net_gs_launch *l)
{
    if (copy_app(&t->running, a) < 0 || copy_env(t) < 0)
        return PF_ERR_NOMEM;
    t->app_id = a->id;
    t->width = l->width;
    t->height = l->height;
    t->fps = l->fps;
    t->hdr = l->hdr;
    for (size_t i = 0; i < t->running.nprep; i++) {
        const char *d = t->running.prep[i].do_cmd;
        if (d && run_sync(t, d, t->running.working_dir) != 0) {
            logf_(t, "prep command failed: %s", d);
            undo(t, i);
            app_clear(&t->running);
            free_env(t);
            t->app_id = 0;
            return PF_ERR_IO;
        }
    }
    for (size_t i = 0; i < t->running.ndetached; i++)
        if (spawn(t, t->running.detached[i], t->running.working_dir) < 0)
            logf_(t, "cannot start detached command: %s", t->running.detached[i]);
    t->app_pid = 0;
    if (t->running.cmd) {
        t->app_pid = spawn(t, t->running.cmd, t->running.working_dir);
        if (t->app_pid < 0) {
            t->app_pid = 0;
            undo(t, t->running.nprep);
            app_clear(&t->running);
            free_env(t);
            t->app_id = 0;
            return PF_ERR_IO;
        }
    }
    logf_(t, "app %u (%s) started at %ux%u@%u", a->id, a->name, l->width, l->height, l->fps);
    return 0;
}

int sessions_start_app(session_table *t, const app *a, uint32_t width, uint32_t height,
                       uint32_t fps)
{
    if (t->app_id)
        return t->app_id == a->id ? 1 : PF_ERR_STATE;
    pf_net_gs_launch l;
    memset(&l, 0, sizeof(l));
    l.struct_size = sizeof(l);
    l.appid = a->id;
    l.width = width;
    l.height = height;
    l.fps = fps;
    return start_app(t, a, &l);
}

int sessions_launch(session_table *t, const app_catalog *apps, const pf_net_gs_launch *l,
                    int64_t now)
{
    /* Each /resume adds a session: without a bound, a paired client could grow the table
     * without end (sessions that never connect expire in stream.c). */
    if (t->n >= SESSIONS_MAX)
        return PF_ERR_LIMIT;
    if (l->resume) {
        if (!t->app_id)
            return PF_ERR_NOT_FOUND;
    } else {
        const app *a = apps_find(apps, l->appid);
        if (!a)
            return PF_ERR_NOT_FOUND;
        if (t->app_id)
            return PF_ERR_STATE;
        int r = start_app(t, a, l);
        if (r < 0)
            return r;
    }
    session *v = realloc(t->v, (t->n + 1) * sizeof(*v));
    if (!v)
        return PF_ERR_NOMEM;
    t->v = v;
    session *s = &t->v[t->n++];
    memset(s, 0, sizeof(*s));
    s->id = t->next_id++;
    snprintf(s->client_id, sizeof(s->client_id), "%s", l->client_id ? l->client_id : "");
    s->app_id = t->app_id;
    s->width = l->width;
    s->height = l->height;
    s->fps = l->fps;
    s->hdr = l->hdr;
    s->surround_info = l->surround_info;
    memcpy(s->rikey, l->rikey, 16);
    s->rikeyid = l->rikeyid;
    s->rtsp_encrypted = pf_net_gs_launch_rtsp_encrypted(l);
    s->peer_ipv4 = l->peer_ipv4;
    s->started = now;
    if (t->plane.start)
        t->plane.start(t->plane.user_data, s);
    return 0;
}

static void drop(session_table *t, size_t i)
{
    if (t->plane.stop)
        t->plane.stop(t->plane.user_data, &t->v[i]);
    memset(t->v[i].rikey, 0, sizeof(t->v[i].rikey));
    t->v[i] = t->v[t->n - 1];
    t->n--;
}

int sessions_close(session_table *t, uint32_t id)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].id == id) {
            drop(t, i);
            return 0;
        }
    return PF_ERR_NOT_FOUND;
}

void sessions_close_client(session_table *t, const char *client_id)
{
    for (size_t i = t->n; i-- > 0;)
        if (strcmp(t->v[i].client_id, client_id) == 0)
            drop(t, i);
}

void sessions_cancel(session_table *t)
{
    while (t->n > 0)
        drop(t, t->n - 1);
    stop_app(t);
}

void sessions_finish(session_table *t)
{
    sessions_cancel(t);
    free(t->v);
    t->v = NULL;
}

void sessions_child_exited(session_table *t, pid_t pid)
{
    if (pid <= 0 || pid != t->app_pid)
        return;
    /* The app quit on its own: streams end and the host reports FREE again (§10.3). */
    t->app_pid = 0;
    logf_(t, "app %u exited", t->app_id);
    while (t->n > 0)
        drop(t, t->n - 1);
    stop_app(t);
}

json_object *sessions_to_json(const session_table *t)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < t->n; i++) {
        const session *s = &t->v[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(s->id));
        json_object_object_add(o, "client_id", json_object_new_string(s->client_id));
        json_object_object_add(o, "app_id", json_object_new_int64(s->app_id));
        json_object_object_add(o, "width", json_object_new_int64(s->width));
        json_object_object_add(o, "height", json_object_new_int64(s->height));
        json_object_object_add(o, "fps", json_object_new_int64(s->fps));
        json_object_object_add(o, "hdr", json_object_new_boolean(s->hdr != 0));
        json_object_object_add(o, "started", json_object_new_int64(s->started));
        json_object *d = t->plane.desktop ? t->plane.desktop(t->plane.user_data, s) : NULL;
        if (d)
            json_object_object_add(o, "desktop", d);
        json_object *st = t->plane.stats ? t->plane.stats(t->plane.user_data, s) : NULL;
        if (st)
            json_object_object_add(o, "stream", st);
        json_object_array_add(arr, o);
    }
    return arr;
}
