/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RTSP request framing, ANNOUNCE attributes and DESCRIBE text (gamestream-protocol.md §4).
 * Every function here works on bounded, possibly non-terminated bytes. */
#include "gs_rtsp_parse.h"

#include <stdio.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/net_gamestream.h"

#include "netlog.h"

static const char *find_crlfcrlf(const char *buf, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return buf + i;
    return NULL;
}

static int ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* strtoul(…, 0) semantics on a bounded string: optional spaces, decimal or 0x hex; stops at
 * the first other byte. Saturates instead of wrapping so a huge value fails range checks. */
static int parse_u32(const char *s, size_t len, uint32_t *ret)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    uint32_t base = 10;
    if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        base = 16;
        i += 2;
    }
    uint64_t v = 0;
    size_t digits = 0;
    for (; i < len; i++, digits++) {
        char c = s[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A' + 10);
        else
            break;
        v = v * base + d;
        if (v > UINT32_MAX)
            v = UINT32_MAX;
    }
    if (!digits)
        return PF_ERR_MALFORMED;
    *ret = (uint32_t)v;
    return 0;
}

static int method_of(const char *m, size_t len)
{
    static const struct {
        const char *name;
        int id;
    } methods[] = {
        {"OPTIONS", PFI_RTSP_OPTIONS}, {"DESCRIBE", PFI_RTSP_DESCRIBE},
        {"SETUP", PFI_RTSP_SETUP},     {"ANNOUNCE", PFI_RTSP_ANNOUNCE},
        {"PLAY", PFI_RTSP_PLAY},       {"TEARDOWN", PFI_RTSP_TEARDOWN},
    };
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (len == strlen(methods[i].name) && !memcmp(m, methods[i].name, len))
            return methods[i].id;
    return 0;
}

/* §4.2: the SETUP target is "streamid=<type>/…"; the type runs to the next '/'. */
static int stream_of(const char *t, size_t len)
{
    const char *eq = memchr(t, '=', len);
    if (!eq)
        return PFI_RTSP_STREAM_NONE;
    const char *s = eq + 1;
    size_t rest = len - (size_t)(s - t);
    const char *slash = memchr(s, '/', rest);
    size_t n = slash ? (size_t)(slash - s) : rest;
    if (n == 5 && !memcmp(s, "audio", 5))
        return PFI_RTSP_STREAM_AUDIO;
    if (n == 5 && !memcmp(s, "video", 5))
        return PFI_RTSP_STREAM_VIDEO;
    if (n == 7 && !memcmp(s, "control", 7))
        return PFI_RTSP_STREAM_CONTROL;
    return PFI_RTSP_STREAM_NONE;
}

