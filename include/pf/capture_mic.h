/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/capture_mic.h
 * A virtual microphone: a PipeWire source node (media.class Audio/Source) that applications
 * record from like any microphone, fed by its owner with 48 kHz signed 16-bit PCM (a streaming
 * client's microphone, decoded). The node exists from pf_capture_mic_create() to
 * pf_capture_mic_destroy().
 *
 * The owner writes whatever arrives, whenever it arrives; PipeWire's thread takes one graph
 * quantum at a time from a lock-free ring. An empty ring plays silence (the client paused or a
 * packet was lost); a backlog beyond the settings' buffer is cut to its newest part, so the
 * delay a recorder hears stays bounded.
 *
 * Since 0.2.
 */
#ifndef PF_CAPTURE_MIC_H
#define PF_CAPTURE_MIC_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pf_capture_mic pf_capture_mic;

/** Settings; initialise with pf_capture_mic_settings_init(). Since 0.2. */
typedef struct pf_capture_mic_settings {
    uint32_t struct_size;     /**< Since 0.2. */
    uint32_t channels;        /**< 1 (default) or 2. Since 0.2. */
    uint32_t rate;            /**< 48000 only. Since 0.2. */
    uint32_t buffer_ms;       /**< the most audio held back before the oldest is cut,
                                   20..500; default 60. Since 0.2. */
    const char *remote;       /**< PipeWire remote; NULL = default. Borrowed. Since 0.2. */
    const char *node_name;    /**< node.name; NULL = "pf-mic". Borrowed. Since 0.2. */
    const char *description;  /**< node.description shown to users; NULL = "punktfunk
                                   microphone". Borrowed. Since 0.2. */
    pf_log_hook log;          /**< Since 0.2. */
} pf_capture_mic_settings;

/** Fills defaults. @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_capture_mic_settings_init(pf_capture_mic_settings *settings);

/**
 * Connects to PipeWire and creates the source node.
 * @return 0; PF_ERR_INVALID_ARGUMENT (channels, rate, buffer, a name with quotes or over 99
 *   bytes); PF_ERR_NOMEM; PF_ERR_IO when PipeWire is unreachable or refuses the node;
 *   PF_ERR_TIMEOUT when the node is not ready within 2 s.
 * Ownership: free with pf_capture_mic_destroy(). Threading: owner thread only. Since 0.2.
 */
PF_EXPORT int pf_capture_mic_create(const pf_capture_mic_settings *settings,
                                    pf_capture_mic **ret_mic);

/** Removes the node and disconnects (NULL is a no-op). Since 0.2. */
PF_EXPORT void pf_capture_mic_destroy(pf_capture_mic *mic);

/**
 * Queues @p frames interleaved frames (frames × channels samples) for the source.
 * @return frames queued (fewer when the ring is full: the rest is dropped and counted);
 *   PF_ERR_INVALID_ARGUMENT. Threading: one writer thread at a time (not PipeWire's).
 *   Since 0.2.
 */
PF_EXPORT int32_t pf_capture_mic_write(pf_capture_mic *mic, const int16_t *pcm,
                                       uint32_t frames);

/** @return the source's node id, or PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int64_t pf_capture_mic_get_node_id(pf_capture_mic *mic);

/** Counters. Since 0.2. */
typedef struct pf_capture_mic_stats {
    uint32_t struct_size;  /**< Since 0.2. */
    uint32_t reserved;
    uint64_t written;      /**< frames queued by the owner. Since 0.2. */
    uint64_t played;       /**< frames PipeWire took from the ring. Since 0.2. */
    uint64_t silence;      /**< frames of silence played for want of data. Since 0.2. */
    uint64_t cut;          /**< frames dropped: ring full, or a backlog cut. Since 0.2. */
} pf_capture_mic_stats;

/** @return 0 or PF_ERR_INVALID_ARGUMENT. Any thread. Since 0.2. */
PF_EXPORT int pf_capture_mic_get_stats(pf_capture_mic *mic, pf_capture_mic_stats *ret_stats);

#ifdef __cplusplus
}
#endif

#endif
