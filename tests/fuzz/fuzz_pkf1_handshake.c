/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 handshake decoders (Hello, Welcome, Start with its extension block): decode
 * arbitrary bytes as each; whatever decodes must re-encode to bytes that decode to the same
 * fields. */
#include <string.h>

#include "pf/core/pkf1_handshake.h"

#include "fuzz_input.h"

static void check_hello(const uint8_t *data, size_t size)
{
    pf_pkf1_hello h, again;
    if (pf_pkf1_hello_decode(data, size, &h) < 0)
        return;
    uint8_t buf[PF_PKF1_HELLO_MAX_BYTES];
    size_t len;
    if (pf_pkf1_hello_encode(&h, buf, sizeof(buf), &len) < 0)
        __builtin_trap();
    if (pf_pkf1_hello_decode(buf, len, &again) < 0)
        __builtin_trap();
    if (again.width != h.width || again.video_caps != h.video_caps ||
        again.client_caps != h.client_caps || again.max_shard_payload != h.max_shard_payload ||
        again.audio_rate_hz != h.audio_rate_hz || again.audio_bits != h.audio_bits ||
        again.video_fit != h.video_fit || again.has_display_hdr != h.has_display_hdr ||
        again.name_len != h.name_len || again.launch_len != h.launch_len ||
        (h.name_len && memcmp(again.name, h.name, h.name_len) != 0))
        __builtin_trap();
}

static void check_welcome(const uint8_t *data, size_t size)
{
    pf_pkf1_welcome w, again;
    if (pf_pkf1_welcome_decode(data, size, &w) < 0)
        return;
    pf_pkf1_ext_entry e[PF_PKF1_EXT_MAX_ENTRIES];
    size_t count;
    (void)pf_pkf1_welcome_decode_ext(data, size, e, PF_PKF1_EXT_MAX_ENTRIES, &count);
    /* The encoder drops what its presence rules say is absent (audio fields behind an Opus
     * codec, as the reference does), so the property is a fixed point: what it writes reads
     * back and writes again identically, and the positional head survives. */
    uint8_t buf[PF_PKF1_WELCOME_MAX_BYTES], buf2[PF_PKF1_WELCOME_MAX_BYTES];
    size_t len, len2;
    if (pf_pkf1_welcome_encode(&w, 0, NULL, 0, buf, sizeof(buf), &len) < 0 ||
        pf_pkf1_welcome_decode(buf, len, &again) < 0 ||
        pf_pkf1_welcome_encode(&again, 0, NULL, 0, buf2, sizeof(buf2), &len2) < 0 ||
        len2 != len || memcmp(buf, buf2, len) != 0)
        __builtin_trap();
    if (again.udp_port != w.udp_port || again.shard_payload != w.shard_payload ||
        again.cipher != w.cipher || memcmp(again.key, w.key, 16) != 0 ||
        memcmp(again.key_chacha, w.key_chacha, 32) != 0 || again.grants != w.grants ||
        again.host_caps2 != w.host_caps2 || again.codec != w.codec)
        __builtin_trap();
}

static void check_start(const uint8_t *data, size_t size)
{
    pf_pkf1_ext_entry e[PF_PKF1_EXT_MAX_ENTRIES], e2[PF_PKF1_EXT_MAX_ENTRIES];
    size_t count, count2, len;
    uint16_t port, port2;
    if (pf_pkf1_start_decode(data, size, 1, &port, e, PF_PKF1_EXT_MAX_ENTRIES, &count) < 0)
        return;
    static uint8_t buf[PF_PKF1_START_BYTES + PF_PKF1_EXT_MAX_BYTES];
    if (pf_pkf1_start_encode(port, count > 0, e, count, buf, sizeof(buf), &len) < 0)
        __builtin_trap();
    if (pf_pkf1_start_decode(buf, len, 1, &port2, e2, PF_PKF1_EXT_MAX_ENTRIES, &count2) < 0 ||
        port2 != port || count2 != count)
        __builtin_trap();
    for (size_t i = 0; i < count; i++)
        if (e2[i].tag != e[i].tag || e2[i].len != e[i].len ||
            (e[i].len && memcmp(e2[i].value, e[i].value, e[i].len) != 0))
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_hello(data, size);
    check_welcome(data, size);
    check_start(data, size);
    return 0;
}