int pfi_rtsp_request_parse(const char *buf, size_t len, pfi_rtsp_request *ret)
{
    pf_assert_return(buf && ret, PF_ERR_INVALID_ARGUMENT);
    size_t scan = len < PFI_RTSP_MAX_MESSAGE ? len : PFI_RTSP_MAX_MESSAGE;
    const char *end = find_crlfcrlf(buf, scan);
    if (!end)
        return len >= PFI_RTSP_MAX_MESSAGE ? PF_ERR_LIMIT : PF_ERR_AGAIN;
    size_t head_len = (size_t)(end - buf) + 4;

    pfi_rtsp_request r;
    memset(&r, 0, sizeof(r));
    const char *line = buf;
    const char *eol = memchr(line, '\r', (size_t)(end - line) + 1);
    if (!eol || eol == line)
        return PF_ERR_MALFORMED;
    /* Request line: METHOD SP target SP RTSP/1.0 */
    const char *sp1 = memchr(line, ' ', (size_t)(eol - line));
    if (!sp1 || sp1 == line)
        return PF_ERR_MALFORMED;
    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', (size_t)(eol - target));
    if (!sp2 || sp2 == target)
        return PF_ERR_MALFORMED;
    size_t ver_len = (size_t)(eol - sp2 - 1);
    if (ver_len != 8 || memcmp(sp2 + 1, "RTSP/1.0", 8))
        return PF_ERR_MALFORMED;
    r.method = method_of(line, (size_t)(sp1 - line));
    r.stream = stream_of(target, (size_t)(sp2 - target));

    uint64_t content_length = 0;
    int has_length = 0;
    line = eol + 2;
    while (line < end + 2) {
        eol = memchr(line, '\r', (size_t)(end + 2 - line));
        if (!eol || eol + 1 >= buf + head_len || eol[1] != '\n')
            return PF_ERR_MALFORMED;
        if (eol == line)
            break;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (!colon || colon == line)
            return PF_ERR_MALFORMED;
        size_t name_len = (size_t)(colon - line);
        const char *v = colon + 1;
        while (v < eol && (*v == ' ' || *v == '\t'))
            v++;
        size_t vlen = (size_t)(eol - v);
        while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
            vlen--;
        if (ieq(line, name_len, "CSeq")) {
            uint32_t c;
            if (parse_u32(v, vlen, &c) < 0)
                return PF_ERR_MALFORMED;
            r.cseq = c;
            r.has_cseq = 1;
        } else if (ieq(line, name_len, "Content-length")) {
            uint32_t c;
            if (has_length || parse_u32(v, vlen, &c) < 0)
                return PF_ERR_MALFORMED;
            content_length = c;
            has_length = 1;
        } else if (ieq(line, name_len, "Session")) {
            const char *semi = memchr(v, ';', vlen);
            r.session = v;
            r.session_len = semi ? (size_t)(semi - v) : vlen;
        } else if (ieq(line, name_len, "Host")) {
            r.host = v;
            r.host_len = vlen;
        }
        line = eol + 2;
    }
    if (!r.has_cseq)
        return PF_ERR_MALFORMED;
    if (head_len + content_length > PFI_RTSP_MAX_MESSAGE)
        return PF_ERR_LIMIT;
    if (len < head_len + content_length)
        return PF_ERR_AGAIN;
    r.body = buf + head_len;
    r.body_len = (size_t)content_length;
    r.total_len = head_len + (size_t)content_length;
    *ret = r;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* ANNOUNCE */

enum {
    A_WIDTH, A_HEIGHT, A_FPS, A_REFRESH, A_PACKET, A_BITRATE, A_CONF_BITRATE, A_CODEC,
    A_DYNRANGE, A_CHROMA, A_CSC, A_MAXREF, A_SLICES, A_INTRA, A_MINFEC, A_RELIABLE,
    A_NVFF, A_MLFF, A_ENC, A_CHANNELS, A_MASK, A_QUALITY, A_PKTDUR, A_VQOS, A_AQOS, A_COUNT
};

static const char *const attr_names[A_COUNT] = {
    [A_WIDTH] = "x-nv-video[0].clientViewportWd",
    [A_HEIGHT] = "x-nv-video[0].clientViewportHt",
    [A_FPS] = "x-nv-video[0].maxFPS",
    [A_REFRESH] = "x-nv-video[0].clientRefreshRateX100",
    [A_PACKET] = "x-nv-video[0].packetSize",
    [A_BITRATE] = "x-nv-vqos[0].bw.maximumBitrateKbps",
    [A_CONF_BITRATE] = "x-ml-video.configuredBitrateKbps",
    [A_CODEC] = "x-nv-vqos[0].bitStreamFormat",
    [A_DYNRANGE] = "x-nv-video[0].dynamicRangeMode",
    [A_CHROMA] = "x-ss-video[0].chromaSamplingType",
    [A_CSC] = "x-nv-video[0].encoderCscMode",
    [A_MAXREF] = "x-nv-video[0].maxNumReferenceFrames",
    [A_SLICES] = "x-nv-video[0].videoEncoderSlicesPerFrame",
    [A_INTRA] = "x-ss-video[0].intraRefresh",
    [A_MINFEC] = "x-nv-vqos[0].fec.minRequiredFecPackets",
    [A_RELIABLE] = "x-nv-general.useReliableUdp",
    [A_NVFF] = "x-nv-general.featureFlags",
    [A_MLFF] = "x-ml-general.featureFlags",
    [A_ENC] = "x-ss-general.encryptionEnabled",
    [A_CHANNELS] = "x-nv-audio.surround.numChannels",
    [A_MASK] = "x-nv-audio.surround.channelMask",
    [A_QUALITY] = "x-nv-audio.surround.AudioQuality",
    [A_PKTDUR] = "x-nv-aqos.packetDuration",
    [A_VQOS] = "x-nv-vqos[0].qosTrafficType",
    [A_AQOS] = "x-nv-aqos.qosTrafficType",
};

PF_EXPORT int pf_net_gs_announce_parse(const char *sdp, size_t len,
                                       pf_net_gs_stream_config *ret_config)
{
    pf_assert_return(sdp && ret_config, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(ret_config->struct_size >= sizeof(pf_net_gs_stream_config),
                     PF_ERR_INVALID_ARGUMENT);
    uint32_t v[A_COUNT];
    uint8_t seen[A_COUNT];
    memset(seen, 0, sizeof(seen));
    memset(v, 0, sizeof(v));

    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && sdp[i] != '\r' && sdp[i] != '\n')
            i++;
        const char *l = sdp + start;
        size_t n = i - start;
        while (i < len && (sdp[i] == '\r' || sdp[i] == '\n'))
            i++;
        if (n < 3 || l[0] != 'a' || l[1] != '=')
            continue;
        const char *colon = memchr(l + 2, ':', n - 2);
        if (!colon)
            continue;
        size_t name_len = (size_t)(colon - (l + 2));
        for (int a = 0; a < A_COUNT; a++) {
            if (name_len != strlen(attr_names[a]) || memcmp(l + 2, attr_names[a], name_len))
                continue;
            uint32_t x;
            if (parse_u32(colon + 1, n - (size_t)(colon + 1 - l), &x) < 0)
                return PF_ERR_MALFORMED;
            v[a] = x;
            seen[a] = 1;
            break;
        }
    }
    static const int required[] = {A_WIDTH, A_HEIGHT, A_FPS, A_PACKET, A_BITRATE, A_CHANNELS};
    for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++)
        if (!seen[required[r]])
            return PF_ERR_MALFORMED;
    if (v[A_WIDTH] < 16 || v[A_WIDTH] > 8192 || v[A_HEIGHT] < 16 || v[A_HEIGHT] > 8192 ||
        v[A_FPS] < 1 || v[A_FPS] > 1000 || v[A_PACKET] < 64 || v[A_PACKET] > 9000 ||
        v[A_BITRATE] < 1 || v[A_CODEC] > PF_NET_GS_STREAM_AV1)
        return PF_ERR_MALFORMED;
    if (v[A_CHANNELS] != 2 && v[A_CHANNELS] != 6 && v[A_CHANNELS] != 8)
        return PF_ERR_MALFORMED;
    if (!seen[A_PKTDUR])
        v[A_PKTDUR] = 5;
    if (v[A_PKTDUR] != 5 && v[A_PKTDUR] != 10)
        return PF_ERR_MALFORMED;
    if (!seen[A_MASK])
        v[A_MASK] = v[A_CHANNELS] == 2 ? 0x3 : v[A_CHANNELS] == 6 ? 0x3F : 0x63F;
    if (!seen[A_RELIABLE])
        v[A_RELIABLE] = 1;
    if (!seen[A_NVFF])
        v[A_NVFF] = 135;
    if (!seen[A_VQOS])
        v[A_VQOS] = 5;
    if (!seen[A_AQOS])
        v[A_AQOS] = 4;
    if (!seen[A_SLICES] || v[A_SLICES] == 0)
        v[A_SLICES] = 1;
    if (v[A_SLICES] > 32)
        v[A_SLICES] = 32;
    /* §6.3 step 4: a parity count beyond 2 would change the client-visible percentage rule;
     * Sunshine clamps the same way. */
    if (v[A_MINFEC] > 2)
        v[A_MINFEC] = 2;

    pf_net_gs_stream_config c;
    memset(&c, 0, sizeof(c));
    c.struct_size = sizeof(c);
    c.width = v[A_WIDTH];
    c.height = v[A_HEIGHT];
    c.fps = v[A_FPS];
    c.refresh_x100 = v[A_REFRESH];
    c.packet_size = v[A_PACKET];
    c.bitrate_kbps = v[A_BITRATE];
    c.configured_bitrate_kbps = v[A_CONF_BITRATE];
    c.codec = v[A_CODEC];
    c.dynamic_range = v[A_DYNRANGE] ? 1 : 0;
    c.chroma_444 = v[A_CHROMA] == 1;
    c.csc_mode = v[A_CSC];
    c.max_ref_frames = v[A_MAXREF];
    c.slices = v[A_SLICES];
    c.intra_refresh = v[A_INTRA];
    c.min_fec_packets = v[A_MINFEC];
    c.reliable_udp = v[A_RELIABLE];
    c.nv_feature_flags = v[A_NVFF];
    c.ml_feature_flags = v[A_MLFF];
    c.encryption_enabled = v[A_ENC];
    c.audio_channels = v[A_CHANNELS];
    c.audio_channel_mask = v[A_MASK];
    c.audio_high_quality = v[A_QUALITY] ? 1 : 0;
    c.audio_packet_ms = v[A_PKTDUR];
    c.video_qos = v[A_VQOS];
    c.audio_qos = v[A_AQOS];
    c.encrypt_control = c.reliable_udp == 13;
    c.control_iv_v2 = (c.encryption_enabled & PF_NET_GS_ENC_CONTROL_V2) != 0;
    c.encrypt_video = (c.encryption_enabled & PF_NET_GS_ENC_VIDEO) != 0;
    c.encrypt_audio = (c.nv_feature_flags & 0x20) || (c.encryption_enabled & PF_NET_GS_ENC_AUDIO);
    memcpy(ret_config, &c, sizeof(c));
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Replies */

