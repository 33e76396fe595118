/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-wl-colour: a Wayland client that shows one fullscreen window of a solid colour and
 * redraws it whenever the compositor's frame callback says the last one was shown, so that
 * damage-driven compositors keep producing frames without being flooded.
 * Usage: pf-wl-colour RRGGBB (WAYLAND_DISPLAY selects the compositor). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

#include "xdg-shell-client-protocol.h"

struct app {
    struct wl_compositor *compositor;
    struct wl_shm *shm;
    struct xdg_wm_base *wm;
    struct wl_surface *surface;
    struct xdg_surface *xsurface;
    struct xdg_toplevel *toplevel;
    struct wl_buffer *buffer;
    int32_t width, height;
    int configured;
    int want_redraw;
    uint32_t colour;
};

static void on_frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
    struct app *a = data;

    wl_callback_destroy(cb);
    a->want_redraw = 1;
}

static const struct wl_callback_listener frame_listener = { .done = on_frame_done };

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface,
                      uint32_t version)
{
    struct app *a = data;

    if (strcmp(iface, wl_compositor_interface.name) == 0)
        a->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
    else if (strcmp(iface, wl_shm_interface.name) == 0)
        a->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
    else if (strcmp(iface, xdg_wm_base_interface.name) == 0)
        a->wm = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
    .global = on_global,
    .global_remove = on_global_remove,
};

static void on_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
    xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = { .ping = on_ping };

static void on_toplevel_configure(void *data, struct xdg_toplevel *t, int32_t w, int32_t h,
                                  struct wl_array *states)
{
    struct app *a = data;

    if (w > 0 && h > 0) {
        a->width = w;
        a->height = h;
    }
}

static void on_toplevel_close(void *data, struct xdg_toplevel *t)
{
    exit(0);
}

static const struct xdg_toplevel_listener toplevel_listener = {
    .configure = on_toplevel_configure,
    .close = on_toplevel_close,
};

static struct wl_buffer *make_buffer(struct app *a)
{
    size_t stride = (size_t)a->width * 4, size = stride * (size_t)a->height;
    struct wl_shm_pool *pool;
    struct wl_buffer *b;
    uint32_t *px;
    int fd = memfd_create("pf-wl-colour", MFD_CLOEXEC);

    if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
        return NULL;
    px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (px == MAP_FAILED)
        return NULL;
    for (size_t i = 0; i < size / 4; i++)
        px[i] = 0xff000000u | a->colour;
    munmap(px, size);
    pool = wl_shm_create_pool(a->shm, fd, (int32_t)size);
    b = wl_shm_pool_create_buffer(pool, 0, a->width, a->height, (int32_t)stride,
                                  WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);
    return b;
}

static void on_surface_configure(void *data, struct xdg_surface *s, uint32_t serial)
{
    struct app *a = data;

    xdg_surface_ack_configure(s, serial);
    if (a->buffer)
        wl_buffer_destroy(a->buffer);
    a->buffer = make_buffer(a);
    a->configured = 1;
    a->want_redraw = 1;
}

static const struct xdg_surface_listener surface_listener = { .configure = on_surface_configure };

int main(int argc, char **argv)
{
    struct app a = { .width = 640, .height = 480 };
    struct wl_display *d;
    struct wl_registry *reg;

    if (argc < 2) {
        fprintf(stderr, "usage: pf-wl-colour RRGGBB\n");
        return 2;
    }
    a.colour = (uint32_t)strtoul(argv[1], NULL, 16) & 0xffffffu;
    d = wl_display_connect(NULL);
    if (!d) {
        fprintf(stderr, "pf-wl-colour: cannot connect: %s\n", strerror(errno));
        return 1;
    }
    reg = wl_display_get_registry(d);
    wl_registry_add_listener(reg, &registry_listener, &a);
    wl_display_roundtrip(d);
    if (!a.compositor || !a.shm || !a.wm) {
        fprintf(stderr, "pf-wl-colour: missing globals\n");
        return 1;
    }
    xdg_wm_base_add_listener(a.wm, &wm_listener, &a);
    a.surface = wl_compositor_create_surface(a.compositor);
    a.xsurface = xdg_wm_base_get_xdg_surface(a.wm, a.surface);
    xdg_surface_add_listener(a.xsurface, &surface_listener, &a);
    a.toplevel = xdg_surface_get_toplevel(a.xsurface);
    xdg_toplevel_add_listener(a.toplevel, &toplevel_listener, &a);
    xdg_toplevel_set_title(a.toplevel, "pf-wl-colour");
    xdg_toplevel_set_fullscreen(a.toplevel, NULL);
    wl_surface_commit(a.surface);
    for (;;) {
        struct pollfd pfd = { wl_display_get_fd(d), POLLIN, 0 };

        while (wl_display_prepare_read(d) != 0)
            wl_display_dispatch_pending(d);
        wl_display_flush(d);
        if (poll(&pfd, 1, 100) > 0)
            wl_display_read_events(d);
        else
            wl_display_cancel_read(d);
        if (wl_display_dispatch_pending(d) < 0)
            return 1;
        if (a.configured && a.buffer && a.want_redraw) {
            a.want_redraw = 0;
            wl_callback_add_listener(wl_surface_frame(a.surface), &frame_listener, &a);
            wl_surface_attach(a.surface, a.buffer, 0, 0);
            wl_surface_damage(a.surface, 0, 0, a.width, a.height);
            wl_surface_commit(a.surface);
        }
    }
}
