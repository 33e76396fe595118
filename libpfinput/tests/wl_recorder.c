/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tiny Wayland client for the compositor tests: it maps one fullscreen window and prints
 * every pointer, keyboard and touch event it receives, one per line, so a test can check
 * that exactly the injected events arrived. It prints "ready" once its window is on screen
 * (seat capabilities and focus follow when the first virtual devices appear) and exits when
 * stdin closes.
 * Options: --colour RRGGBB fills the window with that colour (grey otherwise), so a capture
 * test can find it in the picture; --stay keeps it running after stdin closes (an app a host
 * starts, with its output in a file); --cursor RRGGBB sets its own pointer while over the
 * window: 16×16, that colour opaque inside a 2-pixel transparent border, hotspot (2, 2), so a
 * test can recognise the shape a compositor reports. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>

#include "xdg-shell-client-protocol.h"

struct app {
    struct wl_display *display;
    struct wl_compositor *compositor;
    struct wl_shm *shm;
    struct xdg_wm_base *wm;
    struct wl_seat *seat;
    struct wl_pointer *pointer;
    struct wl_keyboard *keyboard;
    struct wl_touch *touch;
    struct wl_surface *surface;
    struct xdg_surface *xdg_surface;
    struct xdg_toplevel *toplevel;
    int width, height;
    int pending_w, pending_h;
    int mapped, focused, ready_sent;
    struct xkb_context *xkb;
    struct xkb_keymap *keymap;
    struct xkb_state *state;
    uint32_t colour; /* XRGB; 0 = the default grey */
    uint32_t cursor_colour;
    int has_cursor;
    struct wl_surface *cursor_surface;
};

#define CURSOR_SIDE 16
#define CURSOR_HOT 2

