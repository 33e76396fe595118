/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel side of the uinput seam: libevdev builds each device on its own /dev/uinput fd;
 * force-feedback uploads arrive on that fd as EV_UINPUT requests that must be answered with
 * the UI_BEGIN/END_FF_* ioctls before the application's ioctl returns. */
#include "uinput_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>
#include <linux/uinput.h>

struct kdev {
    int fd;
    struct libevdev_uinput *ui;
};

static const char *node(void *data)
{
    return data ? (const char *)data : "/dev/uinput";
}

int pfi_uinput_sink_kernel_probe(const char *path)
{
    int fd = open(path ? path : "/dev/uinput", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    close(fd);
    return 0;
}

static int k_create(void *data, const struct libevdev *desc, void **ret_dev)
{
    struct kdev *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->fd = open(node(data), O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (d->fd < 0) {
        int e = -errno;
        free(d);
        return e;
    }
    int r = libevdev_uinput_create_from_device(desc, d->fd, &d->ui);
    if (r < 0) {
        close(d->fd);
        free(d);
        return r;
    }
    *ret_dev = d;
    return 0;
}

static int k_write(void *data, void *dev, uint32_t type, uint32_t code, int32_t value)
{
    struct kdev *d = dev;
    return libevdev_uinput_write_event(d->ui, type, code, value);
}

static void k_destroy(void *data, void *dev)
{
    struct kdev *d = dev;
    if (!d)
        return;
    libevdev_uinput_destroy(d->ui);
    close(d->fd);
    free(d);
}

static int k_get_fd(void *data, void *dev)
{
    return ((struct kdev *)dev)->fd;
}

static int k_read_ff(void *data, void *dev, struct pfi_ff_request *req)
{
    struct kdev *d = dev;
    struct input_event ev;
    for (;;) {
        ssize_t n = read(d->fd, &ev, sizeof(ev));
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (n != (ssize_t)sizeof(ev))
            return 0;
        if (ev.type == EV_UINPUT && ev.code == UI_FF_UPLOAD) {
            struct uinput_ff_upload up;
            memset(&up, 0, sizeof(up));
            up.request_id = (uint32_t)ev.value;
            if (ioctl(d->fd, UI_BEGIN_FF_UPLOAD, &up) < 0)
                return -errno;
            *req = (struct pfi_ff_request){ .kind = PFI_FF_UPLOAD, .id = up.effect.id };
            if (up.effect.type == FF_RUMBLE) {
                req->strong = up.effect.u.rumble.strong_magnitude;
                req->weak = up.effect.u.rumble.weak_magnitude;
            } else if (up.effect.type == FF_PERIODIC) {
                /* Periodic effects drive both motors at the waveform's magnitude. */
                int16_t m = up.effect.u.periodic.magnitude;
                uint16_t mag = (uint16_t)(m < 0 ? -(int32_t)m * 2 : m * 2);
                req->strong = req->weak = mag;
            }
            up.retval = 0;
            if (ioctl(d->fd, UI_END_FF_UPLOAD, &up) < 0)
                return -errno;
            return 1;
        }
        if (ev.type == EV_UINPUT && ev.code == UI_FF_ERASE) {
            struct uinput_ff_erase er;
            memset(&er, 0, sizeof(er));
            er.request_id = (uint32_t)ev.value;
            if (ioctl(d->fd, UI_BEGIN_FF_ERASE, &er) < 0)
                return -errno;
            *req = (struct pfi_ff_request){ .kind = PFI_FF_ERASE, .id = (int32_t)er.effect_id };
            er.retval = 0;
            if (ioctl(d->fd, UI_END_FF_ERASE, &er) < 0)
                return -errno;
            return 1;
        }
        if (ev.type == EV_FF && ev.code != FF_GAIN) {
            *req = (struct pfi_ff_request){ .kind = PFI_FF_PLAY, .id = ev.code, .value = ev.value };
            return 1;
        }
    }
}

const struct pfi_uinput_sink pfi_uinput_sink_kernel = {
    .create = k_create,
    .write = k_write,
    .destroy = k_destroy,
    .get_fd = k_get_fd,
    .read_ff = k_read_ff,
};
