/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Connection plumbing shared by the Wayland-protocol backends (wlroots, KWin). */
#ifndef PF_INPUT_WL_UTIL_H
#define PF_INPUT_WL_UTIL_H

#include "pf/core/common.h"

struct wl_display;

/* Sends queued requests; @return 0, or PF_ERR_IO when the connection is gone. */
int pfi_wl_flush(struct wl_display *display, const pf_log_hook *log, const char *topic);

/* Reads and dispatches what the compositor sent, without blocking.
 * @return events dispatched (>= 0), or PF_ERR_IO after a protocol error or a lost connection. */
int pfi_wl_dispatch(struct wl_display *display, const pf_log_hook *log, const char *topic);

#endif
