/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 pairing window: random four-digit PINs, expiry, the 2 s cooldown charged on
 * every attempt before the armed check, and one guess per arming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/pkf1.h"

#include "native_pair.h"

static void window_rules(void **state)
{
    (void)state;
    native_pair p;
    memset(&p, 0, sizeof(p));
    char pin[5];
    /* Nothing armed. */
    assert_int_equal(native_pair_begin(&p, 1000, pin), PF_PKF1_CLOSE_PAIR_NOT_ARMED);
    /* Within 2 s of that attempt: rate limited, even once armed. */
    assert_int_equal(native_pair_arm(&p, 1500, 60000), 0);
    assert_int_equal(strlen(p.pin), 4);
    assert_int_equal(strspn(p.pin, "0123456789"), 4);
    assert_int_equal(native_pair_begin(&p, 2999, pin), PF_PKF1_CLOSE_PAIR_RATE_LIMITED);
    /* After it: the PIN; a garbled request leaves the window armed. */
    assert_int_equal(native_pair_begin(&p, 4000, pin), 0);
    assert_string_equal(pin, p.pin);
    assert_int_equal(native_pair_begin(&p, 6100, pin), 0);
    /* Consumed: one guess per arming. */
    native_pair_consume(&p);
    assert_int_equal(native_pair_begin(&p, 8200, pin), PF_PKF1_CLOSE_PAIR_NOT_ARMED);
    /* Expiry. */
    assert_int_equal(native_pair_arm(&p, 10000, 1000), 0);
    assert_int_equal(native_pair_begin(&p, 11000, pin), PF_PKF1_CLOSE_PAIR_NOT_ARMED);
    /* PINs differ between armings (10 draws, not all equal). */
    char first[5];
    memcpy(first, p.pin, 5);
    int differ = 0;
    for (int i = 0; i < 10; i++) {
        native_pair_arm(&p, 20000, 1000);
        differ |= strcmp(first, p.pin) != 0;
    }
    assert_true(differ);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(window_rules)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
