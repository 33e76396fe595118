/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Picks the radix-4 body instance for which of the three skew factors are nonzero: a NULL
 * table means a zero factor, and that butterfly is only its XOR. Used inside a kernel file's
 * fft4 and ifft4 with s, m and bytes in scope; the further arguments (the direction, and
 * whatever else the body takes) follow the three flags. */
#ifndef PF_CORE_GF16_DISPATCH4_H
#define PF_CORE_GF16_DISPATCH4_H

#define GF16_DISPATCH4(body, ...)                                                              \
    switch ((m[0] ? 1 : 0) | (m[1] ? 2 : 0) | (m[2] ? 4 : 0)) {                                \
    case 0: body(s, m, bytes, 0, 0, 0, __VA_ARGS__); break;                                        \
    case 1: body(s, m, bytes, 1, 0, 0, __VA_ARGS__); break;                                        \
    case 2: body(s, m, bytes, 0, 1, 0, __VA_ARGS__); break;                                        \
    case 3: body(s, m, bytes, 1, 1, 0, __VA_ARGS__); break;                                        \
    case 4: body(s, m, bytes, 0, 0, 1, __VA_ARGS__); break;                                        \
    case 5: body(s, m, bytes, 1, 0, 1, __VA_ARGS__); break;                                        \
    case 6: body(s, m, bytes, 0, 1, 1, __VA_ARGS__); break;                                        \
    default: body(s, m, bytes, 1, 1, 1, __VA_ARGS__); break;                                       \
    }

#endif
