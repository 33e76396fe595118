/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_DESKTOP_H
#define PFHOST_DESKTOP_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "session_stack.h"
#include "sessions.h"
#include "stream.h"
#include "supervisor.h"

/* Each streaming session's desktop (architecture §5): a virtual output at the client's mode
 * on the desktop session's compositor when there is one, else a headless compositor started
 * for the session beside the private session stack (Mutter --headless first, Weston's
 * PipeWire backend otherwise), with the compositor's input injector. It is made at /launch
 * (so a launch without any picture fails with a reason the client shows, and the app starts
 * inside it) and ends with the session; a compositor that dies ends its session. */
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
/* Session @p id's output took a new mode (its capture asked for it: Mutter's virtual
 * monitor follows the capture's size); input and the status follow. */
void desktops_resized(desktops *d, uint32_t id, uint32_t width, uint32_t height, uint32_t fps);
/* Environment for apps started in session @p id's desktop ("KEY=VALUE", NULL-terminated),
 * or NULL; valid until it closes. */
const char *const *desktops_env(desktops *d, uint32_t id);
void desktops_close(desktops *d, uint32_t id);
/* Wraps @p inner: a session's desktop closes after its stream stopped, and the API sees it. */
stream_plane desktops_wrap_plane(desktops *d, stream_plane inner);
/* stream_desktop_fn for stream.c. */
int desktops_stream_source(void *user_data, uint32_t id, stream_desktop *ret);
/* "capture" object of the API's status. */
json_object *desktops_status(const desktops *d);
/* Closes every desktop and stops the private stack. */
void desktops_finish(desktops *d);

#endif
