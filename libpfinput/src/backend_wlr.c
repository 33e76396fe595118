/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wlroots backend (Sway, Hyprland, river, labwc…): zwlr_virtual_pointer_v1 bound to the
 * streamed output, so absolute positions land on it, and zwp_virtual_keyboard_v1 with an XKB
 * keymap. The protocol XML is not packaged by Debian; it lives in ../protocol. The
 * compositor keeps modifier state from the keymap we upload, and we mirror it with our own
 * xkb_state so the modifiers request always matches what the keys did. */
#include "backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>

#include "log.h"
#include "wl_util.h"
#include "virtual-keyboard-unstable-v1-client-protocol.h"
#include "wlr-virtual-pointer-unstable-v1-client-protocol.h"

#define TOPIC "wlr"
#define MAX_OUTPUTS 8
/* One wheel notch in Wayland axis units (libinput's convention). */
#define AXIS_PER_NOTCH 10.0

struct wout {
    struct wl_output *output;
    uint32_t name;
    char *label;
};

struct wbackend {
    struct pfi_backend base;
    const pf_log_hook *log;
    struct wl_display *display;
    struct wl_registry *registry;
    struct wl_seat *seat;
    struct zwlr_virtual_pointer_manager_v1 *pointer_manager;
    uint32_t pointer_manager_version;
    struct zwp_virtual_keyboard_manager_v1 *keyboard_manager;
    struct zwlr_virtual_pointer_v1 *pointer;
    struct zwp_virtual_keyboard_v1 *keyboard;
    struct xkb_context *xkb;
    struct xkb_keymap *keymap;
    struct xkb_state *state;
    char *keymap_text; /* the session keymap as uploaded */
    struct wout outputs[MAX_OUTPUTS];
    int n_outputs;
    struct pfi_output out;
    int have_out;
};

static struct wbackend *wb(struct pfi_backend *b)
{
    return (struct wbackend *)b;
}

static uint32_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static int flush(struct wbackend *w)
{
    return pfi_wl_flush(w->display, w->log, TOPIC);
}

static void out_geometry(void *d, struct wl_output *o, int32_t x, int32_t y, int32_t pw,
                         int32_t ph, int32_t sub, const char *make, const char *model,
                         int32_t transform)
{
}
static void out_mode(void *d, struct wl_output *o, uint32_t flags, int32_t w, int32_t h,
                     int32_t refresh)
{
}
static void out_done(void *d, struct wl_output *o)
{
}
static void out_scale(void *d, struct wl_output *o, int32_t factor)
{
}
static void out_name(void *d, struct wl_output *o, const char *name)
{
    struct wout *wo = d;
    free(wo->label);
    wo->label = strdup(name);
}
static void out_description(void *d, struct wl_output *o, const char *desc)
{
}

static const struct wl_output_listener output_listener = {
    .geometry = out_geometry,
    .mode = out_mode,
    .done = out_done,
    .scale = out_scale,
    .name = out_name,
    .description = out_description,
};

static void global(void *d, struct wl_registry *reg, uint32_t name, const char *iface,
                   uint32_t version)
{
    struct wbackend *w = d;
    if (strcmp(iface, wl_seat_interface.name) == 0 && !w->seat) {
        w->seat = wl_registry_bind(reg, name, &wl_seat_interface, 1);
    } else if (strcmp(iface, zwlr_virtual_pointer_manager_v1_interface.name) == 0) {
        w->pointer_manager_version = version < 2 ? version : 2;
        w->pointer_manager = wl_registry_bind(reg, name, &zwlr_virtual_pointer_manager_v1_interface,
                                              w->pointer_manager_version);
    } else if (strcmp(iface, zwp_virtual_keyboard_manager_v1_interface.name) == 0) {
        w->keyboard_manager =
            wl_registry_bind(reg, name, &zwp_virtual_keyboard_manager_v1_interface, 1);
    } else if (strcmp(iface, wl_output_interface.name) == 0 && w->n_outputs < MAX_OUTPUTS) {
        struct wout *o = &w->outputs[w->n_outputs++];
        o->name = name;
        /* Version 4 brings the output's name, which is how the session names its output. */
        o->output = wl_registry_bind(reg, name, &wl_output_interface, version < 4 ? version : 4);
        wl_output_add_listener(o->output, &output_listener, o);
    }
}

static void global_remove(void *d, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
    .global = global,
    .global_remove = global_remove,
};

