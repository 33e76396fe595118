/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_LOG_H
#define PF_CAPTURE_LOG_H

#include "pf/core/common.h"

/* libpfcore keeps its formatter private, so this library carries its own; it formats only
 * when the hook wants the level. Never called from PipeWire's thread. */
void pfi_capture_log(const pf_log_hook *hook, uint32_t level, const char *topic, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));

#define pfi_cap_debug(hook, topic, ...) pfi_capture_log((hook), PF_LOG_DEBUG, (topic), __VA_ARGS__)

#define pf_assert_return(cond, err)                                                            \
    do {                                                                                       \
        if (__builtin_expect(!(cond), 0))                                                      \
            return (err);                                                                      \
    } while (0)

#endif
