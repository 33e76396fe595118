/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_FORMAT_H
#define PF_CAPTURE_FORMAT_H

#include <stdint.h>

#include <spa/pod/builder.h>

#include "pf/capture.h"

/* What a consumer accepts, as the EnumFormat parameters express it. */
struct pfi_format_offer {
    uint32_t formats[PF_CAPTURE_MAX_FORMATS]; /* PF_FRAME_FORMAT_* */
    uint32_t n_formats;
    uint64_t modifiers[PF_CAPTURE_MAX_MODIFIERS + 1]; /* LINEAR first */
    uint32_t n_modifiers;
    int dmabuf; /* offer dmabuf pods */
    int shm;    /* offer MemFd/MemPtr pods */
    uint32_t width, height, fps; /* preferred; 0 = any */
};

/* A negotiated format. modifier_fixed == 0 means the producer left a choice of modifiers
 * (modifiers[] lists them) that the consumer must fixate. */
struct pfi_format_result {
    uint32_t format;
    uint32_t width, height;
    uint32_t fps_num, fps_den;
    int has_modifier;
    int modifier_fixed;
    uint64_t modifier;
    uint64_t choices[PF_CAPTURE_MAX_MODIFIERS];
    uint32_t n_choices;
};

/* DRM fourcc <-> SPA video format; 0 / SPA_VIDEO_FORMAT_UNKNOWN when not expressible. */
uint32_t pfi_format_to_spa(uint32_t fourcc);
uint32_t pfi_format_from_spa(uint32_t spa_format);
uint32_t pfi_format_bpp(uint32_t fourcc); /* bytes per pixel of packed RGB, 0 otherwise */

/* Fills @offer from public settings; PF_ERR_INVALID_ARGUMENT for a format SPA cannot name. */
int pfi_format_offer_init(struct pfi_format_offer *offer, const pf_capture_settings *settings);

/* Builds the EnumFormat pods into @b: dmabuf ones first (one per format, all modifiers as a
 * mandatory choice), then shm ones. When @fixed_modifier is not NULL, the dmabuf pods carry
 * only that modifier (the fixation step). Returns the number of pods written to @pods. */
uint32_t pfi_format_build(const struct pfi_format_offer *offer, const uint64_t *fixed_modifier,
                          struct spa_pod_builder *b, const struct spa_pod **pods,
                          uint32_t max_pods);

/* Parses a Format param. PF_ERR_MALFORMED when it is not raw video, PF_ERR_UNSUPPORTED when
 * its pixel format is not one the offer contains. */
int pfi_format_parse(const struct pfi_format_offer *offer, const struct spa_pod *param,
                     struct pfi_format_result *ret);

/* Picks the consumer's modifier from the producer's choices: the first of the consumer's
 * list (its preference order) that the producer offers. PF_ERR_UNSUPPORTED when none. */
int pfi_format_pick_modifier(const struct pfi_format_offer *offer,
                             const struct pfi_format_result *res, uint64_t *ret_modifier);

#endif
