/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fence-sync logic. No dmabuf or syncobj can be made on CI machines, so an eventfd stands in
 * for the sync_file (readable = signalled) and a small fake timeline for the syncobj; the ioctl
 * numbers are checked against the kernel's uapi headers. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <drm.h>
#include <linux/dma-buf.h>

#include "sync.h"

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void test_ioctl_numbers(void **state)
{
    (void)state;
    assert_int_equal(PFI_DMA_BUF_IOCTL_EXPORT_SYNC_FILE, 0xC0086202ul);
    assert_int_equal(PFI_DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_EXPORT_SYNC_FILE);
    assert_int_equal(PFI_DMA_BUF_SYNC_READ, DMA_BUF_SYNC_READ);
    assert_int_equal(sizeof(struct pfi_dma_buf_export_sync_file),
                     sizeof(struct dma_buf_export_sync_file));
    assert_int_equal(offsetof(struct pfi_dma_buf_export_sync_file, fd),
                     offsetof(struct dma_buf_export_sync_file, fd));
    /* The syncobj calls go through libdrm; pin the timeline ioctls it issues. */
    assert_int_equal(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, 0xC02864CAul);
    assert_int_equal(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, 0xC01864CDul);
    assert_int_equal(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, 0xC01064C2ul);
}

static void test_wait_signalled(void **state)
{
    int fd = eventfd(1, EFD_CLOEXEC);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(pfi_sync_wait_fd(fd, 1000), PFI_SYNC_READY);
    close(fd);
}

static void test_wait_timeout_bounded(void **state)
{
    int fd = eventfd(0, EFD_CLOEXEC);
    uint64_t t0, dt;

    (void)state;
    t0 = now_us();
    assert_int_equal(pfi_sync_wait_fd(fd, 5000), PFI_SYNC_TIMEOUT);
    dt = now_us() - t0;
    assert_true(dt >= 4900);
    assert_true(dt < 200000);
    close(fd);
}

struct signaller {
    int fd;
    uint32_t delay_us;
};

static void *signal_later(void *arg)
{
    struct signaller *s = arg;
    uint64_t one = 1;

    usleep(s->delay_us);
    if (write(s->fd, &one, sizeof(one)) != sizeof(one))
        return NULL;
    return NULL;
}

static void test_wait_until_signalled(void **state)
{
    struct signaller s = { eventfd(0, EFD_CLOEXEC), 10000 };
    pthread_t th;
    uint64_t t0, dt;

    (void)state;
    t0 = now_us();
    pthread_create(&th, NULL, signal_later, &s);
    assert_int_equal(pfi_sync_wait_fd(s.fd, 1000000), PFI_SYNC_WAITED);
    dt = now_us() - t0;
    pthread_join(th, NULL);
    assert_true(dt >= 9000);
    assert_true(dt < 500000);
    close(s.fd);
}

static void test_wait_bad_fd(void **state)
{
    (void)state;
    assert_int_equal(pfi_sync_wait_fd(-1, 1000), -EBADF);
    assert_int_equal(pfi_sync_wait_fd(987654, 1000), -EBADF);
}

/* Fake export: hands out a dup of a "fence" eventfd per dmabuf fd, records calls. */
struct fake_kernel {
    int fence_for[4];
    int dmabuf[4];
    int export_calls;
    int export_error;
    uint64_t signalled_point; /* fake timeline value */
    int timeline_calls;
    uint64_t released;
};

static int fake_export(void *ud, int dmabuf_fd, int *ret_fd)
{
    struct fake_kernel *k = ud;

    k->export_calls++;
    if (k->export_error)
        return k->export_error;
    for (int i = 0; i < 4; i++)
        if (k->dmabuf[i] == dmabuf_fd) {
            *ret_fd = dup(k->fence_for[i]);
            return 0;
        }
    return -EBADF;
}

static int fake_timeline_wait(void *ud, int fd, uint64_t point, int64_t timeout_ns)
{
    struct fake_kernel *k = ud;

    k->timeline_calls++;
    if (k->signalled_point >= point)
        return 0;
    if (timeout_ns > 0)
        usleep((useconds_t)(timeout_ns / 1000));
    return k->signalled_point >= point ? 0 : -ETIME;
}

static int fake_timeline_signal(void *ud, int fd, uint64_t point)
{
    struct fake_kernel *k = ud;

    k->released = point;
    return 0;
}

static void init_fake(struct fake_kernel *k, struct pfi_sync *sync, uint32_t timeout_us)
{
    struct pfi_sync_ops ops = { fake_export, fake_timeline_wait, fake_timeline_signal, k };

    memset(k, 0, sizeof(*k));
    for (int i = 0; i < 4; i++) {
        k->fence_for[i] = eventfd(0, EFD_CLOEXEC);
        k->dmabuf[i] = eventfd(0, EFD_CLOEXEC);
    }
    pfi_sync_init_ops(sync, &ops, timeout_us);
}

static void fini_fake(struct fake_kernel *k)
{
    for (int i = 0; i < 4; i++) {
        close(k->fence_for[i]);
        close(k->dmabuf[i]);
    }
}

static void signal_fd(int fd)
{
    uint64_t one = 1;

    assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
}

