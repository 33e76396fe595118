/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private layout of the injector and its clients, shared by injector.c and client.c. */
#ifndef PF_INPUT_INJECTOR_H
#define PF_INPUT_INJECTOR_H

#include <stdint.h>

#include <linux/input-event-codes.h>

#include "pf/input.h"

#include "backend.h"
#include "coord.h"

#define PFI_MAX_BACKENDS 4u
#define PFI_KEY_WORDS ((KEY_CNT + 63) / 64)

struct pf_input_client {
    pf_input_injector *inj;
    pf_input_client *next;
    uint32_t id;
    uint32_t perms;
    /* Token bucket: tokens refill at inj->rate per second up to inj->burst. */
    double tokens;
    uint64_t last_ns;
    int primed;
    uint64_t keys[PFI_KEY_WORDS]; /* evdev keys this client holds down */
    uint32_t synth_mods;          /* PF_INPUT_MOD_* pressed on the client's behalf */
    uint32_t buttons;             /* bit n = PF_INPUT_BUTTON n held */
    uint32_t touch_ids[PFI_TOUCH_SLOTS];
    uint32_t touch_active; /* bit n = slot n down */
    uint32_t pads;         /* bit n = controller n exists on the pad backend */
    struct pfi_pad_desc pad_desc[PF_INPUT_MAX_CONTROLLERS];
    uint32_t pad_announced; /* bit n = arrival seen for controller n */
};

struct pf_input_injector {
    pf_log_hook log;
    pf_input_feedback_fn feedback;
    void *feedback_user_data;
    struct pfi_backend *backends[PFI_MAX_BACKENDS];
    uint32_t n_backends;
    struct pfi_backend *desk; /* keyboard, pointer, touch */
    struct pfi_backend *pad;  /* gamepads; may be NULL */
    struct pfi_output out;
    int have_output;
    int layout;
    double rate;
    double burst;
    int epfd;
    pf_input_client *clients;
    uint32_t next_client_id;
};

/* Releases everything @p c holds on the backends; @return releases injected. */
int pfi_client_release(pf_input_client *c, uint32_t perms_to_release);

#endif
