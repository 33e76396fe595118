/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Absolute coordinate mapping from the client's reference area onto outputs of different
 * sizes: edges onto edges, the centre onto the centre, out-of-range clamped. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "coord.h"

static void test_edges_and_centre(void **state)
{
    static const struct {
        uint32_t rw, rh, ow, oh;
    } cases[] = {
        { 1920, 1080, 1920, 1080 }, { 1920, 1080, 1280, 720 }, { 1280, 720, 3840, 2160 },
        { 2560, 1600, 1920, 1080 }, { 800, 600, 1024, 768 },   { 3840, 2160, 640, 480 },
        { 2, 2, 7, 5 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pfi_output out = { .x = 100, .y = 50, .width = cases[i].ow, .height = cases[i].oh };
        double x, y;
        assert_int_equal(pfi_coord_map_abs(0, 0, cases[i].rw, cases[i].rh, &out, &x, &y), 0);
        assert_true(x == 0.0 && y == 0.0);
        assert_int_equal(pfi_coord_map_abs((int32_t)cases[i].rw - 1, (int32_t)cases[i].rh - 1,
                                           cases[i].rw, cases[i].rh, &out, &x, &y),
                         0);
        assert_true(fabs(x - (cases[i].ow - 1)) < 1e-9 && fabs(y - (cases[i].oh - 1)) < 1e-9);
        /* Proportional in between: a quarter of the way is a quarter of the way. */
        int32_t qx = (int32_t)(cases[i].rw - 1) / 4;
        pfi_coord_map_abs(qx, 0, cases[i].rw, cases[i].rh, &out, &x, &y);
        double want = (double)qx / (cases[i].rw - 1) * (cases[i].ow - 1);
        assert_true(fabs(x - want) < 1e-9);
    }
}

static void test_clamping(void **state)
{
    struct pfi_output out = { .width = 1280, .height = 720 };
    double x, y;
    assert_int_equal(pfi_coord_map_abs(-5, 9999, 1920, 1080, &out, &x, &y), 1);
    assert_true(x == 0.0 && fabs(y - 719.0) < 1e-9);
    assert_int_equal(pfi_coord_map_abs(INT32_MAX, INT32_MIN, 1920, 1080, &out, &x, &y), 1);
    assert_true(fabs(x - 1279.0) < 1e-9 && y == 0.0);
    assert_int_equal(pfi_coord_map_abs(1, 1, 0, 1080, &out, &x, &y), -1);
    assert_int_equal(pfi_coord_map_abs(0, 0, 1, 1, &out, &x, &y), 0);
    assert_true(x == 0.0 && y == 0.0);
    struct pfi_output none = { 0 };
    assert_int_equal(pfi_coord_map_abs(1, 1, 10, 10, &none, &x, &y), -1);
}

static void test_unit(void **state)
{
    struct pfi_output out = { .width = 1920, .height = 1080 };
    double x, y;
    assert_int_equal(pfi_coord_map_unit(0.25f, 0.5f, &out, &x, &y), 0);
    assert_true(fabs(x - 0.25 * 1919) < 1e-4 && fabs(y - 0.5 * 1079) < 1e-4);
    assert_int_equal(pfi_coord_map_unit(1.5f, -0.1f, &out, &x, &y), 1);
    assert_true(fabs(x - 1919) < 1e-9 && y == 0.0);
    assert_int_equal(pfi_coord_map_unit(NAN, INFINITY, &out, &x, &y), 1);
    assert_true(x == 0.0 && fabs(y - 1079) < 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_and_centre),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
