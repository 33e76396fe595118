/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pw_util.h"

#include <pipewire/extensions/metadata.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/error.h"

uint64_t pfi_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int pfi_pw_error(int err)
{
    switch (err) {
    case -ENOMEM:
        return PF_ERR_NOMEM;
    case -ENOENT:
        return PF_ERR_NOT_FOUND;
    case -ETIMEDOUT:
        return PF_ERR_TIMEOUT;
    case -ENOTSUP:
        return PF_ERR_UNSUPPORTED;
    default:
        return PF_ERR_IO;
    }
}

static void on_core_done(void *data, uint32_t id, int seq)
{
    struct pfi_pw *pw = data;

    if (id == PW_ID_CORE && seq == pw->pending_seq) {
        pw->synced = 1;
        pw_thread_loop_signal(pw->loop, false);
    }
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
    struct pfi_pw *pw = data;

    /* Errors about one object (a link that failed) arrive here too; only the core's own
     * error means the connection is gone. */
    if (id != PW_ID_CORE)
        return;
    if (!pw->error)
        pw->error = res < 0 ? res : -EPIPE;
    if (pw->event)
        pw->event(pw->event_data, pw->error, SPA_ID_INVALID);
    pw_thread_loop_signal(pw->loop, false);
}

static const struct pw_core_events core_events = {
    PW_VERSION_CORE_EVENTS,
    .done = on_core_done,
    .error = on_core_error,
};

static void copy_prop(char *dst, size_t size, const struct spa_dict *props, const char *key)
{
    const char *v = props ? spa_dict_lookup(props, key) : NULL;

    snprintf(dst, size, "%s", v ? v : "");
}

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type,
                      uint32_t version, const struct spa_dict *props)
{
    struct pfi_pw *pw = data;
    struct pfi_pw_node *n;
    const char *serial, *v;

    if (strcmp(type, PW_TYPE_INTERFACE_Client) == 0 && pw->n_clients < PFI_PW_MAX_NODES) {
        /* The daemon's own record of the peer (SO_PEERCRED) first; the client's claim only
         * when that is missing. */
        v = props ? spa_dict_lookup(props, PW_KEY_SEC_PID) : NULL;
        if (!v && props)
            v = spa_dict_lookup(props, PW_KEY_APP_PROCESS_ID);
        pw->clients[pw->n_clients].id = id;
        pw->clients[pw->n_clients++].pid = v ? atoi(v) : 0;
        pw_thread_loop_signal(pw->loop, false);
        return;
    }
    if (strcmp(type, PW_TYPE_INTERFACE_Metadata) == 0) {
        v = props ? spa_dict_lookup(props, PW_KEY_METADATA_NAME) : NULL;
        if (v && strcmp(v, "default") == 0) {
            pw->default_metadata = id;
            pw_thread_loop_signal(pw->loop, false);
        }
        return;
    }
    if (strcmp(type, PW_TYPE_INTERFACE_Node) != 0 || pw->n_nodes >= PFI_PW_MAX_NODES)
        return;
    n = &pw->nodes[pw->n_nodes++];
    memset(n, 0, sizeof(*n));
    n->id = id;
    serial = props ? spa_dict_lookup(props, PW_KEY_OBJECT_SERIAL) : NULL;
    n->serial = serial ? strtoull(serial, NULL, 10) : id;
    copy_prop(n->name, sizeof(n->name), props, PW_KEY_NODE_NAME);
    copy_prop(n->media_class, sizeof(n->media_class), props, PW_KEY_MEDIA_CLASS);
    copy_prop(n->description, sizeof(n->description), props, PW_KEY_NODE_DESCRIPTION);
    v = props ? spa_dict_lookup(props, PW_KEY_CLIENT_ID) : NULL;
    n->client_id = v ? (uint32_t)atoi(v) : SPA_ID_INVALID;
    pw_thread_loop_signal(pw->loop, false);
}

static void on_global_remove(void *data, uint32_t id)
{
    struct pfi_pw *pw = data;

    if (pw->default_metadata == id)
        pw->default_metadata = SPA_ID_INVALID;
    for (uint32_t i = 0; i < pw->n_clients; i++)
        if (pw->clients[i].id == id)
            pw->clients[i] = pw->clients[--pw->n_clients];
    for (uint32_t i = 0; i < pw->n_nodes; i++) {
        if (pw->nodes[i].id != id)
            continue;
        pw->nodes[i] = pw->nodes[--pw->n_nodes];
        if (pw->event)
            pw->event(pw->event_data, 0, id);
        break;
    }
}

static const struct pw_registry_events registry_events = {
    PW_VERSION_REGISTRY_EVENTS,
    .global = on_global,
    .global_remove = on_global_remove,
};

