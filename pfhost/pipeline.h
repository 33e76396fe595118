/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_PIPELINE_H
#define PFHOST_PIPELINE_H

#include <stdint.h>

#include "pf/net_stream.h"

#include "frame_log.h"

struct pw_source_cursor;

/* One session's frame path on native threads (architecture §2): a source thread fills a
 * bounded ring of preallocated frames at the client's rate; the video thread encodes,
 * packetizes (libpfcore) and paces each frame out; the audio thread encodes Opus and sends
 * it with FEC. Nothing on these threads allocates per frame. */
typedef struct pipeline pipeline;

#define PIPELINE_SOURCE_TESTPATTERN 0u /* drawn in-process */
#define PIPELINE_SOURCE_PIPEWIRE 1u    /* libpfcapture's test-pattern node, captured */
#define PIPELINE_SOURCE_VDISPLAY 2u    /* a virtual output at the client's mode, captured */
#define PIPELINE_SOURCE_NODE 3u        /* node_id on pipewire_remote (the session's desktop) */

/* Where encoded media goes instead of the GameStream packetizers (punktfunk/1 sessions).
 * Called on the video / audio thread; video returns 0, or PF_ERR_STATE when the peer cannot
 * take frames yet (the next frame is then an IDR). The video call gets the frame's stage
 * stamps on CLOCK_MONOTONIC: capture (@p pts_ns), taken off the ring by the video thread
 * (@p dequeued_ns) and encoded (@p encoded_ns), for host-timing reports. */
typedef struct pipeline_sink {
    void *user;
    int (*video)(void *user, const uint8_t *au, size_t len, uint64_t pts_ns,
                 uint64_t dequeued_ns, uint64_t encoded_ns, int idr);
    void (*audio)(void *user, const uint8_t *opus, size_t len, uint64_t pts_ns);
    /* With pipeline_settings.cursor: the pointer the capture describes (source_pw.h,
     * pw_source_cursor), called on the capture thread after every wake-up, at least once per
     * frame interval. May be NULL. */
    void (*cursor)(void *user, const struct pw_source_cursor *c);
} pipeline_sink;

typedef struct pipeline_settings {
    pf_net_gs_stream_config cfg;
    uint8_t rikey[16];
    uint32_t rikeyid;
    int video_fd, audio_fd;   /* media sockets, borrowed */
    uint32_t source;          /* PIPELINE_SOURCE_* */
    uint32_t session_id;      /* names the session's virtual sink */
    uint32_t fec_percent;     /* video parity percentage */
    const char *pipewire_remote; /* PIPELINE_SOURCE_PIPEWIRE: NULL = default; borrowed */
    const char *vdisplay_backend; /* PIPELINE_SOURCE_VDISPLAY: NULL = autoselect; borrowed */
    int64_t node_id;              /* PIPELINE_SOURCE_NODE */
    uint32_t audio_coupling;      /* PF_ENCODE_AUDIO_COUPLING_* of 5.1 / 7.1 normal quality */
    uint32_t audio_bitrate_bps;   /* 0: the layout's GameStream rate */
    pf_log_hook log;
    const pipeline_sink *sink; /* NULL: GameStream; else borrowed, outlives the pipeline */
    frame_log *frame_log;      /* GameStream: each sent frame's line; NULL = none; borrowed */
    /* Captured sources: the pointer as metadata, not in the picture, where the output can
     * (PIPELINE_SOURCE_VDISPLAY: asked of the backend; PIPELINE_SOURCE_NODE: the node was made
     * so); reported to sink->cursor. */
    int cursor;
} pipeline_settings;

typedef struct pipeline_stats {
    uint64_t frames_captured, frames_dropped, frames_encoded, frames_sent, idr_frames;
    /* frames_dropped: times the source found the ring full (it then waits) */
    uint64_t bytes_sent, packets_sent, fec_skipped;
    uint64_t encode_ns_total, send_ns_total;   /* sums over frames_sent */
    uint64_t audio_packets;
} pipeline_stats;

/* Starts the threads. Returns 0 or a PF_ERR_* value (encoder unavailable: UNSUPPORTED). */
int pipeline_create(const pipeline_settings *st, pipeline **ret);
/* Stops and joins the threads, frees everything; NULL allowed. */
void pipeline_destroy(pipeline *p);
/* Where media goes (PF_NET_GS_MEDIA_*); any thread. */
void pipeline_set_peer(pipeline *p, uint32_t which, uint32_t addr_be, uint16_t port);
/* The next encoded frame is an IDR; any thread. */
void pipeline_request_idr(pipeline *p);
/* Target bitrate from the next frame on (rate adaptation); any thread. */
void pipeline_set_bitrate(pipeline *p, uint32_t kbps);
uint32_t pipeline_get_bitrate(pipeline *p);
/* The ceiling pipeline_set_bitrate() applies: frames stay inside the FEC budget below it. */
uint32_t pipeline_get_max_bitrate(const pipeline *p);
/* Video parity percentage for the frames to come (adaptive FEC); any thread. */
void pipeline_set_fec(pipeline *p, uint32_t percent);
uint32_t pipeline_get_fec(pipeline *p);
void pipeline_get_stats(pipeline *p, pipeline_stats *ret);
/* 1 once the captured source could not open or broke: no more frames will come. Any thread. */
int pipeline_source_failed(pipeline *p);

#endif
