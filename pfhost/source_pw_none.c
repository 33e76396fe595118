/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Built without libpfcapture: the PipeWire source does not exist. */
#include "source_pw.h"

#include "pf/core/error.h"

int pw_source_create(uint32_t width, uint32_t height, uint32_t fps, const char *remote,
                     int vdisplay, const char *vdisplay_backend, int cursor, pf_log_hook log,
                     pw_source **ret)
{
    return PF_ERR_UNSUPPORTED;
}

int pw_source_create_node(uint32_t node_id, uint32_t width, uint32_t height, uint32_t fps,
                          const char *remote, int cursor, pf_log_hook log, pw_source **ret)
{
    return PF_ERR_UNSUPPORTED;
}

int pw_source_next(pw_source *s, int32_t timeout_ms, pf_frame **ret_frame)
{
    return PF_ERR_UNSUPPORTED;
}

void pw_source_report_cursor(pw_source *s, const struct pipeline_sink *sink)
{
}

int pw_source_ref(pf_frame *frame)
{
    return PF_ERR_UNSUPPORTED;
}

void pw_source_destroy(pw_source *s)
{
}

int pw_audio_create(uint32_t channels, uint32_t period_ms, const char *remote,
                    const char *sink_name, pf_log_hook log, pw_audio **ret)
{
    return PF_ERR_UNSUPPORTED;
}

int pw_audio_read(pw_audio *a, int16_t *pcm, size_t bytes, int32_t timeout_ms)
{
    return PF_ERR_UNSUPPORTED;
}

void pw_audio_destroy(pw_audio *a)
{
}
