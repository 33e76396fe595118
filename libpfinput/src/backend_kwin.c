/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KWin backend: org_kde_kwin_fake_input (plasma-wayland-protocols). Absolute positions and
 * touches are in KWin's global (logical) coordinates, so they are offset by the streamed
 * output's position. Keys need version 4 of the interface (KWin 5.24+). KWin 6 only grants
 * the interface to clients whose desktop file lists it (X-KDE-Wayland-Interfaces); without
 * that the global is simply absent and this backend does not start. */
#include "backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <wayland-client.h>

#include "fake-input-client-protocol.h"
#include "log.h"
#include "wl_util.h"

#define TOPIC "kwin"
/* Axis units per wheel notch as KWin's own libinput path delivers them. */
#define AXIS_PER_NOTCH 15.0

struct kbackend {
    struct pfi_backend base;
    const pf_log_hook *log;
    struct wl_display *display;
    struct wl_registry *registry;
    struct org_kde_kwin_fake_input *fake;
    uint32_t version;
    struct pfi_output out;
    int have_out;
};

static struct kbackend *kb(struct pfi_backend *b)
{
    return (struct kbackend *)b;
}

static int flush(struct kbackend *k)
{
    return pfi_wl_flush(k->display, k->log, TOPIC);
}

static void global(void *d, struct wl_registry *reg, uint32_t name, const char *iface,
                   uint32_t version)
{
    struct kbackend *k = d;
    if (strcmp(iface, org_kde_kwin_fake_input_interface.name) == 0 && !k->fake) {
        k->version = version < 4 ? version : 4;
        k->fake = wl_registry_bind(reg, name, &org_kde_kwin_fake_input_interface, k->version);
    }
}

static void global_remove(void *d, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
    .global = global,
    .global_remove = global_remove,
};

static uint32_t k_caps(struct pfi_backend *b)
{
    struct kbackend *k = kb(b);
    uint32_t caps = PFI_CAP_POINTER;
    if (k->version >= 2)
        caps |= PFI_CAP_TOUCH;
    if (k->version >= 3)
        caps |= PFI_CAP_POINTER_ABS;
    if (k->version >= 4)
        caps |= PFI_CAP_KEYBOARD;
    return caps;
}

static int k_set_output(struct pfi_backend *b, const struct pfi_output *out,
                        const char *stream_path, const char *name)
{
    struct kbackend *k = kb(b);
    k->out = *out;
    k->have_out = 1;
    return 0;
}

static int k_get_fd(struct pfi_backend *b)
{
    return wl_display_get_fd(kb(b)->display);
}

static int k_dispatch(struct pfi_backend *b)
{
    return pfi_wl_dispatch(kb(b)->display, kb(b)->log, TOPIC);
}

static int k_key(struct pfi_backend *b, uint32_t code, int down)
{
    struct kbackend *k = kb(b);
    org_kde_kwin_fake_input_keyboard_key(k->fake, code,
                                         down ? WL_KEYBOARD_KEY_STATE_PRESSED
                                              : WL_KEYBOARD_KEY_STATE_RELEASED);
    return flush(k);
}

static int k_motion(struct pfi_backend *b, double dx, double dy)
{
    struct kbackend *k = kb(b);
    org_kde_kwin_fake_input_pointer_motion(k->fake, wl_fixed_from_double(dx),
                                           wl_fixed_from_double(dy));
    return flush(k);
}

static int k_motion_abs(struct pfi_backend *b, double x, double y)
{
    struct kbackend *k = kb(b);
    if (!k->have_out)
        return PF_ERR_STATE;
    org_kde_kwin_fake_input_pointer_motion_absolute(k->fake, wl_fixed_from_double(k->out.x + x),
                                                    wl_fixed_from_double(k->out.y + y));
    return flush(k);
}

