/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_DESKTOP_H
#define PFHOST_DESKTOP_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "pf/input.h"

#include "session_stack.h"
#include "sessions.h"
#include "stream.h"
#include "supervisor.h"

/* Each streaming session's desktop (architecture §5): a virtual output at the client's mode
 * on the desktop session's compositor when there is one, else a headless compositor started
 * for the session beside the private session stack (Mutter --headless first, Weston's
 * PipeWire backend otherwise), with the compositor's input injector. It is made at /launch
 * (so a launch without any picture fails with a reason the client shows, and the app starts
 * inside it), or at a punktfunk/1 Hello (native_desktop.c), and ends with the session; a
 * compositor that dies ends its session. */
typedef struct desktop desktop;

typedef struct desktops {
    supervisor *sup;
    session_stack stack;
    const char *runtime_dir;     /* borrowed: the host's */
    const char *forced;          /* backend forced by option, config or PF_VDISPLAY; borrowed */
    const char *pipewire_remote; /* --pipewire-remote: use that daemon, not the private one */
    desktop **v;
    size_t n;
    stream_plane inner; /* the streaming plane the sessions' seam goes on to */
    /* Ends a session with a termination code the client shows (stream_end_session). */
    void (*end_session)(void *user_data, uint32_t id, uint32_t code);
    int (*source_failed)(void *user_data, uint32_t id);
    void *user_data;
    sd_event_source *watch;
    char capture_path[400]; /* what `serve` said at start; the API reports it */
    char last_error[400];   /* why the last launch had no picture; "" after a good one */
    /* Directories removed while a child still wrote there (it was only asked to quit):
     * removed again once the children are gone (desktops_sweep). */
    char **sweep;
    size_t nsweep;
} desktops;

/* Termination code for a session whose picture source died: "the host reported a fatal video
 * error" in Moonlight (§5.7), rather than a graceful end the client would not remark on. */
#define DESKTOP_TERM_SOURCE_LOST 0x800E9403u

void desktops_init(desktops *d, supervisor *sup, const char *runtime_dir, const char *forced,
                   const char *pipewire_remote, sd_event *loop);
/* Decides and logs which capture path sessions will take, with versions. */
void desktops_describe(desktops *d);
/* Opens session @p id's desktop at @p width x @p height @ @p fps. 0, or -1 with the cause and
 * the fix in @p err (also kept for the API). */
int desktops_open(desktops *d, uint32_t id, uint32_t width, uint32_t height, uint32_t fps,
                  char *err, size_t n);
/* The same; with @p cursor the output leaves the pointer out of the picture and describes
 * it as metadata where its compositor can (stream_desktop.cursor_metadata says so). */
int desktops_open_cursor(desktops *d, uint32_t id, uint32_t width, uint32_t height,
                         uint32_t fps, int cursor, char *err, size_t n);
/* Environment for apps started in session @p id's desktop ("KEY=VALUE", NULL-terminated),
 * or NULL; valid until it closes. */
const char *const *desktops_env(desktops *d, uint32_t id);
void desktops_close(desktops *d, uint32_t id);
/* A mode change mid-stream: the output takes the new mode, or (Mutter) a new output at it
 * replaces the old one on the same compositor, with a new injector and PipeWire node. Input
 * clients of the old injector must be gone before. 0, or -1 with the cause in @p err (the
 * desktop then stays at its old mode where it can). */
int desktops_set_mode(desktops *d, uint32_t id, uint32_t width, uint32_t height, uint32_t fps,
                      char *err, size_t n);
/* Who draws the pointer changed: with @p cursor the output leaves it out of the picture (as
 * desktops_open_cursor). Mutter's mode is fixed for an output's life, so a new output replaces
 * the old one on the same compositor, as in desktops_set_mode: the apps in it go on. 0; -1
 * with the cause in @p err (the old mode kept where it can); PF_ERR_UNSUPPORTED where only
 * another compositor could (the caller reopens the desktop). */
int desktops_set_cursor(desktops *d, uint32_t id, int cursor, char *err, size_t n);
/* The input injector of session @p id's compositor, or NULL (view-only, or no desktop). */
pf_input_injector *desktops_injector(desktops *d, uint32_t id);
/* Wraps @p inner: a session's desktop closes after its stream stopped, and the API sees it. */
stream_plane desktops_wrap_plane(desktops *d, stream_plane inner);
/* stream_desktop_fn for stream.c. */
int desktops_stream_source(void *user_data, uint32_t id, stream_desktop *ret);
/* "capture" object of the API's status. */
json_object *desktops_status(const desktops *d);
/* Closes every desktop and stops the private stack. */
void desktops_finish(desktops *d);
/* Removes what desktops and the stack left in their directories while their processes were
 * quitting; after supervisor_finish() at shutdown, nothing is left under the runtime dir. */
void desktops_sweep(desktops *d);

#endif
