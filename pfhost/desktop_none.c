/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Built without libpfcapture: no virtual displays, so a vdisplay launch fails with a reason. */
#include "desktop.h"

#include <stdio.h>
#include <string.h>

#include "pf/core/error.h"

#include "host.h"

void desktops_init(desktops *d, supervisor *sup, const char *runtime_dir, const char *forced,
                   const char *pipewire_remote, sd_event *loop)
{
    memset(d, 0, sizeof(*d));
    d->sup = sup;
    snprintf(d->capture_path, sizeof(d->capture_path),
             "pfhost was built without libpfcapture: no virtual displays");
}

void desktops_describe(desktops *d)
{
    host_log("capture: %s", d->capture_path);
}

int desktops_open(desktops *d, uint32_t id, uint32_t width, uint32_t height, uint32_t fps,
                  char *err, size_t n)
{
    snprintf(err, n, "This pfhost was built without screen capture (libpfcapture); rebuild "
                     "with -Dcapture=enabled or run serve --source testpattern");
    snprintf(d->last_error, sizeof(d->last_error), "%s", err);
    return -1;
}

int desktops_open_cursor(desktops *d, uint32_t id, uint32_t width, uint32_t height,
                         uint32_t fps, int cursor, char *err, size_t n)
{
    return desktops_open(d, id, width, height, fps, err, n);
}

const char *const *desktops_env(desktops *d, uint32_t id)
{
    return NULL;
}

void desktops_close(desktops *d, uint32_t id)
{
}

int desktops_set_mode(desktops *d, uint32_t id, uint32_t width, uint32_t height, uint32_t fps,
                      char *err, size_t n)
{
    snprintf(err, n, "no virtual displays in this build");
    return -1;
}

int desktops_set_cursor(desktops *d, uint32_t id, int cursor, char *err, size_t n)
{
    snprintf(err, n, "no virtual displays in this build");
    return PF_ERR_UNSUPPORTED;
}

pf_input_injector *desktops_injector(desktops *d, uint32_t id)
{
    return NULL;
}

stream_plane desktops_wrap_plane(desktops *d, stream_plane inner)
{
    return inner;
}

int desktops_stream_source(void *user_data, uint32_t id, stream_desktop *ret)
{
    return PF_ERR_NOT_FOUND;
}

json_object *desktops_status(const desktops *d)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(d->capture_path));
    json_object_object_add(o, "private_stack", json_object_new_boolean(0));
    json_object_object_add(o, "pipewire_remote", NULL);
    json_object_object_add(o, "last_error",
                           d->last_error[0] ? json_object_new_string(d->last_error) : NULL);
    json_object_object_add(o, "desktops", json_object_new_array());
    return o;
}

void desktops_finish(desktops *d)
{
}

void desktops_sweep(desktops *d)
{
}
