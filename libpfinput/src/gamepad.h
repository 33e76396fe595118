/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Gamepad state → evdev events for one virtual pad, and the pad's rumble bookkeeping. */
#ifndef PF_INPUT_GAMEPAD_H
#define PF_INPUT_GAMEPAD_H

#include <stdint.h>

#include "pf/input.h"

#include "uinput_devices.h"
#include "uinput_sink.h"

#define PFI_PAD_EFFECTS 16u

typedef int (*pfi_emit_fn)(void *ctx, void *dev, uint32_t type, uint32_t code, int32_t value);

struct pfi_pad_effect {
    int32_t id;
    uint16_t strong;
    uint16_t weak;
    uint8_t used;
    uint8_t playing;
};

struct pfi_pad {
    enum pfi_pad_kind kind;
    uint32_t caps;
    void *dev;        /* main device */
    void *motion_dev; /* DualSense motion sensors; may be NULL */
    void *touch_dev;  /* DualSense touchpad; may be NULL */
    pf_input_pad last;
    int have_last;
    struct pfi_pad_effect effects[PFI_PAD_EFFECTS];
    uint16_t motor_low;
    uint16_t motor_high;
    int32_t accel[3];
    int32_t gyro[3];
    uint32_t motion_time_us;
    uint32_t touch_ids[2];
    uint32_t touch_active;
    int32_t next_tracking_id;
};

/* Emits what changed since the last state (all of it the first time), then SYN_REPORT. */
int pfi_pad_emit_state(struct pfi_pad *p, const pf_input_pad *s, pfi_emit_fn emit, void *ctx);

/* Emits one accelerometer or gyro sample on the motion device. */
int pfi_pad_emit_motion(struct pfi_pad *p, const pf_input_pad *m, pfi_emit_fn emit, void *ctx);

/* Emits one touchpad contact change on the touchpad device. */
int pfi_pad_emit_touch(struct pfi_pad *p, const pf_input_touch *t, pfi_emit_fn emit, void *ctx);

/* Applies a force-feedback request. @return 1 when the motor levels changed (then
 * ret_low and ret_high hold the new levels), 0 otherwise. */
int pfi_pad_apply_ff(struct pfi_pad *p, const struct pfi_ff_request *r, uint16_t *ret_low,
                     uint16_t *ret_high);

#endif
