/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Virtual device descriptions. Names and USB ids copy what the real hardware reports so that
 * SDL's controller database, Steam and libinput treat the devices like the real thing;
 * everything else (axes, ranges, properties) follows the kernel drivers (xpad,
 * hid-playstation) for the same reason. Every device carries a "punktfunk" phys string so the
 * host's own tools can tell streamed devices from local ones (field-notes.md: streamed pads
 * must not be mistaken for the local seat's). */
#include "uinput_devices.h"

#include <stdio.h>

#include <libevdev/libevdev.h>
#include <linux/input.h>

#include "pf/input.h"

#include "keymap.h"

static struct libevdev *base(const char *name, uint16_t bus, uint16_t vendor, uint16_t product,
                             uint16_t version)
{
    struct libevdev *d = libevdev_new();
    if (!d)
        return NULL;
    libevdev_set_name(d, name);
    libevdev_set_phys(d, "punktfunk/input");
    libevdev_set_id_bustype(d, bus);
    libevdev_set_id_vendor(d, vendor);
    libevdev_set_id_product(d, product);
    libevdev_set_id_version(d, version);
    return d;
}

/* Every DualSense node (pad, motion sensors, touchpad) carries the pad's ids, as
 * hid-playstation creates them; @p suffix tells them apart, as in the kernel. */
static struct libevdev *ds_base(const char *suffix)
{
    char name[128];
    snprintf(name, sizeof(name), "Sony Interactive Entertainment DualSense Wireless Controller%s",
             suffix);
    return base(name, BUS_USB, 0x054C, 0x0CE6, 0x8111);
}

static void key(struct libevdev *d, unsigned int code)
{
    libevdev_enable_event_code(d, EV_KEY, code, NULL);
}

static void rel(struct libevdev *d, unsigned int code)
{
    libevdev_enable_event_code(d, EV_REL, code, NULL);
}

static void abs_axis(struct libevdev *d, unsigned int code, int min, int max, int fuzz, int flat,
                     int res)
{
    struct input_absinfo ai = {
        .minimum = min, .maximum = max, .fuzz = fuzz, .flat = flat, .resolution = res
    };
    libevdev_enable_event_code(d, EV_ABS, code, &ai);
}

struct libevdev *pfi_udev_keyboard(void)
{
    struct libevdev *d = base("punktfunk keyboard", BUS_VIRTUAL, 0x50F5, 0x0001, 1);
    if (!d)
        return NULL;
    /* The classic keyboard block, plus every key a virtual-key code reaches in any layout
     * (keymap.c), some of which (KEY_CLEAR) live above it. */
    for (unsigned int k = KEY_ESC; k <= KEY_MICMUTE; k++)
        key(d, k);
    uint32_t vks[256];
    uint32_t n = pfi_keymap_list(vks);
    for (int l = 0; l < PFI_LAYOUT_COUNT; l++)
        for (uint32_t i = 0; i < n; i++)
            key(d, pfi_keymap_vk_to_evdev(vks[i], l));
    return d;
}

static void mouse_buttons(struct libevdev *d)
{
    key(d, BTN_LEFT);
    key(d, BTN_RIGHT);
    key(d, BTN_MIDDLE);
    key(d, BTN_SIDE);
    key(d, BTN_EXTRA);
}

struct libevdev *pfi_udev_mouse(void)
{
    struct libevdev *d = base("punktfunk mouse", BUS_VIRTUAL, 0x50F5, 0x0002, 1);
    if (!d)
        return NULL;
    libevdev_enable_property(d, INPUT_PROP_POINTER);
    mouse_buttons(d);
    rel(d, REL_X);
    rel(d, REL_Y);
    rel(d, REL_WHEEL);
    rel(d, REL_HWHEEL);
    rel(d, REL_WHEEL_HI_RES);
    rel(d, REL_HWHEEL_HI_RES);
    return d;
}

/* Shaped like a virtual machine's USB tablet: absolute axes plus buttons, which libinput
 * classifies as an absolute pointer mapped onto the output. */
struct libevdev *pfi_udev_abs_pointer(uint32_t width, uint32_t height)
{
    struct libevdev *d = base("punktfunk absolute pointer", BUS_VIRTUAL, 0x50F5, 0x0003, 1);
    if (!d)
        return NULL;
    mouse_buttons(d);
    abs_axis(d, ABS_X, 0, (int)width - 1, 0, 0, 0);
    abs_axis(d, ABS_Y, 0, (int)height - 1, 0, 0, 0);
    return d;
}