int pfi_pw_connect_timeout(struct pfi_pw *pw, const char *thread_name, const char *remote,
                           pfi_pw_event_fn event, void *event_data, uint32_t timeout_ms)
{
    struct pw_properties *props;
    int r;

    pw_init(NULL, NULL);
    memset(pw, 0, sizeof(*pw));
    pw->default_metadata = SPA_ID_INVALID;
    pw->event = event;
    pw->event_data = event_data;
    pw->loop = pw_thread_loop_new(thread_name, NULL);
    if (!pw->loop)
        return PF_ERR_NOMEM;
    pw->context = pw_context_new(pw_thread_loop_get_loop(pw->loop),
                                 pw_properties_new(PW_KEY_CONFIG_NAME, "client.conf", NULL),
                                 0);
    if (!pw->context)
        return PF_ERR_NOMEM;
    if (pw_thread_loop_start(pw->loop) < 0)
        return PF_ERR_IO;
    props = remote ? pw_properties_new(PW_KEY_REMOTE_NAME, remote, NULL) : NULL;
    pw_thread_loop_lock(pw->loop);
    pw->core = pw_context_connect(pw->context, props, 0);
    if (!pw->core) {
        r = -errno;
        pw_thread_loop_unlock(pw->loop);
        return r == -ENOMEM ? PF_ERR_NOMEM : PF_ERR_IO;
    }
    pw_core_add_listener(pw->core, &pw->core_listener, &core_events, pw);
    pw->registry = pw_core_get_registry(pw->core, PW_VERSION_REGISTRY, 0);
    if (!pw->registry) {
        pw_thread_loop_unlock(pw->loop);
        return PF_ERR_NOMEM;
    }
    pw_registry_add_listener(pw->registry, &pw->registry_listener, &registry_events, pw);
    r = pfi_pw_roundtrip(pw, timeout_ms);
    pw_thread_loop_unlock(pw->loop);
    return r;
}

int pfi_pw_connect(struct pfi_pw *pw, const char *thread_name, const char *remote,
                   pfi_pw_event_fn event, void *event_data)
{
    return pfi_pw_connect_timeout(pw, thread_name, remote, event, event_data, 2000);
}

void pfi_pw_disconnect(struct pfi_pw *pw)
{
    if (!pw->loop)
        return;
    /* Stopping the thread first means no callback runs while the objects go away. */
    pw_thread_loop_stop(pw->loop);
    if (pw->registry) {
        spa_hook_remove(&pw->registry_listener);
        pw_proxy_destroy((struct pw_proxy *)pw->registry);
    }
    if (pw->core) {
        spa_hook_remove(&pw->core_listener);
        pw_core_disconnect(pw->core);
    }
    if (pw->context)
        pw_context_destroy(pw->context);
    pw_thread_loop_destroy(pw->loop);
    memset(pw, 0, sizeof(*pw));
    pw_deinit();
}

void pfi_pw_deadline(struct pfi_pw *pw, uint32_t timeout_ms, struct timespec *ret_abstime)
{
    pw_thread_loop_get_time(pw->loop, ret_abstime, (int64_t)timeout_ms * SPA_NSEC_PER_MSEC);
}

int pfi_pw_roundtrip(struct pfi_pw *pw, uint32_t timeout_ms)
{
    struct timespec abstime;

    if (pw->error || !pw->core)
        return PF_ERR_IO;
    pw->synced = 0;
    pw->pending_seq = pw_core_sync(pw->core, PW_ID_CORE, pw->pending_seq);
    pfi_pw_deadline(pw, timeout_ms, &abstime);
    while (!pw->synced && !pw->error) {
        if (pw_thread_loop_timed_wait_full(pw->loop, &abstime) == -ETIMEDOUT)
            return PF_ERR_TIMEOUT;
    }
    return pw->error ? PF_ERR_IO : 0;
}

static int32_t client_pid(struct pfi_pw *pw, uint32_t client_id)
{
    for (uint32_t i = 0; i < pw->n_clients; i++)
        if (pw->clients[i].id == client_id)
            return pw->clients[i].pid;
    return 0;
}

static struct pfi_pw_node *lookup(struct pfi_pw *pw, uint32_t id, const char *name, int32_t pid)
{
    for (uint32_t i = 0; i < pw->n_nodes; i++) {
        struct pfi_pw_node *n = &pw->nodes[i];

        if (name ? strcmp(n->name, name) != 0 : n->id != id)
            continue;
        n->pid = client_pid(pw, n->client_id);
        if (pid > 0 && n->pid != pid)
            continue;
        return n;
    }
    return NULL;
}

int pfi_pw_find_node(struct pfi_pw *pw, uint32_t id, const char *name, int32_t pid,
                     uint32_t timeout_ms, struct pfi_pw_node *ret_node)
{
    struct timespec abstime;
    const struct pfi_pw_node *n;
    int r;

    r = pfi_pw_roundtrip(pw, timeout_ms ? timeout_ms : 1000);
    if (r < 0)
        return r;
    pfi_pw_deadline(pw, timeout_ms, &abstime);
    while (!(n = lookup(pw, id, name, pid))) {
        if (pw->error)
            return PF_ERR_IO;
        if (timeout_ms == 0 || pw_thread_loop_timed_wait_full(pw->loop, &abstime) == -ETIMEDOUT)
            return PF_ERR_NOT_FOUND;
    }
    *ret_node = *n;
    return 0;
}
