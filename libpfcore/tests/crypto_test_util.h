/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Byte helpers shared by the crypto tests (cmocka must be included first). */
#ifndef PF_CRYPTO_TEST_UTIL_H
#define PF_CRYPTO_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Hex to bytes; spaces are ignored so vectors can be pasted as printed in the docs. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        char c = *hex;
        if (c == ' ')
            continue;
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        assert_true(v >= 0);
        if (hi < 0) {
            hi = v;
        } else {
            assert_true(n < cap);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_int_equal(hi, -1);
    return n;
}

static inline void seq_bytes(uint8_t *out, size_t len, uint8_t first)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(first + i);
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static inline int all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return 0;
    return 1;
}

#endif
