/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Protect a buffer with Reed-Solomon parity from libpfcore, lose part of it, get it back.
 * Build: cc pf-fec-demo.c $(pkg-config --cflags --libs libpfcore) */
#include <stdio.h>
#include <string.h>

#include <pf/core.h>

int main(void)
{
    enum { K = 4, M = 2, SHARD = 16 }; /* 4 data shards, 2 parity: any 2 may be lost */
    char message[K * SHARD] = "Any four of these six shards bring this message back whole.";
    uint8_t shards[K + M][SHARD], present[K + M];
    uint8_t *ptr[K + M];
    for (int i = 0; i < K + M; i++)
        ptr[i] = shards[i];
    memcpy(shards, message, sizeof(message));

    pf_rs8 *rs;
    if (pf_rs8_create(K, M, PF_RS8_MATRIX_CAUCHY, NULL, &rs) < 0)
        return 1;
    pf_rs8_encode(rs, (const uint8_t *const *)ptr, ptr + K, SHARD); /* parity into 4, 5 */

    memset(present, 1, sizeof(present));
    memset(shards[1], 0, SHARD), present[1] = 0; /* two data shards are lost on the way */
    memset(shards[3], 0, SHARD), present[3] = 0;

    int rebuilt = pf_rs8_decode(rs, ptr, present, SHARD);
    pf_rs8_destroy(rs);
    int same = memcmp(shards, message, sizeof(message)) == 0;
    printf("rebuilt %d shards: \"%.*s\" (%s)\n", rebuilt, (int)sizeof(message),
           (const char *)shards, same ? "intact" : "DAMAGED");
    return rebuilt == 2 && same ? 0 : 1;
}
