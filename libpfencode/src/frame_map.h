/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CPU access to a pf_frame: its data pointers, or a read-only mapping of linear dmabufs
 * (bracketed by DMA_BUF_IOCTL_SYNC so caches are coherent with the GPU's writes). */
#ifndef PF_ENCODE_FRAME_MAP_H
#define PF_ENCODE_FRAME_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "pf/common/frame.h"

struct pfi_frame_map {
    const uint8_t *plane[PF_FRAME_MAX_PLANES];
    int stride[PF_FRAME_MAX_PLANES];
    void *map[PF_FRAME_MAX_PLANES];
    size_t map_len[PF_FRAME_MAX_PLANES];
    int sync_fd[PF_FRAME_MAX_PLANES];
    uint32_t n;
};

/* Returns PF_ERR_UNSUPPORTED for a tiled (non-linear) dmabuf, PF_ERR_IO when mmap fails. */
int pfi_frame_map(const pf_frame *frame, struct pfi_frame_map *m);
void pfi_frame_unmap(struct pfi_frame_map *m);

#endif
