/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FFmpeg's log, which is process-wide, routed into the application's log hook on request.
 * While a backend is probed its complaints ("Cannot load libcuda.so.1" on a machine without
 * NVIDIA) are expected and go out at debug level; so does FFmpeg's informational chatter
 * (x264's statistics), leaving warnings and errors of real encodes at their own level. */
#include "pf/encode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/log.h>

#include "ff_log.h"

static pf_log_hook hook;
static _Thread_local int quiet_depth;
/* FFmpeg may log one line in several calls; each thread assembles its own. */
static _Thread_local char line[1024];
static _Thread_local size_t line_len;
static _Thread_local int print_prefix = 1;

void pfi_ff_log_quiet_begin(void)
{
    quiet_depth++;
}

void pfi_ff_log_quiet_end(void)
{
    quiet_depth--;
}

static uint32_t level_of(int av_level)
{
    if (quiet_depth > 0 || av_level > AV_LOG_WARNING)
        return PF_LOG_DEBUG;
    return av_level > AV_LOG_ERROR ? PF_LOG_WARNING : PF_LOG_ERROR;
}

static void forward(void *avcl, int av_level, const char *fmt, va_list vl)
{
    if (av_level > AV_LOG_VERBOSE || !hook.fn)
        return;
    uint32_t level = level_of(av_level);
    if (level > (hook.max_level ? hook.max_level : PF_LOG_DEBUG))
        return;
    char part[sizeof(line)];
    av_log_format_line2(avcl, av_level, fmt, vl, part, (int)sizeof(part), &print_prefix);
    size_t n = strnlen(part, sizeof(part) - 1);
    if (n > sizeof(line) - 1 - line_len)
        n = sizeof(line) - 1 - line_len;
    memcpy(line + line_len, part, n);
    line_len += n;
    if (line_len == 0 || (line[line_len - 1] != '\n' && line_len < sizeof(line) - 1))
        return;
    while (line_len && (line[line_len - 1] == '\n' || line[line_len - 1] == '\r'))
        line_len--;
    if (line_len)
        hook.fn(hook.user_data, level, "ffmpeg", line, line_len);
    line_len = 0;
}

PF_EXPORT void pf_encode_set_ffmpeg_log(const pf_log_hook *log)
{
    if (log && log->fn) {
        hook = *log;
        av_log_set_callback(forward);
    } else {
        av_log_set_callback(av_log_default_callback);
        memset(&hook, 0, sizeof(hook));
    }
}
