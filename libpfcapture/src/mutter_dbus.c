/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mutter_dbus.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pf/core/error.h"

#include "log.h"
#include "pw_util.h"

#define TOPIC "mutter"
#define SC_PATH "/org/gnome/Mutter/ScreenCast"
#define SC_IFACE "org.gnome.Mutter.ScreenCast"
#define SESSION_IFACE "org.gnome.Mutter.ScreenCast.Session"
#define STREAM_IFACE "org.gnome.Mutter.ScreenCast.Stream"

int pfi_mutter_open(struct pfi_mutter *m, const char *address)
{
    int r;

    memset(m, 0, sizeof(*m));
    m->node_id = -1;
    if (!address)
        return sd_bus_open_user(&m->bus) < 0 ? PF_ERR_IO : 0;
    if (sd_bus_new(&m->bus) < 0)
        return PF_ERR_NOMEM;
    r = sd_bus_set_address(m->bus, address);
    if (r >= 0)
        r = sd_bus_set_bus_client(m->bus, 1);
    if (r >= 0)
        r = sd_bus_start(m->bus);
    if (r < 0) {
        m->bus = sd_bus_unref(m->bus);
        return PF_ERR_IO;
    }
    return 0;
}

static int call(struct pfi_mutter *m, sd_bus_message *msg, uint32_t timeout_ms,
                sd_bus_message **ret_reply)
{
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = sd_bus_call(m->bus, msg, (uint64_t)timeout_ms * 1000u, &err, ret_reply);

    sd_bus_error_free(&err);
    if (r == -ETIMEDOUT)
        return PF_ERR_TIMEOUT;
    /* An unknown method or interface means a Mutter without this API. */
    if (r == -EBADR || r == -ENXIO || r == -EOPNOTSUPP || r == -ENOENT)
        return PF_ERR_UNSUPPORTED;
    return r < 0 ? PF_ERR_IO : 0;
}

