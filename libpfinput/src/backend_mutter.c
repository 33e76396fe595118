/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mutter RemoteDesktop backend (org.gnome.Mutter.RemoteDesktop over sd-bus). The session is
 * created here; the capture side links its ScreenCast session to it through the SessionId
 * ("remote-desktop-session-id"), and absolute positions and touches then address that
 * ScreenCast stream, so they land on the client's own virtual output. Mutter only accepts
 * Notify* calls from the connection that created the session, so this backend owns its bus
 * connection. Notify* calls are sent without waiting for replies: they are ordered on the
 * connection, and a round trip per mouse move would add latency for nothing. */
#include "backend.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "log.h"

#define TOPIC "mutter"
#define RD_NAME "org.gnome.Mutter.RemoteDesktop"
#define RD_PATH "/org/gnome/Mutter/RemoteDesktop"
#define RD_SESSION_IFACE "org.gnome.Mutter.RemoteDesktop.Session"

/* NotifyPointerAxis flags (Mutter's RemoteDesktop interface). */
#define AXIS_FLAG_SOURCE_CONTINUOUS 8u

/* One wheel notch in Wayland's smooth-scroll units (libinput's convention). */
#define SMOOTH_PER_NOTCH 10.0

struct mbackend {
    struct pfi_backend base;
    const pf_log_hook *log;
    sd_bus *bus;
    sd_bus_slot *closed_slot;
    sd_bus_slot *owner_slot;
    char *session_path;
    char *session_id;
    char *stream_path;
    int started;
    int closed;
};

static struct mbackend *mb(struct pfi_backend *b)
{
    return (struct mbackend *)b;
}

static int on_closed(sd_bus_message *m, void *user_data, sd_bus_error *ret_error)
{
    struct mbackend *m_ = user_data;
    m_->closed = 1;
    pfi_input_log(m_->log, TOPIC, "Mutter closed the remote-desktop session");
    return 0;
}

/* Mutter going away (crash, logout) emits no Closed signal; its bus name losing its owner is
 * how we learn the session is gone. */
static int on_owner_changed(sd_bus_message *m, void *user_data, sd_bus_error *ret_error)
{
    struct mbackend *mb_ = user_data;
    const char *name = NULL, *old_owner = NULL, *new_owner = NULL;
    if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) >= 0 && new_owner &&
        !*new_owner) {
        mb_->closed = 1;
        pfi_input_log(mb_->log, TOPIC, "Mutter left the bus");
    }
    return 0;
}

/* A closed session is a broken connection (the caller must know); one not started yet just
 * cannot take events. */
static int check(struct mbackend *m)
{
    if (m->closed)
        return PF_ERR_IO;
    return m->started ? 0 : PF_ERR_STATE;
}

/* Sends one Notify* call without a reply; @p types is its D-Bus signature. */
static int notify(struct mbackend *m, const char *method, const char *types, ...)
{
    int r = check(m);
    if (r < 0)
        return r;
    sd_bus_message *msg = NULL;
    r = sd_bus_message_new_method_call(m->bus, &msg, RD_NAME, m->session_path, RD_SESSION_IFACE,
                                       method);
    if (r >= 0) {
        va_list ap;
        va_start(ap, types);
        r = sd_bus_message_appendv(msg, types, ap);
        va_end(ap);
    }
    if (r >= 0)
        r = sd_bus_message_set_expect_reply(msg, 0);
    if (r >= 0)
        r = sd_bus_send(m->bus, msg, NULL);
    sd_bus_message_unref(msg);
    if (r >= 0)
        r = sd_bus_flush(m->bus);
    if (r < 0) {
        pfi_input_log(m->log, TOPIC, "%s failed: %s", method, strerror(-r));
        return PF_ERR_IO;
    }
    return 0;
}

static uint32_t m_caps(struct pfi_backend *b)
{
    return PFI_CAP_KEYBOARD | PFI_CAP_KEYSYM | PFI_CAP_POINTER | PFI_CAP_POINTER_ABS |
           PFI_CAP_TOUCH;
}

