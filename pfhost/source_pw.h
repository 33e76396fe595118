/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_SOURCE_PW_H
#define PFHOST_SOURCE_PW_H

#include <stdint.h>

#include "pf/common/frame.h"
#include "pf/core/common.h"

/* The PipeWire frame source of a session, captured through pf_capture: a virtual output at
 * the client's mode (libpfcapture's vdisplay: the desktop's compositor, or a spawned
 * headless one), or libpfcapture's test-pattern node. Owned by one thread. */
typedef struct pw_source pw_source;

/* Returns 0, PF_ERR_UNSUPPORTED (built without libpfcapture), or the capture error. With
 * @p cursor the virtual output is asked to leave the pointer out of the picture and describe
 * it as metadata (where its backend can), which pw_source_report_cursor() passes on. */
int pw_source_create(uint32_t width, uint32_t height, uint32_t fps, const char *remote,
                     int vdisplay, const char *vdisplay_backend, int cursor, pf_log_hook log,
                     pw_source **ret);
/* Captures node @p node_id of @p remote (an output prepared elsewhere; @p cursor when it
 * was made with the pointer as metadata). Same returns. */
int pw_source_create_node(uint32_t node_id, uint32_t width, uint32_t height, uint32_t fps,
                          const char *remote, int cursor, pf_log_hook log, pw_source **ret);

/* The pointer as the capture last described it (libpfcapture's pf_capture_cursor). */
typedef struct pw_source_cursor {
    int visible;
    int32_t x, y;          /* hotspot position in frame pixels */
    uint32_t shape_serial; /* changes with every new shape; 0 = none yet */
    uint32_t width, height; /* 0 when the shape is unknown or too large */
    int32_t hot_x, hot_y;
    const uint8_t *rgba;    /* width·height·4 straight-alpha RGBA, valid during the call */
} pw_source_cursor;
struct pipeline_sink;
/* Calls @p sink->cursor with the latest pointer, if the source has one (a source made with
 * cursor whose producer described the pointer). Capture thread. */
void pw_source_report_cursor(pw_source *s, const struct pipeline_sink *sink);
/* Another reference to a frame of this source (for repeating it). 0 or an error. */
int pw_source_ref(pf_frame *frame);
/* The next captured frame (one reference: pf_frame_release() it, from any thread);
 * PF_ERR_AGAIN after @p timeout_ms without one; or the stream's error. */
int pw_source_next(pw_source *s, int32_t timeout_ms, pf_frame **ret_frame);
void pw_source_destroy(pw_source *s);

/* The session's audio: a virtual sink made the default while it streams, captured as
 * 48 kHz interleaved s16 in periods of @p period_ms. Owned by one thread. */
typedef struct pw_audio pw_audio;

int pw_audio_create(uint32_t channels, uint32_t period_ms, const char *remote,
                    const char *sink_name, pf_log_hook log, pw_audio **ret);
/* Reads one period into @p pcm (@p bytes long) within @p timeout_ms: 1 read, 0 nothing yet,
 * or an error. */
int pw_audio_read(pw_audio *a, int16_t *pcm, size_t bytes, int32_t timeout_ms);
void pw_audio_destroy(pw_audio *a);

#endif