int pfi_mutter_available(struct pfi_mutter *m, uint32_t timeout_ms)
{
    sd_bus_message *msg = NULL, *reply = NULL;
    int has = 0;

    if (sd_bus_message_new_method_call(m->bus, &msg, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner") < 0)
        return 0;
    if (sd_bus_message_append(msg, "s", PFI_MUTTER_SCREENCAST) >= 0 &&
        call(m, msg, timeout_ms, &reply) == 0 && sd_bus_message_read(reply, "b", &has) < 0)
        has = 0;
    sd_bus_message_unref(msg);
    sd_bus_message_unref(reply);
    return has;
}

int pfi_mutter_wait_available(struct pfi_mutter *m, uint32_t timeout_ms)
{
    uint64_t deadline = pfi_now_ns() + (uint64_t)timeout_ms * 1000000u;

    while (!pfi_mutter_available(m, 500)) {
        if (pfi_now_ns() > deadline)
            return PF_ERR_TIMEOUT;
        sd_bus_wait(m->bus, 20000);
        sd_bus_process(m->bus, NULL);
    }
    return 0;
}

static int on_stream_added(sd_bus_message *msg, void *user_data, sd_bus_error *err)
{
    struct pfi_mutter *m = user_data;
    uint32_t node;

    if (sd_bus_message_read(msg, "u", &node) >= 0)
        m->node_id = node;
    return 0;
}

static int read_path(sd_bus_message *reply, char *buf, size_t size)
{
    const char *path;

    if (sd_bus_message_read(reply, "o", &path) < 0)
        return PF_ERR_MALFORMED;
    snprintf(buf, size, "%s", path);
    return 0;
}

int pfi_mutter_record_virtual(struct pfi_mutter *m, uint32_t timeout_ms, const pf_log_hook *log,
                              int cursor_metadata, const char *rd_session_id, int (*start_linked)(void *),
                              void *start_linked_user_data)
{
    sd_bus_message *msg = NULL, *reply = NULL;
    uint64_t deadline;
    int r;

    /* CreateSession(a{sv}) -> o */
    r = sd_bus_message_new_method_call(m->bus, &msg, PFI_MUTTER_SCREENCAST, SC_PATH, SC_IFACE,
                                       "CreateSession") < 0 ||
                (rd_session_id ? sd_bus_message_append(msg, "a{sv}", 1,
                                                        "remote-desktop-session-id", "s",
                                                        rd_session_id)
                               : sd_bus_message_append(msg, "a{sv}", 0)) < 0
            ? PF_ERR_NOMEM
            : call(m, msg, timeout_ms, &reply);
    msg = sd_bus_message_unref(msg);
    if (r == 0)
        r = read_path(reply, m->session, sizeof(m->session));
    reply = sd_bus_message_unref(reply);
    if (r < 0)
        return r;

    /* RecordVirtual(a{sv}) -> o. cursor-mode 1 = embedded: the client sees the pointer in
     * the picture; 2 = metadata: left out of the picture and sent as SPA_META_Cursor for a
     * client that draws it itself. The mode is the stream's for its whole life. */
    r = sd_bus_message_new_method_call(m->bus, &msg, PFI_MUTTER_SCREENCAST, m->session,
                                       SESSION_IFACE, "RecordVirtual") < 0 ||
                sd_bus_message_append(msg, "a{sv}", 1, "cursor-mode", "u",
                                      cursor_metadata ? 2u : 1u) < 0
            ? PF_ERR_NOMEM
            : call(m, msg, timeout_ms, &reply);
    msg = sd_bus_message_unref(msg);
    if (r == 0)
        r = read_path(reply, m->stream, sizeof(m->stream));
    reply = sd_bus_message_unref(reply);
    if (r < 0)
        return r;

    if (sd_bus_match_signal(m->bus, &m->added_slot, NULL, m->stream, STREAM_IFACE,
                            "PipeWireStreamAdded", on_stream_added, m) < 0)
        return PF_ERR_IO;

    if (rd_session_id) {
        /* The RemoteDesktop session owns the screencast: it starts and stops both. */
        r = start_linked(start_linked_user_data);
        if (r < 0)
            return r;
    } else {
        r = sd_bus_message_new_method_call(m->bus, &msg, PFI_MUTTER_SCREENCAST, m->session,
                                           SESSION_IFACE, "Start") < 0
                ? PF_ERR_NOMEM
                : call(m, msg, timeout_ms, &reply);
        msg = sd_bus_message_unref(msg);
        reply = sd_bus_message_unref(reply);
        if (r < 0)
            return r;
        m->started = 1;
    }

    deadline = pfi_now_ns() + (uint64_t)timeout_ms * 1000000u;
    while (m->node_id < 0) {
        uint64_t now = pfi_now_ns();

        r = sd_bus_process(m->bus, NULL);
        if (r < 0)
            return PF_ERR_IO;
        if (r > 0)
            continue;
        if (now > deadline)
            return PF_ERR_TIMEOUT;
        if (sd_bus_wait(m->bus, (deadline - now) / 1000u) < 0)
            return PF_ERR_IO;
    }
    pfi_cap_debug(log, TOPIC, "session %s stream %s node %lld", m->session, m->stream,
                  (long long)m->node_id);
    return 0;
}

void pfi_mutter_close(struct pfi_mutter *m)
{
    if (!m->bus)
        return;
    if (m->started) {
        sd_bus_message *msg = NULL, *reply = NULL;

        if (sd_bus_message_new_method_call(m->bus, &msg, PFI_MUTTER_SCREENCAST, m->session,
                                           SESSION_IFACE, "Stop") >= 0)
            call(m, msg, 1000, &reply);
        sd_bus_message_unref(msg);
        sd_bus_message_unref(reply);
    }
    m->added_slot = sd_bus_slot_unref(m->added_slot);
    m->bus = sd_bus_flush_close_unref(m->bus);
    m->started = 0;
}
