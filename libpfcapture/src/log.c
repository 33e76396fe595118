/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void pfi_capture_log(const pf_log_hook *hook, uint32_t level, const char *topic, const char *fmt,
                     ...)
{
    char buf[512];
    uint32_t max;
    va_list ap;
    int n;

    if (!hook || !hook->fn)
        return;
    max = hook->max_level ? hook->max_level : PF_LOG_DEBUG;
    if (level > max)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    hook->fn(hook->user_data, level, topic, buf, (size_t)n);
}