static int k_button(struct pfi_backend *b, uint32_t code, int down)
{
    struct kbackend *k = kb(b);
    org_kde_kwin_fake_input_button(k->fake, code,
                                   down ? WL_POINTER_BUTTON_STATE_PRESSED
                                        : WL_POINTER_BUTTON_STATE_RELEASED);
    return flush(k);
}

/* Wayland axes grow downwards/rightwards; GameStream's vertical grows away from the user. */
static int k_scroll(struct pfi_backend *b, uint32_t axis, int32_t v120)
{
    struct kbackend *k = kb(b);
    int32_t wl = axis == PFI_AXIS_VERTICAL ? -v120 : v120;
    org_kde_kwin_fake_input_axis(k->fake,
                                 axis == PFI_AXIS_VERTICAL ? WL_POINTER_AXIS_VERTICAL_SCROLL
                                                           : WL_POINTER_AXIS_HORIZONTAL_SCROLL,
                                 wl_fixed_from_double(wl * AXIS_PER_NOTCH / 120.0));
    return flush(k);
}

static int k_touch(struct pfi_backend *b, uint32_t slot, uint32_t type, double x, double y,
                   double pressure)
{
    struct kbackend *k = kb(b);
    if (type == PF_INPUT_TOUCH_UP) {
        org_kde_kwin_fake_input_touch_up(k->fake, slot);
    } else {
        if (!k->have_out)
            return PF_ERR_STATE;
        wl_fixed_t gx = wl_fixed_from_double(k->out.x + x);
        wl_fixed_t gy = wl_fixed_from_double(k->out.y + y);
        if (type == PF_INPUT_TOUCH_DOWN)
            org_kde_kwin_fake_input_touch_down(k->fake, slot, gx, gy);
        else
            org_kde_kwin_fake_input_touch_motion(k->fake, slot, gx, gy);
    }
    org_kde_kwin_fake_input_touch_frame(k->fake);
    return flush(k);
}

static void k_destroy(struct pfi_backend *b)
{
    struct kbackend *k = kb(b);
    if (!k)
        return;
    if (k->fake)
        org_kde_kwin_fake_input_destroy(k->fake);
    if (k->registry)
        wl_registry_destroy(k->registry);
    if (k->display) {
        wl_display_flush(k->display);
        wl_display_disconnect(k->display);
    }
    free(k);
}

static int k_create(const struct pfi_backend_args *args, struct pfi_backend **ret)
{
    struct kbackend *k = calloc(1, sizeof(*k));
    if (!k)
        return PF_ERR_NOMEM;
    k->base.impl = &pfi_backend_kwin;
    k->log = args->log;
    int r = PF_ERR_UNSUPPORTED;
    k->display = wl_display_connect(args->settings->wayland_display);
    if (!k->display) {
        pfi_input_log(k->log, TOPIC, "no Wayland display: %s", strerror(errno));
        goto fail;
    }
    k->registry = wl_display_get_registry(k->display);
    wl_registry_add_listener(k->registry, &registry_listener, k);
    if (wl_display_roundtrip(k->display) < 0) {
        r = PF_ERR_IO;
        goto fail;
    }
    if (!k->fake) {
        pfi_input_log(k->log, TOPIC, "compositor offers no org_kde_kwin_fake_input");
        goto fail;
    }
    org_kde_kwin_fake_input_authenticate(k->fake, "punktfunk",
                                         "Input from a remote streaming client");
    if (wl_display_roundtrip(k->display) < 0) {
        r = PF_ERR_IO;
        goto fail;
    }
    *ret = &k->base;
    return 0;
fail:
    k_destroy(&k->base);
    return r;
}

const struct pfi_backend_impl pfi_backend_kwin = {
    .name = "kwin",
    .create = k_create,
    .destroy = k_destroy,
    .caps = k_caps,
    .set_output = k_set_output,
    .get_fd = k_get_fd,
    .dispatch = k_dispatch,
    .key = k_key,
    .motion = k_motion,
    .motion_abs = k_motion_abs,
    .button = k_button,
    .scroll = k_scroll,
    .touch = k_touch,
};
