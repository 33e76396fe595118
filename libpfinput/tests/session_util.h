/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared steps of the compositor tests: build events, submit them, and check what the
 * recording client printed. Failures end the running cmocka test. */
#ifndef PF_INPUT_TEST_SESSION_UTIL_H
#define PF_INPUT_TEST_SESSION_UTIL_H

#include <stdint.h>

#include "pf/input.h"

#include "harness.h"

pf_input_event t_ev(uint32_t type);

/* Submits @p e and requires it to be injected. */
void t_submit(pf_input_client *c, pf_input_event e);

void t_key(pf_input_client *c, uint32_t type, uint16_t vk, uint8_t mods);

/* Taps @p vk (down, then up, no modifiers) and requires the recorder to print evdev key
 * @p code pressed and released. */
void t_tap(pf_input_client *c, struct h_proc *rec, uint16_t vk, int code);

/* Clicks mouse @p button (a PF_INPUT_BUTTON_*) and requires the recorder to print evdev button
 * @p code pressed and released. */
void t_click(pf_input_client *c, struct h_proc *rec, uint32_t button, int code);

/* The next recorder line starting like @p want must be exactly @p want. */
void t_expect(struct h_proc *rec, const char *want);

/* The next line starting with @p prefix, parsed as two numbers. */
void t_expect_xy(struct h_proc *rec, const char *prefix, double *x, double *y);

/* Wiggles the pointer and taps Shift (what Moonlight does on connect) until the recorder's
 * window has pointer and keyboard focus, then drains the recorder. @p seen: recorder output
 * the caller already consumed (may be NULL). @return 0 or -1. */
int t_wait_focus(pf_input_client *c, struct h_proc *rec, const char *seen);

/* Presses two keys (virtual-key codes, with @p mods) and mouse button @p button, checks the
 * recorder saw the presses, destroys *client as a disconnect does, and checks that every one
 * of them was released. Expected codes come from the library's own keymap. */
void t_release_on_disconnect(pf_input_client **client, struct h_proc *rec, uint16_t vk1,
                             uint16_t vk2, uint8_t mods, uint32_t button);

/* Taps a key @p n times and prints (TAP comment) the median time from submit to the
 * recorder's line: the injection latency through the compositor. */
void t_report_latency(pf_input_client *c, struct h_proc *rec, const char *label, int n);

/* Prints the tails of the daemons' logs and what the recorder printed, as TAP comments. */
void t_dump(struct harness *h, struct h_proc *rec);

#endif
