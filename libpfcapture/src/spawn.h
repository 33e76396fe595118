/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_SPAWN_H
#define PF_CAPTURE_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Compositors started for a session live in their own directory,
 * $XDG_RUNTIME_DIR/punktfunk/vdisplay/<backend>.<host pid>.<random>, which also holds the
 * record of every process started there ("pid starttime" lines). Children get a parent-death
 * signal; a host killed before it could clean up leaves the directory behind, and the next
 * create of that backend kills what the record lists (after checking the start time, so a
 * reused pid is never hit) and removes it. */

#define PFI_SPAWN_MAX 4

struct pfi_spawn {
    char dir[256];
    pid_t pids[PFI_SPAWN_MAX];
    uint32_t n;
};

/* Creates the directory. 0, PF_ERR_IO. */
int pfi_spawn_init(struct pfi_spawn *sp, const char *backend);

/* Starts @argv with the extra @env ("KEY=VALUE", NULL-terminated, may be NULL), output in
 * DIR/@log_name. The pid or PF_ERR_IO / PF_ERR_LIMIT. */
pid_t pfi_spawn_start(struct pfi_spawn *sp, const char *log_name, const char *const argv[],
                      const char *const env[]);

/* pfi_spawn_start, then, when @ready_path is not NULL, pfi_spawn_wait_path for it: a daemon
 * that says it is ready by creating its socket. The pid goes to *ret_pid. 0 or PF_ERR_*. */
int pfi_spawn_start_ready(struct pfi_spawn *sp, const char *log_name, const char *const argv[],
                          const char *const env[], const char *ready_path, uint32_t timeout_ms,
                          pid_t *ret_pid);

/* 1 while @pid (a child of ours) still runs. */
int pfi_spawn_alive(pid_t pid);

/* Stops every process (reverse order, SIGTERM then SIGKILL after @timeout_ms) and removes the
 * directory. Safe on a zeroed struct. */
void pfi_spawn_finish(struct pfi_spawn *sp, uint32_t timeout_ms);

/* Cleans up what killed hosts left for @backend. Returns the number of processes killed. */
int pfi_spawn_reap_orphans(const char *backend);

/* Waits until @path exists (or the process @pid died). 0, PF_ERR_TIMEOUT, PF_ERR_IO. */
int pfi_spawn_wait_path(const char *path, pid_t pid, uint32_t timeout_ms);

/* Finds @program in PATH (or takes it as a path). 1 when executable. */
int pfi_spawn_have(const char *program);

#endif
