/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/common.h"
#include "pf/core/error.h"

static void every_pf_error_has_a_name_and_text(void **state)
{
    (void)state;
    for (int code = PF_ERR_TIMEOUT; code <= PF_ERR_INVALID_ARGUMENT; code++) {
        const char *name = pf_error_name(code);
        assert_non_null(name);
        assert_memory_equal(name, "PF_ERR_", 7);
        assert_string_not_equal(pf_strerror(code), "unknown error");
    }
}

static void errno_values_are_named(void **state)
{
    (void)state;
    assert_string_equal(pf_error_name(-EINVAL), "EINVAL");
    assert_string_equal(pf_strerror(-ENOENT), strerror(ENOENT));
}

static void unknown_codes_are_reported_as_unknown(void **state)
{
    (void)state;
    assert_null(pf_error_name(-999999));
    assert_string_equal(pf_strerror(-999999), "unknown error");
    assert_string_equal(pf_strerror(12345), "unknown error");
}

static void abi_version_matches_header(void **state)
{
    (void)state;
    assert_int_equal(pf_core_abi_version(), PF_CORE_ABI_VERSION);
    assert_non_null(pf_core_version_string());
}

static void simd_queries_are_consistent(void **state)
{
    (void)state;
    assert_true(pf_core_simd_supported(PF_SIMD_PORTABLE));
    assert_true(pf_core_simd_supported(PF_SIMD_AUTO));
    assert_true(pf_core_simd_supported(pf_core_simd_best()));
    assert_false(pf_core_simd_supported(99));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_pf_error_has_a_name_and_text),
        cmocka_unit_test(errno_values_are_named),
        cmocka_unit_test(unknown_codes_are_reported_as_unknown),
        cmocka_unit_test(abi_version_matches_header),
        cmocka_unit_test(simd_queries_are_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
