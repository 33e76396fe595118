/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

static int real_export_sync_file(void *user_data, int dmabuf_fd, int *ret_fd)
{
    struct pfi_dma_buf_export_sync_file arg = { .flags = PFI_DMA_BUF_SYNC_READ, .fd = -1 };

    (void)user_data;
    if (ioctl(dmabuf_fd, PFI_DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg) < 0)
        return -errno;
    *ret_fd = arg.fd;
    return 0;
}

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Syncobj handles are per DRM fd; converting on each call keeps no state per buffer and costs
 * two ioctls, no allocation. */
static int real_timeline_wait(void *user_data, int syncobj_fd, uint64_t point, int64_t timeout_ns)
{
    int drm_fd = *(const int *)user_data;
    uint32_t handle;
    int r;

    if (drm_fd < 0)
        return -ENODEV;
    if (drmSyncobjFDToHandle(drm_fd, syncobj_fd, &handle) < 0)
        return -errno;
    /* The deadline is absolute CLOCK_MONOTONIC; WAIT_FOR_SUBMIT covers a point whose fence
     * the producer has not attached yet. */
    r = drmSyncobjTimelineWait(drm_fd, &handle, &point, 1, mono_ns() + timeout_ns,
                               DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
    r = r < 0 ? -errno : 0;
    drmSyncobjDestroy(drm_fd, handle);
    return r;
}

static int real_timeline_signal(void *user_data, int syncobj_fd, uint64_t point)
{
    int drm_fd = *(const int *)user_data;
    uint32_t handle;
    int r;

    if (drm_fd < 0)
        return -ENODEV;
    if (drmSyncobjFDToHandle(drm_fd, syncobj_fd, &handle) < 0)
        return -errno;
    r = drmSyncobjTimelineSignal(drm_fd, &handle, &point, 1) < 0 ? -errno : 0;
    drmSyncobjDestroy(drm_fd, handle);
    return r;
}

void pfi_sync_init(struct pfi_sync *sync, int drm_fd, uint32_t timeout_us)
{
    memset(sync, 0, sizeof(*sync));
    sync->drm_fd = drm_fd;
    sync->ops.export_sync_file = real_export_sync_file;
    sync->ops.timeline_wait = real_timeline_wait;
    sync->ops.timeline_signal = real_timeline_signal;
    sync->ops.user_data = &sync->drm_fd;
    sync->timeout_us = timeout_us;
}

void pfi_sync_init_ops(struct pfi_sync *sync, const struct pfi_sync_ops *ops, uint32_t timeout_us)
{
    memset(sync, 0, sizeof(*sync));
    sync->drm_fd = -1;
    sync->ops = *ops;
    sync->timeout_us = timeout_us;
}

int pfi_sync_wait_fd(int fd, uint32_t timeout_us)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    struct timespec ts;
    int64_t deadline, left;
    int r;

    if (fd < 0)
        return -EBADF;
    r = poll(&pfd, 1, 0);
    if (r > 0)
        return (pfd.revents & POLLNVAL) ? -EBADF : PFI_SYNC_READY;
    if (r < 0 && errno != EINTR)
        return -errno;
    deadline = mono_ns() + (int64_t)timeout_us * 1000;
    for (;;) {
        left = deadline - mono_ns();
        if (left <= 0)
            return PFI_SYNC_TIMEOUT;
        ts.tv_sec = left / 1000000000ll;
        ts.tv_nsec = left % 1000000000ll;
        r = ppoll(&pfd, 1, &ts, NULL);
        if (r > 0)
            return (pfd.revents & POLLNVAL) ? -EBADF : PFI_SYNC_WAITED;
        if (r == 0)
            return PFI_SYNC_TIMEOUT;
        if (errno != EINTR)
            return -errno;
    }
}

static int account(struct pfi_sync *sync, int r)
{
    if (r == PFI_SYNC_WAITED || r == PFI_SYNC_TIMEOUT)
        sync->waits++;
    if (r == PFI_SYNC_TIMEOUT)
        sync->timeouts++;
    return r;
}

int pfi_sync_implicit(struct pfi_sync *sync, const int *fds, uint32_t n_fds)
{
    int worst = PFI_SYNC_READY;

    for (uint32_t i = 0; i < n_fds; i++) {
        int fence = -1, r, dup_plane = 0;

        if (fds[i] < 0)
            continue;
        /* Planes of one buffer usually share an fd; one fence covers them. */
        for (uint32_t j = 0; j < i; j++)
            dup_plane |= fds[j] == fds[i];
        if (dup_plane)
            continue;
        if (!sync->implicit_unsupported) {
            r = sync->ops.export_sync_file(sync->ops.user_data, fds[i], &fence);
            if (r == -ENOTTY || r == -EINVAL)
                sync->implicit_unsupported = 1;
            else if (r < 0)
                return r;
        }
        /* Before Linux 6.0 the snapshot ioctl is missing, but polling the dmabuf itself for
         * POLLIN waits the same exclusive (write) fences, only without a snapshot. */
        r = pfi_sync_wait_fd(fence >= 0 ? fence : fds[i], sync->timeout_us);
        if (fence >= 0)
            close(fence);
        if (r < 0)
            return r;
        r = account(sync, r);
        if (r > worst)
            worst = r;
    }
    return worst;
}

int pfi_sync_timeline_acquire(struct pfi_sync *sync, int syncobj_fd, uint64_t acquire_point)
{
    int r;

    if (syncobj_fd < 0)
        return -EBADF;
    /* A zero timeout asks whether the point is already signalled, which tells apart a render
     * still in flight from a finished one for the statistics. */
    r = sync->ops.timeline_wait(sync->ops.user_data, syncobj_fd, acquire_point, 0);
    if (r == 0)
        return PFI_SYNC_READY;
    if (r != -ETIME && r != -ETIMEDOUT)
        return r;
    r = sync->ops.timeline_wait(sync->ops.user_data, syncobj_fd, acquire_point,
                                (int64_t)sync->timeout_us * 1000);
    if (r == 0)
        return account(sync, PFI_SYNC_WAITED);
    if (r == -ETIME || r == -ETIMEDOUT)
        return account(sync, PFI_SYNC_TIMEOUT);
    return r;
}

int pfi_sync_timeline_release(struct pfi_sync *sync, int syncobj_fd, uint64_t release_point)
{
    if (syncobj_fd < 0)
        return -EBADF;
    return sync->ops.timeline_signal(sync->ops.user_data, syncobj_fd, release_point);
}

int pfi_sync_open_render_node(const char *path)
{
    char name[64];

    if (path)
        return open(path, O_RDWR | O_CLOEXEC);
    for (int i = 128; i < 192; i++) {
        int fd;

        snprintf(name, sizeof(name), "/dev/dri/renderD%d", i);
        fd = open(name, O_RDWR | O_CLOEXEC);
        if (fd >= 0)
            return fd;
    }
    return -1;
}
