/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "native_pair.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "pf/core/pkf1.h"

int native_pair_arm(native_pair *p, uint64_t now_ms, uint32_t ttl_ms)
{
    uint32_t r;
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        return -EIO;
    /* 2^32 mod 10^4 leaves a bias of under 10^-5 per PIN: irrelevant for one guess. */
    snprintf(p->pin, sizeof(p->pin), "%04u", r % 10000u);
    p->armed = 1;
    p->expires_ms = now_ms + ttl_ms;
    return 0;
}

uint32_t native_pair_begin(native_pair *p, uint64_t now_ms, char pin_out[5])
{
    if (p->attempted && now_ms - p->last_attempt_ms < NATIVE_PAIR_COOLDOWN_MS)
        return PF_PKF1_CLOSE_PAIR_RATE_LIMITED;
    p->attempted = 1;
    p->last_attempt_ms = now_ms;
    if (!p->armed || now_ms >= p->expires_ms) {
        p->armed = 0;
        return PF_PKF1_CLOSE_PAIR_NOT_ARMED;
    }
    memcpy(pin_out, p->pin, sizeof(p->pin));
    return 0;
}

void native_pair_consume(native_pair *p)
{
    memset(p->pin, 0, sizeof(p->pin));
    p->armed = 0;
}
