/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_SUPERVISOR_H
#define PFHOST_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

/* The daemons pfhost starts for itself (session bus, PipeWire, WirePlumber, headless
 * compositors): each in its own process group, output in a log file, killed with the host
 * (parent-death signal) if the host dies without cleaning up. An exit the owner did not ask
 * for is logged with its status and reported to the owner; stop() ends the whole group and
 * reaps it within a bound. All calls on the host's loop thread. */
typedef void (*supervisor_exit_fn)(void *user_data, pid_t pid, int wait_status);

typedef struct supervised {
    pid_t pid;
    char name[32];
    supervisor_exit_fn on_exit;
    void *user_data;
    uint64_t kill_at_ms; /* stopping: SIGKILL then (0 = running) */
} supervised;

#define SUPERVISOR_MAX 64

typedef struct supervisor {
    supervised v[SUPERVISOR_MAX];
    size_t n;
    sd_event_source *timer; /* escalates stops that take too long */
} supervisor;

/* Lets stop_async() escalate on @p loop's clock. */
int supervisor_init(supervisor *s, sd_event *loop);
/* Stops what still runs (bounded, synchronous) and frees the timer. */
void supervisor_finish(supervisor *s, uint32_t timeout_ms);

/* Starts @p argv (argv[0] looked up in PATH) with the host's environment plus @p env
 * ("KEY=VALUE", NULL-terminated; may be NULL), stdin from /dev/null, stdout and stderr
 * appended to @p log_path. Returns the pid, or -errno. */
pid_t supervisor_start(supervisor *s, const char *name, const char *const argv[],
                       const char *const env[], const char *log_path,
                       supervisor_exit_fn on_exit, void *user_data);
/* The SIGCHLD handler reaped @p pid: 1 when it was supervised (logged, owner told), else 0. */
int supervisor_reaped(supervisor *s, pid_t pid, int wait_status);
/* Ends @p pid's process group: SIGTERM, then SIGKILL after @p timeout_ms; reaps it. The owner
 * is not called. Unknown pids are ignored. */
void supervisor_stop(supervisor *s, pid_t pid, uint32_t timeout_ms);
/* The same without waiting (the loop must not stall while a compositor shuts down, or
 * control-stream acknowledgements pile up): SIGTERM to the group now, SIGKILL after
 * @p timeout_ms, reaped by the SIGCHLD handler through supervisor_reaped(). */
void supervisor_stop_async(supervisor *s, pid_t pid, uint32_t timeout_ms);
/* "exit status 1" / "killed by signal 9" for logs. */
void supervisor_describe_status(int wait_status, char *out, size_t n);

#endif
