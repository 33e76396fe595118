/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 Hello, Welcome and Start (native-protocol.md §3). The forcing and defaulting
 * rules follow the reference's pkf1-era handshake codec field by field, because a peer reads
 * every optional field at a fixed offset that only those rules keep fixed. */
#include "pf/core/pkf1_handshake.h"

#include <string.h>

#include "pf/core/error.h"

#include "pkf1_bytes.h"
#include "pkf1_utf8.h"
#include "pf_assert.h"

static const uint8_t magic[4] = {'P', 'K', 'F', '1'};

#define AUDIO_RATE_DEFAULT 48000u
#define AUDIO_BITS_DEFAULT 16u

/* A trailing field a peer left out keeps its default. */
static uint8_t opt_u8(const uint8_t *b, size_t len, size_t off, uint8_t dflt)
{
    return len > off ? b[off] : dflt;
}

static uint8_t normalize_channels(uint8_t ch)
{
    return (ch == 2 || ch == 6 || ch == 8) ? ch : 2;
}

static int audio_bits_supported(uint8_t bits)
{
    return bits == 16 || bits == 24;
}

/* The reference folds a Welcome rate outside its supported set to 48 kHz: the rate sizes
 * decode buffers, so a made-up value must not pass. Its set is the 44.1 and 48 kHz families
 * up to 192 kHz. */
static int audio_rate_supported(uint32_t hz)
{
    switch (hz) {
    case 44100: case 48000: case 88200: case 96000: case 176400: case 192000: return 1;
    default: return 0;
    }
}

void pf_pkf1_hello_init(pf_pkf1_hello *hello)
{
    if (!hello)
        return;
    memset(hello, 0, sizeof(*hello));
    hello->wire_version = PF_PKF1_WIRE_VERSION;
    hello->audio_channels = 2;
    hello->audio_rate_hz = AUDIO_RATE_DEFAULT;
    hello->audio_bits = AUDIO_BITS_DEFAULT;
}

