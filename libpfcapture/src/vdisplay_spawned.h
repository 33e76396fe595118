/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_VDISPLAY_SPAWNED_H
#define PF_CAPTURE_VDISPLAY_SPAWNED_H

#include <stddef.h>
#include <stdint.h>

#include "spawn.h"
#include "vdisplay_impl.h"

/* What the backends that start their own compositor for a session (mutter-headless, weston,
 * gamescope) share: the state's life from the session directory to the last process stopped,
 * the compositor's environment, and waiting for the output it publishes. */

/* The first steps of such a backend's create(): a zeroed state of @size bytes, which must
 * begin with its struct pfi_spawn, becomes the display's backend; what killed hosts left for
 * @backend is removed and the session directory made, whose last path component
 * (*ret_base) names the compositor's sockets. On failure nothing is left behind:
 * PF_ERR_NOMEM, PF_ERR_IO. */
int pfi_vdisplay_spawned_begin(struct pf_vdisplay *display, size_t size, const char *backend,
                               const char **ret_base);

/* Stops every process the backend started (the last first) and removes the session
 * directory, then frees the state: all of destroy() for a backend whose state is only its
 * processes, the last step of the others'. Safe when there is no state. */
void pfi_vdisplay_spawned_destroy(struct pf_vdisplay *display);

/* Environment for a spawned compositor: its runtime dir, and the caller's PipeWire. Fills
 * @store (owned strings live in it) and @env (NULL-terminated). */
struct pfi_spawn_env {
    char runtime[300];
    char pipewire[320];
    char bus[320];
    char extra[320];
    const char *env[6];
};
void pfi_vdisplay_spawn_env(struct pf_vdisplay *display, const char *runtime_dir,
                            const char *bus_address, struct pfi_spawn_env *store);

/* Waits for the node named @node_name that process @pid publishes (a spawned compositor's
 * output) to appear on the display's PipeWire, and stores its id. */
int pfi_vdisplay_wait_node(struct pf_vdisplay *display, const char *node_name, int32_t pid,
                           uint32_t timeout_ms);

#endif