struct libevdev *pfi_udev_touchscreen(uint32_t width, uint32_t height)
{
    struct libevdev *d = base("punktfunk touchscreen", BUS_VIRTUAL, 0x50F5, 0x0004, 1);
    if (!d)
        return NULL;
    libevdev_enable_property(d, INPUT_PROP_DIRECT);
    key(d, BTN_TOUCH);
    abs_axis(d, ABS_X, 0, (int)width - 1, 0, 0, 0);
    abs_axis(d, ABS_Y, 0, (int)height - 1, 0, 0, 0);
    abs_axis(d, ABS_MT_SLOT, 0, 9, 0, 0, 0);
    abs_axis(d, ABS_MT_TRACKING_ID, 0, 65535, 0, 0, 0);
    abs_axis(d, ABS_MT_POSITION_X, 0, (int)width - 1, 0, 0, 0);
    abs_axis(d, ABS_MT_POSITION_Y, 0, (int)height - 1, 0, 0, 0);
    abs_axis(d, ABS_MT_PRESSURE, 0, 255, 0, 0, 0);
    return d;
}

struct libevdev *pfi_udev_pen(uint32_t width, uint32_t height)
{
    struct libevdev *d = base("punktfunk pen", BUS_VIRTUAL, 0x50F5, 0x0005, 1);
    if (!d)
        return NULL;
    libevdev_enable_property(d, INPUT_PROP_DIRECT);
    key(d, BTN_TOOL_PEN);
    key(d, BTN_TOOL_RUBBER);
    key(d, BTN_TOUCH);
    key(d, BTN_STYLUS);
    key(d, BTN_STYLUS2);
    key(d, BTN_STYLUS3);
    abs_axis(d, ABS_X, 0, (int)width - 1, 0, 0, 0);
    abs_axis(d, ABS_Y, 0, (int)height - 1, 0, 0, 0);
    abs_axis(d, ABS_PRESSURE, 0, 1023, 0, 0, 0);
    abs_axis(d, ABS_DISTANCE, 0, 1023, 0, 0, 0);
    abs_axis(d, ABS_TILT_X, -90, 90, 0, 0, 0);
    abs_axis(d, ABS_TILT_Y, -90, 90, 0, 0, 0);
    return d;
}

enum pfi_pad_kind pfi_pad_kind_from_type(uint32_t type)
{
    switch (type) {
    case PF_INPUT_PAD_TYPE_PLAYSTATION:
        return PFI_PAD_DUALSENSE;
    case PF_INPUT_PAD_TYPE_XBOX:
        return PFI_PAD_XBOXONE;
    default:
        return PFI_PAD_XBOX360;
    }
}

static void rumble(struct libevdev *d)
{
    libevdev_enable_event_code(d, EV_FF, FF_RUMBLE, NULL);
    libevdev_enable_event_code(d, EV_FF, FF_PERIODIC, NULL);
    libevdev_enable_event_code(d, EV_FF, FF_SQUARE, NULL);
    libevdev_enable_event_code(d, EV_FF, FF_TRIANGLE, NULL);
    libevdev_enable_event_code(d, EV_FF, FF_SINE, NULL);
    libevdev_enable_event_code(d, EV_FF, FF_GAIN, NULL);
}

