/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_CURSOR_H
#define PFHOST_NATIVE_CURSOR_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "native_internal.h"
#include "source_pw.h"

/* The cursor channel of one punktfunk/1 session (native-protocol.md §5.5, §8.6): offered
 * (HOST_CAP_CURSOR) when the client set CURSOR and the session's output describes the
 * pointer as metadata instead of drawing it into the picture. */
typedef struct native_cursor native_cursor;

/* Main thread. Shapes go out on @p nc's control stream from @p loop; positions as datagrams. */
int native_cursor_create(native_conn *nc, sd_event *loop, uint32_t fps, native_cursor **ret);
/* After the pipeline that reports into it is gone; NULL allowed. */
void native_cursor_destroy(native_cursor *c);
/* Positions go out at most once per frame interval of @p fps. Any thread. */
void native_cursor_set_fps(native_cursor *c, uint32_t fps);
/* CursorRenderMode (0x51). Returns 1 when the output must be rebuilt so that the pointer is
 * (client_draws 0) or is not (1) in the picture; 0 when nothing changes. Main thread. */
int native_cursor_set_client_draws(native_cursor *c, int client_draws);
int native_cursor_client_draws(native_cursor *c);
/* A new output: its first shape is sent again even if it looks the same. Any thread. */
void native_cursor_reset(native_cursor *c);
/* pipeline_sink.cursor: the capture thread's latest pointer. */
void native_cursor_report(native_cursor *c, const pw_source_cursor *cur);
/* Counters for the log and tests. */
void native_cursor_counts(native_cursor *c, uint64_t *shapes, uint64_t *positions);

#endif
