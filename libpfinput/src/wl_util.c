/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wl_util.h"

#include <errno.h>
#include <string.h>

#include <wayland-client.h>

#include "pf/core/error.h"

#include "log.h"

int pfi_wl_flush(struct wl_display *display, const pf_log_hook *log, const char *topic)
{
    /* EAGAIN: the socket is full; libwayland keeps the rest queued for the next flush. */
    if (wl_display_flush(display) < 0 && errno != EAGAIN) {
        pfi_input_log(log, topic, "compositor connection lost: %s", strerror(errno));
        return PF_ERR_IO;
    }
    return 0;
}

int pfi_wl_dispatch(struct wl_display *display, const pf_log_hook *log, const char *topic)
{
    /* libwayland reads with MSG_DONTWAIT: with nothing pending this returns at once. */
    if (wl_display_prepare_read(display) == 0 && wl_display_read_events(display) < 0 &&
        errno != EAGAIN) {
        pfi_input_log(log, topic, "compositor connection lost: %s", strerror(errno));
        return PF_ERR_IO;
    }
    int n = wl_display_dispatch_pending(display);
    if (n < 0 || wl_display_get_error(display)) {
        pfi_input_log(log, topic, "protocol error %d", wl_display_get_error(display));
        return PF_ERR_IO;
    }
    return n;
}