static void test_implicit_idle_and_busy(void **state)
{
    struct fake_kernel k;
    struct pfi_sync sync;
    int fds[2];

    (void)state;
    init_fake(&k, &sync, 3000);
    fds[0] = k.dmabuf[0];
    fds[1] = k.dmabuf[1];
    signal_fd(k.fence_for[0]);
    signal_fd(k.fence_for[1]);
    assert_int_equal(pfi_sync_implicit(&sync, fds, 2), PFI_SYNC_READY);
    assert_int_equal(k.export_calls, 2);
    assert_int_equal(sync.waits, 0);

    /* Second plane's render still in flight: bounded wait, counted as a timeout. */
    fds[1] = k.dmabuf[2];
    assert_int_equal(pfi_sync_implicit(&sync, fds, 2), PFI_SYNC_TIMEOUT);
    assert_int_equal(sync.waits, 1);
    assert_int_equal(sync.timeouts, 1);
    fini_fake(&k);
}

static void test_implicit_shared_fd_once(void **state)
{
    struct fake_kernel k;
    struct pfi_sync sync;
    int fds[3];

    (void)state;
    init_fake(&k, &sync, 1000);
    signal_fd(k.fence_for[0]);
    fds[0] = fds[1] = fds[2] = k.dmabuf[0];
    assert_int_equal(pfi_sync_implicit(&sync, fds, 3), PFI_SYNC_READY);
    assert_int_equal(k.export_calls, 1);
    fini_fake(&k);
}

static void test_implicit_waits_for_render(void **state)
{
    struct fake_kernel k;
    struct pfi_sync sync;
    struct signaller s;
    pthread_t th;
    int fd;

    (void)state;
    init_fake(&k, &sync, 1000000);
    s.fd = k.fence_for[3];
    s.delay_us = 10000;
    fd = k.dmabuf[3];
    pthread_create(&th, NULL, signal_later, &s);
    assert_int_equal(pfi_sync_implicit(&sync, &fd, 1), PFI_SYNC_WAITED);
    pthread_join(th, NULL);
    assert_int_equal(sync.waits, 1);
    assert_int_equal(sync.timeouts, 0);
    fini_fake(&k);
}

static void test_implicit_fallback_polls_dmabuf(void **state)
{
    struct fake_kernel k;
    struct pfi_sync sync;
    int fd;

    (void)state;
    init_fake(&k, &sync, 2000);
    k.export_error = -ENOTTY; /* kernel before 6.0 */
    fd = k.dmabuf[0];
    assert_int_equal(pfi_sync_implicit(&sync, &fd, 1), PFI_SYNC_TIMEOUT);
    assert_true(sync.implicit_unsupported);
    signal_fd(k.dmabuf[0]);
    assert_int_equal(pfi_sync_implicit(&sync, &fd, 1), PFI_SYNC_READY);
    /* The ioctl is not retried once the kernel said it lacks it. */
    assert_int_equal(k.export_calls, 1);
    fini_fake(&k);
}

static void test_implicit_error_propagates(void **state)
{
    struct fake_kernel k;
    struct pfi_sync sync;
    int fd;

    (void)state;
    init_fake(&k, &sync, 2000);
    k.export_error = -EIO;
    fd = k.dmabuf[0];
    assert_int_equal(pfi_sync_implicit(&sync, &fd, 1), -EIO);
    fini_fake(&k);
}

static void test_timeline(void **state)
{
    struct fake_kernel k;
    struct pfi_sync sync;

    (void)state;
    init_fake(&k, &sync, 2000);
    k.signalled_point = 5;
    assert_int_equal(pfi_sync_timeline_acquire(&sync, 3, 5), PFI_SYNC_READY);
    assert_int_equal(sync.waits, 0);
    assert_int_equal(pfi_sync_timeline_acquire(&sync, 3, 6), PFI_SYNC_TIMEOUT);
    assert_int_equal(sync.waits, 1);
    assert_int_equal(sync.timeouts, 1);
    assert_int_equal(pfi_sync_timeline_release(&sync, 3, 7), 0);
    assert_int_equal(k.released, 7);
    assert_int_equal(pfi_sync_timeline_acquire(&sync, -1, 1), -EBADF);
    assert_int_equal(pfi_sync_timeline_release(&sync, -1, 1), -EBADF);
    fini_fake(&k);
}

static void test_real_ops_without_device(void **state)
{
    struct pfi_sync sync;
    int fd = eventfd(0, EFD_CLOEXEC);

    (void)state;
    pfi_sync_init(&sync, -1, 1000);
    /* An eventfd is no dmabuf: the ioctl is refused and the poll fallback takes over. */
    assert_int_equal(pfi_sync_implicit(&sync, &fd, 1), PFI_SYNC_TIMEOUT);
    assert_true(sync.implicit_unsupported);
    assert_int_equal(pfi_sync_timeline_acquire(&sync, fd, 1), -ENODEV);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ioctl_numbers),
        cmocka_unit_test(test_wait_signalled),
        cmocka_unit_test(test_wait_timeout_bounded),
        cmocka_unit_test(test_wait_until_signalled),
        cmocka_unit_test(test_wait_bad_fd),
        cmocka_unit_test(test_implicit_idle_and_busy),
        cmocka_unit_test(test_implicit_shared_fd_once),
        cmocka_unit_test(test_implicit_waits_for_render),
        cmocka_unit_test(test_implicit_fallback_polls_dmabuf),
        cmocka_unit_test(test_implicit_error_propagates),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_real_ops_without_device),
    };
    return cmocka_run_group_tests_name("capture_sync", tests, NULL, NULL);
}