static int m_start(struct pfi_backend *b)
{
    struct mbackend *m = mb(b);
    if (m->started)
        return 0;
    sd_bus_error err = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(m->bus, RD_NAME, m->session_path, RD_SESSION_IFACE, "Start", &err,
                               NULL, "");
    if (r < 0) {
        pfi_input_log(m->log, TOPIC, "Start: %s", err.message ? err.message : strerror(-r));
        sd_bus_error_free(&err);
        return PF_ERR_IO;
    }
    m->started = 1;
    return 0;
}

static int m_session_id(struct pfi_backend *b, char *buf, size_t len)
{
    struct mbackend *m = mb(b);
    size_t n = strlen(m->session_id);
    if (n + 1 > len)
        return PF_ERR_BUFFER_TOO_SMALL;
    memcpy(buf, m->session_id, n + 1);
    return (int)n;
}

static int m_set_output(struct pfi_backend *b, const struct pfi_output *out,
                        const char *stream_path, const char *name)
{
    struct mbackend *m = mb(b);
    char *copy = NULL;
    if (stream_path && !(copy = strdup(stream_path)))
        return PF_ERR_NOMEM;
    free(m->stream_path);
    m->stream_path = copy;
    return 0;
}

static int m_get_fd(struct pfi_backend *b)
{
    return sd_bus_get_fd(mb(b)->bus);
}

static int m_dispatch(struct pfi_backend *b)
{
    struct mbackend *m = mb(b);
    int n = 0, r;
    while ((r = sd_bus_process(m->bus, NULL)) > 0 && n < 64)
        n++;
    if (r < 0) {
        pfi_input_log(m->log, TOPIC, "bus connection lost: %s", strerror(-r));
        m->closed = 1;
    }
    return m->closed ? PF_ERR_IO : n;
}

static int m_key(struct pfi_backend *b, uint32_t code, int down)
{
    return notify(mb(b), "NotifyKeyboardKeycode", "ub", code, down);
}

static int m_keysym(struct pfi_backend *b, uint32_t sym, int down)
{
    return notify(mb(b), "NotifyKeyboardKeysym", "ub", sym, down);
}

static int m_motion(struct pfi_backend *b, double dx, double dy)
{
    return notify(mb(b), "NotifyPointerMotionRelative", "dd", dx, dy);
}

static int m_motion_abs(struct pfi_backend *b, double x, double y)
{
    struct mbackend *m = mb(b);
    if (!m->stream_path) {
        pfi_input_log(m->log, TOPIC, "absolute motion needs a ScreenCast stream path");
        return PF_ERR_STATE;
    }
    return notify(m, "NotifyPointerMotionAbsolute", "sdd", m->stream_path, x, y);
}

static int m_button(struct pfi_backend *b, uint32_t code, int down)
{
    return notify(mb(b), "NotifyPointerButton", "ib", (int32_t)code, down);
}

/* Whole notches go out as discrete steps (what a wheel does, and what clients that count
 * clicks need); fractions from high-resolution wheels and touchpads go out as continuous
 * smooth scroll (a wheel source would make Mutter round them up to whole clicks).
 * Wayland's axes grow downwards and rightwards; GameStream's vertical grows away from the
 * user, so vertical values flip. */
static int m_scroll(struct pfi_backend *b, uint32_t axis, int32_t v120)
{
    struct mbackend *m = mb(b);
    int32_t wl = axis == PFI_AXIS_VERTICAL ? -v120 : v120;
    if (wl % 120 == 0)
        return notify(m, "NotifyPointerAxisDiscrete", "ui", axis, wl / 120);
    double v = wl * SMOOTH_PER_NOTCH / 120.0;
    return notify(m, "NotifyPointerAxis", "ddu", axis == PFI_AXIS_HORIZONTAL ? v : 0.0,
                  axis == PFI_AXIS_VERTICAL ? v : 0.0, AXIS_FLAG_SOURCE_CONTINUOUS);
}

static int m_touch(struct pfi_backend *b, uint32_t slot, uint32_t type, double x, double y,
                   double pressure)
{
    struct mbackend *m = mb(b);
    if (type == PF_INPUT_TOUCH_UP)
        return notify(m, "NotifyTouchUp", "u", slot);
    if (!m->stream_path)
        return PF_ERR_STATE;
    return notify(m, type == PF_INPUT_TOUCH_DOWN ? "NotifyTouchDown" : "NotifyTouchMotion",
                  "sudd", m->stream_path, slot, x, y);
}

