/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel side of the uinput seam: each device lives on its own /dev/uinput fd;
 * force-feedback uploads arrive on that fd as EV_UINPUT requests that must be answered with
 * the UI_BEGIN/END_FF_* ioctls before the application's ioctl returns. */
#include "uinput_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <libevdev/libevdev.h>
#include <linux/uinput.h>

struct kdev {
    int fd;
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

static unsigned long bit_ioctl(unsigned int type)
{
    switch (type) {
    case EV_KEY:
        return UI_SET_KEYBIT;
    case EV_REL:
        return UI_SET_RELBIT;
    case EV_ABS:
        return UI_SET_ABSBIT;
    case EV_MSC:
        return UI_SET_MSCBIT;
    case EV_LED:
        return UI_SET_LEDBIT;
    case EV_SND:
        return UI_SET_SNDBIT;
    case EV_FF:
        return UI_SET_FFBIT;
    case EV_SW:
        return UI_SET_SWBIT;
    default:
        return 0;
    }
}

/* The device is set up with UI_DEV_SETUP/UI_ABS_SETUP rather than libevdev's uinput helper:
 * that helper leaves ff_effects_max at 0 (no rumble at all) and drops axis resolutions
 * (which motion sensors need). */
static int configure(int fd, const struct libevdev *desc)
{
    for (unsigned int prop = 0; prop <= INPUT_PROP_MAX; prop++)
        if (libevdev_has_property(desc, prop) && ioctl(fd, UI_SET_PROPBIT, prop) < 0)
            return -errno;
    for (unsigned int type = 1; type <= EV_MAX; type++) {
        unsigned long req = bit_ioctl(type);
        if (!req || !libevdev_has_event_type(desc, type))
            continue;
        if (ioctl(fd, UI_SET_EVBIT, type) < 0)
            return -errno;
        int max = libevdev_event_type_get_max(type);
        for (int code = 0; code <= max; code++) {
            if (!libevdev_has_event_code(desc, type, (unsigned int)code))
                continue;
            if (ioctl(fd, req, code) < 0)
                return -errno;
            if (type == EV_ABS) {
                struct uinput_abs_setup abs = { .code = (uint16_t)code };
                abs.absinfo = *libevdev_get_abs_info(desc, (unsigned int)code);
                if (ioctl(fd, UI_ABS_SETUP, &abs) < 0)
                    return -errno;
            }
        }
    }
    struct uinput_setup setup;
    memset(&setup, 0, sizeof(setup));
    snprintf(setup.name, sizeof(setup.name), "%s", libevdev_get_name(desc));
    setup.id.bustype = (uint16_t)libevdev_get_id_bustype(desc);
    setup.id.vendor = (uint16_t)libevdev_get_id_vendor(desc);
    setup.id.product = (uint16_t)libevdev_get_id_product(desc);
    setup.id.version = (uint16_t)libevdev_get_id_version(desc);
    setup.ff_effects_max = libevdev_has_event_type(desc, EV_FF) ? PFI_UINPUT_FF_EFFECTS : 0;
    if (ioctl(fd, UI_DEV_SETUP, &setup) < 0)
        return -errno;
    const char *phys = libevdev_get_phys(desc);
    if (phys && ioctl(fd, UI_SET_PHYS, phys) < 0)
        return -errno;
    if (ioctl(fd, UI_DEV_CREATE) < 0)
        return -errno;
    return 0;
}

static int k_create(void *data, const struct libevdev *desc, void **ret_dev)
{
    struct kdev *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->fd = open(node(data), O_RDWR | O_CLOEXEC | O_NONBLOCK);
    int r = d->fd < 0 ? -errno : configure(d->fd, desc);
    if (r < 0) {
        if (d->fd >= 0)
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
    struct input_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = (uint16_t)type;
    ev.code = (uint16_t)code;
    ev.value = value;
    return write(d->fd, &ev, sizeof(ev)) == (ssize_t)sizeof(ev) ? 0 : -errno;
}

static void k_destroy(void *data, void *dev)
{
    struct kdev *d = dev;
    if (!d)
        return;
    ioctl(d->fd, UI_DEV_DESTROY);
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
