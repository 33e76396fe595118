/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 typed control messages (native-protocol.md §5, §6.1). Fixed-layout types are
 * driven by one table of (struct member, wire width) in wire order, so a type's encoder and
 * decoder cannot disagree; the few variable-length types have their own code below. */
#include "pf/core/pkf1_control.h"

#include <stddef.h>
#include <string.h>

#include "pf/core/error.h"

#include "pkf1_bytes.h"
#include "pkf1_utf8.h"
#include "pf_assert.h"

static const uint8_t magic[4] = {'P', 'K', 'F', 'c'};

typedef struct field {
    uint16_t offset; /* offsetof(pf_pkf1_msg, member) */
    uint8_t width;   /* wire bytes; equals the member's size, except 32 for mac */
} field;

#define F(member) {offsetof(pf_pkf1_msg, member), sizeof(((pf_pkf1_msg *)0)->member)}
#define MAX_FIELDS 6

typedef struct layout {
    uint8_t type;
    uint8_t nbase;          /* fields of the short form */
    uint8_t next;           /* extra fields of the long form (has_ext), 0 if none */
    uint8_t open_ended;     /* longer than the long form is accepted (trailing ignored) */
    field fields[MAX_FIELDS];
} layout;

static const layout layouts[] = {
    {PF_PKF1_MSG_RECONFIGURE, 3, 0, 0, {F(width), F(height), F(refresh_hz)}},
    {PF_PKF1_MSG_RECONFIGURED, 4, 0, 0, {F(flag), F(width), F(height), F(refresh_hz)}},
    {PF_PKF1_MSG_REQUEST_KEYFRAME, 0, 0, 0, {{0, 0}}},
    {PF_PKF1_MSG_LOSS_REPORT, 1, 0, 0, {F(value32)}},
    {PF_PKF1_MSG_SET_BITRATE, 1, 0, 0, {F(value32)}},
    /* The reason byte only toward a client whose Start ABR entry had bit 0; every other
     * client rejects a 10-byte ack. */
    {PF_PKF1_MSG_BITRATE_CHANGED, 1, 1, 0, {F(value32), F(code8)}},
    {PF_PKF1_MSG_RFI_REQUEST, 2, 0, 0, {F(first_frame), F(last_frame)}},
    {PF_PKF1_MSG_SHARD_PAYLOAD_CHANGED, 1, 0, 0, {F(value16)}},
    {PF_PKF1_MSG_SHARD_PAYLOAD_ACK, 1, 0, 0, {F(value16)}},
    {PF_PKF1_MSG_PIPELINE_GAP, 1, 0, 0, {F(value32)}},
    {PF_PKF1_MSG_DELIVERY_REPORT, 1, 0, 0, {F(value64)}},
    {PF_PKF1_MSG_LINK_REPORT, 1, 0, 0, {F(value32)}},
    {PF_PKF1_MSG_SET_DELIVERY, 1, 0, 0, {F(code8)}},
    {PF_PKF1_MSG_DELIVERY_CHANGED, 2, 0, 0, {F(code8), F(flag)}},
    {PF_PKF1_MSG_HOST_FACTS, 4, 0, 0, {F(code8), F(value32), F(value32b), F(code8b)}},
    {PF_PKF1_MSG_PAIR_PROOF, 1, 0, 0, {F(mac)}},
    {PF_PKF1_MSG_PAIR_RESULT, 1, 0, 0, {F(flag)}},
    {PF_PKF1_MSG_AUTH_CHALLENGE, 1, 0, 0, {F(mac)}},
    {PF_PKF1_MSG_PROBE_REQUEST, 2, 0, 0, {F(value32), F(value32b)}},
    /* 21 bytes from hosts older than the wire counters, 29 since; the reference reads any
     * length from 21 on (the counters when 8 bytes remain) and so does this decoder. */
    {PF_PKF1_MSG_PROBE_RESULT, 3, 2, 1, {F(value64), F(value32), F(value32b), F(value32c),
                                      F(value32d)}},
    {PF_PKF1_MSG_PROBE_SHAPED, 5, 0, 0, {F(value32), F(value32b), F(value16), F(value32c),
                                      F(value32d)}},
    {PF_PKF1_MSG_CLOCK_PROBE, 1, 0, 0, {F(t1)}},
    {PF_PKF1_MSG_CLOCK_ECHO, 3, 0, 0, {F(t1), F(t2), F(t3)}},
    /* 25 or 27 bytes; 26 is invalid. */
    {PF_PKF1_MSG_PHASE_REPORT, 4, 1, 0, {F(value64), F(value32), F(value32b), F(value32c),
                                      F(value16)}},
    {PF_PKF1_MSG_CLIP_CONTROL, 2, 0, 0, {F(flag), F(code8)}},
    {PF_PKF1_MSG_CLIP_STATE, 3, 0, 0, {F(flag), F(code8), F(code8b)}},
    {PF_PKF1_MSG_CLIP_FETCH_HDR, 2, 0, 0, {F(code8), F(value64)}},
    {PF_PKF1_MSG_CURSOR_RENDER_MODE, 1, 0, 0, {F(flag)}},
    {PF_PKF1_MSG_ACCESS_UPDATE, 2, 0, 0, {F(value32), F(value32b)}},
    {PF_PKF1_MSG_AUDIO_STATE, 1, 0, 0, {F(flag)}},
    {PF_PKF1_MSG_PAD_SLOTS, 1, 0, 0, {F(value16)}},
};

