/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_IMPL_H
#define PF_CAPTURE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <pipewire/pipewire.h>

#include "pf/capture.h"

#include "cursor.h"
#include "format.h"
#include "pw_util.h"
#include "sync.h"

/* Slots are preallocated: PipeWire's thread fills a free one per buffer and pushes its index
 * through a single-producer single-consumer ring; the owner pops it. */
#define PFI_CAPTURE_SLOTS 32u

#define PFI_SLOT_FREE 0u
#define PFI_SLOT_QUEUED 1u
#define PFI_SLOT_OUT 2u

#define PFI_SLOT_MAGIC 0x70666672u

/* The library's own mapping of a MemFd buffer. PipeWire unmaps its mapping when the buffer
 * goes (the producer died, the format changed); a frame the owner still holds must stay
 * readable until released, so the last of buffer and holders unmaps this one. */
struct pfi_buffer_map {
    void *base;
    size_t len;
    _Atomic uint32_t holders;
    _Atomic uint32_t removed;
    _Atomic uint32_t freed;
};

struct pfi_capture_slot {
    pf_frame frame; /* first: the public pointer is the slot */
    uint32_t magic;
    _Atomic uint32_t state;
    _Atomic uint32_t refs;
    struct pf_capture *owner;
    struct pw_buffer *buffer;  /* NULL once PipeWire took the buffer away */
    struct pfi_buffer_map *map; /* the mapping the frame's planes point into, or NULL */
    uint32_t generation;       /* format generation the buffer belongs to */
    int syncobj_fd;            /* explicit sync: timeline to signal on release */
    uint64_t release_point;
    uint64_t pts_ns;           /* producer stamp, 0 when none */
    uint64_t arrival_ns;
    uint32_t corrupted;
};

struct pf_capture {
    pf_capture_settings settings;
    char *remote;
    char *drm_device;
    const pf_capture_listener *listener;
    void *user_data;
    struct pfi_format_offer offer;
    int event_fd;

    struct pfi_pw pw;
    int connected;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    uint32_t target_id;

    /* Written by PipeWire's thread, read by the owner. */
    _Atomic uint32_t pw_state;       /* PF_CAPTURE_STATE_* seen by the loop */
    _Atomic int pw_error;            /* first error, PF_ERR_* */
    _Atomic uint32_t format_serial;  /* bumps on every Format param */
    _Atomic uint32_t generation;     /* bumps when buffers are replaced */
    _Atomic uint32_t in_use;         /* slots QUEUED or OUT */
    _Atomic uint64_t frames, dropped;
    pthread_mutex_t format_lock;     /* guards fmt (not per frame) */
    struct pfi_format_result fmt;
    uint32_t fmt_memory;
    int has_sync_timeline;

    struct pfi_capture_slot slots[PFI_CAPTURE_SLOTS];
    uint32_t ring[PFI_CAPTURE_SLOTS];
    _Atomic uint32_t ring_head; /* written by PipeWire's thread */
    _Atomic uint32_t ring_tail; /* written by the owner */

    /* Owner-thread state. */
    uint32_t state;
    int error;
    uint32_t seen_format_serial;
    int have_format;
    uint64_t sequence;
    uint64_t delivered;
    uint64_t renegotiations;
    uint64_t dropped_seen;   /* returned unread by the owner (queue depth) */
    uint64_t corrupted_seen; /* flagged by the producer or failing the size checks */
    struct pfi_sync sync;
    int drm_fd;
    struct pfi_cursor *cursor; /* PF_CAPTURE_FLAG_CURSOR only; written by PipeWire's thread */
};

/* pw_stream.c: the PipeWire side. Called with the loop locked except where noted. */
int pfi_capture_stream_connect(struct pf_capture *c);
void pfi_capture_stream_destroy(struct pf_capture *c);
/* Any thread: returns a slot's buffer to PipeWire (takes the loop lock). */
void pfi_capture_stream_return(struct pf_capture *c, struct pfi_capture_slot *slot);
/* Wakes the owner. Any thread. */
void pfi_capture_wake(struct pf_capture *c);
/* Records the first error and wakes the owner. Any thread. */
void pfi_capture_fail(struct pf_capture *c, int err);

#endif
