/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Codec-agnostic FEC block bookkeeping shared by the GameStream and punktfunk/1 receivers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"

#include "shard_block.h"

static void block_completes_at_k_and_refuses_repeats(void **state)
{
    (void)state;
    uint8_t slots[8 * 16], present[8];
    memset(slots, 0xee, sizeof(slots));
    pfi_shard_block b;
    pfi_shard_block_init(&b, slots, present, 8, 16);
    assert_int_equal(pfi_shard_block_add(&b, 0, slots, 1), PF_ERR_MALFORMED); /* not started */
    assert_int_equal(pfi_shard_block_start(&b, 0, 2), PF_ERR_MALFORMED);
    assert_int_equal(pfi_shard_block_start(&b, 6, 3), PF_ERR_LIMIT);
    assert_int_equal(pfi_shard_block_start(&b, 3, 2), 0);
    const uint8_t data[20] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
    assert_int_equal(pfi_shard_block_add(&b, 5, data, 16), PF_ERR_MALFORMED);
    assert_int_equal(pfi_shard_block_add(&b, 4, data, 3), 0); /* parity, short */
    assert_int_equal(pfi_shard_block_add(&b, 4, data, 3), PF_ERR_REPLAY);
    assert_int_equal(pfi_shard_block_missing_data(&b), 3);
    assert_int_equal(pfi_shard_block_add(&b, 0, data, 20), 0); /* long input is cut */
    assert_int_equal(pfi_shard_block_add(&b, 2, data, 16), 1); /* k = 3 shards held */
    assert_int_equal(pfi_shard_block_missing_data(&b), 1);
    /* Short shards are zero-padded to full length; long ones end at shard_bytes. */
    const uint8_t *p4 = pfi_shard_block_slot(&b, 4);
    assert_memory_equal(p4, data, 3);
    for (int i = 3; i < 16; i++)
        assert_int_equal(p4[i], 0);
    assert_memory_equal(pfi_shard_block_slot(&b, 0), data, 16);
    assert_int_equal(slots[5 * 16], 0xee); /* slot 5 untouched */
    b.done = 1;
    assert_int_equal(pfi_shard_block_add(&b, 1, data, 16), PF_ERR_REPLAY);
    /* A new shape clears only its own flags and starts counting again. */
    pfi_shard_block_reset(&b);
    assert_int_equal(pfi_shard_block_start(&b, 1, 0), 0);
    assert_int_equal(pfi_shard_block_add(&b, 0, data, 16), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_completes_at_k_and_refuses_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
