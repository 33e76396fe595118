/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/capture_testpattern.h
 * A PipeWire video source that draws a moving pattern with the frame counter in its pixels:
 * the source for tests, benchmarks and `pfhost serve --source testpattern`.
 *
 * The counter sits in the first two pixels of row 0 (pixel 0 carries bits 0..23, pixel 1 bits
 * 24..47, as the B, G and R bytes of a 32-bit pixel, low byte first), so a consumer can check
 * order and loss from the pixels alone with pf_capture_testpattern_read_counter().
 *
 * Since 0.1.
 */
#ifndef PF_CAPTURE_TESTPATTERN_H
#define PF_CAPTURE_TESTPATTERN_H

#include <stdint.h>

#include "pf/common/frame.h"
#include "pf/core/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pf_capture_testpattern pf_capture_testpattern;

/** Settings; initialise with pf_capture_testpattern_settings_init(). Since 0.1. */
typedef struct pf_capture_testpattern_settings {
    uint32_t struct_size; /**< Since 0.1. */
    uint32_t width;       /**< pixels, 16..8192; default 1280. Since 0.1. */
    uint32_t height;      /**< pixels, 16..8192; default 720. Since 0.1. */
    uint32_t fps;         /**< 1..1000; default 60. Since 0.1. */
    uint32_t format;      /**< PF_FRAME_FORMAT_BGRX or PF_FRAME_FORMAT_RGBX. Since 0.1. */
    uint32_t n_buffers;   /**< 2..16; default 8. Since 0.1. */
    const char *remote;   /**< PipeWire remote; NULL = default. Borrowed. Since 0.1. */
    const char *node_name; /**< node.name; NULL = "pf-testpattern". Borrowed. Since 0.1. */
    pf_log_hook log;      /**< Since 0.1. */
} pf_capture_testpattern_settings;

/** Fills defaults. @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_capture_testpattern_settings_init(pf_capture_testpattern_settings *settings);

/**
 * Creates the source and connects it (own PipeWire thread; frames are produced at the
 * settings' rate by a timer on that thread, each stamped with CLOCK_MONOTONIC in the
 * buffer header).
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_IO when PipeWire is unreachable;
 * PF_ERR_TIMEOUT when the node id does not appear within 2 s.
 * Ownership: free with pf_capture_testpattern_destroy(). Threading: owner thread only.
 * Since 0.1.
 */
PF_EXPORT int pf_capture_testpattern_create(const pf_capture_testpattern_settings *settings,
                                            pf_capture_testpattern **ret_source);

/** Stops and destroys (NULL is a no-op). Since 0.1. */
PF_EXPORT void pf_capture_testpattern_destroy(pf_capture_testpattern *source);

/**
 * Changes the picture size (a mode change): the stream renegotiates its format and consumers
 * receive frames of the new size after it.
 * @return 0; PF_ERR_INVALID_ARGUMENT (size out of range); PF_ERR_IO. Since 0.1.
 */
PF_EXPORT int pf_capture_testpattern_set_size(pf_capture_testpattern *source, uint32_t width,
                                              uint32_t height);

/** @return the PipeWire node id (> 0), or PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int64_t pf_capture_testpattern_get_node_id(pf_capture_testpattern *source);

/** @return frames produced so far, or 0 for NULL. Since 0.1. */
PF_EXPORT uint64_t pf_capture_testpattern_get_produced(pf_capture_testpattern *source);

/**
 * Reads the counter drawn into a CPU-mapped BGRX/RGBX frame.
 * @param ret_counter receives the 48-bit counter.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_UNSUPPORTED for an unmapped or other format.
 * Since 0.1.
 */
PF_EXPORT int pf_capture_testpattern_read_counter(const pf_frame *frame, uint64_t *ret_counter);

#ifdef __cplusplus
}
#endif

#endif
