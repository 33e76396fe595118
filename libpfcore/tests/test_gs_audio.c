/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream audio packetizer and reassembler: the byte examples of gamestream-protocol.md
 * §8.3–§8.4 and §7.4, FEC recovery, ordering, loss reports and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/core/gs_audio.h"
#include "pf/core/rs8.h"

#include "gs_test_util.h"

#define STRIDE PF_GS_AUDIO_MAX_DATAGRAM
#define MAX_SEEN 4096

static const uint8_t test_key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

typedef struct audio_sink {
    uint32_t count;
    uint16_t seqs[MAX_SEEN];
    uint32_t timestamps[MAX_SEEN];
    uint8_t recovered[MAX_SEEN];
    uint8_t first_byte[MAX_SEEN];
    size_t lens[MAX_SEEN];
    uint8_t last[PF_GS_AUDIO_MAX_PAYLOAD];
    uint32_t lost;
    uint16_t lost_first;
} audio_sink;

static void on_packet(void *user_data, const pf_gs_audio_packet *p)
{
    audio_sink *s = user_data;
    assert_true(s->count < MAX_SEEN);
    s->seqs[s->count] = p->seq;
    s->timestamps[s->count] = p->timestamp;
    s->recovered[s->count] = (uint8_t)p->recovered;
    s->first_byte[s->count] = p->len ? p->data[0] : 0;
    s->lens[s->count] = p->len;
    memcpy(s->last, p->data, p->len);
    s->count++;
}

static void on_lost(void *user_data, uint16_t first, uint32_t count)
{
    audio_sink *s = user_data;
    if (s->lost == 0)
        s->lost_first = first;
    s->lost += count;
}

static pf_gs_audio_tx *make_tx(int encrypt)
{
    pf_gs_audio_tx_settings s;
    assert_int_equal(pf_gs_audio_tx_settings_default(PF_GS_AUDIO_TX_SETTINGS_VERSION, &s), 0);
    s.encrypt = (uint32_t)encrypt;
    s.rikeyid = 0x12345678u;
    memcpy(s.key, test_key, 16);
    pf_gs_audio_tx *tx = NULL;
    assert_int_equal(pf_gs_audio_tx_create(&s, &tx), 0);
    return tx;
}

static pf_gs_audio_rx *make_rx(int encrypt, audio_sink *sink, uint32_t pending)
{
    pf_gs_audio_rx_settings s;
    assert_int_equal(pf_gs_audio_rx_settings_default(PF_GS_AUDIO_RX_SETTINGS_VERSION, &s), 0);
    s.decrypt = (uint32_t)encrypt;
    s.rikeyid = 0x12345678u;
    s.max_pending_blocks = pending;
    memcpy(s.key, test_key, 16);
    s.callbacks.on_packet = on_packet;
    s.callbacks.on_lost = on_lost;
    s.callbacks.user_data = sink;
    pf_gs_audio_rx *rx = NULL;
    assert_int_equal(pf_gs_audio_rx_create(&s, &rx), 0);
    return rx;
}

/* The 20-byte Opus packet of the §8.3 example: fc 00 01 … 12. */
static void example_opus(uint8_t *opus)
{
    opus[0] = 0xfc;
    for (int i = 0; i < 19; i++)
        opus[1 + i] = (uint8_t)i;
}

static void data_packet_matches_8_3_example(void **state)
{
    (void)state;
    pf_gs_audio_tx *tx = make_tx(1);
    uint8_t opus[20], out[3 * STRIDE];
    example_opus(opus);
    pf_gs_audio_tx_result res;
    assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, sizeof(opus), out, sizeof(out), STRIDE,
                                              &res),
                     0);
    uint8_t want[64];
    size_t n = gs_unhex("80 61 0000 00000000 00000000 | "
                     "d3188793b1de1a435796d345d978b835947cee8bc28a584a11f70795c6f4523c",
                     want);
    assert_int_equal(res.packet_count, 1);
    assert_int_equal(res.packet_bytes[0], n);
    assert_memory_equal(out, want, n);
    pf_gs_audio_tx_destroy(tx);
}

