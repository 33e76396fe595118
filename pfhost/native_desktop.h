/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_DESKTOP_H
#define PFHOST_NATIVE_DESKTOP_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "native_input.h"
#include "stream.h"

typedef struct native_plane native_plane;

/* A punktfunk/1 session's desktop (desktop.c), as GameStream sessions get one, from the same
 * `desktops` object: a virtual output at the session's mode on the desktop's compositor, or
 * a headless compositor started beside the private stack, with the compositor's input
 * injector linked to that output. The pipeline captures it, the session's input goes to its
 * injector, the apps its Hello launches run in it, and it closes with the session. Used when
 * the host gives sessions desktops (`serve` with the vdisplay source); with an explicit
 * source (--source testpattern, pipewire) native sessions stream that source. */
typedef struct native_desktop {
    host *h;
    uint32_t id;
    int open;
    int cursor;        /* asked for the pointer as metadata */
    stream_desktop sd; /* node, PipeWire remote, injector, cursor_metadata */
} native_desktop;

/* Desktop ids of native sessions: above every GameStream session number (sessions.c counts
 * those up from 1), so the two never name the same desktop. */
#define NATIVE_DESKTOP_ID_BASE 0x80000000u

/* 1 when @p h gives sessions desktops. */
int native_desktop_wanted(const host *h);
/* A fresh desktop id for a native session of @p np. */
uint32_t native_desktop_next_id(native_plane *np);
/* Opens session @p id's desktop. 0, or -1 with the cause and the fix in @p err. */
int native_desktop_open(native_desktop *nd, host *h, uint32_t id, uint32_t width,
                        uint32_t height, uint32_t hz, int cursor, char *err, size_t n);
/* Reconfigure: the output at the new mode (desktops_set_mode()), @p in moved to its new
 * injector. 0, or PF_ERR_IO with the cause logged (the desktop stays at its old mode where
 * it can). */
int native_desktop_set_mode(native_desktop *nd, native_input *in, uint32_t width,
                            uint32_t height, uint32_t hz);
/* CursorRenderMode: the output with the pointer out of the picture (@p cursor) or in it, on
 * the same compositor (desktops_set_cursor()), @p in moved to its new injector. 0;
 * PF_ERR_UNSUPPORTED where the compositor cannot (the caller reopens the desktop); PF_ERR_IO
 * with the cause logged. */
int native_desktop_set_cursor(native_desktop *nd, native_input *in, int cursor);
/* Closes it (after its input and capture are gone); a closed one is a no-op. */
void native_desktop_close(native_desktop *nd);
/* Routes the desktops' "compositor died" and "source failed" for native ids to the native
 * sessions, passing the others on to the GameStream plane. No-op without desktops. */
void native_desktop_attach(native_plane *np);
/* Undoes native_desktop_attach() (before the plane is freed). */
void native_desktop_detach(native_plane *np);

#endif
