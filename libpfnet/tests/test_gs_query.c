/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"

#include "gs_query.h"

static void parses_path_and_params(void **state)
{
    pfi_query q;
    const char *path;
    const char *uri = "/pair?uniqueid=0123456789ABCDEF&devicename=my%20box&flag&x=a+b";
    assert_int_equal(pfi_query_parse(uri, strlen(uri), &q, &path), 0);
    assert_string_equal(path, "/pair");
    assert_int_equal(q.count, 4);
    assert_string_equal(pfi_query_get(&q, "uniqueid"), "0123456789ABCDEF");
    assert_string_equal(pfi_query_get(&q, "devicename"), "my box");
    assert_string_equal(pfi_query_get(&q, "flag"), "");
    assert_string_equal(pfi_query_get(&q, "x"), "a b");
    assert_null(pfi_query_get(&q, "missing"));
    pfi_query_clear(&q);
}

static void no_query_and_empty_parts(void **state)
{
    pfi_query q;
    const char *path;
    assert_int_equal(pfi_query_parse("/serverinfo", 11, &q, &path), 0);
    assert_string_equal(path, "/serverinfo");
    assert_int_equal(q.count, 0);
    pfi_query_clear(&q);
    const char *u = "/a?&&b=1&&";
    assert_int_equal(pfi_query_parse(u, strlen(u), &q, &path), 0);
    assert_int_equal(q.count, 1);
    assert_string_equal(pfi_query_get(&q, "b"), "1");
    pfi_query_clear(&q);
}

static void rejects_malformed(void **state)
{
    static const char *const bad[] = {
        "/pair?salt=%zz", "/pair?salt=%0", "/pair?salt=%", "/pair?a=%00b", "/p%00ath",
        "/pair?=value",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pfi_query q;
        const char *path;
        assert_int_equal(pfi_query_parse(bad[i], strlen(bad[i]), &q, &path), PF_ERR_MALFORMED);
        assert_null(q.buf);
    }
    pfi_query q;
    assert_int_equal(pfi_query_parse("", 0, &q, NULL), PF_ERR_MALFORMED);
    assert_int_equal(pfi_query_parse("/a\0b", 4, &q, NULL), PF_ERR_MALFORMED);
}

static void enforces_limits(void **state)
{
    char *big = malloc(PFI_QUERY_MAX_LEN + 2);
    memset(big, 'a', PFI_QUERY_MAX_LEN + 1);
    big[0] = '/';
    pfi_query q;
    assert_int_equal(pfi_query_parse(big, PFI_QUERY_MAX_LEN + 1, &q, NULL), PF_ERR_LIMIT);
    free(big);
    char many[1024] = "/x?";
    for (unsigned i = 0; i <= PFI_QUERY_MAX_PARAMS; i++)
        strcat(many, "k=v&");
    assert_int_equal(pfi_query_parse(many, strlen(many), &q, NULL), PF_ERR_LIMIT);
}

static void hex_both_cases(void **state)
{
    uint8_t out[4];
    assert_int_equal(pfi_hex_decode_exact("deadBEEF", out, 4), 0);
    assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
    assert_int_equal(pfi_hex_decode_exact("deadbee", out, 4), PF_ERR_MALFORMED);
    assert_int_equal(pfi_hex_decode_exact("deadbeeg", out, 4), PF_ERR_MALFORMED);
    assert_int_equal(pfi_hex_decode_exact("deadbeef00", out, 4), PF_ERR_MALFORMED);
    assert_int_equal(pfi_hex_decode_exact(NULL, out, 4), PF_ERR_MALFORMED);
    size_t n;
    assert_int_equal(pfi_hex_decode("0102030405", out, 4, &n), PF_ERR_LIMIT);
    char hex[9];
    pfi_hex_encode((const uint8_t *)"\x00\x7f\x80\xff", 4, hex);
    assert_string_equal(hex, "007f80ff");
}

static void integers(void **state)
{
    int64_t v;
    assert_int_equal(pfi_parse_int("-1", INT32_MIN, UINT32_MAX, &v), 0);
    assert_int_equal(v, -1);
    /* rikeyid may be negative: its uint32 bits are what matters (§2.8). */
    assert_int_equal(pfi_parse_int("-2147483648", INT32_MIN, UINT32_MAX, &v), 0);
    assert_int_equal((uint32_t)v, 0x80000000u);
    assert_int_equal(pfi_parse_int("4294967296", 0, UINT32_MAX, &v), PF_ERR_MALFORMED);
    assert_int_equal(pfi_parse_int("12a", 0, 100, &v), PF_ERR_MALFORMED);
    assert_int_equal(pfi_parse_int("", 0, 100, &v), PF_ERR_MALFORMED);
    assert_int_equal(pfi_parse_int("-", 0, 100, &v), PF_ERR_MALFORMED);
    assert_int_equal(pfi_parse_int("99999999999999999999", 0, 100, &v), PF_ERR_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_path_and_params), cmocka_unit_test(no_query_and_empty_parts),
        cmocka_unit_test(rejects_malformed),      cmocka_unit_test(enforces_limits),
        cmocka_unit_test(hex_both_cases),         cmocka_unit_test(integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