/* §8.4: the FEC pair after the fourth packet, header bytes as in the example, parity the
 * audio matrix over the four ciphertexts as sent. */
static void fec_packets_match_8_4_example(void **state)
{
    (void)state;
    pf_gs_audio_tx *tx = make_tx(1);
    uint8_t opus[20], out[3 * STRIDE], payloads[4][32];
    example_opus(opus);
    pf_gs_audio_tx_result res;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, sizeof(opus), out, sizeof(out),
                                                  STRIDE, &res),
                         0);
        assert_int_equal(res.seq, i);
        assert_int_equal(res.timestamp, 5 * i);
        memcpy(payloads[i], out + 12, 32);
    }
    assert_int_equal(res.packet_count, 3);
    assert_int_equal(res.packet_bytes[1], 24 + 32);
    uint8_t h0[24], h1[24];
    gs_unhex("807f0004 00000000 00000000 | 00 61 0000 00000000 00000000", h0);
    gs_unhex("807f0005 00000000 00000000 | 01 61 0000 00000000 00000000", h1);
    assert_memory_equal(out + STRIDE, h0, 24);
    assert_memory_equal(out + 2 * STRIDE, h1, 24);

    pf_rs8 *rs = NULL;
    assert_int_equal(pf_rs8_create(4, 2, PF_RS8_MATRIX_GAMESTREAM_AUDIO, NULL, &rs), 0);
    uint8_t p0[32], p1[32];
    const uint8_t *data[4] = {payloads[0], payloads[1], payloads[2], payloads[3]};
    uint8_t *parity[2] = {p0, p1};
    assert_int_equal(pf_rs8_encode(rs, data, parity, 32), 0);
    assert_memory_equal(out + STRIDE + 24, p0, 32);
    assert_memory_equal(out + 2 * STRIDE + 24, p1, 32);
    pf_rs8_destroy(rs);
    pf_gs_audio_tx_destroy(tx);
}

/* §7.4's audio vector through the packetizer: plaintext payloads data0…data3 give the
 * documented parity in the FEC packets. */
static void fec_payload_reproduces_7_4_vector(void **state)
{
    (void)state;
    pf_gs_audio_tx *tx = make_tx(0);
    uint8_t out[3 * STRIDE];
    pf_gs_audio_tx_result res;
    for (int i = 0; i < 4; i++) {
        uint8_t shard[16];
        for (int b = 0; b < 16; b++)
            shard[b] = (uint8_t)(31 * i + 7 * b + 3);
        assert_int_equal(pf_gs_audio_tx_packetize(tx, shard, 16, out, sizeof(out), STRIDE, &res),
                         0);
        assert_memory_equal(out + 12, shard, 16);
    }
    uint8_t p0[16], p1[16];
    gs_unhex("15c835c009adda4214bf28b943ee44cc", p0);
    gs_unhex("375fcde62b803400bb520198a986cbef", p1);
    assert_int_equal(res.packet_count, 3);
    assert_memory_equal(out + STRIDE + 24, p0, 16);
    assert_memory_equal(out + 2 * STRIDE + 24, p1, 16);
    pf_gs_audio_tx_destroy(tx);
}

/* Packetizes @p n CBR packets whose first byte is the sequence's low byte; returns every
 * datagram in send order. */
typedef struct stream {
    uint8_t *bufs;
    size_t *lens;
    uint16_t *seq_of; /* data sequence, or 0xffff for FEC */
    uint32_t count;
} stream;