int pf_pkf1_hello_encode(const pf_pkf1_hello *h, uint8_t *out, size_t out_cap, size_t *ret_len)
{
    pf_assert_return(h && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(h->name || h->name_len == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(h->launch || h->launch_len == 0, PF_ERR_INVALID_ARGUMENT);
    int rate = h->audio_rate_hz != 0 && h->audio_rate_hz != AUDIO_RATE_DEFAULT;
    int bits = h->audio_bits != 0 && h->audio_bits != AUDIO_BITS_DEFAULT;
    int layout = h->audio_layout != 0, fit = h->video_fit != 0;
    int audio = rate || bits || layout || fit;
    int msp = h->max_shard_payload != 0 || audio;
    int ccaps = h->client_caps != 0 || msp;
    int hdr = h->has_display_hdr != 0;
    int pref = h->preferred_codec != 0 || hdr || ccaps;
    int codecs = h->video_codecs != 0 || pref;
    int channels = h->audio_channels != 2 || codecs;
    int vcaps = h->video_caps != 0 || channels;
    int launch = h->launch_len != 0 || vcaps;
    int name = h->name_len != 0 || launch;

    pfi_wbuf w = {out, out_cap, 0, 0};
    pfi_wbuf_bytes(&w, magic, 4);
    pfi_wbuf_le32(&w, h->wire_version);
    pfi_wbuf_le32(&w, h->width);
    pfi_wbuf_le32(&w, h->height);
    pfi_wbuf_le32(&w, h->refresh_hz);
    /* The reference always writes compositor, gamepad and bitrate (26 bytes minimum). */
    pfi_wbuf_u8(&w, h->compositor);
    pfi_wbuf_u8(&w, h->gamepad);
    pfi_wbuf_le32(&w, h->bitrate_kbps);
    if (name) {
        size_t n = pfi_utf8_truncate(h->name, h->name_len, PF_PKF1_HELLO_NAME_MAX);
        pfi_wbuf_u8(&w, (uint8_t)n);
        pfi_wbuf_bytes(&w, h->name, n);
    }
    if (launch) {
        size_t n = pfi_utf8_truncate(h->launch, h->launch_len, PF_PKF1_HELLO_LAUNCH_MAX);
        pfi_wbuf_u8(&w, (uint8_t)n);
        pfi_wbuf_bytes(&w, h->launch, n);
    }
    if (vcaps)
        pfi_wbuf_u8(&w, h->video_caps);
    if (channels)
        pfi_wbuf_u8(&w, h->audio_channels);
    if (codecs)
        pfi_wbuf_u8(&w, h->video_codecs);
    if (pref)
        pfi_wbuf_u8(&w, h->preferred_codec);
    if (hdr) /* never a placeholder: presence is the remaining length */
        pfi_wbuf_bytes(&w, h->display_hdr, PF_PKF1_HDR_META_BYTES);
    if (ccaps)
        pfi_wbuf_u8(&w, h->client_caps);
    if (msp)
        pfi_wbuf_le16(&w, h->max_shard_payload);
    if (audio)
        pfi_wbuf_le32(&w, rate ? h->audio_rate_hz : AUDIO_RATE_DEFAULT);
    if (bits || layout || fit)
        pfi_wbuf_u8(&w, bits ? h->audio_bits : (uint8_t)AUDIO_BITS_DEFAULT);
    if (layout || fit)
        pfi_wbuf_u8(&w, h->audio_layout);
    if (fit)
        pfi_wbuf_u8(&w, h->video_fit);
    if (w.overflow)
        return PF_ERR_BUFFER_TOO_SMALL;
    *ret_len = w.len;
    return 0;
}

/* A label that is empty, too long, cut off or not UTF-8 is "none"; it never fails. */
static void read_label(const uint8_t *b, size_t len, size_t off, size_t n, size_t max,
                       const uint8_t **ret, size_t *ret_len)
{
    *ret = NULL;
    *ret_len = 0;
    if (n == 0 || n > max || off > len || len - off < n || !pfi_utf8_valid(b + off, n))
        return;
    *ret = b + off;
    *ret_len = n;
}

int pf_pkf1_hello_decode(const uint8_t *b, size_t len, pf_pkf1_hello *ret_hello)
{
    pf_assert_return((b || len == 0) && ret_hello, PF_ERR_INVALID_ARGUMENT);
    if (len < PF_PKF1_HELLO_MIN_BYTES || memcmp(b, magic, 4) != 0)
        return PF_ERR_MALFORMED;
    pf_pkf1_hello h;
    pf_pkf1_hello_init(&h);
    h.wire_version = pfi_get_le32(b + 4);
    h.width = pfi_get_le32(b + 8);
    h.height = pfi_get_le32(b + 12);
    h.refresh_hz = pfi_get_le32(b + 16);
    h.compositor = opt_u8(b, len, 20, h.compositor);
    h.gamepad = opt_u8(b, len, 21, h.gamepad);
    if (len >= 26)
        h.bitrate_kbps = pfi_get_le32(b + 22);
    /* The raw length bytes locate the tail even when a label is rejected. */
    size_t name_len = len > 26 ? b[26] : 0;
    size_t launch_off = 27 + name_len;
    size_t launch_len = len > launch_off ? b[launch_off] : 0;
    size_t tail = launch_off + 1 + launch_len;
    read_label(b, len, 27, name_len, PF_PKF1_HELLO_NAME_MAX, &h.name, &h.name_len);
    read_label(b, len, launch_off + 1, launch_len, PF_PKF1_HELLO_LAUNCH_MAX, &h.launch,
               &h.launch_len);
    h.video_caps = opt_u8(b, len, tail, h.video_caps);
    if (len > tail + 1)
        h.audio_channels = normalize_channels(b[tail + 1]);
    h.video_codecs = opt_u8(b, len, tail + 2, h.video_codecs);
    h.preferred_codec = opt_u8(b, len, tail + 3, h.preferred_codec);
    /* HDR presence is the remaining length: the post-HDR tail is at most 10 bytes. */
    size_t post = tail + 4;
    if (len > post && len - post >= PF_PKF1_HDR_META_BYTES) {
        h.has_display_hdr = 1;
        memcpy(h.display_hdr, b + post, PF_PKF1_HDR_META_BYTES);
        post += PF_PKF1_HDR_META_BYTES;
    }
    h.client_caps = opt_u8(b, len, post, h.client_caps);
    if (len >= post + 3)
        h.max_shard_payload = pfi_get_le16(b + post + 1);
    if (len >= post + 7) {
        uint32_t hz = pfi_get_le32(b + post + 3);
        h.audio_rate_hz = hz ? hz : AUDIO_RATE_DEFAULT;
    }
    if (len > post + 7 && audio_bits_supported(b[post + 7]))
        h.audio_bits = b[post + 7];
    h.audio_layout = opt_u8(b, len, post + 8, h.audio_layout);
    h.video_fit = opt_u8(b, len, post + 9, h.video_fit);
    *ret_hello = h;
    return 0;
}

uint32_t pf_pkf1_hello_check_version(const pf_pkf1_hello *hello)
{
    if (!hello || hello->wire_version != PF_PKF1_WIRE_VERSION)
        return PF_PKF1_CLOSE_WIRE_VERSION;
    return 0;
}

void pf_pkf1_welcome_init(pf_pkf1_welcome *w)
{
    if (!w)
        return;
    memset(w, 0, sizeof(*w));
    w->wire_version = PF_PKF1_WIRE_VERSION;
    w->fec_scheme = PF_PKF1_FEC_GF16;
    w->max_data_per_block = 4096;
    w->encrypt = 1;
    w->bit_depth = 8;
    w->color_primaries = 1;
    w->color_transfer = 1;
    w->color_matrix = 1;
    w->chroma_format_idc = 1;
    w->audio_channels = 2;
    w->codec = PF_PKF1_CODEC_HEVC;
    w->grants = PF_PKF1_GRANT_ALL;
    w->audio_rate_hz = AUDIO_RATE_DEFAULT;
    w->audio_bits = AUDIO_BITS_DEFAULT;
}

int pf_pkf1_welcome_encode(const pf_pkf1_welcome *wl, int with_ext,
                           const pf_pkf1_ext_entry *entries, size_t count, uint8_t *out,
                           size_t out_cap, size_t *ret_len)
{
    pf_assert_return(wl && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(wl->cipher <= PF_PKF1_CIPHER_CHACHA20_POLY1305, PF_ERR_INVALID_ARGUMENT);
    pfi_wbuf w = {out, out_cap, 0, 0};
    pfi_wbuf_bytes(&w, magic, 4);
    pfi_wbuf_le32(&w, wl->wire_version);
    pfi_wbuf_le16(&w, wl->udp_port);
    pfi_wbuf_le32(&w, wl->width);
    pfi_wbuf_le32(&w, wl->height);
    pfi_wbuf_le32(&w, wl->refresh_hz);
    pfi_wbuf_u8(&w, wl->fec_scheme);
    pfi_wbuf_u8(&w, wl->fec_percent);
    pfi_wbuf_le16(&w, wl->max_data_per_block);
    pfi_wbuf_le16(&w, wl->shard_payload);
    pfi_wbuf_u8(&w, wl->encrypt);
    pfi_wbuf_bytes(&w, wl->key, 16);
    pfi_wbuf_bytes(&w, wl->salt, 4);
    pfi_wbuf_le32(&w, wl->frames);
    pfi_wbuf_u8(&w, wl->compositor);
    pfi_wbuf_u8(&w, wl->gamepad);
    pfi_wbuf_le32(&w, wl->bitrate_kbps);
    pfi_wbuf_u8(&w, wl->bit_depth);
    pfi_wbuf_u8(&w, wl->color_primaries);
    pfi_wbuf_u8(&w, wl->color_transfer);
    pfi_wbuf_u8(&w, wl->color_matrix);
    pfi_wbuf_u8(&w, wl->full_range);
    pfi_wbuf_u8(&w, wl->chroma_format_idc);
    pfi_wbuf_u8(&w, wl->audio_channels);
    pfi_wbuf_u8(&w, wl->codec);
    pfi_wbuf_u8(&w, wl->host_caps);
    /* A later tail field forces every earlier one: without that an AES Welcome carrying
     * only mgmt_port would put the port's low byte at 68, where clients read the cipher
     * and fail closed. Audio presence is codec != Opus, as in the reference. */
    int force = with_ext != 0;
    int layout = wl->audio_layout != 0 || force;
    int caps2 = wl->host_caps2 != 0 || layout;
    int audio = wl->audio_codec != PF_PKF1_AUDIO_CODEC_OPUS || caps2;
    int access = wl->grants != PF_PKF1_GRANT_ALL || wl->expires_in_secs != 0 || audio;
    int mgmt = wl->mgmt_port != 0 || access;
    int cipher = wl->cipher != PF_PKF1_CIPHER_AES128_GCM || mgmt;
    if (cipher) {
        pfi_wbuf_u8(&w, wl->cipher);
        if (wl->cipher == PF_PKF1_CIPHER_CHACHA20_POLY1305)
            pfi_wbuf_bytes(&w, wl->key_chacha, 32);
    }
    if (mgmt)
        pfi_wbuf_le16(&w, wl->mgmt_port);
    if (access) {
        pfi_wbuf_le32(&w, wl->grants);
        pfi_wbuf_le32(&w, wl->expires_in_secs);
    }
    if (audio) {
        pfi_wbuf_u8(&w, wl->audio_codec);
        pfi_wbuf_le32(&w, wl->audio_rate_hz);
        pfi_wbuf_u8(&w, wl->audio_bits);
        pfi_wbuf_le16(&w, wl->audio_frame_us);
    }
    if (caps2)
        pfi_wbuf_u8(&w, wl->host_caps2);
    if (layout)
        pfi_wbuf_u8(&w, wl->audio_layout);
    if (w.overflow)
        return PF_ERR_BUFFER_TOO_SMALL;
    size_t len = w.len;
    if (with_ext) {
        size_t block_len;
        int r = pf_pkf1_ext_encode(entries, count, out + len, out_cap - len, &block_len);
        if (r < 0)
            return r;
        len += block_len;
    }
    *ret_len = len;
    return 0;
}

int pf_pkf1_welcome_decode(const uint8_t *b, size_t len, pf_pkf1_welcome *ret_welcome)
{
    pf_assert_return((b || len == 0) && ret_welcome, PF_ERR_INVALID_ARGUMENT);
    if (len < PF_PKF1_WELCOME_MIN_BYTES || memcmp(b, magic, 4) != 0)
        return PF_ERR_MALFORMED;
    pf_pkf1_welcome w;
    pf_pkf1_welcome_init(&w);
    w.wire_version = pfi_get_le32(b + 4);
    w.udp_port = pfi_get_le16(b + 8);
    w.width = pfi_get_le32(b + 10);
    w.height = pfi_get_le32(b + 14);
    w.refresh_hz = pfi_get_le32(b + 18);
    /* Anything but 1 is GF(2^8), as the reference reads it. */
    w.fec_scheme = b[22] == PF_PKF1_FEC_GF16 ? PF_PKF1_FEC_GF16 : PF_PKF1_FEC_GF8;
    w.fec_percent = b[23];
    w.max_data_per_block = pfi_get_le16(b + 24);
    w.shard_payload = pfi_get_le16(b + 26);
    w.encrypt = b[28] != 0;
    memcpy(w.key, b + 29, 16);
    memcpy(w.salt, b + 45, 4);
    w.frames = pfi_get_le32(b + 49);
    w.compositor = opt_u8(b, len, 53, w.compositor);
    w.gamepad = opt_u8(b, len, 54, w.gamepad);
    if (len >= 59)
        w.bitrate_kbps = pfi_get_le32(b + 55);
    w.bit_depth = opt_u8(b, len, 59, w.bit_depth);
    w.color_primaries = opt_u8(b, len, 60, w.color_primaries);
    w.color_transfer = opt_u8(b, len, 61, w.color_transfer);
    w.color_matrix = opt_u8(b, len, 62, w.color_matrix);
    w.full_range = opt_u8(b, len, 63, w.full_range);
    if (len > 64)
        w.chroma_format_idc = b[64] == 3 ? 3 : 1;
    if (len > 65)
        w.audio_channels = normalize_channels(b[65]);
    if (len > 66) {
        uint8_t c = b[66];
        w.codec = (c == PF_PKF1_CODEC_H264 || c == PF_PKF1_CODEC_AV1 ||
                   c == PF_PKF1_CODEC_PYROWAVE) ? c : PF_PKF1_CODEC_HEVC;
    }
    w.host_caps = opt_u8(b, len, 67, w.host_caps);
    size_t off = 69;
    if (len > 68) {
        /* Fail closed: a silent AES fallback would not decrypt anything. */
        w.cipher = b[68];
        if (w.cipher > PF_PKF1_CIPHER_CHACHA20_POLY1305)
            return PF_ERR_MALFORMED;
        if (w.cipher == PF_PKF1_CIPHER_CHACHA20_POLY1305) {
            if (len < 101)
                return PF_ERR_MALFORMED;
            memcpy(w.key_chacha, b + 69, 32);
            off = 101;
        }
    }
    if (len >= off + 2)
        w.mgmt_port = pfi_get_le16(b + off);
    if (len >= off + 6)
        w.grants = pfi_get_le32(b + off + 2);
    if (len >= off + 10)
        w.expires_in_secs = pfi_get_le32(b + off + 6);
    size_t a = off + 10;
    w.audio_codec = opt_u8(b, len, a, w.audio_codec);
    if (len >= a + 5) {
        uint32_t hz = pfi_get_le32(b + a + 1);
        w.audio_rate_hz = audio_rate_supported(hz) ? hz : AUDIO_RATE_DEFAULT;
    }
    if (len > a + 5 && audio_bits_supported(b[a + 5]))
        w.audio_bits = b[a + 5];
    if (len >= a + 8) {
        uint16_t us = pfi_get_le16(b + a + 6);
        w.audio_frame_us = (us != 0 && us < 1000) ? 1000 : us;
    }
    w.host_caps2 = opt_u8(b, len, a + 8, w.host_caps2);
    w.audio_layout = opt_u8(b, len, a + 9, w.audio_layout);
    *ret_welcome = w;
    return 0;
}

int pf_pkf1_welcome_decode_ext(const uint8_t *b, size_t len, pf_pkf1_ext_entry *entries,
                               size_t cap, size_t *ret_count)
{
    pf_assert_return((b || len == 0) && ret_count, PF_ERR_INVALID_ARGUMENT);
    /* A block forces every placeholder, so the cipher byte alone locates it. */
    size_t off = (len > 68 && b[68] == PF_PKF1_CIPHER_CHACHA20_POLY1305)
                     ? PF_PKF1_WELCOME_EXT_OFFSET_CHACHA
                     : PF_PKF1_WELCOME_EXT_OFFSET_AES;
    if (len <= off) {
        *ret_count = 0;
        return 0;
    }
    return pf_pkf1_ext_decode(b + off, len - off, entries, cap, ret_count);
}

int pf_pkf1_start_encode(uint16_t client_udp_port, int with_ext,
                         const pf_pkf1_ext_entry *entries, size_t count, uint8_t *out,
                         size_t out_cap, size_t *ret_len)
{
    pf_assert_return(out && ret_len, PF_ERR_INVALID_ARGUMENT);
    if (out_cap < PF_PKF1_START_BYTES)
        return PF_ERR_BUFFER_TOO_SMALL;
    memcpy(out, magic, 4);
    pfi_put_le16(out + 4, client_udp_port);
    size_t len = PF_PKF1_START_BYTES;
    if (with_ext) {
        size_t block_len;
        int r = pf_pkf1_ext_encode(entries, count, out + len, out_cap - len, &block_len);
        if (r < 0)
            return r;
        len += block_len;
    }
    *ret_len = len;
    return 0;
}

int pf_pkf1_start_decode(const uint8_t *b, size_t len, int read_ext, uint16_t *ret_port,
                         pf_pkf1_ext_entry *entries, size_t cap, size_t *ret_count)
{
    pf_assert_return((b || len == 0) && ret_port, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(!read_ext || ret_count, PF_ERR_INVALID_ARGUMENT);
    if (len < PF_PKF1_START_BYTES || memcmp(b, magic, 4) != 0)
        return PF_ERR_MALFORMED;
    size_t count = 0;
    if (read_ext && len > PF_PKF1_START_BYTES) {
        int r = pf_pkf1_ext_decode(b + PF_PKF1_START_BYTES, len - PF_PKF1_START_BYTES, entries,
                                   cap, &count);
        if (r < 0)
            return r;
    }
    *ret_port = pfi_get_le16(b + 4);
    if (ret_count)
        *ret_count = count;
    return 0;
}
