/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_SHARED_ASSERT_H
#define PF_SHARED_ASSERT_H

#include <assert.h>

/* Shared by every library (libpfcore/shared is on each one's include path).
 * Public entry points validate their arguments with this and return an error instead of
 * crashing: bad input from an app or the network must never take the process down. */
#define pf_assert_return(cond, err)                                                            \
    do {                                                                                       \
        if (__builtin_expect(!(cond), 0))                                                      \
            return (err);                                                                      \
    } while (0)

#define pf_unlikely(x) __builtin_expect(!!(x), 0)
#define pf_likely(x) __builtin_expect(!!(x), 1)

#endif