static void make_stream(int encrypt, uint32_t n, size_t opus_len, stream *s)
{
    pf_gs_audio_tx *tx = make_tx(encrypt);
    s->bufs = malloc((size_t)n * 3 * STRIDE);
    s->lens = calloc((size_t)n * 3, sizeof(size_t));
    s->seq_of = calloc((size_t)n * 3, sizeof(uint16_t));
    s->count = 0;
    uint64_t seed = 9;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t opus[PF_GS_AUDIO_MAX_PAYLOAD];
        gs_fill(opus, opus_len, gs_rand(&seed));
        opus[0] = (uint8_t)i;
        pf_gs_audio_tx_result res;
        uint8_t *out = s->bufs + (size_t)s->count * STRIDE;
        assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, opus_len, out, 3 * STRIDE, STRIDE,
                                                  &res),
                         0);
        for (uint32_t j = 0; j < res.packet_count; j++) {
            s->lens[s->count] = res.packet_bytes[j];
            s->seq_of[s->count] = j == 0 ? res.seq : 0xffff;
            s->count++;
        }
    }
    pf_gs_audio_tx_destroy(tx);
}

static void free_stream(stream *s)
{
    free(s->bufs);
    free(s->lens);
    free(s->seq_of);
}

/* Data packets are always taken; an FEC packet of a block already delivered in full is
 * late by design. */
static void feed_one(pf_gs_audio_rx *rx, const stream *s, uint32_t k)
{
    int r = pf_gs_audio_rx_feed(rx, s->bufs + (size_t)k * STRIDE, s->lens[k]);
    if (s->seq_of[k] == 0xffff && r == PF_ERR_REPLAY)
        return;
    assert_int_equal(r, 0);
}

static void roundtrip_with_drops(int encrypt)
{
    stream s;
    make_stream(encrypt, 400, 60, &s);
    assert_int_equal(s.count, 600);
    uint64_t seed = 31;
    audio_sink sink = {0};
    pf_gs_audio_rx *rx = make_rx(encrypt, &sink, 3);
    uint32_t expect_lost = 0;
    /* Per block of six datagrams: drop up to two (recoverable), every 7th block three. */
    for (uint32_t b = 0; b < 100; b++) {
        uint8_t drop[6] = {0};
        /* The last blocks stay clean so that every loss has been reported at the end. */
        uint32_t want = b % 7 == 6 && b < 90 ? 3 : (uint32_t)(gs_rand(&seed) % 3);
        for (uint32_t d = 0; d < want;) {
            uint32_t i = (uint32_t)(gs_rand(&seed) % 6);
            if (!drop[i]) {
                drop[i] = 1;
                d++;
            }
        }
        if (want == 3)
            for (uint32_t i = 0; i < 4; i++)
                expect_lost += drop[i];
        for (uint32_t i = 0; i < 6; i++) {
            if (drop[i])
                continue;
            uint32_t k = b * 6 + i;
            feed_one(rx, &s, k);
        }
    }
    assert_int_equal(sink.count + sink.lost, 400);
    uint32_t prev = 0;
    for (uint32_t i = 0; i < sink.count; i++) {
        if (i)
            assert_true(sink.seqs[i] > prev);
        prev = sink.seqs[i];
        assert_int_equal(sink.first_byte[i], (uint8_t)sink.seqs[i]);
        assert_int_equal(sink.lens[i], 60);
        assert_int_equal(sink.timestamps[i], 5u * sink.seqs[i]);
    }
    assert_int_equal(sink.lost, expect_lost);
    pf_gs_audio_rx_stats st;
    pf_gs_audio_rx_get_stats(rx, &st);
    assert_true(st.packets_recovered > 0);
    assert_int_equal(st.packets_delivered, sink.count);
    pf_gs_audio_rx_destroy(rx);
    free_stream(&s);
}

static void roundtrip_plaintext(void **state)
{
    (void)state;
    roundtrip_with_drops(0);
}

static void roundtrip_encrypted(void **state)
{
    (void)state;
    roundtrip_with_drops(1);
}

