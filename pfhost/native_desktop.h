/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_DESKTOP_H
#define PFHOST_NATIVE_DESKTOP_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "stream.h"

/* A punktfunk/1 session's desktop (desktop.c), as GameStream sessions get one: a virtual
 * output at the session's mode on the desktop's compositor, or a headless compositor started
 * beside the private stack, with the compositor's input injector linked to that output.
 * Used when the host gives sessions desktops (`serve` with the vdisplay source). */
typedef struct native_desktop {
    host *h;
    uint32_t id;
    int open;
    int cursor;       /* asked for the pointer as metadata */
    stream_desktop sd; /* node, PipeWire remote, injector, cursor_metadata */
} native_desktop;

/* 1 when @p h gives sessions desktops. */
int native_desktop_wanted(const host *h);
/* Opens session @p id's desktop. 0, or -1 with the reason in @p err. */
int native_desktop_open(native_desktop *nd, host *h, uint32_t id, uint32_t width,
                        uint32_t height, uint32_t hz, int cursor, char *err, size_t n);
/* The session's mode changed (Reconfigure): the output follows its capture; input maps
 * onto the new size. No-op when closed. */
void native_desktop_resized(native_desktop *nd, uint32_t width, uint32_t height, uint32_t hz);
/* Closes it (after its input and capture are gone); a closed one is a no-op. */
void native_desktop_close(native_desktop *nd);

#endif
