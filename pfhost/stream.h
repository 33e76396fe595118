/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_STREAM_H
#define PFHOST_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "sessions.h"

typedef struct host host;

/* `pfhost serve` options of the streaming plane. */
typedef struct stream_options {
    uint32_t source;          /* PIPELINE_SOURCE_* */
    const char *input_record; /* NULL, or a file every decoded input event is appended to
                                 (the recording backend for tests) */
    uint32_t grace_s;         /* app kept this long for /resume after the last stream ends */
    uint32_t fec_percent;     /* video FEC percentage */
    uint32_t control_timeout_ms; /* control-stream silence that ends a session (§10.2) */
    const char *pipewire_remote; /* --source pipewire: remote socket; NULL = default */
    const char *vdisplay_backend; /* --source vdisplay: backend name; NULL = autoselect */
    const char *frame_log;        /* NULL, or the file of every sent frame's stamps */
} stream_options;

void stream_options_default(stream_options *o);
/* "testpattern", "pipewire", "vdisplay" or "vdisplay:<backend>", for status reports. */
void stream_options_describe_source(const stream_options *o, char *out, size_t n);
/* Parses `serve` arguments (--source, --input-record, --grace, --fec, --control-timeout). Returns 0, or -1
 * with a message in @p err. */
int stream_options_parse(stream_options *o, int argc, char **argv, char *err, size_t n);

typedef struct stream_ctx stream_ctx;

/* Binds the RTSP (cfg.rtsp_port), control, video and audio sockets on the host's loop.
 * With http_port 0 (tests) the media and control ports are free ports; otherwise the
 * GameStream defaults 47998/47999/48000. IPv4 only. Returns 0 or -1 with @p err. */
int stream_create(host *h, const stream_options *o, stream_ctx **ret, char *err, size_t n);
/* The seam sessions.c calls. */
stream_plane stream_get_plane(stream_ctx *s);
/* Ends every stream with the graceful termination code and frees; NULL allowed. Call
 * after sessions_finish(). */
void stream_destroy(stream_ctx *s);

struct pf_input_injector;
/* What a session streams when the host prepared a desktop for it (desktop.c): the PipeWire
 * node of its output, the daemon it lives on, and its compositor's input injector (all
 * borrowed; the injector may be NULL). */
typedef struct stream_desktop {
    int64_t node_id;
    const char *pipewire_remote;
    struct pf_input_injector *injector;
    int cursor_metadata; /* the node carries the pointer as metadata, not in the picture */
} stream_desktop;
/* 0 and @p ret filled when session @p id has a desktop; negative otherwise. */
typedef int (*stream_desktop_fn)(void *user_data, uint32_t id, stream_desktop *ret);
void stream_set_desktop_source(stream_ctx *s, stream_desktop_fn fn, void *user_data);
/* Ends session @p id (stream and host session) with termination @p code (§5.7), which the
 * client reports, instead of the graceful one. */
void stream_end_session(stream_ctx *s, uint32_t id, uint32_t code);
/* 1 when session @p id streams from a source that failed (no more frames will come). */
int stream_source_failed(stream_ctx *s, uint32_t id);

#endif