static struct wl_buffer *make_cursor(struct app *a)
{
    int stride = CURSOR_SIDE * 4;
    size_t size = (size_t)stride * CURSOR_SIDE;
    int fd = memfd_create("pf-recorder-cursor", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
        return NULL;
    uint32_t *px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (px == MAP_FAILED)
        return NULL;
    for (int y = 0; y < CURSOR_SIDE; y++)
        for (int x = 0; x < CURSOR_SIDE; x++) {
            int inside = x >= 2 && y >= 2 && x < CURSOR_SIDE - 2 && y < CURSOR_SIDE - 2;
            px[y * CURSOR_SIDE + x] = inside ? 0xff000000u | a->cursor_colour : 0;
        }
    munmap(px, size);
    struct wl_shm_pool *pool = wl_shm_create_pool(a->shm, fd, (int32_t)size);
    struct wl_buffer *buf = wl_shm_pool_create_buffer(pool, 0, CURSOR_SIDE, CURSOR_SIDE, stride,
                                                      WL_SHM_FORMAT_ARGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);
    return buf;
}

static void maybe_ready(struct app *a)
{
    if (a->mapped && !a->ready_sent) {
        printf("ready %d %d\n", a->width, a->height);
        a->ready_sent = 1;
    }
}

static void p_enter(void *d, struct wl_pointer *p, uint32_t serial, struct wl_surface *s,
                    wl_fixed_t x, wl_fixed_t y)
{
    struct app *a = d;
    printf("pointer-enter %.2f %.2f\n", wl_fixed_to_double(x), wl_fixed_to_double(y));
    if (a->has_cursor) {
        if (!a->cursor_surface) {
            struct wl_buffer *buf = make_cursor(a);
            a->cursor_surface = wl_compositor_create_surface(a->compositor);
            wl_surface_attach(a->cursor_surface, buf, 0, 0);
            wl_surface_damage(a->cursor_surface, 0, 0, CURSOR_SIDE, CURSOR_SIDE);
            wl_surface_commit(a->cursor_surface);
        }
        wl_pointer_set_cursor(p, serial, a->cursor_surface, CURSOR_HOT, CURSOR_HOT);
    }
}
static void p_leave(void *d, struct wl_pointer *p, uint32_t serial, struct wl_surface *s)
{
    printf("pointer-leave\n");
}
static void p_motion(void *d, struct wl_pointer *p, uint32_t t, wl_fixed_t x, wl_fixed_t y)
{
    printf("motion %.2f %.2f\n", wl_fixed_to_double(x), wl_fixed_to_double(y));
}
static void p_button(void *d, struct wl_pointer *p, uint32_t serial, uint32_t t, uint32_t b,
                     uint32_t state)
{
    printf("button %u %u\n", b, state);
}
static void p_axis(void *d, struct wl_pointer *p, uint32_t t, uint32_t axis, wl_fixed_t v)
{
    printf("axis %u %.2f\n", axis, wl_fixed_to_double(v));
}
static void p_frame(void *d, struct wl_pointer *p)
{
}
static void p_axis_source(void *d, struct wl_pointer *p, uint32_t src)
{
}
static void p_axis_stop(void *d, struct wl_pointer *p, uint32_t t, uint32_t axis)
{
}
static void p_axis_discrete(void *d, struct wl_pointer *p, uint32_t axis, int32_t n)
{
    printf("axis-discrete %u %d\n", axis, n);
}

static const struct wl_pointer_listener pointer_listener = {
    .enter = p_enter,
    .leave = p_leave,
    .motion = p_motion,
    .button = p_button,
    .axis = p_axis,
    .frame = p_frame,
    .axis_source = p_axis_source,
    .axis_stop = p_axis_stop,
    .axis_discrete = p_axis_discrete,
};

/* The keymap lets the recorder say which keysym a key produced ("sym" lines), so text typed
 * as keysyms can be checked whatever keycode the compositor picked for it. */
static void k_keymap(void *d, struct wl_keyboard *k, uint32_t fmt, int32_t fd, uint32_t size)
{
    struct app *a = d;
    char *text = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (text == MAP_FAILED)
        return;
    struct xkb_keymap *map = xkb_keymap_new_from_buffer(a->xkb, text, strnlen(text, size),
                                                         XKB_KEYMAP_FORMAT_TEXT_V1,
                                                         XKB_KEYMAP_COMPILE_NO_FLAGS);
    munmap(text, size);
    if (!map)
        return;
    xkb_state_unref(a->state);
    xkb_keymap_unref(a->keymap);
    a->keymap = map;
    a->state = xkb_state_new(map);
}
static void k_enter(void *d, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s,
                    struct wl_array *keys)
{
    struct app *a = d;
    a->focused = 1;
    printf("keyboard-enter\n");
    maybe_ready(a);
}
static void k_leave(void *d, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s)
{
    printf("keyboard-leave\n");
}
static void k_key(void *d, struct wl_keyboard *k, uint32_t serial, uint32_t t, uint32_t key,
                  uint32_t state)
{
    struct app *a = d;
    printf("key %u %u\n", key, state);
    if (a->state && state == WL_KEYBOARD_KEY_STATE_PRESSED)
        printf("sym 0x%x\n", xkb_state_key_get_one_sym(a->state, key + 8));
}
static void k_modifiers(void *d, struct wl_keyboard *k, uint32_t serial, uint32_t dep,
                        uint32_t lat, uint32_t lock, uint32_t group)
{
    struct app *a = d;
    if (a->state)
        xkb_state_update_mask(a->state, dep, lat, lock, 0, 0, group);
    printf("modifiers %u\n", dep);
}
static void k_repeat(void *d, struct wl_keyboard *k, int32_t rate, int32_t delay)
{
}

static const struct wl_keyboard_listener keyboard_listener = {
    .keymap = k_keymap,
    .enter = k_enter,
    .leave = k_leave,
    .key = k_key,
    .modifiers = k_modifiers,
    .repeat_info = k_repeat,
};

static void t_down(void *d, struct wl_touch *t, uint32_t serial, uint32_t time,
                   struct wl_surface *s, int32_t id, wl_fixed_t x, wl_fixed_t y)
{
    printf("touch-down %d %.2f %.2f\n", id, wl_fixed_to_double(x), wl_fixed_to_double(y));
}
static void t_up(void *d, struct wl_touch *t, uint32_t serial, uint32_t time, int32_t id)
{
    printf("touch-up %d\n", id);
}
static void t_motion(void *d, struct wl_touch *t, uint32_t time, int32_t id, wl_fixed_t x,
                     wl_fixed_t y)
{
    printf("touch-motion %d %.2f %.2f\n", id, wl_fixed_to_double(x), wl_fixed_to_double(y));
}
static void t_frame(void *d, struct wl_touch *t)
{
}
static void t_cancel(void *d, struct wl_touch *t)
{
    printf("touch-cancel\n");
}

static const struct wl_touch_listener touch_listener = {
    .down = t_down, .up = t_up, .motion = t_motion, .frame = t_frame, .cancel = t_cancel,
};

static void seat_caps(void *d, struct wl_seat *seat, uint32_t caps)
{
    struct app *a = d;
    /* A capability that goes away takes its object with it, as in any well-behaved client:
     * when it returns (a compositor's virtual devices replaced), a fresh one is needed. */
    if (!(caps & WL_SEAT_CAPABILITY_POINTER) && a->pointer) {
        wl_pointer_destroy(a->pointer);
        a->pointer = NULL;
    }
    if (!(caps & WL_SEAT_CAPABILITY_KEYBOARD) && a->keyboard) {
        wl_keyboard_destroy(a->keyboard);
        a->keyboard = NULL;
    }
    if (!(caps & WL_SEAT_CAPABILITY_TOUCH) && a->touch) {
        wl_touch_destroy(a->touch);
        a->touch = NULL;
    }
    if ((caps & WL_SEAT_CAPABILITY_POINTER) && !a->pointer) {
        a->pointer = wl_seat_get_pointer(seat);
        wl_pointer_add_listener(a->pointer, &pointer_listener, a);
    }
    if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && !a->keyboard) {
        a->keyboard = wl_seat_get_keyboard(seat);
        wl_keyboard_add_listener(a->keyboard, &keyboard_listener, a);
    }
    if ((caps & WL_SEAT_CAPABILITY_TOUCH) && !a->touch) {
        a->touch = wl_seat_get_touch(seat);
        wl_touch_add_listener(a->touch, &touch_listener, a);
    }
    printf("seat-caps %u\n", caps);
    maybe_ready(a);
}
static void seat_name(void *d, struct wl_seat *seat, const char *name)
{
}
static const struct wl_seat_listener seat_listener = { .capabilities = seat_caps,
                                                       .name = seat_name };

