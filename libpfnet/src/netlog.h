/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_NETLOG_H
#define PF_NET_NETLOG_H

#include "pf/core/common.h"

/* Formats only when the hook wants the level, so a silent object pays one compare. */
void pfi_net_log(const pf_log_hook *hook, uint32_t level, const char *topic, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));

#define pf_assert_return(cond, err)                                                            \
    do {                                                                                       \
        if (__builtin_expect(!(cond), 0))                                                      \
            return (err);                                                                      \
    } while (0)

#endif
