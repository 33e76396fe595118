/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in for KWin's org_kde_kwin_fake_input global (KWin cannot run headless here,
 * test-environment.md): a Wayland server that offers only that global and prints every
 * request it receives, one per line, as the transcript the KWin backend test checks. */
#include <stdio.h>
#include <stdlib.h>

#include <wayland-server.h>

#include "fake-input-server-protocol.h"

static void authenticate(struct wl_client *c, struct wl_resource *r, const char *app,
                         const char *reason)
{
    printf("authenticate %s\n", app);
}
static void pointer_motion(struct wl_client *c, struct wl_resource *r, wl_fixed_t dx,
                           wl_fixed_t dy)
{
    printf("motion %.2f %.2f\n", wl_fixed_to_double(dx), wl_fixed_to_double(dy));
}
static void button(struct wl_client *c, struct wl_resource *r, uint32_t b, uint32_t state)
{
    printf("button %u %u\n", b, state);
}
static void axis(struct wl_client *c, struct wl_resource *r, uint32_t a, wl_fixed_t v)
{
    printf("axis %u %.2f\n", a, wl_fixed_to_double(v));
}
static void touch_down(struct wl_client *c, struct wl_resource *r, uint32_t id, wl_fixed_t x,
                       wl_fixed_t y)
{
    printf("touch-down %u %.2f %.2f\n", id, wl_fixed_to_double(x), wl_fixed_to_double(y));
}
static void touch_motion(struct wl_client *c, struct wl_resource *r, uint32_t id, wl_fixed_t x,
                         wl_fixed_t y)
{
    printf("touch-motion %u %.2f %.2f\n", id, wl_fixed_to_double(x), wl_fixed_to_double(y));
}
static void touch_up(struct wl_client *c, struct wl_resource *r, uint32_t id)
{
    printf("touch-up %u\n", id);
}
static void touch_cancel(struct wl_client *c, struct wl_resource *r)
{
    printf("touch-cancel\n");
}
static void touch_frame(struct wl_client *c, struct wl_resource *r)
{
    printf("touch-frame\n");
}
static void motion_absolute(struct wl_client *c, struct wl_resource *r, wl_fixed_t x,
                            wl_fixed_t y)
{
    printf("abs %.2f %.2f\n", wl_fixed_to_double(x), wl_fixed_to_double(y));
}
static void keyboard_key(struct wl_client *c, struct wl_resource *r, uint32_t key,
                         uint32_t state)
{
    printf("key %u %u\n", key, state);
}

static const struct org_kde_kwin_fake_input_interface impl = {
    .authenticate = authenticate,
    .pointer_motion = pointer_motion,
    .button = button,
    .axis = axis,
    .touch_down = touch_down,
    .touch_motion = touch_motion,
    .touch_up = touch_up,
    .touch_cancel = touch_cancel,
    .touch_frame = touch_frame,
    .pointer_motion_absolute = motion_absolute,
    .keyboard_key = keyboard_key,
};

static void bind_fake_input(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
    struct wl_resource *r =
        wl_resource_create(client, &org_kde_kwin_fake_input_interface, (int)version, id);
    if (!r) {
        wl_client_post_no_memory(client);
        return;
    }
    wl_resource_set_implementation(r, &impl, NULL, NULL);
    printf("bind %u\n", version);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *name = argc > 1 ? argv[1] : "pf-kwin";
    struct wl_display *display = wl_display_create();
    if (!display || wl_display_add_socket(display, name) < 0) {
        fprintf(stderr, "fake-kwin: cannot listen on %s\n", name);
        return 1;
    }
    if (!wl_global_create(display, &org_kde_kwin_fake_input_interface, 4, NULL, bind_fake_input))
        return 1;
    printf("ready\n");
    wl_display_run(display);
    wl_display_destroy(display);
    return 0;
}