int pfi_rtsp_describe_sdp(const pfi_rtsp_describe *d, char *out, size_t cap)
{
    /* §8.2: the encoder's Opus layouts, normal then high quality per channel count (the
     * client takes the first line of a channel count as normal, the next as high); the
     * stereo lines mirror Sunshine and are harmless. */
    static const char defaults[4][16] = {"642012453", "660012345", "85301245673",
                                         "88001234567"};
    const char(*sp)[16] = d->surround ? d->surround : defaults;
    int n = snprintf(out, cap,
                     "a=x-ss-general.featureFlags:%u\n"
                     "a=x-ss-general.encryptionSupported:%u\n"
                     "a=x-ss-general.encryptionRequested:%u\n"
                     "%s%s"
                     "a=fmtp:97 surround-params=21101\n"
                     "a=fmtp:97 surround-params=21101\n",
                     d->feature_flags, d->encryption_supported, d->encryption_requested,
                     (d->codec_mask & PF_NET_GS_CODEC_HEVC) ? "sprop-parameter-sets=AAAAAU\n" : "",
                     (d->codec_mask & (PF_NET_GS_CODEC_AV1_MAIN8 | PF_NET_GS_CODEC_AV1_MAIN10))
                         ? "a=rtpmap:98 AV1/90000\n"
                         : "");
    if (n < 0 || (size_t)n >= cap)
        return PF_ERR_BUFFER_TOO_SMALL;
    for (int i = 0; i < 4; i++) {
        size_t len = strnlen(sp[i], 16);
        if (!len || len == 16)
            continue;
        int m = snprintf(out + n, cap - (size_t)n, "a=fmtp:97 surround-params=%s\n", sp[i]);
        if (m < 0 || (size_t)m >= cap - (size_t)n)
            return PF_ERR_BUFFER_TOO_SMALL;
        n += m;
    }
    return n;
}

static const char *reason_of(int code)
{
    switch (code) {
    case 200: return "OK";
    case 400: return "BAD REQUEST";
    case 403: return "FORBIDDEN";
    case 404: return "NOT FOUND";
    case 454: return "SESSION NOT FOUND";
    case 501: return "NOT IMPLEMENTED";
    default: return "INTERNAL SERVER ERROR";
    }
}

int pfi_rtsp_reply(int code, uint32_t cseq, const char *extra, const char *body,
                   size_t body_len, char *out, size_t cap)
{
    int n = snprintf(out, cap, "RTSP/1.0 %d %s\r\nCSeq: %u\r\n%s\r\n", code, reason_of(code),
                     cseq, extra ? extra : "");
    if (n < 0 || (size_t)n >= cap || cap - (size_t)n < body_len)
        return PF_ERR_BUFFER_TOO_SMALL;
    if (body_len)
        memcpy(out + n, body, body_len);
    return n + (int)body_len;
}