/* Every pattern of up to two drops in one block is repaired, with regenerated timestamps. */
static void every_repairable_pattern_in_a_block(void **state)
{
    (void)state;
    for (int encrypt = 0; encrypt <= 1; encrypt++) {
        stream s;
        make_stream(encrypt, 8, 33, &s); /* two blocks: 12 datagrams */
        for (uint32_t mask = 0; mask < 64; mask++) {
            if (__builtin_popcount(mask) > 2)
                continue;
            audio_sink sink = {0};
            pf_gs_audio_rx *rx = make_rx(encrypt, &sink, 2);
            for (uint32_t k = 0; k < s.count; k++) {
                if (k < 6 && (mask >> k) & 1u)
                    continue;
                feed_one(rx, &s, k);
            }
            assert_int_equal(sink.count, 8);
            assert_int_equal(sink.lost, 0);
            for (uint32_t i = 0; i < 8; i++) {
                assert_int_equal(sink.seqs[i], i);
                assert_int_equal(sink.first_byte[i], i);
                assert_int_equal(sink.timestamps[i], 5 * i);
                assert_int_equal(sink.lens[i], 33);
                assert_int_equal(sink.recovered[i], i < 4 && ((mask >> i) & 1u));
            }
            pf_gs_audio_rx_destroy(rx);
        }
        free_stream(&s);
    }
}

static void reordering_and_duplicates(void **state)
{
    (void)state;
    stream s;
    make_stream(0, 12, 40, &s);
    audio_sink sink = {0};
    pf_gs_audio_rx *rx = make_rx(0, &sink, 3);
    /* Within a block: 3, 1, 0, 2 then the FEC pair; duplicates are refused. */
    static const uint32_t order[] = {3, 1, 1, 0, 2, 4, 5, 9, 7, 6, 8, 10, 11, 12, 13, 14, 15,
                                     16, 17};
    int dups = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        uint32_t k = order[i];
        int r = pf_gs_audio_rx_feed(rx, s.bufs + (size_t)k * STRIDE, s.lens[k]);
        if (i == 2 || k == 4 || k == 5 || k == 10 || k == 11 || k == 16 || k == 17) {
            /* the duplicate, and FEC of blocks already delivered in full */
            assert_int_equal(r, PF_ERR_REPLAY);
            dups++;
        } else {
            assert_int_equal(r, 0);
        }
    }
    assert_int_equal(sink.count, 12);
    for (uint32_t i = 0; i < 12; i++)
        assert_int_equal(sink.seqs[i], i);
    assert_int_equal(pf_gs_audio_rx_feed(rx, s.bufs, s.lens[0]), PF_ERR_REPLAY);
    pf_gs_audio_rx_destroy(rx);
    free_stream(&s);
}

/* A gap the window cannot wait for is reported once, as one range, without iterating. */
static void far_jump_reports_the_gap(void **state)
{
    (void)state;
    audio_sink sink = {0};
    pf_gs_audio_rx *rx = make_rx(0, &sink, 2);
    uint8_t pkt[12 + 20] = {0x80, 97};
    memset(pkt + 12, 0xab, 20);
    assert_int_equal(pf_gs_audio_rx_feed(rx, pkt, sizeof(pkt)), 0); /* seq 0 */
    pkt[2] = 0x7f;
    pkt[3] = 0xf0; /* seq 0x7ff0 */
    assert_int_equal(pf_gs_audio_rx_feed(rx, pkt, sizeof(pkt)), 0);
    /* The window of two blocks ends at 0x7ff0's block: everything before 0x7fec is lost. */
    assert_int_equal(sink.count, 1);
    assert_int_equal(sink.lost_first, 1);
    assert_int_equal(sink.lost, 0x7fec - 1);
    pf_gs_audio_rx_destroy(rx);
}

