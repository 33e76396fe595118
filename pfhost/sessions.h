/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_SESSIONS_H
#define PFHOST_SESSIONS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "pf/net_gamestream.h"

#include "apps.h"

/* Streaming sessions and the running app. GameStream runs one app at a time; each /launch or
 * /resume adds a session (one client's stream) that the streaming plane picks up. */
typedef struct session {
    uint32_t id;
    char client_id[17];
    uint32_t app_id;
    uint32_t width, height, fps, hdr;
    uint32_t surround_info;
    uint8_t rikey[16];
    uint32_t rikeyid;
    int rtsp_encrypted; /* /launch answered rtspenc:// */
    uint32_t peer_ipv4; /* address of the /launch (network byte order), 0 = unknown */
    int64_t started;    /* Unix seconds */
} session;

/* The seam to the streaming plane (RTSP and the media streams): it is told when a session is
 * ready for its RTSP handshake and when it must stop. */
typedef struct stream_plane {
    void *user_data;
    void (*start)(void *user_data, const session *s);
    void (*stop)(void *user_data, const session *s);
    /* Per-session stream statistics for the management API, or NULL; may be NULL. */
    json_object *(*stats)(void *user_data, const session *s);
    /* The session's desktop (compositor, pid, mode) for the management API, or NULL; may be
     * NULL. */
    json_object *(*desktop)(void *user_data, const session *s);
} stream_plane;

/* Sessions at once (all clients): GameStream runs one app that several clients may watch. */
#define SESSIONS_MAX 16u

typedef struct session_table {
    session *v;
    size_t n;
    uint32_t next_id;
    uint32_t app_id;      /* running app, 0 = none */
    pid_t app_pid;        /* its command, 0 = none or finished */
    app running;          /* copy of the app (undo commands outlive catalog edits) */
    uint32_t width, height, fps, hdr; /* mode the app was started with */
    stream_plane plane;
    /* "KEY=VALUE" entries (NULL-terminated; NULL = none) added to the environment of the app
     * and prep commands the next launch starts: its desktop's display, bus and PipeWire.
     * Borrowed; set just before sessions_launch(). */
    const char *const *launch_env;
    char **app_env; /* the running app's copy of launch_env (undo commands use it too) */
    void (*log)(void *user_data, const char *msg);
    void *log_data;
} session_table;

void sessions_init(session_table *t, const stream_plane *plane);
/* Stops everything (sessions, app, undo commands). */
void sessions_finish(session_table *t);
/* /launch and /resume. Returns 0 or PF_ERR_NOT_FOUND / PF_ERR_STATE / PF_ERR_IO /
 * PF_ERR_LIMIT (SESSIONS_MAX sessions exist). */
int sessions_launch(session_table *t, const app_catalog *apps, const pf_net_gs_launch *l,
                    int64_t now);
/* Starts @p a (prep commands, detached commands, its command) without a GameStream session,
 * for a punktfunk/1 Hello's launch; it runs until it exits or /cancel. Returns 0 started, 1
 * it was already running (adopted), PF_ERR_STATE (another app runs), PF_ERR_IO (a prep
 * command failed or the command could not start) or PF_ERR_NOMEM. */
int sessions_start_app(session_table *t, const app *a, uint32_t width, uint32_t height,
                       uint32_t fps);
/* /cancel: every session ends, the app is stopped and its undo commands run. */
void sessions_cancel(session_table *t);
/* Ends one session (the app keeps running). 0 or PF_ERR_NOT_FOUND. */
int sessions_close(session_table *t, uint32_t id);
/* Ends every session of @p client_id (unpair). */
void sessions_close_client(session_table *t, const char *client_id);
/* A child exited (reaped by the caller's SIGCHLD handler). */
void sessions_child_exited(session_table *t, pid_t pid);
json_object *sessions_to_json(const session_table *t);

#endif
