/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers of the GameStream packet tests: a seeded generator and a frame collector. */
#ifndef PF_GS_TEST_UTIL_H
#define PF_GS_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64*: deterministic across runs and platforms, so failures reproduce. */
static inline uint64_t gs_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static inline void gs_fill(uint8_t *buf, size_t len, uint64_t seed)
{
    uint64_t s = seed | 1u;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(gs_rand(&s) >> 56);
}

/* Hex with optional spaces and '|' separators, as the protocol document writes bytes. */
static inline size_t gs_unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; p[0] && p[1];) {
        if (p[0] == ' ' || p[0] == '|') {
            p++;
            continue;
        }
        unsigned v;
        if (sscanf(p, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

#endif
