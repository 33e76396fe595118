/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Format and modifier negotiation pods, without a daemon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <spa/param/audio/format-utils.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/iter.h>

#include "pf/core/error.h"

#include "format.h"

static void offer_with(struct pfi_format_offer *o, uint32_t flags, const uint64_t *mods,
                       uint32_t n_mods)
{
    pf_capture_settings s;

    pf_capture_settings_init(&s);
    s.flags = flags;
    s.modifiers = mods;
    s.n_modifiers = n_mods;
    s.width = 1920;
    s.height = 1080;
    s.fps = 60;
    assert_int_equal(pfi_format_offer_init(o, &s), 0);
}

static void test_offer_defaults(void **state)
{
    static const uint64_t mods[] = { 0x0100000000000002ull, PF_FRAME_MODIFIER_LINEAR,
                                     PF_FRAME_MODIFIER_INVALID };
    struct pfi_format_offer o;

    (void)state;
    offer_with(&o, 0, mods, 3);
    assert_int_equal(o.n_formats, 4);
    assert_int_equal(o.formats[0], PF_FRAME_FORMAT_BGRX);
    /* Device modifier first, LINEAR once and last, INVALID dropped. */
    assert_int_equal(o.n_modifiers, 2);
    assert_true(o.modifiers[0] == 0x0100000000000002ull);
    assert_true(o.modifiers[1] == PF_FRAME_MODIFIER_LINEAR);
    assert_true(o.dmabuf && o.shm);
}

static void test_offer_rejects(void **state)
{
    pf_capture_settings s;
    struct pfi_format_offer o;

    (void)state;
    pf_capture_settings_init(&s);
    s.formats[0] = PF_FOURCC('Y', 'U', 'Y', 'V');
    s.n_formats = 1;
    assert_int_equal(pfi_format_offer_init(&o, &s), PF_ERR_INVALID_ARGUMENT);
    pf_capture_settings_init(&s);
    s.n_formats = PF_CAPTURE_MAX_FORMATS + 1;
    assert_int_equal(pfi_format_offer_init(&o, &s), PF_ERR_INVALID_ARGUMENT);
    pf_capture_settings_init(&s);
    s.n_modifiers = 2; /* but no array */
    assert_int_equal(pfi_format_offer_init(&o, &s), PF_ERR_INVALID_ARGUMENT);
}

static int pod_has_modifier(const struct spa_pod *pod, uint32_t *ret_flags, uint32_t *ret_n)
{
    const struct spa_pod_prop *p = spa_pod_find_prop(pod, NULL, SPA_FORMAT_VIDEO_modifier);
    uint32_t choice;

    if (!p)
        return 0;
    *ret_flags = p->flags;
    spa_pod_get_values(&p->value, ret_n, &choice);
    return 1;
}

static void test_build(void **state)
{
    static const uint64_t mods[] = { 0x0100000000000002ull };
    uint8_t buf[8192];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *pods[16];
    struct pfi_format_offer o;
    uint32_t n, flags, n_vals;
    uint64_t fixed = PF_FRAME_MODIFIER_LINEAR;

    (void)state;
    offer_with(&o, 0, mods, 1);
    n = pfi_format_build(&o, NULL, &b, pods, 16);
    assert_int_equal(n, 8);
    for (uint32_t i = 0; i < 4; i++) {
        struct spa_video_info_raw raw;

        assert_true(pod_has_modifier(pods[i], &flags, &n_vals));
        assert_true(flags & SPA_POD_PROP_FLAG_DONT_FIXATE);
        assert_true(flags & SPA_POD_PROP_FLAG_MANDATORY);
        assert_int_equal(n_vals, 3); /* default + two alternatives */
        memset(&raw, 0, sizeof(raw));
        assert_true(spa_format_video_raw_parse(pods[i], &raw) >= 0);
        assert_int_equal(pfi_format_from_spa(raw.format), o.formats[i]);
        {
            /* The client's mode, fixed. */
            const struct spa_pod_prop *p = spa_pod_find_prop(pods[i], NULL,
                                                             SPA_FORMAT_VIDEO_size);
            const struct spa_rectangle *def;
            uint32_t n_sz, choice;

            assert_non_null(p);
            def = SPA_POD_BODY_CONST(spa_pod_get_values(&p->value, &n_sz, &choice));
            assert_int_equal(choice, SPA_CHOICE_None);
            assert_int_equal(def->width, 1920);
            assert_int_equal(def->height, 1080);
        }
    }
    for (uint32_t i = 4; i < 8; i++)
        assert_false(pod_has_modifier(pods[i], &flags, &n_vals));

    offer_with(&o, PF_CAPTURE_FLAG_NO_DMABUF, NULL, 0);
    assert_int_equal(pfi_format_build(&o, NULL, &b, pods, 16), 4);
    assert_false(pod_has_modifier(pods[0], &flags, &n_vals));

    offer_with(&o, PF_CAPTURE_FLAG_NO_SHM, NULL, 0);
    assert_int_equal(pfi_format_build(&o, &fixed, &b, pods, 16), 4);
    assert_true(pod_has_modifier(pods[0], &flags, &n_vals));
    assert_false(flags & SPA_POD_PROP_FLAG_DONT_FIXATE);
    assert_int_equal(n_vals, 1);
}

