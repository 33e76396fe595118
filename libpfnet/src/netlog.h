/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_NETLOG_H
#define PF_NET_NETLOG_H

#include "pf_log.h"

#define pfi_net_log pfi_log

#define pf_assert_return(cond, err)                                                            \
    do {                                                                                       \
        if (__builtin_expect(!(cond), 0))                                                      \
            return (err);                                                                      \
    } while (0)

#endif
