/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_INPUT_H
#define PFHOST_NATIVE_INPUT_H

#include <stdint.h>

#include "pf/core/pkf1_datagram.h"
#include "pf/input.h"

/* Input of one punktfunk/1 session into libpfinput (or a record file in tests). */
typedef struct native_input native_input;

/* @p record_path: append events there instead of injecting (`serve --input-record`). */
int native_input_create(uint32_t id, const char *record_path, native_input **ret);
/* Leaves the current injector (everything pressed released) for @p inj (borrowed; NULL: input
 * is ignored until the next call). For a desktop whose injector is replaced. */
void native_input_attach(native_input *in, pf_input_injector *inj);
/* Input into @p inj, a desktop's injector that outlives this object (NULL: input ignored). */
int native_input_create_on(uint32_t id, pf_input_injector *inj, native_input **ret);
/* Releases everything still pressed, then frees; NULL allowed. */
void native_input_destroy(native_input *in);
/* One decoded event; dropped unless @p grants (PF_PKF1_GRANT_*) cover its kind. */
void native_input_event(native_input *in, const pf_pkf1_input *ev, uint32_t grants);
/* The session's output (its mode): absolute pointer and touch map onto it. */
void native_input_set_output(native_input *in, uint32_t width, uint32_t height);
/* 1 when touch (kinds 9–11) reaches the desktop: the injector has touch, or events are
 * recorded. The Welcome's HOST_CAP2_TOUCH follows it. */
int native_input_can_touch(const native_input *in);
/* Events dropped because the grants did not cover them. */
uint64_t native_input_dropped(const native_input *in);

#endif
