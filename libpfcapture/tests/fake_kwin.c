/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-fake-kwin: a Wayland server that offers only zkde_screencast_unstable_v1 (version 2) and
 * answers stream_virtual_output the way KWin does: a PipeWire node (here the test pattern at
 * the requested size) announced with "created", removed when the client closes the stream.
 * Every request is written to stdout as one line, the transcript a test checks.
 * Usage: pf-fake-kwin SOCKET-NAME [--fail] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wayland-server.h>

#include "pf/capture_testpattern.h"

#include "zkde-screencast-unstable-v1-server-protocol.h"

static int fail_mode;

static void stream_close(struct wl_client *client, struct wl_resource *res)
{
    printf("close\n");
    fflush(stdout);
    wl_resource_destroy(res);
}

static const struct zkde_screencast_stream_unstable_v1_interface stream_impl = {
    .close = stream_close,
};

static void stream_destroyed(struct wl_resource *res)
{
    pf_capture_testpattern_destroy(wl_resource_get_user_data(res));
    printf("removed\n");
    fflush(stdout);
}

static void stream_output(struct wl_client *client, struct wl_resource *res, uint32_t id,
                          struct wl_resource *output, uint32_t pointer)
{
    wl_client_post_no_memory(client);
}

static void stream_window(struct wl_client *client, struct wl_resource *res, uint32_t id,
                          const char *uuid, uint32_t pointer)
{
    wl_client_post_no_memory(client);
}

static void screencast_destroy(struct wl_client *client, struct wl_resource *res)
{
    wl_resource_destroy(res);
}

static void stream_virtual_output(struct wl_client *client, struct wl_resource *res, uint32_t id,
                                  const char *name, int32_t width, int32_t height,
                                  wl_fixed_t scale, uint32_t pointer)
{
    struct wl_resource *s = wl_resource_create(client,
                                               &zkde_screencast_stream_unstable_v1_interface,
                                               wl_resource_get_version(res), id);
    pf_capture_testpattern_settings ts;
    pf_capture_testpattern *tp = NULL;

    printf("stream_virtual_output name=%s width=%d height=%d scale=%d pointer=%u\n", name,
           width, height, wl_fixed_to_int(scale), pointer);
    fflush(stdout);
    pf_capture_testpattern_settings_init(&ts);
    ts.width = (uint32_t)width;
    ts.height = (uint32_t)height;
    ts.node_name = name;
    if (!fail_mode && pf_capture_testpattern_create(&ts, &tp) == 0) {
        wl_resource_set_implementation(s, &stream_impl, tp, stream_destroyed);
        zkde_screencast_stream_unstable_v1_send_created(
            s, (uint32_t)pf_capture_testpattern_get_node_id(tp));
    } else {
        wl_resource_set_implementation(s, &stream_impl, NULL, stream_destroyed);
        zkde_screencast_stream_unstable_v1_send_failed(s, "virtual outputs are disabled");
    }
}

static void stream_region(struct wl_client *client, struct wl_resource *res, uint32_t id,
                          int32_t x, int32_t y, uint32_t w, uint32_t h, wl_fixed_t scale,
                          uint32_t pointer)
{
    wl_client_post_no_memory(client);
}

static const struct zkde_screencast_unstable_v1_interface screencast_impl = {
    .stream_output = stream_output,
    .stream_window = stream_window,
    .destroy = screencast_destroy,
    .stream_virtual_output = stream_virtual_output,
    .stream_region = stream_region,
};

static void bind_screencast(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
    struct wl_resource *res = wl_resource_create(client, &zkde_screencast_unstable_v1_interface,
                                                 (int)version, id);

    wl_resource_set_implementation(res, &screencast_impl, NULL, NULL);
}

static struct wl_display *display;

static void on_signal(int sig)
{
    wl_display_terminate(display);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    fail_mode = argc > 2 && strcmp(argv[2], "--fail") == 0;
    display = wl_display_create();
    if (!display || wl_display_add_socket(display, argv[1]) < 0) {
        fprintf(stderr, "pf-fake-kwin: cannot listen on %s\n", argv[1]);
        return 1;
    }
    wl_global_create(display, &zkde_screencast_unstable_v1_interface, 2, NULL, bind_screencast);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("ready\n");
    fflush(stdout);
    wl_display_run(display);
    wl_display_destroy_clients(display);
    wl_display_destroy(display);
    return 0;
}
