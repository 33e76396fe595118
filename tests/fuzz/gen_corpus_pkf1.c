/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes the seed corpus of the punktfunk/1 media fuzz target: AUs made by the real
 * packetizer, with losses and reordering, plain and sealed.
 *   gen-fuzz-corpus-pkf1 tests/fuzz/corpus */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pf/core/pkf1_media.h"

#include "pkf1_fuzz_keys.h"

static void write_seed(const char *root, const char *name, uint8_t config, const size_t *sizes,
                       size_t count, uint32_t drop_every, int swap)
{
    pf_pkf1_video_tx_settings s;
    pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &s);
    s.encrypt = config & 1;
    s.cipher = config & 2 ? PF_AEAD_CHACHA20_POLY1305 : PF_AEAD_AES128_GCM;
    s.shard_payload = pkf1_fuzz_shards[(config >> 2) & 3];
    s.max_data_per_block = config & 16 ? 64 : 4096;
    s.fec_percent = 20;
    memcpy(s.key, pkf1_fuzz_key, sizeof(s.key));
    memcpy(s.salt, pkf1_fuzz_salt, sizeof(s.salt));
    pf_pkf1_video_tx *tx;
    if (pf_pkf1_video_tx_create(&s, &tx) < 0)
        exit(1);
    char path[4096];
    snprintf(path, sizeof(path), "%s/pkf1_video_rx", root);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        exit(1);
    snprintf(path, sizeof(path), "%s/pkf1_video_rx/%s", root, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        exit(1);
    fputc(config, f);
    for (size_t i = 0; i < count; i++) {
        uint32_t pkt_bytes, n;
        pf_pkf1_video_tx_get_frame_size(tx, sizes[i], &pkt_bytes, &n);
        uint8_t *au = malloc(sizes[i] + 1), *out = malloc((size_t)n * pkt_bytes);
        for (size_t b = 0; b < sizes[i]; b++)
            au[b] = (uint8_t)(b * 31 + i);
        pf_pkf1_video_frame_info info = {.pts_ns = 1000 * i, .frame_index = (uint32_t)i};
        pf_pkf1_video_tx_result r;
        if (!au || !out || pf_pkf1_video_tx_packetize(tx, &info, au, sizes[i], out,
                                                      (size_t)n * pkt_bytes, pkt_bytes, &r) < 0)
            exit(1);
        for (uint32_t p = 0; p < r.packet_count; p++) {
            /* swap neighbours to reorder, skip every drop_every-th to exercise repair */
            uint32_t at = swap && p + 1 < r.packet_count ? (p % 2 ? p - 1 : p + 1) : p;
            if (drop_every && p % drop_every == 1)
                continue;
            uint8_t len[2] = {(uint8_t)(pkt_bytes >> 8), (uint8_t)pkt_bytes};
            fwrite(len, 1, 2, f);
            fwrite(out + (size_t)at * pkt_bytes, 1, pkt_bytes, f);
        }
        free(au);
        free(out);
    }
    if (fclose(f) != 0)
        exit(1);
    pf_pkf1_video_tx_destroy(tx);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    static const size_t small[] = {0, 1, 700, 3000};
    static const size_t blocks[] = {64 * 512 + 5, 20000};
    write_seed(argv[1], "plain-small", 0x00, small, 4, 0, 0);
    write_seed(argv[1], "aes-lossy", 0x01 | 0x08, small, 4, 5, 1);
    write_seed(argv[1], "chacha-v6", 0x03 | 0x04, small, 4, 0, 1);
    write_seed(argv[1], "two-blocks-lossy", 0x01 | 0x10, blocks, 2, 7, 0);
    return 0;
}
