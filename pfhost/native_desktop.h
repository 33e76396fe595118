/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_DESKTOP_H
#define PFHOST_NATIVE_DESKTOP_H

#include <stddef.h>
#include <stdint.h>

#include "native_input.h"
#include "pipeline.h"

typedef struct native_plane native_plane;

/* A punktfunk/1 session's desktop (architecture §5), from the same `desktops` object as the
 * GameStream sessions' (desktop.c): opened at the Hello's mode, captured by the pipeline, the
 * target of its input and the home of the apps its Hello launches; closed with the session.
 * Only when the host makes desktops (the default vdisplay source); with an explicit source
 * (--source testpattern, pipewire) native sessions stream that source as before. */

/* Desktop ids of native sessions: above every GameStream session number (sessions.c counts
 * those up from 1), so the two never name the same desktop. */
#define NATIVE_DESKTOP_ID_BASE 0x80000000u

/* Routes the desktops' "compositor died" and "source failed" to native sessions (ids from
 * NATIVE_DESKTOP_ID_BASE), passing the others on to the GameStream plane. No-op without
 * desktops. */
void native_desktop_attach(native_plane *np);
/* Undoes native_desktop_attach() (before the plane is freed). */
void native_desktop_detach(native_plane *np);
/* Opens a desktop at @p w x @p h @ @p hz. Returns 0 with *ret_id (0 when the host makes no
 * desktops), or -1 with the cause and the fix in @p err. */
int native_desktop_open(native_plane *np, uint32_t w, uint32_t h, uint32_t hz, uint32_t *ret_id,
                        char *err, size_t n);
/* Desktop @p id (0: none, nothing changes) as the pipeline's source. */
void native_desktop_source(native_plane *np, uint32_t id, pipeline_settings *ps);
/* Makes @p in a client of desktop @p id's injector (input of a view-only desktop is ignored). */
int native_desktop_input(native_plane *np, uint32_t id, native_input **ret);
/* Reconfigure: the desktop's output at the new mode, @p in moved to its new injector. 0, or
 * -1 with the cause logged (the desktop stays at its old mode where it can). */
int native_desktop_set_mode(native_plane *np, uint32_t id, native_input *in, uint32_t w,
                            uint32_t h, uint32_t hz);
/* The PipeWire daemon desktop @p id's apps use (for the session's microphone), else
 * @p fallback. */
const char *native_desktop_pipewire(native_plane *np, uint32_t id, const char *fallback);
/* Environment of apps started in desktop @p id, or NULL. */
const char *const *native_desktop_env(native_plane *np, uint32_t id);
void native_desktop_close(native_plane *np, uint32_t id);

#endif
