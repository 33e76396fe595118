/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The private backend interface (wlroots-style): every injection path implements this table;
 * injector.c picks backends and never knows which compositor it talks to. */
#ifndef PF_INPUT_BACKEND_H
#define PF_INPUT_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "pf/input.h"

#include "coord.h"

/* Capabilities a backend offers. */
#define PFI_CAP_KEYBOARD 0x01u
#define PFI_CAP_KEYSYM 0x02u
#define PFI_CAP_POINTER 0x04u
#define PFI_CAP_POINTER_ABS 0x08u
#define PFI_CAP_TOUCH 0x10u
#define PFI_CAP_PEN 0x20u
#define PFI_CAP_GAMEPAD 0x40u

#define PFI_AXIS_VERTICAL 0u
#define PFI_AXIS_HORIZONTAL 1u

#define PFI_TOUCH_SLOTS 10u

struct pfi_backend;

/* Where a backend reports device feedback (rumble) for the pad it was given as @p pad_id. */
typedef void (*pfi_feedback_fn)(void *owner, uint32_t pad_id, uint16_t low, uint16_t high);

/* What a backend gets at creation. Strings are borrowed for the call. */
struct pfi_backend_args {
    const pf_input_settings *settings;
    const pf_log_hook *log; /* lives as long as the backend */
    pfi_feedback_fn feedback;
    void *feedback_owner;
};

struct pfi_pad_desc {
    uint32_t type;         /* PF_INPUT_PAD_TYPE_* */
    uint32_t capabilities; /* PF_INPUT_PAD_CAP_* */
    uint32_t number;       /* client's controller number, for device names */
};

/* Every member but name, create and destroy may be NULL: the injector then treats the event
 * class as unsupported by this backend. Scroll amounts keep GameStream's sign (positive =
 * away from the user / right) and unit (120 per notch); positions are output-local pixels. */
struct pfi_backend_impl {
    const char *name;
    int (*create)(const struct pfi_backend_args *args, struct pfi_backend **ret);
    void (*destroy)(struct pfi_backend *b);
    uint32_t (*caps)(struct pfi_backend *b);
    int (*start)(struct pfi_backend *b);
    int (*session_id)(struct pfi_backend *b, char *buf, size_t len);
    int (*set_output)(struct pfi_backend *b, const struct pfi_output *out, const char *stream_path,
                      const char *name);
    int (*get_fd)(struct pfi_backend *b);
    int (*dispatch)(struct pfi_backend *b);
    int (*key)(struct pfi_backend *b, uint32_t evdev, int down);
    int (*keysym)(struct pfi_backend *b, uint32_t keysym, int down);
    int (*motion)(struct pfi_backend *b, double dx, double dy);
    int (*motion_abs)(struct pfi_backend *b, double x, double y);
    int (*button)(struct pfi_backend *b, uint32_t evdev_btn, int down);
    int (*scroll)(struct pfi_backend *b, uint32_t axis, int32_t v120);
    /* type: PF_INPUT_TOUCH_DOWN, _MOVE or _UP; x/y ignored for UP. */
    int (*touch)(struct pfi_backend *b, uint32_t slot, uint32_t type, double x, double y,
                 double pressure);
    int (*pen)(struct pfi_backend *b, const pf_input_touch *pen, double x, double y);
    int (*pad_create)(struct pfi_backend *b, uint32_t pad_id, const struct pfi_pad_desc *desc);
    int (*pad_state)(struct pfi_backend *b, uint32_t pad_id, const pf_input_pad *state);
    int (*pad_motion)(struct pfi_backend *b, uint32_t pad_id, const pf_input_pad *motion);
    int (*pad_touch)(struct pfi_backend *b, uint32_t pad_id, const pf_input_touch *touch);
    void (*pad_destroy)(struct pfi_backend *b, uint32_t pad_id);
};

struct pfi_backend {
    const struct pfi_backend_impl *impl;
};

/* The built-in backends, in the order autocreate tries them; NULL-terminated. */
extern const struct pfi_backend_impl *const pfi_builtin_backends[];

extern const struct pfi_backend_impl pfi_backend_uinput;
extern const struct pfi_backend_impl pfi_backend_mutter;
extern const struct pfi_backend_impl pfi_backend_wlr;
extern const struct pfi_backend_impl pfi_backend_kwin;

/* Creates an injector from an explicit backend table (tests pass recording backends). */
int pfi_injector_create_with(const pf_input_settings *settings,
                             const struct pfi_backend_impl *const *table,
                             pf_input_injector **ret_injector);

#endif