static void wm_ping(void *d, struct xdg_wm_base *wm, uint32_t serial)
{
    xdg_wm_base_pong(wm, serial);
}
static const struct xdg_wm_base_listener wm_listener = { .ping = wm_ping };

static void global(void *d, struct wl_registry *reg, uint32_t name, const char *iface,
                   uint32_t version)
{
    struct app *a = d;
    if (strcmp(iface, wl_compositor_interface.name) == 0) {
        a->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
    } else if (strcmp(iface, wl_shm_interface.name) == 0) {
        a->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
    } else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
        a->wm = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
        xdg_wm_base_add_listener(a->wm, &wm_listener, a);
    } else if (strcmp(iface, wl_seat_interface.name) == 0 && !a->seat) {
        a->seat = wl_registry_bind(reg, name, &wl_seat_interface, version < 7 ? version : 7);
        wl_seat_add_listener(a->seat, &seat_listener, a);
    }
}
static void global_remove(void *d, struct wl_registry *reg, uint32_t name)
{
}
static const struct wl_registry_listener registry_listener = { .global = global,
                                                               .global_remove = global_remove };

static struct wl_buffer *make_buffer(struct app *a)
{
    int stride = a->width * 4;
    size_t size = (size_t)stride * (size_t)a->height;
    int fd = memfd_create("pf-recorder", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
        return NULL;
    void *data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (data == MAP_FAILED)
        return NULL;
    if (a->colour) {
        uint32_t *px = data;
        for (size_t i = 0; i < size / 4; i++)
            px[i] = 0xff000000u | a->colour;
    } else {
        memset(data, 0x80, size);
    }
    munmap(data, size);
    struct wl_shm_pool *pool = wl_shm_create_pool(a->shm, fd, (int32_t)size);
    struct wl_buffer *buf =
        wl_shm_pool_create_buffer(pool, 0, a->width, a->height, stride, WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);
    return buf;
}

static void xs_configure(void *d, struct xdg_surface *xs, uint32_t serial)
{
    struct app *a = d;
    xdg_surface_ack_configure(xs, serial);
    /* Some compositors size a fullscreen window only after it maps: map at a default size,
     * then follow every new size, and call the window ready once it has a real one. */
    int resize = a->pending_w > 0 && (a->pending_w != a->width || a->pending_h != a->height);
    if (a->mapped && !resize)
        return;
    if (resize) {
        a->width = a->pending_w;
        a->height = a->pending_h;
    }
    struct wl_buffer *buf = make_buffer(a);
    if (!buf) {
        fprintf(stderr, "recorder: no buffer\n");
        exit(1);
    }
    wl_surface_attach(a->surface, buf, 0, 0);
    wl_surface_damage(a->surface, 0, 0, a->width, a->height);
    wl_surface_commit(a->surface);
    a->mapped = 1;
    printf("size %d %d\n", a->width, a->height);
    if (a->pending_w > 0)
        maybe_ready(a);
}
static const struct xdg_surface_listener xs_listener = { .configure = xs_configure };

static void tl_configure(void *d, struct xdg_toplevel *tl, int32_t w, int32_t h,
                         struct wl_array *states)
{
    struct app *a = d;
    if (w > 0 && h > 0) {
        a->pending_w = w;
        a->pending_h = h;
    }
}
static void tl_close(void *d, struct xdg_toplevel *tl)
{
}
static const struct xdg_toplevel_listener tl_listener = { .configure = tl_configure,
                                                          .close = tl_close };

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct app a = { .width = 640, .height = 480 };
    int stay = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--colour") && i + 1 < argc) {
            a.colour = (uint32_t)strtoul(argv[++i], NULL, 16) & 0xffffffu;
        } else if (!strcmp(argv[i], "--cursor") && i + 1 < argc) {
            a.cursor_colour = (uint32_t)strtoul(argv[++i], NULL, 16) & 0xffffffu;
            a.has_cursor = 1;
        } else if (!strcmp(argv[i], "--stay")) {
            stay = 1;
        } else {
            fprintf(stderr, "usage: pf-wl-recorder [--colour RRGGBB] [--cursor RRGGBB] [--stay]\n");
            return 2;
        }
    }
    a.xkb = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
    a.display = wl_display_connect(NULL);
    if (!a.display) {
        fprintf(stderr, "recorder: cannot connect: %s\n", strerror(errno));
        return 1;
    }
    struct wl_registry *reg = wl_display_get_registry(a.display);
    wl_registry_add_listener(reg, &registry_listener, &a);
    wl_display_roundtrip(a.display);
    /* A compositor without input devices (Weston's PipeWire backend) has no seat: the
     * window still shows, there is just nothing to record. */
    if (!a.compositor || !a.shm || !a.wm) {
        fprintf(stderr, "recorder: missing globals\n");
        return 1;
    }
    if (!a.seat)
        printf("no-seat\n");
    a.surface = wl_compositor_create_surface(a.compositor);
    a.xdg_surface = xdg_wm_base_get_xdg_surface(a.wm, a.surface);
    xdg_surface_add_listener(a.xdg_surface, &xs_listener, &a);
    a.toplevel = xdg_surface_get_toplevel(a.xdg_surface);
    xdg_toplevel_add_listener(a.toplevel, &tl_listener, &a);
    xdg_toplevel_set_title(a.toplevel, "pf-recorder");
    xdg_toplevel_set_fullscreen(a.toplevel, NULL);
    wl_surface_commit(a.surface);

    struct pollfd fds[2] = {
        { .fd = wl_display_get_fd(a.display), .events = POLLIN },
        { .fd = stay ? -1 : STDIN_FILENO, .events = POLLIN },
    };
    for (;;) {
        while (wl_display_prepare_read(a.display) != 0)
            wl_display_dispatch_pending(a.display);
        wl_display_flush(a.display);
        if (poll(fds, 2, -1) < 0 && errno != EINTR) {
            wl_display_cancel_read(a.display);
            break;
        }
        if (fds[0].revents & POLLIN) {
            if (wl_display_read_events(a.display) < 0)
                break;
        } else {
            wl_display_cancel_read(a.display);
        }
        if (wl_display_dispatch_pending(a.display) < 0)
            break;
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            char buf[64];
            if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
                break;
        }
        if (fds[0].revents & (POLLERR | POLLHUP))
            break;
    }
    wl_display_disconnect(a.display);
    return 0;
}
