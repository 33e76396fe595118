/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/capture_audio.h
 * Audio capture for one streaming session: a virtual sink (a PipeWire null sink) that is made
 * the default sink while the session streams (the previous default comes back afterwards),
 * captured as 48 kHz interleaved float or s16 in fixed periods.
 *
 * As for video, PipeWire's thread only copies periods into a preallocated ring and wakes the
 * owner through an eventfd; the owner reads whole periods with pf_capture_audio_read().
 *
 * Since 0.1.
 */
#ifndef PF_CAPTURE_AUDIO_H
#define PF_CAPTURE_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pf_capture_audio pf_capture_audio;

#define PF_CAPTURE_AUDIO_F32 0u /**< interleaved 32-bit float */
#define PF_CAPTURE_AUDIO_S16 1u /**< interleaved signed 16-bit */

/** Settings; initialise with pf_capture_audio_settings_init(). Since 0.1. */
typedef struct pf_capture_audio_settings {
    uint32_t struct_size;  /**< Since 0.1. */
    uint32_t sample_format; /**< PF_CAPTURE_AUDIO_*; default F32. Since 0.1. */
    uint32_t channels;     /**< 2, 6 (5.1) or 8 (7.1); default 2. Since 0.1. */
    uint32_t rate;         /**< 48000 only. Since 0.1. */
    uint32_t period_ms;    /**< 5 or 10; default 10. Since 0.1. */
    uint32_t ring_periods; /**< periods buffered before the oldest is dropped; 0 = 32. Since 0.1. */
    uint32_t make_default; /**< 1 (default): make the sink the default while capturing. Since 0.1. */
    uint32_t reserved;
    const char *remote;    /**< PipeWire remote; NULL = default. Borrowed. Since 0.1. */
    const char *sink_name; /**< node.name of the virtual sink; NULL = "pf-sink". Borrowed.
                                Since 0.1. */
    pf_log_hook log;       /**< Since 0.1. */
} pf_capture_audio_settings;

/** Counters. Since 0.1. */
typedef struct pf_capture_audio_stats {
    uint32_t struct_size; /**< Since 0.1. */
    uint32_t reserved;
    uint64_t periods;     /**< periods captured. Since 0.1. */
    uint64_t dropped;     /**< periods lost because the owner read too slowly. Since 0.1. */
} pf_capture_audio_stats;

/** Fills defaults. @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_capture_audio_settings_init(pf_capture_audio_settings *settings);

/**
 * Creates the virtual sink, makes it the default (when asked) and starts capturing its
 * monitor.
 * @return 0; PF_ERR_INVALID_ARGUMENT (rate, channels, period); PF_ERR_NOMEM; PF_ERR_IO
 * when PipeWire is unreachable; PF_ERR_TIMEOUT when the sink does not appear in 2 s.
 * Ownership: free with pf_capture_audio_destroy(). Threading: owner thread only.
 * Since 0.1.
 */
PF_EXPORT int pf_capture_audio_create(const pf_capture_audio_settings *settings,
                                      pf_capture_audio **ret_audio);

/** Restores the previous default sink, removes the virtual sink (NULL is a no-op). Since 0.1. */
PF_EXPORT void pf_capture_audio_destroy(pf_capture_audio *audio);

/** @return the eventfd (borrowed) that turns readable when a period is queued. Since 0.1. */
PF_EXPORT int pf_capture_audio_get_fd(pf_capture_audio *audio);

/** @return the node id of the virtual sink (where players should play), or an error. Since 0.1. */
PF_EXPORT int64_t pf_capture_audio_get_sink_id(pf_capture_audio *audio);

/** @return bytes of one period (frames × channels × sample size). Since 0.1. */
PF_EXPORT int32_t pf_capture_audio_get_period_bytes(pf_capture_audio *audio);

/**
 * Copies the oldest queued period into @p buf.
 * @param buf receives one period of interleaved samples; borrowed.
 * @param size at least pf_capture_audio_get_period_bytes().
 * @param ret_pts_ns receives the CLOCK_MONOTONIC time of the period's arrival; may be NULL.
 * @return bytes copied; PF_ERR_AGAIN when none is queued; PF_ERR_BUFFER_TOO_SMALL;
 * PF_ERR_IO once the stream failed (daemon gone). Since 0.1.
 */
PF_EXPORT int32_t pf_capture_audio_read(pf_capture_audio *audio, void *buf, size_t size,
                                        uint64_t *ret_pts_ns);

/** @param ret_stats receives the counters. @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_capture_audio_get_stats(pf_capture_audio *audio,
                                         pf_capture_audio_stats *ret_stats);

#ifdef __cplusplus
}
#endif

#endif
