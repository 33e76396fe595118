/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DRM PRIME description VAAPI and NVENC import dmabufs from, checked field by field with
 * a memfd standing in for the dmabuf (no DRM device here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "ff_frames.h"
#include "pf/core/error.h"

static pf_frame nv12_frame(int fd)
{
    pf_frame f;
    memset(&f, 0, sizeof(f));
    f.struct_size = sizeof(f);
    f.width = 1920;
    f.height = 1080;
    f.format = PF_FRAME_FORMAT_NV12;
    f.memory = PF_FRAME_MEMORY_DMABUF;
    f.n_planes = 2;
    f.modifier = PF_FRAME_MODIFIER_LINEAR;
    f.planes[0] = (pf_frame_plane){.fd = fd, .offset = 0, .stride = 2048};
    f.planes[1] = (pf_frame_plane){.fd = fd, .offset = 2048 * 1088, .stride = 2048};
    f.sync_fd = -1;
    f.timeline_fd = -1;
    return f;
}

static void planes_of_one_buffer_share_an_object(void **state)
{
    int fd = memfd_create("nv12", MFD_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 2048 * 1088 * 3 / 2), 0);
    struct pfi_drm_frame d;
    assert_int_equal(pfi_drm_frame_init(&d), 0);
    pf_frame f = nv12_frame(fd);
    assert_int_equal(pfi_drm_frame_fill(&d, &f), 0);
    const AVDRMFrameDescriptor *desc = (const AVDRMFrameDescriptor *)d.frame->data[0];
    assert_int_equal(d.frame->format, AV_PIX_FMT_DRM_PRIME);
    assert_int_equal(d.frame->width, 1920);
    assert_int_equal(desc->nb_objects, 1);
    assert_int_equal(desc->objects[0].fd, fd);
    assert_int_equal(desc->objects[0].size, 2048 * 1088 * 3 / 2);
    assert_int_equal(desc->objects[0].format_modifier, PF_FRAME_MODIFIER_LINEAR);
    assert_int_equal(desc->nb_layers, 1);
    assert_int_equal(desc->layers[0].format, PF_FRAME_FORMAT_NV12);
    assert_int_equal(desc->layers[0].nb_planes, 2);
    assert_int_equal(desc->layers[0].planes[1].object_index, 0);
    assert_int_equal(desc->layers[0].planes[1].offset, 2048 * 1088);
    assert_int_equal(desc->layers[0].planes[1].pitch, 2048);

    /* Two buffers: two objects. Refilling reuses the descriptor (no allocation). */
    int fd2 = memfd_create("uv", MFD_CLOEXEC);
    f.planes[1].fd = fd2;
    f.planes[1].offset = 0;
    assert_int_equal(pfi_drm_frame_fill(&d, &f), 0);
    assert_int_equal(desc->nb_objects, 2);
    assert_int_equal(desc->layers[0].planes[1].object_index, 1);
    assert_ptr_equal(d.frame->data[0], (uint8_t *)desc);

    /* An implicit (unknown) modifier cannot be imported faithfully. */
    f.modifier = PF_FRAME_MODIFIER_INVALID;
    assert_int_equal(pfi_drm_frame_fill(&d, &f), PF_ERR_UNSUPPORTED);
    pfi_drm_frame_finish(&d);
    close(fd);
    close(fd2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planes_of_one_buffer_share_an_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