static const struct spa_pod *make_format(struct spa_pod_builder *b, uint32_t spa_fmt,
                                         uint32_t w, uint32_t h, const int64_t *mods,
                                         uint32_t n_mods, int dont_fixate)
{
    struct spa_pod_frame f[2];
    struct spa_rectangle size = SPA_RECTANGLE(w, h);
    struct spa_fraction rate = SPA_FRACTION(60, 1);

    spa_pod_builder_push_object(b, &f[0], SPA_TYPE_OBJECT_Format, SPA_PARAM_Format);
    spa_pod_builder_add(b, SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
                        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
                        SPA_FORMAT_VIDEO_format, SPA_POD_Id(spa_fmt),
                        SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&size),
                        SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&rate), 0);
    if (n_mods == 1 && !dont_fixate) {
        spa_pod_builder_prop(b, SPA_FORMAT_VIDEO_modifier, SPA_POD_PROP_FLAG_MANDATORY);
        spa_pod_builder_long(b, mods[0]);
    } else if (n_mods) {
        spa_pod_builder_prop(b, SPA_FORMAT_VIDEO_modifier,
                             SPA_POD_PROP_FLAG_MANDATORY | SPA_POD_PROP_FLAG_DONT_FIXATE);
        spa_pod_builder_push_choice(b, &f[1], SPA_CHOICE_Enum, 0);
        spa_pod_builder_long(b, mods[0]);
        for (uint32_t i = 0; i < n_mods; i++)
            spa_pod_builder_long(b, mods[i]);
        spa_pod_builder_pop(b, &f[1]);
    }
    return spa_pod_builder_pop(b, &f[0]);
}

static void test_parse(void **state)
{
    static const uint64_t mods[] = { 0x0100000000000002ull };
    static const int64_t linear[] = { 0 };
    static const int64_t choice[] = { 0x0100000000000005ll, 0, 0x0100000000000002ll };
    static const int64_t foreign[] = { 0x0100000000000009ll, 0x010000000000000all };
    uint8_t buf[4096];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    struct pfi_format_offer o;
    struct pfi_format_result r;
    uint64_t picked = 99;

    (void)state;
    offer_with(&o, 0, mods, 1);
    assert_int_equal(pfi_format_parse(&o, make_format(&b, SPA_VIDEO_FORMAT_BGRx, 1280, 720,
                                                      NULL, 0, 0), &r), 0);
    assert_int_equal(r.format, PF_FRAME_FORMAT_BGRX);
    assert_int_equal(r.width, 1280);
    assert_int_equal(r.height, 720);
    assert_int_equal(r.fps_num, 60);
    assert_false(r.has_modifier);

    assert_int_equal(pfi_format_parse(&o, make_format(&b, SPA_VIDEO_FORMAT_RGBx, 64, 64,
                                                      linear, 1, 0), &r), 0);
    assert_true(r.has_modifier && r.modifier_fixed);
    assert_true(r.modifier == 0);

    /* A choice: the consumer's preference (the device modifier) wins over LINEAR. */
    assert_int_equal(pfi_format_parse(&o, make_format(&b, SPA_VIDEO_FORMAT_BGRx, 64, 64,
                                                      choice, 3, 1), &r), 0);
    assert_false(r.modifier_fixed);
    assert_int_equal(pfi_format_pick_modifier(&o, &r, &picked), 0);
    assert_true(picked == 0x0100000000000002ull);

    assert_int_equal(pfi_format_parse(&o, make_format(&b, SPA_VIDEO_FORMAT_BGRx, 64, 64,
                                                      foreign, 2, 1), &r), 0);
    assert_int_equal(pfi_format_pick_modifier(&o, &r, &picked), PF_ERR_UNSUPPORTED);

    /* Formats the encoder cannot take and things that are not raw video. */
    assert_int_equal(pfi_format_parse(&o, make_format(&b, SPA_VIDEO_FORMAT_YUY2, 64, 64,
                                                      NULL, 0, 0), &r), PF_ERR_UNSUPPORTED);
    assert_int_equal(pfi_format_parse(&o, make_format(&b, SPA_VIDEO_FORMAT_BGRx, 0, 0,
                                                      NULL, 0, 0), &r), PF_ERR_MALFORMED);
    {
        struct spa_audio_info_raw a = { .format = SPA_AUDIO_FORMAT_F32, .rate = 48000,
                                        .channels = 2 };
        const struct spa_pod *ap = spa_format_audio_raw_build(&b, SPA_PARAM_Format, &a);

        assert_int_equal(pfi_format_parse(&o, ap, &r), PF_ERR_MALFORMED);
    }
    assert_int_equal(pfi_format_parse(&o, NULL, &r), PF_ERR_MALFORMED);
}

static void test_format_map(void **state)
{
    (void)state;
    assert_int_equal(pfi_format_to_spa(PF_FRAME_FORMAT_BGRX), SPA_VIDEO_FORMAT_BGRx);
    assert_int_equal(pfi_format_from_spa(SPA_VIDEO_FORMAT_RGBA), PF_FRAME_FORMAT_RGBA);
    assert_int_equal(pfi_format_to_spa(0x12345678), SPA_VIDEO_FORMAT_UNKNOWN);
    assert_int_equal(pfi_format_from_spa(SPA_VIDEO_FORMAT_YUY2), 0);
    assert_int_equal(pfi_format_bpp(PF_FRAME_FORMAT_RGBX), 4);
    assert_int_equal(pfi_format_bpp(PF_FRAME_FORMAT_NV12), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offer_defaults),
        cmocka_unit_test(test_offer_rejects),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format_map),
    };
    return cmocka_run_group_tests_name("capture_format", tests, NULL, NULL);
}
