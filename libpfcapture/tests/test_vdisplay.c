/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Backend selection and argument checks of the virtual display front end, with fake
 * backends; no compositor needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/vdisplay.h"

#include "vdisplay_impl.h"

static int probe_yes(const pf_vdisplay_settings *s)
{
    return 1;
}

static int create_fail(struct pf_vdisplay *vd)
{
    return PF_ERR_IO;
}

static void destroy_none(struct pf_vdisplay *vd)
{
}

static const struct pfi_vdisplay_impl fake_a = { "alpha", probe_yes, create_fail, destroy_none,
                                                 NULL };
static const struct pfi_vdisplay_impl fake_b = { "beta", probe_yes, create_fail, destroy_none,
                                                 NULL };

static void test_pick(void **state)
{
    const struct pfi_vdisplay_impl *const list[] = { &fake_a, &fake_b };

    (void)state;
    assert_int_equal(pfi_vdisplay_pick(list, 2, NULL, NULL), -2);
    assert_int_equal(pfi_vdisplay_pick(list, 2, "auto", NULL), -2);
    assert_int_equal(pfi_vdisplay_pick(list, 2, NULL, "auto"), -2);
    assert_int_equal(pfi_vdisplay_pick(list, 2, NULL, ""), -2);
    assert_int_equal(pfi_vdisplay_pick(list, 2, "beta", NULL), 1);
    /* The environment overrides autoselect; the settings override the environment. */
    assert_int_equal(pfi_vdisplay_pick(list, 2, NULL, "beta"), 1);
    assert_int_equal(pfi_vdisplay_pick(list, 2, "alpha", "beta"), 0);
    assert_int_equal(pfi_vdisplay_pick(list, 2, "gamma", NULL), -1);
    assert_int_equal(pfi_vdisplay_pick(list, 2, NULL, "gamma"), -1);
}

static void test_backend_names(void **state)
{
    uint32_t n, i;
    const struct pfi_vdisplay_impl *const *list = pfi_vdisplay_impls(&n);

    (void)state;
    for (i = 0; pf_vdisplay_backend_name(i); i++)
        assert_string_equal(pf_vdisplay_backend_name(i), list[i]->name);
    assert_int_equal(i, n);
    /* Sessions first, spawned compositors next, the test pattern last (always works). */
    assert_string_equal(pf_vdisplay_backend_name(0), "mutter");
    assert_string_equal(pf_vdisplay_backend_name(n - 1), "testpattern");
    assert_null(pf_vdisplay_backend_name(n));
}

static void test_bad_input(void **state)
{
    pf_vdisplay_settings s;
    pf_vdisplay *vd = NULL;
    char buf[8];

    (void)state;
    assert_int_equal(pf_vdisplay_settings_init(NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_vdisplay_settings_init(&s), 0);
    assert_int_equal(s.width, 1280);
    assert_int_equal(pf_vdisplay_create(NULL, &vd), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_vdisplay_create(&s, NULL), PF_ERR_INVALID_ARGUMENT);
    s.width = 10;
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_INVALID_ARGUMENT);
    pf_vdisplay_settings_init(&s);
    s.refresh_mhz = 0;
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_INVALID_ARGUMENT);
    pf_vdisplay_settings_init(&s);
    s.struct_size = 4;
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_INVALID_ARGUMENT);
    pf_vdisplay_settings_init(&s);
    s.backend = "no-such";
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_NOT_FOUND);
    /* A caller built before cursor_mode passes the smaller struct: taken (reaching the
     * backend choice), not refused as too small. */
    s.struct_size = offsetof(pf_vdisplay_settings, cursor_mode);
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_NOT_FOUND);
    s.struct_size = offsetof(pf_vdisplay_settings, cursor_mode) - 1;
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_INVALID_ARGUMENT);
    s.struct_size = sizeof(s);
    setenv("PF_VDISPLAY", "also-no-such", 1);
    s.backend = NULL;
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_NOT_FOUND);
    unsetenv("PF_VDISPLAY");
    assert_null(vd);
    /* NULL objects. */
    pf_vdisplay_destroy(NULL);
    assert_null(pf_vdisplay_get_backend(NULL));
    assert_int_equal(pf_vdisplay_get_caps(NULL), 0);
    assert_int_equal(pf_vdisplay_get_node_id(NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_vdisplay_get_session_id(NULL, buf, sizeof(buf)),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_vdisplay_set_mode(NULL, 1280, 720, 60000), PF_ERR_INVALID_ARGUMENT);
    assert_null(pf_vdisplay_get_wayland_display(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick),
        cmocka_unit_test(test_backend_names),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name("capture_vdisplay", tests, NULL, NULL);
}