static const layout *find_layout(uint32_t type)
{
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
        if (layouts[i].type == type)
            return &layouts[i];
    return NULL;
}

static size_t fields_bytes(const layout *l, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += l->fields[i].width;
    return total;
}

static void put_field(const field *f, const pf_pkf1_msg *m, uint8_t *p)
{
    const uint8_t *src = (const uint8_t *)m + f->offset;
    switch (f->width) {
    case 1: *p = *src; break;
    case 2: { uint16_t v; memcpy(&v, src, 2); pfi_put_le16(p, v); break; }
    case 4: { uint32_t v; memcpy(&v, src, 4); pfi_put_le32(p, v); break; }
    case 8: { uint64_t v; memcpy(&v, src, 8); pfi_put_le64(p, v); break; }
    default: memcpy(p, src, f->width); break;
    }
}

static void get_field(const field *f, const uint8_t *p, pf_pkf1_msg *m)
{
    uint8_t *dst = (uint8_t *)m + f->offset;
    switch (f->width) {
    case 1: *dst = *p; break;
    case 2: { uint16_t v = pfi_get_le16(p); memcpy(dst, &v, 2); break; }
    case 4: { uint32_t v = pfi_get_le32(p); memcpy(dst, &v, 4); break; }
    case 8: { uint64_t v = pfi_get_le64(p); memcpy(dst, &v, 8); break; }
    default: memcpy(dst, p, f->width); break;
    }
}

void pf_pkf1_msg_init(pf_pkf1_msg *msg, uint32_t type)
{
    if (!msg)
        return;
    memset(msg, 0, sizeof(*msg));
    msg->type = type;
}

int pf_pkf1_is_typed(const uint8_t *payload, size_t len)
{
    return payload && len >= PF_PKF1_MSG_HEADER_BYTES && memcmp(payload, magic, 4) == 0;
}

int pf_pkf1_rfi_wants_keyframe(uint32_t first, uint32_t last)
{
    return (uint32_t)(last - first) > PF_PKF1_RFI_MAX_SPAN;
}

/* Checks the ClipOffer kinds list: exactly @p count entries of mime_len ‖ mime ‖ LE64,
 * nothing after them. */
static int clip_offer_valid(const uint8_t *p, size_t len, uint32_t count)
{
    size_t off = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (off >= len)
            return 0;
        size_t n = p[off];
        if (n > PF_PKF1_CLIP_MIME_MAX || len - off - 1 < n + 8)
            return 0;
        off += 1 + n + 8;
    }
    return off == len;
}