struct libevdev *pfi_udev_pad(enum pfi_pad_kind kind, uint32_t capabilities, uint32_t number)
{
    struct libevdev *d;
    if (kind == PFI_PAD_DUALSENSE) {
        d = ds_base("");
        if (!d)
            return NULL;
        static const unsigned int ds_keys[] = { BTN_SOUTH, BTN_EAST,   BTN_NORTH,  BTN_WEST,
                                                BTN_TL,    BTN_TR,     BTN_TL2,    BTN_TR2,
                                                BTN_SELECT, BTN_START, BTN_MODE,   BTN_THUMBL,
                                                BTN_THUMBR };
        for (size_t i = 0; i < sizeof(ds_keys) / sizeof(ds_keys[0]); i++)
            key(d, ds_keys[i]);
        abs_axis(d, ABS_X, 0, 255, 0, 0, 0);
        abs_axis(d, ABS_Y, 0, 255, 0, 0, 0);
        abs_axis(d, ABS_RX, 0, 255, 0, 0, 0);
        abs_axis(d, ABS_RY, 0, 255, 0, 0, 0);
        abs_axis(d, ABS_Z, 0, 255, 0, 0, 0);
        abs_axis(d, ABS_RZ, 0, 255, 0, 0, 0);
    } else {
        if (kind == PFI_PAD_XBOXONE)
            d = base("Microsoft X-Box One S pad", BUS_USB, 0x045E, 0x02EA, 0x0301);
        else
            d = base("Microsoft X-Box 360 pad", BUS_USB, 0x045E, 0x028E, 0x0114);
        if (!d)
            return NULL;
        static const unsigned int x_keys[] = { BTN_A,     BTN_B,     BTN_X,      BTN_Y,
                                               BTN_TL,    BTN_TR,    BTN_SELECT, BTN_START,
                                               BTN_MODE,  BTN_THUMBL, BTN_THUMBR };
        for (size_t i = 0; i < sizeof(x_keys) / sizeof(x_keys[0]); i++)
            key(d, x_keys[i]);
        if (kind == PFI_PAD_XBOXONE) {
            /* Elite paddles and the Series share button, as xpad reports them. */
            key(d, BTN_TRIGGER_HAPPY5);
            key(d, BTN_TRIGGER_HAPPY6);
            key(d, BTN_TRIGGER_HAPPY7);
            key(d, BTN_TRIGGER_HAPPY8);
            key(d, KEY_RECORD);
        }
        abs_axis(d, ABS_X, -32768, 32767, 16, 128, 0);
        abs_axis(d, ABS_Y, -32768, 32767, 16, 128, 0);
        abs_axis(d, ABS_RX, -32768, 32767, 16, 128, 0);
        abs_axis(d, ABS_RY, -32768, 32767, 16, 128, 0);
        abs_axis(d, ABS_Z, 0, 255, 0, 0, 0);
        abs_axis(d, ABS_RZ, 0, 255, 0, 0, 0);
    }
    abs_axis(d, ABS_HAT0X, -1, 1, 0, 0, 0);
    abs_axis(d, ABS_HAT0Y, -1, 1, 0, 0, 0);
    /* Rumble is offered unless the client said its pad has none: with no arrival packet
     * (older clients) capabilities are unknown and most pads rumble. */
    if (!capabilities || (capabilities & PF_INPUT_PAD_CAP_RUMBLE))
        rumble(d);
    return d;
}

struct libevdev *pfi_udev_pad_motion(enum pfi_pad_kind kind, uint32_t number)
{
    struct libevdev *d = ds_base(" Motion Sensors");
    if (!d)
        return NULL;
    libevdev_enable_property(d, INPUT_PROP_ACCELEROMETER);
    abs_axis(d, ABS_X, -32768, 32767, 4, 0, PFI_DS_ACCEL_RES_PER_G);
    abs_axis(d, ABS_Y, -32768, 32767, 4, 0, PFI_DS_ACCEL_RES_PER_G);
    abs_axis(d, ABS_Z, -32768, 32767, 4, 0, PFI_DS_ACCEL_RES_PER_G);
    abs_axis(d, ABS_RX, -2097152, 2097151, 16, 0, PFI_DS_GYRO_RES_PER_DEG_S);
    abs_axis(d, ABS_RY, -2097152, 2097151, 16, 0, PFI_DS_GYRO_RES_PER_DEG_S);
    abs_axis(d, ABS_RZ, -2097152, 2097151, 16, 0, PFI_DS_GYRO_RES_PER_DEG_S);
    libevdev_enable_event_code(d, EV_MSC, MSC_TIMESTAMP, NULL);
    return d;
}

struct libevdev *pfi_udev_pad_touchpad(enum pfi_pad_kind kind, uint32_t number)
{
    struct libevdev *d = ds_base(" Touchpad");
    if (!d)
        return NULL;
    libevdev_enable_property(d, INPUT_PROP_POINTER);
    libevdev_enable_property(d, INPUT_PROP_BUTTONPAD);
    key(d, BTN_LEFT);
    key(d, BTN_TOUCH);
    key(d, BTN_TOOL_FINGER);
    key(d, BTN_TOOL_DOUBLETAP);
    abs_axis(d, ABS_X, 0, PFI_DS_TOUCHPAD_W - 1, 0, 0, 0);
    abs_axis(d, ABS_Y, 0, PFI_DS_TOUCHPAD_H - 1, 0, 0, 0);
    abs_axis(d, ABS_MT_SLOT, 0, 1, 0, 0, 0);
    abs_axis(d, ABS_MT_TRACKING_ID, 0, 65535, 0, 0, 0);
    abs_axis(d, ABS_MT_POSITION_X, 0, PFI_DS_TOUCHPAD_W - 1, 0, 0, 0);
    abs_axis(d, ABS_MT_POSITION_Y, 0, PFI_DS_TOUCHPAD_H - 1, 0, 0, 0);
    return d;
}