static void sequence_wraps(void **state)
{
    (void)state;
    audio_sink sink = {0};
    pf_gs_audio_rx *rx = make_rx(0, &sink, 3);
    uint8_t pkt[12 + 20] = {0x80, 97};
    for (uint32_t i = 0; i < 12; i++) {
        uint16_t seq = (uint16_t)(65532u + i);
        pkt[2] = (uint8_t)(seq >> 8);
        pkt[3] = (uint8_t)seq;
        pkt[12] = (uint8_t)i;
        assert_int_equal(pf_gs_audio_rx_feed(rx, pkt, sizeof(pkt)), 0);
    }
    assert_int_equal(sink.count, 12);
    assert_int_equal(sink.seqs[11], 7);
    assert_int_equal(sink.lost, 0);
    pf_gs_audio_rx_destroy(rx);
}

static void unequal_lengths_skip_fec(void **state)
{
    (void)state;
    pf_gs_audio_tx *tx = make_tx(0);
    uint8_t opus[64] = {0}, out[3 * STRIDE];
    pf_gs_audio_tx_result res;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, 20 + (size_t)i, out, sizeof(out),
                                                  STRIDE, &res),
                         0);
    assert_int_equal(res.packet_count, 1);
    assert_int_equal(res.fec_skipped, 1);
    /* Limits and buffers. */
    uint8_t big[PF_GS_AUDIO_MAX_PAYLOAD + 1] = {0};
    assert_int_equal(pf_gs_audio_tx_packetize(tx, big, sizeof(big), out, sizeof(out), STRIDE,
                                              &res),
                     PF_ERR_LIMIT);
    assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, 20, out, 31, STRIDE, &res),
                     PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, 0, out, sizeof(out), STRIDE, &res),
                     PF_ERR_INVALID_ARGUMENT);
    /* The packet that closes block 1 needs room for three datagrams. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, 20, out, sizeof(out), STRIDE, &res),
                         0);
    assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, 20, out, STRIDE, STRIDE, &res),
                     PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(pf_gs_audio_tx_packetize(tx, opus, 20, out, sizeof(out), STRIDE, &res), 0);
    assert_int_equal(res.seq, 7);
    assert_int_equal(res.packet_count, 3);
    pf_gs_audio_tx_destroy(tx);
    pf_gs_audio_tx_destroy(NULL);
    pf_gs_audio_rx_destroy(NULL);
}

static void garbage_never_crashes(void **state)
{
    (void)state;
    uint64_t seed = 4242;
    for (int encrypt = 0; encrypt <= 1; encrypt++) {
        audio_sink sink = {0};
        pf_gs_audio_rx *rx = make_rx(encrypt, &sink, 3);
        uint8_t buf[1500];
        for (int i = 0; i < 20000; i++) {
            size_t len = (size_t)(gs_rand(&seed) % 80);
            gs_fill(buf, len, gs_rand(&seed));
            if (len > 2 && i % 2) {
                buf[0] = 0x80;
                buf[1] = i % 4 == 1 ? 97 : 127;
                buf[13] = 97;
            }
            sink.count = 0;
            assert_true(pf_gs_audio_rx_feed(rx, buf, len) <= 0);
        }
        assert_int_equal(pf_gs_audio_rx_feed(rx, NULL, 0), PF_ERR_MALFORMED);
        assert_int_equal(pf_gs_audio_rx_feed(NULL, buf, 1), PF_ERR_INVALID_ARGUMENT);
        pf_gs_audio_rx_stats st;
        pf_gs_audio_rx_get_stats(rx, &st);
        assert_true(st.packets_malformed > 0);
        pf_gs_audio_rx_destroy(rx);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(data_packet_matches_8_3_example),
        cmocka_unit_test(fec_packets_match_8_4_example),
        cmocka_unit_test(fec_payload_reproduces_7_4_vector),
        cmocka_unit_test(roundtrip_plaintext),
        cmocka_unit_test(roundtrip_encrypted),
        cmocka_unit_test(every_repairable_pattern_in_a_block),
        cmocka_unit_test(reordering_and_duplicates),
        cmocka_unit_test(far_jump_reports_the_gap),
        cmocka_unit_test(sequence_wraps),
        cmocka_unit_test(unequal_lengths_skip_fec),
        cmocka_unit_test(garbage_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
