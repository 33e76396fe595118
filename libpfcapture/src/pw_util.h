/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_PW_UTIL_H
#define PF_CAPTURE_PW_UTIL_H

#include <stdint.h>

#include <pipewire/pipewire.h>

/* One PipeWire connection on its own thread loop, with a registry mirror of the nodes so that
 * lookups ("does node 42 exist", "which node is named weston") and removals ("the node we
 * capture went away") need no extra round trip. Every object of this library that talks to
 * PipeWire owns one. */

#define PFI_PW_MAX_NODES 128

struct pfi_pw_node {
    uint32_t id;
    uint64_t serial;
    char name[128];
    char media_class[48];
    char description[64];
    uint32_t client_id;
    int32_t pid; /* application.process.id of the owning client, 0 when unknown */
};

struct pfi_pw_client {
    uint32_t id;
    int32_t pid;
};

/* Called on PipeWire's thread with the loop locked: keep it to atomics and an eventfd. */
typedef void (*pfi_pw_event_fn)(void *user_data, int err, uint32_t removed_id);

struct pfi_pw {
    struct pw_thread_loop *loop;
    struct pw_context *context;
    struct pw_core *core;
    struct pw_registry *registry;
    struct spa_hook core_listener;
    struct spa_hook registry_listener;
    int pending_seq;
    int synced;
    int error;  /* first core error (-EPIPE when the daemon went away) */
    struct pfi_pw_node nodes[PFI_PW_MAX_NODES];
    uint32_t n_nodes;
    struct pfi_pw_client clients[PFI_PW_MAX_NODES];
    uint32_t n_clients;
    uint32_t default_metadata; /* global id of the "default" metadata, or SPA_ID_INVALID */
    pfi_pw_event_fn event;
    void *event_data;
};

/* Starts the loop thread and connects. PF_ERR_IO when the daemon cannot be reached. */
int pfi_pw_connect(struct pfi_pw *pw, const char *thread_name, const char *remote,
                   pfi_pw_event_fn event, void *event_data);
/* The same with a bound on the first round trip (a daemon that accepts but never answers). */
int pfi_pw_connect_timeout(struct pfi_pw *pw, const char *thread_name, const char *remote,
                           pfi_pw_event_fn event, void *event_data, uint32_t timeout_ms);
/* Disconnects and stops the thread (safe on a zeroed or half-made struct). */
void pfi_pw_disconnect(struct pfi_pw *pw);

/* The calls below need the loop locked (pw_thread_loop_lock). */

/* Waits until the daemon processed everything sent so far. PF_ERR_TIMEOUT, PF_ERR_IO. */
int pfi_pw_roundtrip(struct pfi_pw *pw, uint32_t timeout_ms);

/* Looks up a node by id (when @name is NULL) or by node.name (and, when @pid > 0, owned by
 * that process), waiting up to @timeout_ms for it to appear. PF_ERR_NOT_FOUND after the wait,
 * PF_ERR_IO when the daemon is gone. */
int pfi_pw_find_node(struct pfi_pw *pw, uint32_t id, const char *name, int32_t pid,
                     uint32_t timeout_ms, struct pfi_pw_node *ret_node);

/* Absolute deadline helper for pw_thread_loop_timed_wait_full. */
void pfi_pw_deadline(struct pfi_pw *pw, uint32_t timeout_ms, struct timespec *ret_abstime);

/* CLOCK_MONOTONIC in ns. */
uint64_t pfi_now_ns(void);

/* Translates a negative errno from PipeWire into the library's error space. */
int pfi_pw_error(int err);

#endif
