/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void pfi_enc_debug(const pf_log_hook *hook, const char *topic, const char *fmt, ...)
{
    /* A hook with max_level below debug wants none of these; skip the formatting cost. */
    if (!hook || !hook->fn || (hook->max_level && hook->max_level < PF_LOG_DEBUG))
        return;
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    hook->fn(hook->user_data, PF_LOG_DEBUG, topic, line,
             (size_t)n >= sizeof(line) ? sizeof(line) - 1 : (size_t)n);
}
