/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Daemons for the compositor tests: each test gets its own runtime directory and session
 * bus; every process started here is stopped by its PID when the test ends, and dies with
 * the test process if that crashes (PR_SET_PDEATHSIG). */
#ifndef PF_INPUT_TEST_HARNESS_H
#define PF_INPUT_TEST_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

#define H_MAX_PROCS 8

struct h_proc {
    pid_t pid;
    int out_fd; /* child's stdout (read end), or -1 */
    int in_fd;  /* child's stdin (write end), or -1 */
    char buf[8192];
    size_t len;
};

struct harness {
    char dir[64];
    char bus_address[128];
    struct h_proc procs[H_MAX_PROCS];
    int n;
    uid_t uid; /* children run as this user (0: unchanged) */
};

/* Creates the runtime directory (owned by @p uid when non-zero). @return 0 or -errno. */
int h_init(struct harness *h, uid_t uid);

/* Starts argv[0] with extra environment entries (NULL-terminated "K=V" list, may be NULL).
 * @p capture: pipe the child's stdin/stdout. @return the process slot or NULL. */
struct h_proc *h_spawn(struct harness *h, char *const argv[], char *const env[], int capture);

/* Starts a private dbus-daemon on dir/bus and waits for its socket. @return 0 or -errno. */
int h_start_bus(struct harness *h);

/* Waits up to @p ms for dir/@p name to exist. @return 0 or -ETIMEDOUT. */
int h_wait_path(struct harness *h, const char *name, int ms);

/* Reads the child's stdout until a line starting with @p prefix arrives (returned, without
 * newline, in @p line) or @p ms pass. Lines before it are consumed. @return 0 or -ETIMEDOUT. */
int h_expect_line(struct h_proc *p, const char *prefix, char *line, size_t len, int ms);

/* Collects every line the child prints within @p ms into @p out (newline-separated). */
int h_collect(struct h_proc *p, char *out, size_t len, int ms);

/* Stops every process (SIGTERM, then SIGKILL after 2 s) and removes the directory. */
void h_finish(struct harness *h);

/* @return the path of helper binary @p name, which lies next to the test binary. When the
 * harness drops to another user, a copy in the runtime directory owned by that user: the
 * build tree may sit where that user cannot reach (a checkout under /root). NULL on
 * failure. The path is valid until the next call. */
const char *h_helper(struct harness *h, const char *name);

#endif
