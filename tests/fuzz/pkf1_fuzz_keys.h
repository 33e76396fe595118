/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixed key, salt and shard sizes shared by the punktfunk/1 media fuzz target and its seed
 * generator, so sealed seeds open in the target. */
#ifndef PF_PKF1_FUZZ_KEYS_H
#define PF_PKF1_FUZZ_KEYS_H

#include <stdint.h>

static const uint8_t pkf1_fuzz_key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                          17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                                          31, 32};
static const uint8_t pkf1_fuzz_salt[4] = {0xa1, 0xb2, 0xc3, 0xd4};
static const uint32_t pkf1_fuzz_shards[4] = {512, 1388, 1408, 600};

#endif
