/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Settings validation, and the encoder bookkeeping every backend shares, driven through a
 * fake backend: IDR after an error or a reconfiguration that needed a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "encoder_impl.h"
#include "params.h"

static void defaults_are_valid(void **state)
{
    pf_encode_video_settings s, out;
    pf_encode_video_settings_default(&s);
    assert_int_equal(s.struct_size, sizeof(s));
    assert_int_equal(pfi_video_settings_import(&s, &out), 0);
    assert_int_equal(out.codec, PF_ENCODE_CODEC_H264);
    assert_int_equal(out.bit_depth, 8);
}

static void out_of_range_values_are_refused(void **state)
{
    struct {
        size_t off;
        uint32_t value;
        int want;
    } cases[] = {
        {offsetof(pf_encode_video_settings, codec), 3, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, width), 8, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, width), 1281, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, height), 9000, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, input_format), 0x12345678, PF_ERR_UNSUPPORTED},
        {offsetof(pf_encode_video_settings, fps), 0, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, fps), 1001, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, bitrate_kbps), 10, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, bit_depth), 12, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, bit_depth), 10, PF_ERR_UNSUPPORTED}, /* H.264 */
        {offsetof(pf_encode_video_settings, color_space), 7, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, color_range), 2, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, slices), 0, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, slices), 33, PF_ERR_INVALID_ARGUMENT},
        {offsetof(pf_encode_video_settings, has_hdr10), 1, PF_ERR_INVALID_ARGUMENT}, /* 8-bit */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pf_encode_video_settings s, out;
        pf_encode_video_settings_default(&s);
        memcpy((uint8_t *)&s + cases[i].off, &cases[i].value, sizeof(uint32_t));
        assert_int_equal(pfi_video_settings_import(&s, &out), cases[i].want);
    }
    pf_encode_video_settings s, out;
    pf_encode_video_settings_default(&s);
    s.struct_size = 12;
    assert_int_equal(pfi_video_settings_import(&s, &out), PF_ERR_INVALID_ARGUMENT);
    s.struct_size = sizeof(s) + 4;
    assert_int_equal(pfi_video_settings_import(&s, &out), PF_ERR_INVALID_ARGUMENT);
}

static void older_callers_get_defaults_for_new_fields(void **state)
{
    pf_encode_video_settings s, out;
    memset(&s, 0xff, sizeof(s));
    pf_encode_video_settings_default(&s);
    /* A caller built before hdr10 and log existed. */
    s.struct_size = offsetof(pf_encode_video_settings, hdr10);
    assert_int_equal(pfi_video_settings_import(&s, &out), 0);
    assert_null(out.log.fn);
    assert_int_equal(out.struct_size, sizeof(out));
}

/* A backend that records what it was asked and fails on demand. */
struct fake {
    int fail_next;
    int restart_on_reconfigure;
    bool last_idr;
    int submits;
};

static int fake_open(struct pf_encode_device *d, const pf_encode_device_settings *s)
{
    return 0;
}

static void fake_close(struct pf_encode_device *d)
{
}

static int fake_caps(struct pf_encode_device *d, uint32_t codec, pf_encode_caps *c)
{
    return PF_ERR_UNSUPPORTED;
}

static struct fake the_fake;

static int fake_video_open(struct pf_encode_video *v)
{
    v->priv = &the_fake;
    return 0;
}

static void fake_video_close(struct pf_encode_video *v)
{
}

static int fake_submit(struct pf_encode_video *v, const pf_frame *f, bool idr)
{
    struct fake *fk = v->priv;
    fk->submits++;
    fk->last_idr = idr;
    if (fk->fail_next) {
        fk->fail_next = 0;
        return PF_ERR_IO;
    }
    static const uint8_t au[] = {0, 0, 0, 1, 0x65};
    pf_encode_packet info = {.frame_index = v->frames_in, .flags = idr ? PF_ENCODE_PACKET_IDR : 0};
    return pfi_video_queue_packet(v, au, sizeof(au), &info);
}

