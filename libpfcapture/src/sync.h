/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_SYNC_H
#define PF_CAPTURE_SYNC_H

#include <stdint.h>

/* The kernel's numbers, spelled out so that the build does not depend on the age of the
 * installed uapi headers; a unit test checks them against <linux/dma-buf.h>. */
#define PFI_DMA_BUF_SYNC_READ 1u
#define PFI_DMA_BUF_IOCTL_EXPORT_SYNC_FILE 0xC0086202ul /* _IOWR('b', 2, 8-byte struct) */

struct pfi_dma_buf_export_sync_file {
    uint32_t flags;
    int32_t fd;
};

/* Everything that touches a kernel object goes through this table, so the wait logic can be
 * driven with eventfds and a fake timeline on machines without dmabufs or DRM. */
struct pfi_sync_ops {
    /* Snapshot the implicit fences of @dmabuf_fd that a reader must wait (read access) as a
     * sync_file. 0 and *ret_fd, or -errno (-ENOTTY on kernels before 6.0). */
    int (*export_sync_file)(void *user_data, int dmabuf_fd, int *ret_fd);
    /* Wait until timeline point @point of syncobj @syncobj_fd is signalled (and submitted),
     * at most @timeout_ns. 0, -ETIME on timeout, other -errno. */
    int (*timeline_wait)(void *user_data, int syncobj_fd, uint64_t point, int64_t timeout_ns);
    /* Signal @point of syncobj @syncobj_fd from the CPU. 0 or -errno. */
    int (*timeline_signal)(void *user_data, int syncobj_fd, uint64_t point);
    void *user_data;
};

struct pfi_sync {
    struct pfi_sync_ops ops;
    int drm_fd;          /* render node for the real syncobj calls, or -1 */
    uint32_t timeout_us; /* bound on one wait */
    uint64_t waits;      /* fences that were still pending when looked at */
    uint64_t timeouts;   /* waits that ran out */
    int busy_reported;   /* whether "render in flight" was already logged for this stream */
    int implicit_unsupported; /* export ioctl missing: poll the dmabuf itself */
};

/* Results of one frame's wait. */
#define PFI_SYNC_READY 0   /* nothing was pending */
#define PFI_SYNC_WAITED 1  /* a render was in flight and finished within the bound */
#define PFI_SYNC_TIMEOUT 2 /* the bound ran out; the frame goes out and a timeout is counted */

/* Real kernel ops (ioctl on the dmabuf, libdrm syncobj on @drm_fd, which may be -1 when
 * no render node exists: timelines then fail with -ENODEV). */
void pfi_sync_init(struct pfi_sync *sync, int drm_fd, uint32_t timeout_us);
void pfi_sync_init_ops(struct pfi_sync *sync, const struct pfi_sync_ops *ops,
                       uint32_t timeout_us);

/* Poll @fd (a sync_file, a dmabuf, or any pollable stand-in) for readability, at most
 * @timeout_us. PFI_SYNC_READY, PFI_SYNC_WAITED, PFI_SYNC_TIMEOUT, or -errno. */
int pfi_sync_wait_fd(int fd, uint32_t timeout_us);

/* Implicit sync before a read of @n_fds dmabuf planes (duplicates are skipped). Returns the
 * worst PFI_SYNC_* over the planes; updates the counters. */
int pfi_sync_implicit(struct pfi_sync *sync, const int *fds, uint32_t n_fds);

/* Explicit sync: wait @acquire_point of @syncobj_fd. PFI_SYNC_* or -errno. */
int pfi_sync_timeline_acquire(struct pfi_sync *sync, int syncobj_fd, uint64_t acquire_point);

/* Tell the producer the buffer may be reused. 0 or -errno. */
int pfi_sync_timeline_release(struct pfi_sync *sync, int syncobj_fd, uint64_t release_point);

/* Opens the first DRM render node (O_CLOEXEC), or @path; -1 when there is none. */
int pfi_sync_open_render_node(const char *path);

#endif
