/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_MUTTER_DBUS_H
#define PF_CAPTURE_MUTTER_DBUS_H

#include <stdint.h>

#include <systemd/sd-bus.h>

#include "pf/core/common.h"

/* A client of org.gnome.Mutter.ScreenCast (Version 4, Mutter 43+): CreateSession →
 * RecordVirtual → Start → PipeWireStreamAdded(node). The virtual monitor lives as long as the
 * session: Stop, or our bus connection closing (host crash), removes it. */
struct pfi_mutter {
    sd_bus *bus;
    sd_bus_slot *added_slot;
    char session[256]; /* ScreenCast session object path */
    char stream[256];
    int64_t node_id;
    int started;
};

#define PFI_MUTTER_SCREENCAST "org.gnome.Mutter.ScreenCast"

/* Opens @address (NULL: the user's session bus). PF_ERR_IO. */
int pfi_mutter_open(struct pfi_mutter *m, const char *address);
/* 1 when the ScreenCast name has an owner on the bus. */
int pfi_mutter_available(struct pfi_mutter *m, uint32_t timeout_ms);
/* Waits up to @timeout_ms for the ScreenCast name to appear. 0, PF_ERR_TIMEOUT. */
int pfi_mutter_wait_available(struct pfi_mutter *m, uint32_t timeout_ms);
/* Creates the session and the virtual stream and waits for its node id. With @rd_session_id
 * the session is linked to that RemoteDesktop session, which @start_linked starts (Mutter
 * refuses ScreenCast.Session.Start on a linked session). */
int pfi_mutter_record_virtual(struct pfi_mutter *m, uint32_t timeout_ms, const pf_log_hook *log,
                              int cursor_metadata, const char *rd_session_id, int (*start_linked)(void *),
                              void *start_linked_user_data);
/* Stops the session (bounded) and closes the bus. Safe on a zeroed struct. */
void pfi_mutter_close(struct pfi_mutter *m);

#endif
