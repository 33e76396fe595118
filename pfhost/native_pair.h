/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_PAIR_H
#define PFHOST_NATIVE_PAIR_H

#include <stdint.h>

/* The punktfunk/1 PIN pairing window (native-protocol.md §6.2): the operator arms it through
 * the management API and reads a random four-digit PIN to show; a client's PairRequest takes
 * it. One guess per arming, whatever the outcome, and a global cooldown between attempts.
 * Times are CLOCK_MONOTONIC milliseconds passed in: no clock is read here. */

/* §6.2: 2 s between attempts, charged before the armed check. */
#define NATIVE_PAIR_COOLDOWN_MS 2000u

typedef struct native_pair {
    char pin[5];
    int armed;
    uint64_t expires_ms;
    int attempted;
    uint64_t last_attempt_ms;
} native_pair;

/* Arms a new window valid for @p ttl_ms with a fresh random PIN (replacing an armed one).
 * Returns 0, or -errno when no randomness is available. */
int native_pair_arm(native_pair *p, uint64_t now_ms, uint32_t ttl_ms);

/* Charges one attempt. Returns 0 with the PIN copied to @p pin_out, or the punktfunk/1 close
 * code that refuses it: 0x62 (within the cooldown) or 0x60 (no window armed, or it expired).
 * The window stays armed until native_pair_consume(): §6.2 consumes it only once the client's
 * SPAKE2 message was usable, so a garbled request does not cost the user the PIN. */
uint32_t native_pair_begin(native_pair *p, uint64_t now_ms, char pin_out[5]);
/* Disarms the window: the guess was made. */
void native_pair_consume(native_pair *p);

#endif
