/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 shared pieces: control-stream framing (§2), codec resolution (§3.5), grants
 * (§3.6) and close-code names (§10). */
#include "pf/core/pkf1.h"

#include "pf/core/error.h"

#include "gs_bytes.h"
#include "pf_assert.h"

const char *pf_pkf1_close_code_name(uint32_t code)
{
    switch (code) {
    case PF_PKF1_CLOSE_NORMAL: return "normal close";
    case PF_PKF1_CLOSE_BUSY: return "host busy";
    case PF_PKF1_CLOSE_CLIENT_QUIT: return "client quit";
    case PF_PKF1_CLOSE_APP_EXITED: return "app exited";
    case PF_PKF1_CLOSE_PAIR_NOT_ARMED: return "pairing not armed";
    case PF_PKF1_CLOSE_PAIR_WRONG_DEVICE: return "pairing window bound to another device";
    case PF_PKF1_CLOSE_PAIR_RATE_LIMITED: return "pairing rate limited";
    case PF_PKF1_CLOSE_IDENTITY_REQUIRED: return "identity required";
    case PF_PKF1_CLOSE_ACCESS_DENIED: return "access denied";
    case PF_PKF1_CLOSE_ACCESS_TIMEOUT: return "access request timed out";
    case PF_PKF1_CLOSE_ACCESS_SUPERSEDED: return "access request superseded";
    case PF_PKF1_CLOSE_WIRE_VERSION: return "wire version mismatch";
    case PF_PKF1_CLOSE_SETUP_FAILED: return "session setup failed";
    case PF_PKF1_CLOSE_ACCESS_EXPIRED: return "access expired";
    case PF_PKF1_CLOSE_LAUNCH_DENIED: return "launch not permitted";
    case PF_PKF1_CLOSE_HOST_POWER: return "host power action";
    case PF_PKF1_CLOSE_CLIP_CANCELLED: return "clipboard fetch cancelled";
    default: return NULL;
    }
}

int pf_pkf1_frame_split(const uint8_t *buf, size_t len, const uint8_t **ret_payload,
                        size_t *ret_payload_len, size_t *ret_consumed)
{
    pf_assert_return(buf || len == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(ret_payload && ret_payload_len && ret_consumed, PF_ERR_INVALID_ARGUMENT);
    if (len < PF_PKF1_FRAME_HEADER_BYTES)
        return PF_ERR_AGAIN;
    size_t n = pfi_get_le16(buf);
    if (len - PF_PKF1_FRAME_HEADER_BYTES < n)
        return PF_ERR_AGAIN;
    *ret_payload = buf + PF_PKF1_FRAME_HEADER_BYTES;
    *ret_payload_len = n;
    *ret_consumed = PF_PKF1_FRAME_HEADER_BYTES + n;
    return 0;
}

int pf_pkf1_frame_header(size_t payload_len, uint8_t *out)
{
    pf_assert_return(out, PF_ERR_INVALID_ARGUMENT);
    if (payload_len > PF_PKF1_MAX_FRAME_PAYLOAD)
        return PF_ERR_LIMIT;
    pfi_put_le16(out, (uint16_t)payload_len);
    return 0;
}

uint32_t pf_pkf1_resolve_codec(uint32_t client_codecs, uint32_t preferred,
                               uint32_t host_codecs)
{
    /* An older client sends 0, which the reference reads as "HEVC only". */
    uint32_t client = (client_codecs & 0xFF) ? (client_codecs & 0xFF) : PF_PKF1_CODEC_HEVC;
    uint32_t shared = client & host_codecs & 0xFF;
    if (preferred != 0 && (preferred & (preferred - 1)) == 0 && (preferred & shared))
        return preferred;
    /* PyroWave is never picked by precedence, only when asked for. */
    static const uint8_t order[] = {PF_PKF1_CODEC_HEVC, PF_PKF1_CODEC_AV1, PF_PKF1_CODEC_H264};
    for (size_t i = 0; i < sizeof(order); i++)
        if (shared & order[i])
            return order[i];
    return 0;
}

uint32_t pf_pkf1_grants_normalize(uint32_t grants)
{
    /* 63 and 127 were "all" before newer grant bits existed. */
    if (grants == 63 || grants == 127)
        return PF_PKF1_GRANT_ALL;
    return grants & PF_PKF1_GRANT_ALL;
}