static int fake_reconfigure(struct pf_encode_video *v)
{
    return ((struct fake *)v->priv)->restart_on_reconfigure;
}

static const struct pfi_backend fake_backend = {
    .id = PF_ENCODE_BACKEND_SOFTWARE,
    .name = "fake",
    .device_open = fake_open,
    .device_close = fake_close,
    .query_caps = fake_caps,
    .video_open = fake_video_open,
    .video_close = fake_video_close,
    .submit = fake_submit,
    .reconfigure = fake_reconfigure,
};

static pf_frame frame_for(const pf_encode_video_settings *s, uint8_t *px)
{
    pf_frame f;
    memset(&f, 0, sizeof(f));
    f.struct_size = sizeof(f);
    f.width = s->width;
    f.height = s->height;
    f.format = s->input_format;
    f.n_planes = 1;
    f.planes[0].fd = -1;
    f.planes[0].stride = s->width * 4;
    f.planes[0].data = px;
    f.sync_fd = -1;
    f.timeline_fd = -1;
    return f;
}

static void errors_and_restarts_force_an_idr(void **state)
{
    memset(&the_fake, 0, sizeof(the_fake));
    pf_encode_device *dev = calloc(1, sizeof(*dev));
    dev->impl = &fake_backend;
    dev->refs = 1;
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.width = 64;
    s.height = 32;
    pf_encode_video *v;
    assert_int_equal(pf_encode_video_create(dev, &s, &v), 0);
    uint8_t px[64 * 32 * 4] = {0};
    pf_frame f = frame_for(&s, px);
    uint8_t buf[16];

    assert_int_equal(pf_encode_video_submit(v, &f, 0), 0);
    assert_true(the_fake.last_idr); /* the first frame */
    assert_int_equal(pf_encode_video_receive(v, buf, sizeof(buf), NULL), 5);
    assert_int_equal(pf_encode_video_submit(v, &f, 0), 0);
    assert_false(the_fake.last_idr);

    /* A mid-stream failure is reported, and the stream recovers with an IDR. */
    the_fake.fail_next = 1;
    assert_int_equal(pf_encode_video_submit(v, &f, 0), PF_ERR_IO);
    assert_int_equal(pf_encode_video_submit(v, &f, 0), 0);
    assert_true(the_fake.last_idr);
    pf_encode_packet p = {.struct_size = sizeof(p)};
    assert_int_equal(pf_encode_video_receive(v, buf, sizeof(buf), &p), 5);
    assert_int_equal(pf_encode_video_receive(v, buf, sizeof(buf), &p), 5);
    assert_int_equal(p.frame_index, 2);
    assert_true(p.flags & PF_ENCODE_PACKET_IDR);

    /* A rate change the backend applies in place costs no IDR; a restart does. */
    assert_int_equal(pf_encode_video_set_bitrate(v, 5000), 0);
    assert_int_equal(pf_encode_video_submit(v, &f, 0), 0);
    assert_false(the_fake.last_idr);
    the_fake.restart_on_reconfigure = 1;
    assert_int_equal(pf_encode_video_set_fps(v, 144), 0);
    assert_int_equal(pf_encode_video_submit(v, &f, 0), 0);
    assert_true(the_fake.last_idr);
    assert_int_equal(pf_encode_video_set_bitrate(v, 1), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_encode_video_set_fps(v, 0), PF_ERR_INVALID_ARGUMENT);

    /* The device lives until its last encoder is gone. */
    pf_encode_device_destroy(dev);
    assert_int_equal(pf_encode_device_get_backend(v->device), PF_ENCODE_BACKEND_SOFTWARE);
    pf_encode_video_destroy(v);
    pf_encode_video_destroy(NULL);
    pf_encode_device_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_valid),
        cmocka_unit_test(out_of_range_values_are_refused),
        cmocka_unit_test(older_callers_get_defaults_for_new_fields),
        cmocka_unit_test(errors_and_restarts_force_an_idr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
