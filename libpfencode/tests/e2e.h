/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* End-to-end harness shared by the encoder tests: numbered moving frames in, access units
 * decoded with libavcodec and checked (one unit per frame, IDR placement, Annex B parameter
 * sets, frame counter, PSNR). Uses cmocka assertions. */
#ifndef PF_ENCODE_TEST_E2E_H
#define PF_ENCODE_TEST_E2E_H

#include <stddef.h>
#include <stdint.h>

#include "pf/encode.h"

struct e2e_fixture {
    pf_encode_device *dev;   /* owned: destroyed by e2e_close */
    pf_encode_video *enc;
    uint8_t *pixels;
    uint8_t *au;
    size_t au_cap;
    uint32_t w, h;
};

/* Opens a device of @p backend (CPU Vulkan allowed); asserts success. */
pf_encode_device *e2e_device(uint32_t backend);
void e2e_open(struct e2e_fixture *f, pf_encode_device *dev, const pf_encode_video_settings *s);
void e2e_close(struct e2e_fixture *f);
pf_frame e2e_cpu_frame(uint8_t *pixels, uint32_t w, uint32_t h, uint64_t n);
/* Draws and submits frame n and takes its access unit (asserting it is the only one). */
int e2e_encode_one(struct e2e_fixture *f, uint32_t n, uint32_t flags, pf_encode_packet *pkt);
/* Encodes frames with IDRs requested at idr_at[], decodes and checks every frame. */
void e2e_run(pf_encode_device *dev, uint32_t codec, uint32_t w, uint32_t h, uint32_t frames,
             const uint32_t *idr_at, size_t n_idr, double min_psnr);

#endif
