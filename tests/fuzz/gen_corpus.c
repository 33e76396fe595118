/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes the seed corpus of the fuzz targets: valid packet sequences made by the project's
 * own packetizers and sealers (with some loss), plus edge cases. Run by hand:
 *   gen-fuzz-corpus tests/fuzz/corpus
 * The output is committed; CI only replays it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pf/core/gs_audio.h"
#include "pf/core/gs_control.h"
#include "pf/core/gs_video.h"

static const uint8_t test_key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

typedef struct seed {
    uint8_t *buf;
    size_t len;
    size_t cap;
} seed;

static void put(seed *s, const void *data, size_t len)
{
    if (s->len + len > s->cap) {
        s->cap = (s->len + len) * 2;
        s->buf = realloc(s->buf, s->cap);
        if (!s->buf)
            exit(1);
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
}

static void put_record(seed *s, const uint8_t *pkt, size_t len)
{
    uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    put(s, hdr, 2);
    put(s, pkt, len);
}

static void write_seed(const char *root, const char *target, const char *name, const seed *s)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, target);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        exit(1);
    snprintf(path, sizeof(path), "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

static void reset(seed *s)
{
    s->len = 0;
}

/* Frames of the given sizes through one packetizer; every drop_every-th datagram skipped. */
static void video_seed(seed *s, uint8_t config, uint32_t psize, int encrypt, const size_t *sizes,
                       size_t n, uint32_t drop_every)
{
    pf_gs_video_tx_settings st;
    pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &st);
    st.packet_size = psize;
    st.encrypt = (uint32_t)encrypt;
    memcpy(st.key, test_key, 16);
    pf_gs_video_tx *tx = NULL;
    if (pf_gs_video_tx_create(&st, &tx) < 0)
        exit(1);
    put(s, &config, 1);
    uint32_t counter = 0;
    for (size_t f = 0; f < n; f++) {
        uint8_t *au = malloc(sizes[f]);
        for (size_t i = 0; i < sizes[f]; i++)
            au[i] = (uint8_t)(i * 7 + f);
        uint32_t pbytes, max;
        if (pf_gs_video_tx_get_frame_size(tx, sizes[f], &pbytes, &max) < 0)
            exit(1);
        uint8_t *out = malloc((size_t)pbytes * max);
        pf_gs_video_frame_info info = {.version = PF_GS_VIDEO_FRAME_INFO_VERSION,
                                       .frame_type = f == 0 ? 2 : 1,
                                       .rtp_timestamp = (uint32_t)(f * 1500)};
        pf_gs_video_tx_result res;
        if (pf_gs_video_tx_packetize(tx, &info, au, sizes[f], out, (size_t)pbytes * max, pbytes,
                                     &res) < 0)
            exit(1);
        for (uint32_t i = 0; i < res.packet_count; i++) {
            if (drop_every && ++counter % drop_every == 0)
                continue;
            put_record(s, out + (size_t)i * pbytes, pbytes);
        }
        free(out);
        free(au);
    }
    pf_gs_video_tx_destroy(tx);
}

static void video_seeds(const char *root, const char *target, int encrypt)
{
    seed s = {0};
    static const size_t small[] = {1, 24, 100, 300};
    video_seed(&s, 0, 48, encrypt, small, 4, 0);
    write_seed(root, target, "small-frames", &s);
    reset(&s);
    video_seed(&s, 0, 48, encrypt, small, 4, 5);
    write_seed(root, target, "small-frames-lossy", &s);
    reset(&s);
    static const size_t two_blocks[] = {7000};
    video_seed(&s, 0, 48, encrypt, two_blocks, 1, 9);
    write_seed(root, target, "two-blocks-lossy", &s);
    reset(&s);
    static const size_t big[] = {3000, 1};
    video_seed(&s, 3, 1392, encrypt, big, 2, 3);
    write_seed(root, target, "p1392", &s);
    reset(&s);
    static const size_t no_fec[] = {30000};
    video_seed(&s, 0, 48, encrypt, no_fec, 1, 0);
    write_seed(root, target, "fec-skipped", &s);
    reset(&s);
    uint8_t edge[] = {4, 0, 40, 0x90, 0, 0, 0};
    put(&s, edge, sizeof(edge));
    write_seed(root, target, "truncated-record", &s);
    free(s.buf);
}

