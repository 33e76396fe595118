/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pf_log.h"

#include <stdarg.h>
#include <stdio.h>

void pfi_log(const pf_log_hook *hook, uint32_t level, const char *topic, const char *fmt, ...)
{
    if (!hook || !hook->fn)
        return;
    uint32_t max = hook->max_level ? hook->max_level : PF_LOG_DEBUG;
    if (level > max)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    hook->fn(hook->user_data, level, topic, buf, len);
}
