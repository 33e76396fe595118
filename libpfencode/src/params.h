/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_ENCODE_PARAMS_H
#define PF_ENCODE_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "pf/encode.h"

#define PFI_MIN_DIM 16u
#define PFI_MAX_DIM 8192u
#define PFI_MIN_KBPS 50u
#define PFI_MAX_KBPS 2000000u
#define PFI_MAX_FPS 1000u
#define PFI_MAX_SLICES 32u

/* Copies the caller's (possibly older, shorter) settings over the defaults and checks every
 * value. Returns PF_ERR_INVALID_ARGUMENT for a value no backend could take. */
int pfi_video_settings_import(const pf_encode_video_settings *in, pf_encode_video_settings *out);

/* Checks a frame descriptor against the stream's settings before any backend reads it. */
int pfi_frame_check(const pf_encode_video_settings *s, const pf_frame *frame);

/* Number of planes a PF_FRAME_FORMAT_* carries, or 0 for a format this library does not
 * know; bytes per pixel of its first plane in *bpp. */
uint32_t pfi_format_planes(uint32_t format, uint32_t *bpp);

bool pfi_format_is_rgb(uint32_t format);

/* Waits a PF_FRAME_SYNC_FILE fence (poll for POLLIN); timelines must have been waited by the
 * producer. Returns PF_ERR_TIMEOUT after timeout_ms. */
int pfi_frame_wait(const pf_frame *frame, int timeout_ms);

#endif
