/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control stream behind its encryption. The target knows the session key, so each
 * record of the input (fuzz_input.h framing) is a plaintext control message, type (LE16)
 * and payload, that it seals as the client would and hands to the session
 * (pfi_gs_control_receive): the opener, the replay window, the message dispatch and the §9
 * input decoder all run. Byte 0: bit 0 legacy IVs instead of v2; bit 1 takes each message's
 * sequence number from its first byte (replays, reordering) instead of counting up.
 *
 * Oracles: a sealed message never ends the session; a replayed sequence number delivers
 * nothing; decoded input events carry a known type. */
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/gs_control.h"
#include "pf/input.h"
#include "pf/net_stream.h"

#include "fuzz_input.h"
#include "gs_ctrl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t test_key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static unsigned delivered;
static int closing;

static void on_idr(void *ud, uint32_t id)
{
    delivered++;
}

static void on_rfi(void *ud, uint32_t id, uint64_t first, uint64_t last)
{
    delivered++;
}

static void on_fec(void *ud, uint32_t id, uint32_t frame, uint32_t missing, uint32_t pct)
{
    delivered++;
}

static void on_input(void *ud, uint32_t id, const pf_input_event *ev)
{
    if (ev->type == 0 || ev->type > 64)
        __builtin_trap();
    delivered++;
}

static void on_ended(void *ud, uint32_t id, uint32_t reason)
{
    if (!closing)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int legacy = data[0] & 1, seq_from_input = (data[0] >> 1) & 1;
    pf_net_gs_control_settings st;
    pf_net_gs_control_settings_default(&st);
    st.bind_address = "127.0.0.1";
    st.port = 0;
    pf_net_gs_control_callbacks cb = {.idr_request = on_idr,
                                      .invalidate_refs = on_rfi,
                                      .fec_status = on_fec,
                                      .input = on_input,
                                      .ended = on_ended};
    pf_net_gs_control *ctl;
    if (pf_net_gs_control_create(&st, &cb, &ctl) < 0)
        __builtin_trap();
    pf_net_gs_stream_config cfg = {.struct_size = sizeof(cfg),
                                   .encrypt_control = 1,
                                   .control_iv_v2 = (uint32_t)!legacy};
    if (pf_net_gs_control_add_session(ctl, 5, 0x55667788, test_key, &cfg, 0) < 0)
        __builtin_trap();
    pf_gs_cipher *c;
    if (pf_gs_cipher_create(NULL, test_key, &c) < 0)
        __builtin_trap();
    uint8_t *sealed = malloc(65536 + 64);
    if (!sealed)
        __builtin_trap();
    fuzz_input in = {.data = data, .len = size, .pos = 1};
    const uint8_t *pkt;
    size_t len;
    uint32_t seq = 0;
    uint8_t seen[256] = {0};
    for (int k = 0; k < 256 && fuzz_next_packet(&in, &pkt, &len); k++) {
        if (len < 2)
            continue;
        uint32_t s = seq_from_input ? pkt[0] : ++seq;
        /* The legacy IV carries only seq & 0xff: keep the two schemes comparable. */
        size_t slen;
        if (pf_gs_control_seal(c, legacy ? PF_GS_CONTROL_IV_LEGACY : PF_GS_CONTROL_IV_V2,
                               PF_GS_ORIGIN_CLIENT, s, (uint16_t)(pkt[0] | pkt[1] << 8), pkt + 2,
                               len - 2, sealed, 65536 + 64, &slen) < 0)
            continue;
        unsigned before = delivered;
        if (pfi_gs_control_receive(ctl, 5, sealed, slen) < 0)
            __builtin_trap();
        /* A sequence number seen before delivers nothing the second time. */
        if (seq_from_input && seen[s & 0xff] && delivered != before)
            __builtin_trap();
        seen[s & 0xff] = 1;
    }
    free(sealed);
    pf_gs_cipher_destroy(c);
    closing = 1;
    pf_net_gs_control_destroy(ctl);
    closing = 0;
    return 0;
}
