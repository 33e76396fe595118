/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libevdev descriptions of every virtual device the uinput backend creates. */
#ifndef PF_INPUT_UINPUT_DEVICES_H
#define PF_INPUT_UINPUT_DEVICES_H

#include <stdint.h>

struct libevdev;

/* Gamepad personalities, chosen from the client's controller type. */
enum pfi_pad_kind {
    PFI_PAD_XBOX360 = 0,
    PFI_PAD_XBOXONE,
    PFI_PAD_DUALSENSE,
};

/* DualSense sensor and touchpad scales, as the kernel's hid-playstation driver reports them,
 * so games and SDL that know the real pad read the same units. */
#define PFI_DS_ACCEL_RES_PER_G 8192
#define PFI_DS_GYRO_RES_PER_DEG_S 1024
#define PFI_DS_TOUCHPAD_W 1920
#define PFI_DS_TOUCHPAD_H 1080

/* Each returns a new description (libevdev_free it) or NULL on OOM. Sizes are > 0. */
struct libevdev *pfi_udev_keyboard(void);
struct libevdev *pfi_udev_mouse(void);
struct libevdev *pfi_udev_abs_pointer(uint32_t width, uint32_t height);
struct libevdev *pfi_udev_touchscreen(uint32_t width, uint32_t height);
struct libevdev *pfi_udev_pen(uint32_t width, uint32_t height);
struct libevdev *pfi_udev_pad(enum pfi_pad_kind kind, uint32_t capabilities, uint32_t number);
struct libevdev *pfi_udev_pad_motion(enum pfi_pad_kind kind, uint32_t number);
struct libevdev *pfi_udev_pad_touchpad(enum pfi_pad_kind kind, uint32_t number);

/* @return the personality for a PF_INPUT_PAD_TYPE_* value. */
enum pfi_pad_kind pfi_pad_kind_from_type(uint32_t type);

#endif
