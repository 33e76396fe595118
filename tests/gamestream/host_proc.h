/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_HOST_PROC_H
#define PF_TEST_HOST_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>

#include "gs_client.h"

/* A pfhost started as a subprocess with private XDG directories under a temporary
 * directory, on free ports. Its stderr goes to DIR/host.log. */
typedef struct host_proc {
    pid_t pid;
    char dir[256];
    uint16_t http, https, api;
    int api_tls;
    char token[80];
    /* As `env -i PATH=… HOME=DIR/home XDG_RUNTIME_DIR=DIR/run` (a fresh empty directory):
     * nothing of the test's session reaches the host. HOME's .config and .local/state lead
     * to the directories above, so config, token and state are where they always are. */
    int clean_env;
    const char *path; /* PATH under clean_env; NULL = the test's */
    const char *const *env; /* under clean_env: more "KEY=VALUE" (a desktop session's) */
    /* More arguments for `serve` only (NULL-terminated, e.g. {"--source", "testpattern",
     * NULL}); the CLI commands run_cli starts never get them. NULL = none. */
    const char *const *serve_args;
} host_proc;

/* Starts (or restarts, when h->dir is set) pfhost; @p extra_conf is appended to the config
 * file. Returns 0 once the host answers, -1 on failure. */
int host_start(host_proc *h, const char *extra_conf);
/* SIGTERM and wait: the exit status, or -1 when it had to be killed. */
int host_stop(host_proc *h);
void host_remove_dir(host_proc *h);

/* GameStream GET; with @p id over HTTPS presenting that certificate. Returns the body, or NULL
 * on a transport error; *ret_server_der gets the server certificate when not NULL. */
char *gs_get(const host_proc *h, int https, const gsc_identity *id, const char *path,
             uint8_t **ret_server_der, size_t *ret_der_len);
/* Management API call; returns the HTTP status (or -1) and the body in *ret_body. */
int api_call(const host_proc *h, const char *method, const char *path, const char *body,
             const char *extra_headers, char **ret_body);
/* Runs `pfhost --config … ARGS` with the host's environment; returns the exit status and
 * stdout in *ret_out (may be NULL). */
int run_cli(const host_proc *h, char **ret_out, const char *const *args);

/* Full pairing as Moonlight does it; the PIN goes in through the API (via_cli 0) or
 * `pfhost pin` (1) once the host reports @p waiting_before + 1 waiting attempts.
 * Returns the phase-4 <paired> value (1/0), -1 on errors; *ret_check gets the client's
 * phase-3 verdict (GSC_*). */
int pair_client(const host_proc *h, const gsc_identity *id, const char *client_pin,
                const char *host_pin, const char *uniqueid, int via_cli, int *ret_check,
                char **ret_server_pem);
int api_pairing_waiting(const host_proc *h);
/* Number of sessions the management API lists, -1 on errors. */
int api_count_sessions(const host_proc *h);
/* Number of paired clients the management API lists, 0 on errors. */
int api_count_clients(const host_proc *h);
/* A whole small text file (NUL-terminated, up to 64 KiB), or NULL. */
char *read_text_file(const char *path);
int wait_pairing_waiting(const host_proc *h, int n);
int enter_pin(const host_proc *h, const char *pin, int via_cli);
/* The id of the waiting pairing attempt at @p index (oldest first) from GET /api/v1/pairing. */
int api_attempt_id(const host_proc *h, int index, char *out, size_t cap);
/* The PIN for one chosen attempt, through the API or `pfhost pin --attempt`. */
int enter_pin_for(const host_proc *h, const char *pin, const char *attempt, int via_cli);

/* The same in steps, for concurrent pairings: phase 1 runs in a thread until the PIN. */
typedef struct pair_run {
    const host_proc *h;
    const gsc_identity *id;
    gsc_pair p;
    pthread_t thread;
    char *reply;
} pair_run;
int pair_start(const host_proc *h, pair_run *run, const gsc_identity *id, const char *pin,
               const char *uniqueid);
int pair_finish(pair_run *run, int *ret_check, char **ret_server_pem);

#endif