static uint32_t w_caps(struct pfi_backend *b)
{
    struct wbackend *w = wb(b);
    uint32_t caps = 0;
    if (w->keyboard)
        caps |= PFI_CAP_KEYBOARD | PFI_CAP_KEYSYM;
    if (w->pointer)
        caps |= PFI_CAP_POINTER | PFI_CAP_POINTER_ABS;
    return caps;
}

/* Hands @p text (a NUL-terminated XKB keymap) to the compositor through a sealed memfd. */
static int send_keymap(struct wbackend *w, const char *text)
{
    size_t size = strlen(text) + 1;
    int fd = memfd_create("pf-keymap", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    int r = 0;
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
        r = PF_ERR_IO;
    } else {
        void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) {
            r = PF_ERR_IO;
        } else {
            memcpy(map, text, size);
            munmap(map, size);
            zwp_virtual_keyboard_v1_keymap(w->keyboard, WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1, fd,
                                           (uint32_t)size);
        }
    }
    if (fd >= 0)
        close(fd);
    return r;
}

static int upload_keymap(struct wbackend *w)
{
    struct xkb_rule_names names = { 0 };
    w->keymap = xkb_keymap_new_from_names(w->xkb, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
    if (!w->keymap)
        return PF_ERR_UNSUPPORTED;
    w->state = xkb_state_new(w->keymap);
    w->keymap_text = xkb_keymap_get_as_string(w->keymap, XKB_KEYMAP_FORMAT_TEXT_V1);
    if (!w->state || !w->keymap_text)
        return PF_ERR_NOMEM;
    return send_keymap(w, w->keymap_text);
}

/* A keysym the session keymap lacks ("é" on a US map, any CJK character) is typed through a
 * one-key keymap that carries just that keysym, and the session keymap is restored right
 * after; the compositor forwards both keymap changes to the focused client in order. */
static int type_foreign_keysym(struct wbackend *w, uint32_t sym)
{
    char name[64];
    if (xkb_keysym_get_name(sym, name, sizeof(name)) <= 0)
        return PF_ERR_STATE;
    char text[512];
    int n = snprintf(text, sizeof(text),
                     "xkb_keymap {\n"
                     "xkb_keycodes \"pf\" { minimum = 8; maximum = 9; <K1> = 9; };\n"
                     "xkb_types \"pf\" { include \"complete\" };\n"
                     "xkb_compatibility \"pf\" { include \"complete\" };\n"
                     "xkb_symbols \"pf\" { key <K1> { [ %s ] }; };\n"
                     "};\n",
                     name);
    if (n < 0 || (size_t)n >= sizeof(text))
        return PF_ERR_STATE;
    int r = send_keymap(w, text);
    uint32_t t = now_ms();
    if (r >= 0) {
        /* Evdev code 1 is keycode 9, <K1> above. */
        zwp_virtual_keyboard_v1_key(w->keyboard, t, 1, WL_KEYBOARD_KEY_STATE_PRESSED);
        zwp_virtual_keyboard_v1_key(w->keyboard, t, 1, WL_KEYBOARD_KEY_STATE_RELEASED);
    }
    int r2 = send_keymap(w, w->keymap_text);
    return r < 0 ? r : r2 < 0 ? r2 : flush(w);
}

static struct wl_output *find_output(struct wbackend *w, const char *name)
{
    for (int i = 0; i < w->n_outputs; i++)
        if (name && w->outputs[i].label && strcmp(w->outputs[i].label, name) == 0)
            return w->outputs[i].output;
    /* A single output is the streamed one whatever it is called. */
    return w->n_outputs == 1 ? w->outputs[0].output : NULL;
}

static void make_pointer(struct wbackend *w, const char *output_name)
{
    if (!w->pointer_manager)
        return;
    if (w->pointer)
        zwlr_virtual_pointer_v1_destroy(w->pointer);
    struct wl_output *o = w->pointer_manager_version >= 2 ? find_output(w, output_name) : NULL;
    if (o)
        w->pointer = zwlr_virtual_pointer_manager_v1_create_virtual_pointer_with_output(
            w->pointer_manager, w->seat, o);
    else
        w->pointer =
            zwlr_virtual_pointer_manager_v1_create_virtual_pointer(w->pointer_manager, w->seat);
}

static int w_set_output(struct pfi_backend *b, const struct pfi_output *out,
                        const char *stream_path, const char *name)
{
    struct wbackend *w = wb(b);
    w->out = *out;
    w->have_out = 1;
    make_pointer(w, name);
    return flush(w);
}

static int w_get_fd(struct pfi_backend *b)
{
    return wl_display_get_fd(wb(b)->display);
}

static int w_dispatch(struct pfi_backend *b)
{
    return pfi_wl_dispatch(wb(b)->display, wb(b)->log, TOPIC);
}

static int send_key(struct wbackend *w, uint32_t code, int down)
{
    zwp_virtual_keyboard_v1_key(w->keyboard, now_ms(), code,
                                down ? WL_KEYBOARD_KEY_STATE_PRESSED
                                     : WL_KEYBOARD_KEY_STATE_RELEASED);
    /* XKB keycodes are evdev codes + 8. */
    xkb_state_update_key(w->state, code + 8, down ? XKB_KEY_DOWN : XKB_KEY_UP);
    zwp_virtual_keyboard_v1_modifiers(
        w->keyboard, xkb_state_serialize_mods(w->state, XKB_STATE_MODS_DEPRESSED),
        xkb_state_serialize_mods(w->state, XKB_STATE_MODS_LATCHED),
        xkb_state_serialize_mods(w->state, XKB_STATE_MODS_LOCKED),
        xkb_state_serialize_layout(w->state, XKB_STATE_LAYOUT_EFFECTIVE));
    return flush(w);
}

static int w_key(struct pfi_backend *b, uint32_t code, int down)
{
    struct wbackend *w = wb(b);
    return w->keyboard ? send_key(w, code, down) : PF_ERR_STATE;
}

/* The virtual keyboard has no keysym request: type the keysym with the key (and Shift, for
 * the second level) that the uploaded keymap has for it. */
static int w_keysym(struct pfi_backend *b, uint32_t sym, int down)
{
    struct wbackend *w = wb(b);
    if (!w->keyboard)
        return PF_ERR_STATE;
    xkb_keycode_t min = xkb_keymap_min_keycode(w->keymap);
    xkb_keycode_t max = xkb_keymap_max_keycode(w->keymap);
    for (xkb_keycode_t kc = min; kc <= max; kc++) {
        for (xkb_level_index_t level = 0; level < 2; level++) {
            const xkb_keysym_t *syms;
            int n = xkb_keymap_key_get_syms_by_level(w->keymap, kc, 0, level, &syms);
            if (n != 1 || syms[0] != sym)
                continue;
            int r = 0;
            if (level == 1 && down)
                r = send_key(w, 42 /* KEY_LEFTSHIFT */, 1);
            if (r >= 0)
                r = send_key(w, kc - 8, down);
            if (r >= 0 && level == 1 && !down)
                r = send_key(w, 42, 0);
            return r;
        }
    }
    /* Whole taps only: the foreign key exists just for the duration of one keymap. */
    return down ? type_foreign_keysym(w, sym) : 0;
}

static int w_motion(struct pfi_backend *b, double dx, double dy)
{
    struct wbackend *w = wb(b);
    if (!w->pointer)
        return PF_ERR_STATE;
    zwlr_virtual_pointer_v1_motion(w->pointer, now_ms(), wl_fixed_from_double(dx),
                                   wl_fixed_from_double(dy));
    zwlr_virtual_pointer_v1_frame(w->pointer);
    return flush(w);
}

static int w_motion_abs(struct pfi_backend *b, double x, double y)
{
    struct wbackend *w = wb(b);
    if (!w->pointer || !w->have_out)
        return PF_ERR_STATE;
    /* Extents equal to the output size make x the pixel column itself. */
    zwlr_virtual_pointer_v1_motion_absolute(w->pointer, now_ms(), (uint32_t)(x + 0.5),
                                            (uint32_t)(y + 0.5), w->out.width, w->out.height);
    zwlr_virtual_pointer_v1_frame(w->pointer);
    return flush(w);
}

static int w_button(struct pfi_backend *b, uint32_t code, int down)
{
    struct wbackend *w = wb(b);
    if (!w->pointer)
        return PF_ERR_STATE;
    zwlr_virtual_pointer_v1_button(w->pointer, now_ms(), code,
                                   down ? WL_POINTER_BUTTON_STATE_PRESSED
                                        : WL_POINTER_BUTTON_STATE_RELEASED);
    zwlr_virtual_pointer_v1_frame(w->pointer);
    return flush(w);
}

/* Wayland axes grow downwards/rightwards; GameStream's vertical grows away from the user. */
static int w_scroll(struct pfi_backend *b, uint32_t axis, int32_t v120)
{
    struct wbackend *w = wb(b);
    if (!w->pointer)
        return PF_ERR_STATE;
    int32_t wl = axis == PFI_AXIS_VERTICAL ? -v120 : v120;
    uint32_t wl_axis = axis == PFI_AXIS_VERTICAL ? WL_POINTER_AXIS_VERTICAL_SCROLL
                                                 : WL_POINTER_AXIS_HORIZONTAL_SCROLL;
    wl_fixed_t value = wl_fixed_from_double(wl * AXIS_PER_NOTCH / 120.0);
    if (wl % 120 == 0) {
        zwlr_virtual_pointer_v1_axis_source(w->pointer, WL_POINTER_AXIS_SOURCE_WHEEL);
        zwlr_virtual_pointer_v1_axis_discrete(w->pointer, now_ms(), wl_axis, value, wl / 120);
    } else {
        zwlr_virtual_pointer_v1_axis_source(w->pointer, WL_POINTER_AXIS_SOURCE_CONTINUOUS);
        zwlr_virtual_pointer_v1_axis(w->pointer, now_ms(), wl_axis, value);
    }
    zwlr_virtual_pointer_v1_frame(w->pointer);
    return flush(w);
}

static void w_destroy(struct pfi_backend *b)
{
    struct wbackend *w = wb(b);
    if (!w)
        return;
    if (w->pointer)
        zwlr_virtual_pointer_v1_destroy(w->pointer);
    if (w->keyboard)
        zwp_virtual_keyboard_v1_destroy(w->keyboard);
    if (w->pointer_manager)
        zwlr_virtual_pointer_manager_v1_destroy(w->pointer_manager);
    if (w->keyboard_manager)
        zwp_virtual_keyboard_manager_v1_destroy(w->keyboard_manager);
    for (int i = 0; i < w->n_outputs; i++) {
        wl_output_destroy(w->outputs[i].output);
        free(w->outputs[i].label);
    }
    if (w->seat)
        wl_seat_destroy(w->seat);
    if (w->registry)
        wl_registry_destroy(w->registry);
    if (w->display) {
        wl_display_flush(w->display);
        wl_display_disconnect(w->display);
    }
    xkb_state_unref(w->state);
    xkb_keymap_unref(w->keymap);
    xkb_context_unref(w->xkb);
    free(w->keymap_text);
    free(w);
}

static int w_create(const struct pfi_backend_args *args, struct pfi_backend **ret)
{
    struct wbackend *w = calloc(1, sizeof(*w));
    if (!w)
        return PF_ERR_NOMEM;
    w->base.impl = &pfi_backend_wlr;
    w->log = args->log;
    int r = PF_ERR_UNSUPPORTED;
    w->display = wl_display_connect(args->settings->wayland_display);
    if (!w->display) {
        pfi_input_log(w->log, TOPIC, "no Wayland display: %s", strerror(errno));
        goto fail;
    }
    w->registry = wl_display_get_registry(w->display);
    wl_registry_add_listener(w->registry, &registry_listener, w);
    /* Two round trips: globals, then the outputs' names. */
    if (wl_display_roundtrip(w->display) < 0 || wl_display_roundtrip(w->display) < 0) {
        r = PF_ERR_IO;
        goto fail;
    }
    if (!w->seat || (!w->pointer_manager && !w->keyboard_manager)) {
        pfi_input_log(w->log, TOPIC, "compositor offers no wlroots virtual input");
        goto fail;
    }
    if (w->keyboard_manager) {
        w->xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
        w->keyboard =
            zwp_virtual_keyboard_manager_v1_create_virtual_keyboard(w->keyboard_manager, w->seat);
        if (!w->xkb || (r = upload_keymap(w)) < 0)
            goto fail;
    }
    make_pointer(w, NULL);
    /* A compositor that refuses virtual input says so with a protocol error. */
    if (wl_display_roundtrip(w->display) < 0) {
        pfi_input_log(w->log, TOPIC, "virtual devices refused: error %d",
                      wl_display_get_error(w->display));
        r = PF_ERR_UNSUPPORTED;
        goto fail;
    }
    *ret = &w->base;
    return 0;
fail:
    w_destroy(&w->base);
    return r;
}

const struct pfi_backend_impl pfi_backend_wlr = {
    .name = "wlr",
    .create = w_create,
    .destroy = w_destroy,
    .caps = w_caps,
    .set_output = w_set_output,
    .get_fd = w_get_fd,
    .dispatch = w_dispatch,
    .key = w_key,
    .keysym = w_keysym,
    .motion = w_motion,
    .motion_abs = w_motion_abs,
    .button = w_button,
    .scroll = w_scroll,
};
