/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_SHARED_LOG_H
#define PF_SHARED_LOG_H

#include "pf/core/common.h"

/* Shared by every punktfunk library: each compiles this file into itself, where pfi_log
 * stays a hidden symbol, instead of keeping its own copy.
 * Formats only when the hook wants the level, so a silent object pays one compare. */
void pfi_log(const pf_log_hook *hook, uint32_t level, const char *topic, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define pfi_log_debug(hook, topic, ...) pfi_log((hook), PF_LOG_DEBUG, (topic), __VA_ARGS__)

#endif