int pf_pkf1_clip_offer_kind(const pf_pkf1_msg *msg, uint32_t index, const uint8_t **ret_mime,
                            size_t *ret_mime_len, uint64_t *ret_size_hint)
{
    pf_assert_return(msg && ret_mime && ret_mime_len && ret_size_hint, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(msg->type == PF_PKF1_MSG_CLIP_OFFER, PF_ERR_INVALID_ARGUMENT);
    if (index >= msg->code8)
        return PF_ERR_NOT_FOUND;
    if (!msg->blob || !clip_offer_valid(msg->blob, msg->blob_len, msg->code8))
        return PF_ERR_MALFORMED;
    size_t off = 0;
    for (uint32_t i = 0; i < index; i++)
        off += 1u + msg->blob[off] + 8u;
    size_t n = msg->blob[off];
    *ret_mime = msg->blob + off + 1;
    *ret_mime_len = n;
    *ret_size_hint = pfi_get_le64(msg->blob + off + 1 + n);
    return 0;
}

/* Encoders of the variable types. Each checks the bounds its decoder enforces. */
static int encode_variable(const pf_pkf1_msg *m, pfi_wbuf *w)
{
    switch (m->type) {
    case PF_PKF1_MSG_PAIR_REQUEST: {
        pf_assert_return(m->text_len <= PF_PKF1_PAIR_NAME_MAX, PF_ERR_INVALID_ARGUMENT);
        pf_assert_return(m->spake_len <= 0xFFFF && m->blob_len <= 0xFFFF,
                         PF_ERR_INVALID_ARGUMENT);
        pfi_wbuf_u8(w, (uint8_t)m->text_len);
        pfi_wbuf_bytes(w, m->text, m->text_len);
        pfi_wbuf_le16(w, (uint16_t)m->spake_len);
        pfi_wbuf_bytes(w, m->spake, m->spake_len);
        if (m->blob_len) {
            pfi_wbuf_le16(w, (uint16_t)m->blob_len);
            pfi_wbuf_bytes(w, m->blob, m->blob_len);
        }
        return 0;
    }
    case PF_PKF1_MSG_PAIR_CHALLENGE:
        pf_assert_return(m->spake_len <= 0xFFFF, PF_ERR_INVALID_ARGUMENT);
        pfi_wbuf_le16(w, (uint16_t)m->spake_len);
        pfi_wbuf_bytes(w, m->spake, m->spake_len);
        pfi_wbuf_bytes(w, m->mac, PF_PKF1_CONFIRM_BYTES);
        return 0;
    case PF_PKF1_MSG_AUTH_RESPONSE:
        pfi_wbuf_bytes(w, m->blob, m->blob_len);
        return 0;
    case PF_PKF1_MSG_REFUSED:
        pf_assert_return(m->text_len <= PF_PKF1_REFUSED_REASON_MAX, PF_ERR_INVALID_ARGUMENT);
        pfi_wbuf_le32(w, m->value32);
        pfi_wbuf_le16(w, (uint16_t)m->text_len);
        pfi_wbuf_bytes(w, m->text, m->text_len);
        return 0;
    case PF_PKF1_MSG_CLIP_OFFER:
        pf_assert_return(m->code8 <= PF_PKF1_CLIP_OFFER_MAX_KINDS, PF_ERR_INVALID_ARGUMENT);
        pf_assert_return(m->blob || m->blob_len == 0, PF_ERR_INVALID_ARGUMENT);
        pf_assert_return(clip_offer_valid(m->blob, m->blob_len, m->code8),
                         PF_ERR_INVALID_ARGUMENT);
        pfi_wbuf_le32(w, m->value32);
        pfi_wbuf_u8(w, m->code8);
        pfi_wbuf_bytes(w, m->blob, m->blob_len);
        return 0;
    case PF_PKF1_MSG_CLIP_FETCH:
        pf_assert_return(m->text_len <= PF_PKF1_CLIP_MIME_MAX, PF_ERR_INVALID_ARGUMENT);
        pfi_wbuf_le32(w, m->value32);
        pfi_wbuf_le32(w, m->value32b);
        pfi_wbuf_u8(w, (uint8_t)m->text_len);
        pfi_wbuf_bytes(w, m->text, m->text_len);
        return 0;
    case PF_PKF1_MSG_CURSOR_SHAPE:
        pf_assert_return(m->width >= 1 && m->width <= PF_PKF1_CURSOR_MAX_SIDE &&
                             m->height >= 1 && m->height <= PF_PKF1_CURSOR_MAX_SIDE,
                         PF_ERR_INVALID_ARGUMENT);
        pf_assert_return(m->blob_len == (size_t)m->width * m->height * 4,
                         PF_ERR_INVALID_ARGUMENT);
        pfi_wbuf_le32(w, m->value32);
        pfi_wbuf_le16(w, (uint16_t)m->width);
        pfi_wbuf_le16(w, (uint16_t)m->height);
        pfi_wbuf_le16(w, m->value16);
        pfi_wbuf_le16(w, m->value16b);
        pfi_wbuf_bytes(w, m->blob, m->blob_len);
        return 0;
    case PF_PKF1_MSG_LAUNCH_OUTCOME:
        pf_assert_return(m->text_len <= PF_PKF1_LAUNCH_MESSAGE_MAX, PF_ERR_INVALID_ARGUMENT);
        pfi_wbuf_u8(w, m->code8);
        pfi_wbuf_u8(w, (uint8_t)m->text_len);
        pfi_wbuf_bytes(w, m->text, m->text_len);
        return 0;
    case PF_PKF1_MSG_INPUT_EDGE:
        pf_assert_return(m->blob_len == PF_PKF1_INPUT_EVENT_BYTES, PF_ERR_INVALID_ARGUMENT);
        pfi_wbuf_bytes(w, m->blob, m->blob_len);
        return 0;
    default:
        return PF_ERR_UNSUPPORTED;
    }
}

int pf_pkf1_msg_encode(const pf_pkf1_msg *m, uint8_t *out, size_t out_cap, size_t *ret_len)
{
    pf_assert_return(m && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(m->text || m->text_len == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(m->spake || m->spake_len == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(m->blob || m->blob_len == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(m->type <= 0xFF, PF_ERR_UNSUPPORTED);
    pfi_wbuf w = {out, out_cap, 0, 0};
    pfi_wbuf_bytes(&w, magic, 4);
    pfi_wbuf_u8(&w, (uint8_t)m->type);
    const layout *l = find_layout(m->type);
    if (l) {
        size_t n = l->nbase + (m->has_ext ? l->next : 0);
        for (size_t i = 0; i < n; i++) {
            uint8_t *at = pfi_wbuf_take(&w, l->fields[i].width);
            if (at)
                put_field(&l->fields[i], m, at);
        }
    } else {
        int r = encode_variable(m, &w);
        if (r < 0)
            return r;
    }
    if (w.overflow)
        return PF_ERR_BUFFER_TOO_SMALL;
    *ret_len = w.len;
    return 0;
}

/* Decoders of the variable types; @p p/@p len is the body after the type byte. */
static int decode_variable(const uint8_t *p, size_t len, pf_pkf1_msg *m)
{
    switch (m->type) {
    case PF_PKF1_MSG_PAIR_REQUEST: {
        if (len < 1)
            return PF_ERR_MALFORMED;
        size_t n = p[0];
        /* The reference refuses a name over 64 bytes but reads invalid UTF-8 lossily; a
         * label that is not UTF-8 is dropped here instead (the host then labels the device
         * by its fingerprint), so nothing undecodable reaches the pairing store. */
        if (n > PF_PKF1_PAIR_NAME_MAX || len - 1 < n + 2)
            return PF_ERR_MALFORMED;
        if (n > 0 && pfi_utf8_valid(p + 1, n)) {
            m->text = p + 1;
            m->text_len = n;
        }
        size_t off = 1 + n;
        size_t s = pfi_get_le16(p + off);
        off += 2;
        if (len - off < s)
            return PF_ERR_MALFORMED;
        m->spake = p + off;
        m->spake_len = s;
        off += s;
        if (off == len)
            return 0;
        /* Optional device key (browser clients): LE16 length ‖ key, nothing after it. */
        if (len - off < 2)
            return PF_ERR_MALFORMED;
        size_t k = pfi_get_le16(p + off);
        off += 2;
        if (len - off != k)
            return PF_ERR_MALFORMED;
        m->blob = p + off;
        m->blob_len = k;
        return 0;
    }
    case PF_PKF1_MSG_PAIR_CHALLENGE: {
        if (len < 2)
            return PF_ERR_MALFORMED;
        size_t s = pfi_get_le16(p);
        if (len - 2 != s + PF_PKF1_CONFIRM_BYTES)
            return PF_ERR_MALFORMED;
        m->spake = p + 2;
        m->spake_len = s;
        memcpy(m->mac, p + 2 + s, PF_PKF1_CONFIRM_BYTES);
        return 0;
    }
    case PF_PKF1_MSG_AUTH_RESPONSE:
        m->blob = len ? p : NULL;
        m->blob_len = len;
        return 0;
    case PF_PKF1_MSG_REFUSED: {
        if (len < 6)
            return PF_ERR_MALFORMED;
        size_t n = pfi_get_le16(p + 4);
        /* As the reference: any length (encoders cap at 256), but UTF-8 only. */
        if (len - 6 != n || !pfi_utf8_valid(p + 6, n))
            return PF_ERR_MALFORMED;
        m->value32 = pfi_get_le32(p);
        m->text = n ? p + 6 : NULL;
        m->text_len = n;
        return 0;
    }
    case PF_PKF1_MSG_CLIP_OFFER:
        if (len < 5 || p[4] > PF_PKF1_CLIP_OFFER_MAX_KINDS ||
            !clip_offer_valid(p + 5, len - 5, p[4]))
            return PF_ERR_MALFORMED;
        m->value32 = pfi_get_le32(p);
        m->code8 = p[4];
        m->blob = len > 5 ? p + 5 : NULL;
        m->blob_len = len - 5;
        return 0;
    case PF_PKF1_MSG_CLIP_FETCH: {
        if (len < 9)
            return PF_ERR_MALFORMED;
        size_t n = p[8];
        if (n > PF_PKF1_CLIP_MIME_MAX || len - 9 != n)
            return PF_ERR_MALFORMED;
        m->value32 = pfi_get_le32(p);
        m->value32b = pfi_get_le32(p + 4);
        m->text = n ? p + 9 : NULL;
        m->text_len = n;
        return 0;
    }
    case PF_PKF1_MSG_CURSOR_SHAPE: {
        if (len < 12)
            return PF_ERR_MALFORMED;
        uint32_t cw = pfi_get_le16(p + 4), ch = pfi_get_le16(p + 6);
        if (cw < 1 || cw > PF_PKF1_CURSOR_MAX_SIDE || ch < 1 || ch > PF_PKF1_CURSOR_MAX_SIDE ||
            len - 12 != (size_t)cw * ch * 4)
            return PF_ERR_MALFORMED;
        m->value32 = pfi_get_le32(p);
        m->width = cw;
        m->height = ch;
        m->value16 = pfi_get_le16(p + 8);
        m->value16b = pfi_get_le16(p + 10);
        m->blob = p + 12;
        m->blob_len = len - 12;
        return 0;
    }
    case PF_PKF1_MSG_LAUNCH_OUTCOME: {
        if (len < 2)
            return PF_ERR_MALFORMED;
        size_t n = p[1];
        if (n > PF_PKF1_LAUNCH_MESSAGE_MAX || len - 2 != n || !pfi_utf8_valid(p + 2, n))
            return PF_ERR_MALFORMED;
        /* Unknown outcome kinds read as "spawned" (0), as the reference maps them. */
        m->code8 = p[0] <= 5 ? p[0] : 0;
        m->text = n ? p + 2 : NULL;
        m->text_len = n;
        return 0;
    }
    case PF_PKF1_MSG_INPUT_EDGE:
        /* The datagram encoding unchanged, tag included; any kind passes (the input path
         * drops kinds it does not know, as for the datagram). */
        if (len != PF_PKF1_INPUT_EVENT_BYTES || p[0] != 0xC8)
            return PF_ERR_MALFORMED;
        m->blob = p;
        m->blob_len = len;
        return 0;
    default:
        return PF_ERR_NOT_FOUND;
    }
}

int pf_pkf1_msg_decode(const uint8_t *buf, size_t len, pf_pkf1_msg *ret_msg)
{
    pf_assert_return((buf || len == 0) && ret_msg, PF_ERR_INVALID_ARGUMENT);
    if (!pf_pkf1_is_typed(buf, len))
        return PF_ERR_MALFORMED;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, buf[4]);
    const uint8_t *p = buf + PF_PKF1_MSG_HEADER_BYTES;
    size_t body = len - PF_PKF1_MSG_HEADER_BYTES;
    const layout *l = find_layout(m.type);
    if (l) {
        size_t base = fields_bytes(l, l->nbase);
        size_t ext = fields_bytes(l, (size_t)l->nbase + l->next);
        size_t n;
        if (body == base) {
            n = l->nbase;
        } else if (l->next && (body == ext || (l->open_ended && body > ext))) {
            n = (size_t)l->nbase + l->next;
            m.has_ext = 1;
        } else if (l->open_ended && body > base) {
            n = l->nbase;
        } else {
            return PF_ERR_MALFORMED;
        }
        for (size_t i = 0; i < n; i++) {
            get_field(&l->fields[i], p, &m);
            p += l->fields[i].width;
        }
    } else {
        int r = decode_variable(p, body, &m);
        if (r == PF_ERR_NOT_FOUND) {
            pf_pkf1_msg_init(ret_msg, m.type);
            return r;
        }
        if (r < 0)
            return r;
    }
    *ret_msg = m;
    return 0;
}