static void m_destroy(struct pfi_backend *b)
{
    struct mbackend *m = mb(b);
    if (!m)
        return;
    if (m->bus && m->session_path && !m->closed) {
        /* Stop without waiting: the process may be shutting down. */
        sd_bus_message *msg = NULL;
        if (sd_bus_message_new_method_call(m->bus, &msg, RD_NAME, m->session_path,
                                           RD_SESSION_IFACE, "Stop") >= 0) {
            sd_bus_message_set_expect_reply(msg, 0);
            sd_bus_send(m->bus, msg, NULL);
            sd_bus_message_unref(msg);
        }
    }
    sd_bus_slot_unref(m->closed_slot);
    sd_bus_slot_unref(m->owner_slot);
    if (m->bus)
        sd_bus_flush_close_unref(m->bus);
    free(m->session_path);
    free(m->session_id);
    free(m->stream_path);
    free(m);
}

static int open_bus(const char *address, sd_bus **ret)
{
    if (!address)
        return sd_bus_open_user(ret);
    sd_bus *bus = NULL;
    int r = sd_bus_new(&bus);
    if (r >= 0)
        r = sd_bus_set_address(bus, address);
    if (r >= 0)
        r = sd_bus_set_bus_client(bus, 1);
    if (r >= 0)
        r = sd_bus_start(bus);
    if (r < 0) {
        sd_bus_unref(bus);
        return r;
    }
    *ret = bus;
    return 0;
}

static int m_create(const struct pfi_backend_args *args, struct pfi_backend **ret)
{
    struct mbackend *m = calloc(1, sizeof(*m));
    if (!m)
        return PF_ERR_NOMEM;
    m->base.impl = &pfi_backend_mutter;
    m->log = args->log;
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    const char *path = NULL;
    int r = open_bus(args->settings->dbus_address, &m->bus);
    if (r < 0) {
        pfi_input_log(m->log, TOPIC, "no session bus: %s", strerror(-r));
        r = PF_ERR_UNSUPPORTED;
        goto fail;
    }
    r = sd_bus_call_method(m->bus, RD_NAME, RD_PATH, RD_NAME, "CreateSession", &err, &reply, "");
    if (r < 0) {
        pfi_input_log(m->log, TOPIC, "CreateSession: %s", err.message ? err.message : strerror(-r));
        r = PF_ERR_UNSUPPORTED;
        goto fail;
    }
    if (sd_bus_message_read(reply, "o", &path) < 0 || !(m->session_path = strdup(path))) {
        r = PF_ERR_IO;
        goto fail;
    }
    r = sd_bus_get_property_string(m->bus, RD_NAME, m->session_path, RD_SESSION_IFACE,
                                   "SessionId", &err, &m->session_id);
    if (r < 0) {
        pfi_input_log(m->log, TOPIC, "SessionId: %s", err.message ? err.message : strerror(-r));
        r = PF_ERR_IO;
        goto fail;
    }
    r = sd_bus_match_signal(m->bus, &m->closed_slot, NULL, m->session_path, RD_SESSION_IFACE,
                            "Closed", on_closed, m);
    if (r >= 0) {
        char match[160];
        snprintf(match, sizeof(match),
                 "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',"
                 "arg0='%s'",
                 RD_NAME);
        r = sd_bus_add_match(m->bus, &m->owner_slot, match, on_owner_changed, m);
    }
    if (r < 0) {
        r = PF_ERR_IO;
        goto fail;
    }
    sd_bus_message_unref(reply);
    pfi_input_log(m->log, TOPIC, "session %s (id %s)", m->session_path, m->session_id);
    *ret = &m->base;
    return 0;
fail:
    sd_bus_error_free(&err);
    sd_bus_message_unref(reply);
    m_destroy(&m->base);
    return r;
}

const struct pfi_backend_impl pfi_backend_mutter = {
    .name = "mutter",
    .create = m_create,
    .destroy = m_destroy,
    .caps = m_caps,
    .start = m_start,
    .session_id = m_session_id,
    .set_output = m_set_output,
    .get_fd = m_get_fd,
    .dispatch = m_dispatch,
    .key = m_key,
    .keysym = m_keysym,
    .motion = m_motion,
    .motion_abs = m_motion_abs,
    .button = m_button,
    .scroll = m_scroll,
    .touch = m_touch,
};