static void audio_seeds(const char *root)
{
    for (int encrypt = 0; encrypt <= 1; encrypt++) {
        pf_gs_audio_tx_settings st;
        pf_gs_audio_tx_settings_default(PF_GS_AUDIO_TX_SETTINGS_VERSION, &st);
        st.encrypt = (uint32_t)encrypt;
        st.rikeyid = 0x12345678u;
        memcpy(st.key, test_key, 16);
        pf_gs_audio_tx *tx = NULL;
        if (pf_gs_audio_tx_create(&st, &tx) < 0)
            exit(1);
        seed s = {0};
        uint8_t config = (uint8_t)(encrypt | (2u << 1));
        put(&s, &config, 1);
        for (int i = 0; i < 12; i++) {
            uint8_t opus[40], out[3 * PF_GS_AUDIO_MAX_DATAGRAM];
            for (int b = 0; b < 40; b++)
                opus[b] = (uint8_t)(i + b);
            pf_gs_audio_tx_result res;
            if (pf_gs_audio_tx_packetize(tx, opus, sizeof(opus), out, sizeof(out),
                                         PF_GS_AUDIO_MAX_DATAGRAM, &res) < 0)
                exit(1);
            for (uint32_t j = 0; j < res.packet_count; j++) {
                if (j == 0 && (i == 1 || i == 6))
                    continue; /* one loss per block for FEC to repair */
                put_record(&s, out + j * PF_GS_AUDIO_MAX_DATAGRAM, res.packet_bytes[j]);
            }
        }
        write_seed(root, "gs_audio_rx", encrypt ? "stream-encrypted" : "stream-plain", &s);
        free(s.buf);
        pf_gs_audio_tx_destroy(tx);
    }
}

static void header_seeds(const char *root)
{
    seed s = {0};
    static const size_t one[] = {100};
    video_seed(&s, 0, 1392, 0, one, 1, 0);
    /* The records are 1408 bytes; keep the first 32 of data shard and a parity shard. */
    seed h = {0};
    put(&h, s.buf + 3, 32);
    write_seed(root, "gs_video_header", "data-shard", &h);
    reset(&h);
    put(&h, s.buf + 3 + 1410, 32);
    write_seed(root, "gs_video_header", "parity-shard", &h);
    reset(&h);
    put(&h, s.buf + 3, 31);
    write_seed(root, "gs_video_header", "short", &h);
    free(h.buf);
    free(s.buf);
}

static void control_seeds(const char *root)
{
    pf_gs_cipher *c = NULL;
    if (pf_gs_cipher_create(NULL, test_key, &c) < 0)
        exit(1);
    static const uint8_t ping[8] = {4, 0, 0, 0, 0, 0, 0xaa, 0xbb};
    for (uint8_t config = 0; config < 4; config++) {
        uint8_t out[64];
        size_t len = 0;
        uint32_t mode = config & 1u ? PF_GS_CONTROL_IV_LEGACY : PF_GS_CONTROL_IV_V2;
        uint32_t origin = config & 2u ? PF_GS_ORIGIN_HOST : PF_GS_ORIGIN_CLIENT;
        if (pf_gs_control_seal(c, mode, origin, 5, 0x0200, ping, sizeof(ping), out, sizeof(out),
                               &len) < 0)
            exit(1);
        seed s = {0};
        put(&s, &config, 1);
        put(&s, out, len);
        char name[32];
        snprintf(name, sizeof(name), "control-%u", config);
        write_seed(root, "gs_control_open", name, &s);
        free(s.buf);
    }
    static const char reply[] = "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n";
    uint8_t out[128];
    size_t len = 0;
    if (pf_gs_rtsp_seal(c, PF_GS_ORIGIN_HOST, 1, (const uint8_t *)reply, strlen(reply), out,
                        sizeof(out), &len) < 0)
        exit(1);
    seed s = {0};
    uint8_t config = 4 | 2;
    put(&s, &config, 1);
    put(&s, out, len);
    write_seed(root, "gs_control_open", "rtsp-reply", &s);
    free(s.buf);
    pf_gs_cipher_destroy(c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    mkdir(argv[1], 0755);
    video_seeds(argv[1], "gs_video_rx", 0);
    video_seeds(argv[1], "gs_video_rx_enc", 1);
    audio_seeds(argv[1]);
    header_seeds(argv[1]);
    control_seeds(argv[1]);
    return 0;
}
