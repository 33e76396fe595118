/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gs_xml.h"

static void document_shape(void **state)
{
    pfi_xml x;
    char *doc;
    size_t len;
    pfi_xml_begin(&x, 200, NULL);
    pfi_xml_text(&x, "hostname", "box");
    pfi_xml_uint(&x, "HttpsPort", 47984);
    assert_int_equal(pfi_xml_finish(&x, &doc, &len), 0);
    assert_string_equal(doc, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<root status_code=\"200\">"
                             "<hostname>box</hostname><HttpsPort>47984</HttpsPort></root>");
    assert_int_equal(len, strlen(doc));
    free(doc);
}

static void escapes_user_text(void **state)
{
    pfi_xml x;
    char *doc;
    size_t len;
    pfi_xml_begin(&x, 400, "bad \"<x>\" & 'y'");
    pfi_xml_text(&x, "AppTitle", "</AppTitle><ID>0</ID>\x01\x1f\tok");
    assert_int_equal(pfi_xml_finish(&x, &doc, &len), 0);
    assert_non_null(strstr(doc, "status_code=\"400\" status_message=\"bad &quot;&lt;x&gt;&quot; "
                                "&amp; &apos;y&apos;\""));
    assert_non_null(strstr(doc, "<AppTitle>&lt;/AppTitle&gt;&lt;ID&gt;0&lt;/ID&gt;\tok"
                                "</AppTitle>"));
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(document_shape),
        cmocka_unit_test(escapes_user_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
