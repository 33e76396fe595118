/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_SESSION_STACK_H
#define PFHOST_SESSION_STACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervisor.h"

/* The private session stack of a host without a desktop session (architecture §5): a D-Bus
 * session bus, PipeWire and WirePlumber (without a session manager no stream ever links),
 * started on the first launch that needs them, in their own directory under the host's
 * runtime directory, and stopped with the host. Sessions' compositors publish their outputs
 * on this PipeWire; apps play their sound into it. */
typedef struct session_stack {
    supervisor *sup;
    char dir[256];             /* "" while down */
    char bus_address[320];     /* unix:path=DIR/bus */
    char pipewire_socket[300]; /* DIR/pipewire-0 (a PIPEWIRE_REMOTE) */
    pid_t bus, pipewire, wireplumber;
} session_stack;

void session_stack_init(session_stack *st, supervisor *sup);
/* Starts what is not running under @p runtime_dir. 0, or -1 with the reason in @p err. */
int session_stack_ensure(session_stack *st, const char *runtime_dir, char *err, size_t n);
/* 1 while the whole stack runs. */
int session_stack_up(const session_stack *st);
/* Stops the daemons and removes their directory. */
void session_stack_stop(session_stack *st);

/* Helpers shared with the compositors started beside the stack. */
/* Waits until @p path exists while @p pid lives: 0, or -1 (died or @p timeout_ms passed). */
int session_stack_wait_path(const char *path, pid_t pid, uint32_t timeout_ms);
/* Removes @p dir and everything in it. */
void session_stack_remove_dir(const char *dir);
/* The first line of `PROGRAM --version`'s output into @p out ("" when it cannot run). */
void session_stack_version(const char *program, char *out, size_t n);
/* 1 when @p program is an executable in PATH. */
int session_stack_have(const char *program);

#endif
