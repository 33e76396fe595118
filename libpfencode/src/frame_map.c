/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "frame_map.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "params.h"

static void sync_dmabuf(int fd, uint64_t flags)
{
    struct dma_buf_sync s = {.flags = flags | DMA_BUF_SYNC_READ};
    /* Not every fd is a dmabuf (a memfd stands in for one in tests and some producers):
     * ENOTTY just means there is no cache to manage. */
    while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) < 0 && errno == EINTR)
        ;
}

static uint32_t plane_rows(const pf_frame *frame, uint32_t i)
{
    /* NV12/P010 chroma planes have half the rows. */
    return i == 0 ? frame->height : (frame->height + 1) / 2;
}

int pfi_frame_map(const pf_frame *frame, struct pfi_frame_map *m)
{
    memset(m, 0, sizeof(*m));
    uint32_t bpp;
    uint32_t n = pfi_format_planes(frame->format, &bpp);
    for (uint32_t i = 0; i < PF_FRAME_MAX_PLANES; i++)
        m->sync_fd[i] = -1;
    for (uint32_t i = 0; i < n; i++) {
        const pf_frame_plane *p = &frame->planes[i];
        m->stride[i] = (int)p->stride;
        if (p->data) {
            m->plane[i] = p->data + p->offset;
            continue;
        }
        /* Only linear layouts can be read row by row; tiled ones need a GPU backend. */
        if (frame->modifier != PF_FRAME_MODIFIER_LINEAR) {
            pfi_frame_unmap(m);
            return PF_ERR_UNSUPPORTED;
        }
        size_t len = (size_t)p->offset + (size_t)p->stride * plane_rows(frame, i);
        void *addr = mmap(NULL, len, PROT_READ, MAP_SHARED, p->fd, 0);
        if (addr == MAP_FAILED) {
            pfi_frame_unmap(m);
            return PF_ERR_IO;
        }
        m->map[i] = addr;
        m->map_len[i] = len;
        m->sync_fd[i] = p->fd;
        m->n = i + 1;
        sync_dmabuf(p->fd, DMA_BUF_SYNC_START);
        m->plane[i] = (const uint8_t *)addr + p->offset;
    }
    m->n = n;
    return 0;
}

void pfi_frame_unmap(struct pfi_frame_map *m)
{
    for (uint32_t i = 0; i < PF_FRAME_MAX_PLANES; i++) {
        if (m->map[i]) {
            sync_dmabuf(m->sync_fd[i], DMA_BUF_SYNC_END);
            munmap(m->map[i], m->map_len[i]);
            m->map[i] = NULL;
        }
    }
}
