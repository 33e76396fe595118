/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 QUIC DATAGRAM side planes (native-protocol.md §8). These layouts are
 * append-only in the reference: a longer known form is accepted, any other length is not. */
#include "pf/core/pkf1_datagram.h"

#include <string.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"

#include "pkf1_bytes.h"
#include "pf_assert.h"

int pf_pkf1_input_encode(const pf_pkf1_input *in, uint8_t *out)
{
    pf_assert_return(in && out && in->kind <= 0xFF, PF_ERR_INVALID_ARGUMENT);
    /* The C-ABI struct of the reference pads after kind; the wire does not. */
    out[0] = PF_PKF1_DG_INPUT;
    out[1] = (uint8_t)in->kind;
    pfi_put_le32(out + 2, in->code);
    pfi_put_le32(out + 6, (uint32_t)in->x);
    pfi_put_le32(out + 10, (uint32_t)in->y);
    pfi_put_le32(out + 14, in->flags);
    return 0;
}

int pf_pkf1_input_decode(const uint8_t *b, size_t len, pf_pkf1_input *ret)
{
    pf_assert_return((b || len == 0) && ret, PF_ERR_INVALID_ARGUMENT);
    if (len != PF_PKF1_INPUT_BYTES || b[0] != PF_PKF1_DG_INPUT)
        return PF_ERR_MALFORMED;
    ret->kind = b[1];
    ret->code = pfi_get_le32(b + 2);
    ret->x = (int32_t)pfi_get_le32(b + 6);
    ret->y = (int32_t)pfi_get_le32(b + 10);
    ret->flags = pfi_get_le32(b + 14);
    return ret->kind > PF_PKF1_INPUT_KIND_MAX ? PF_ERR_NOT_FOUND : 0;
}

uint32_t pf_pkf1_input_required_grant(uint32_t kind)
{
    switch (kind) {
    case PF_PKF1_INPUT_KEY_DOWN:
    case PF_PKF1_INPUT_KEY_UP:
    case PF_PKF1_INPUT_TEXT:
        return PF_PKF1_GRANT_KEYBOARD;
    /* Touch and scroll steer the pointer: the reference groups every input into the three
     * classes keyboard, pointer and gamepad. */
    case PF_PKF1_INPUT_MOUSE_MOVE:
    case PF_PKF1_INPUT_MOUSE_MOVE_ABS:
    case PF_PKF1_INPUT_MOUSE_BUTTON_DOWN:
    case PF_PKF1_INPUT_MOUSE_BUTTON_UP:
    case PF_PKF1_INPUT_MOUSE_SCROLL:
    case PF_PKF1_INPUT_TOUCH_DOWN:
    case PF_PKF1_INPUT_TOUCH_MOVE:
    case PF_PKF1_INPUT_TOUCH_UP:
    case PF_PKF1_INPUT_SCROLL:
        return PF_PKF1_GRANT_POINTER;
    case PF_PKF1_INPUT_GAMEPAD_BUTTON:
    case PF_PKF1_INPUT_GAMEPAD_AXIS:
    case PF_PKF1_INPUT_GAMEPAD_STATE:
    case PF_PKF1_INPUT_GAMEPAD_REMOVE:
    case PF_PKF1_INPUT_GAMEPAD_ARRIVAL:
        return PF_PKF1_GRANT_GAMEPAD;
    default:
        return 0;
    }
}

static int audio_tag(uint32_t tag)
{
    return tag == PF_PKF1_DG_AUDIO || tag == PF_PKF1_DG_MIC || tag == PF_PKF1_DG_AUDIO_RED ||
           tag == PF_PKF1_DG_AUDIO_PCM;
}

int pf_pkf1_audio_encode(const pf_pkf1_audio *a, uint8_t *out, size_t out_cap, size_t *ret_len)
{
    pf_assert_return(a && out && ret_len && audio_tag(a->tag), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return((a->payload || a->payload_len == 0) &&
                         (a->previous || a->previous_len == 0),
                     PF_ERR_INVALID_ARGUMENT);
    int red = a->tag == PF_PKF1_DG_AUDIO_RED;
    pf_assert_return(!red || a->payload_len <= 0xFFFF, PF_ERR_INVALID_ARGUMENT);
    pfi_wbuf w = {out, out_cap, 0, 0};
    pfi_wbuf_u8(&w, (uint8_t)a->tag);
    pfi_wbuf_le32(&w, a->seq);
    pfi_wbuf_le64(&w, a->pts_ns);
    if (red)
        pfi_wbuf_le16(&w, (uint16_t)a->payload_len);
    pfi_wbuf_bytes(&w, a->payload, a->payload_len);
    if (red)
        pfi_wbuf_bytes(&w, a->previous, a->previous_len);
    if (w.overflow)
        return PF_ERR_BUFFER_TOO_SMALL;
    *ret_len = w.len;
    return 0;
}

int pf_pkf1_audio_decode(const uint8_t *b, size_t len, pf_pkf1_audio *ret)
{
    pf_assert_return((b || len == 0) && ret, PF_ERR_INVALID_ARGUMENT);
    if (len < PF_PKF1_AUDIO_PREFIX_BYTES || !audio_tag(b[0]))
        return PF_ERR_MALFORMED;
    pf_pkf1_audio a = {.tag = b[0], .seq = pfi_get_le32(b + 1), .pts_ns = pfi_get_le64(b + 5)};
    const uint8_t *p = b + PF_PKF1_AUDIO_PREFIX_BYTES;
    size_t rest = len - PF_PKF1_AUDIO_PREFIX_BYTES;
    if (a.tag == PF_PKF1_DG_AUDIO_RED) {
        if (rest < 2)
            return PF_ERR_MALFORMED;
        size_t primary = pfi_get_le16(p);
        if (rest - 2 < primary)
            return PF_ERR_MALFORMED;
        a.payload = p + 2;
        a.payload_len = primary;
        a.previous = p + 2 + primary;
        a.previous_len = rest - 2 - primary;
    } else {
        a.payload = p;
        a.payload_len = rest;
    }
    *ret = a;
    return 0;
}

int pf_pkf1_rumble_encode(const pf_pkf1_rumble *r, uint8_t *out, size_t out_cap,
                          size_t *ret_len)
{
    pf_assert_return(r && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pfi_wbuf w = {out, out_cap, 0, 0};
    pfi_wbuf_u8(&w, PF_PKF1_DG_RUMBLE);
    pfi_wbuf_le16(&w, r->pad);
    pfi_wbuf_le16(&w, r->low);
    pfi_wbuf_le16(&w, r->high);
    if (r->has_ttl || r->has_triggers) {
        pfi_wbuf_u8(&w, r->seq);
        pfi_wbuf_le16(&w, r->ttl_ms);
    }
    if (r->has_triggers) {
        pfi_wbuf_le16(&w, r->left_trigger);
        pfi_wbuf_le16(&w, r->right_trigger);
    }
    if (w.overflow)
        return PF_ERR_BUFFER_TOO_SMALL;
    *ret_len = w.len;
    return 0;
}

int pf_pkf1_rumble_decode(const uint8_t *b, size_t len, pf_pkf1_rumble *ret)
{
    pf_assert_return((b || len == 0) && ret, PF_ERR_INVALID_ARGUMENT);
    if ((len != 7 && len != 10 && len != 14) || b[0] != PF_PKF1_DG_RUMBLE)
        return PF_ERR_MALFORMED;
    memset(ret, 0, sizeof(*ret));
    ret->pad = pfi_get_le16(b + 1);
    ret->low = pfi_get_le16(b + 3);
    ret->high = pfi_get_le16(b + 5);
    if (len >= 10) {
        ret->has_ttl = 1;
        ret->seq = b[7];
        ret->ttl_ms = pfi_get_le16(b + 8);
    }
    if (len == 14) {
        ret->has_triggers = 1;
        ret->left_trigger = pfi_get_le16(b + 10);
        ret->right_trigger = pfi_get_le16(b + 12);
    }
    return 0;
}

int pf_pkf1_hdr_body_encode(const pf_pkf1_hdr_meta *m, uint8_t *out)
{
    pf_assert_return(m && out, PF_ERR_INVALID_ARGUMENT);
    for (int i = 0; i < 3; i++) {
        pfi_put_le16(out + 4 * i, m->primaries[i][0]);
        pfi_put_le16(out + 4 * i + 2, m->primaries[i][1]);
    }
    pfi_put_le16(out + 12, m->white_point[0]);
    pfi_put_le16(out + 14, m->white_point[1]);
    pfi_put_le32(out + 16, m->max_luminance);
    pfi_put_le32(out + 20, m->min_luminance);
    pfi_put_le16(out + 24, m->max_cll);
    pfi_put_le16(out + 26, m->max_fall);
    return 0;
}

int pf_pkf1_hdr_body_decode(const uint8_t *b, size_t len, pf_pkf1_hdr_meta *ret)
{
    pf_assert_return((b || len == 0) && ret, PF_ERR_INVALID_ARGUMENT);
    if (len != PF_PKF1_HDR_BODY_BYTES)
        return PF_ERR_MALFORMED;
    for (int i = 0; i < 3; i++) {
        ret->primaries[i][0] = pfi_get_le16(b + 4 * i);
        ret->primaries[i][1] = pfi_get_le16(b + 4 * i + 2);
    }
    ret->white_point[0] = pfi_get_le16(b + 12);
    ret->white_point[1] = pfi_get_le16(b + 14);
    ret->max_luminance = pfi_get_le32(b + 16);
    ret->min_luminance = pfi_get_le32(b + 20);
    ret->max_cll = pfi_get_le16(b + 24);
    ret->max_fall = pfi_get_le16(b + 26);
    return 0;
}

int pf_pkf1_host_timing_encode(const pf_pkf1_host_timing *t, uint8_t *out, size_t out_cap,
                               size_t *ret_len)
{
    pf_assert_return(t && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pfi_wbuf w = {out, out_cap, 0, 0};
    pfi_wbuf_u8(&w, PF_PKF1_DG_HOST_TIMING);
    pfi_wbuf_le64(&w, t->pts_ns);
    pfi_wbuf_le32(&w, t->host_us);
    if (t->has_stages || t->has_phase) {
        pfi_wbuf_le32(&w, t->queue_us);
        pfi_wbuf_le32(&w, t->encode_us);
        pfi_wbuf_le32(&w, t->pace_us);
    }
    if (t->has_phase)
        pfi_wbuf_le32(&w, (uint32_t)t->phase);
    if (w.overflow)
        return PF_ERR_BUFFER_TOO_SMALL;
    *ret_len = w.len;
    return 0;
}

int pf_pkf1_host_timing_decode(const uint8_t *b, size_t len, pf_pkf1_host_timing *ret)
{
    pf_assert_return((b || len == 0) && ret, PF_ERR_INVALID_ARGUMENT);
    if ((len != 13 && len != 25 && len != 29) || b[0] != PF_PKF1_DG_HOST_TIMING)
        return PF_ERR_MALFORMED;
    memset(ret, 0, sizeof(*ret));
    ret->pts_ns = pfi_get_le64(b + 1);
    ret->host_us = pfi_get_le32(b + 9);
    if (len >= 25) {
        ret->has_stages = 1;
        ret->queue_us = pfi_get_le32(b + 13);
        ret->encode_us = pfi_get_le32(b + 17);
        ret->pace_us = pfi_get_le32(b + 21);
    }
    if (len == 29) {
        ret->has_phase = 1;
        ret->phase = (int32_t)pfi_get_le32(b + 25);
    }
    return 0;
}

int pf_pkf1_cursor_encode(const pf_pkf1_cursor *c, uint8_t *out)
{
    pf_assert_return(c && out && c->flags <= 0xFF, PF_ERR_INVALID_ARGUMENT);
    out[0] = PF_PKF1_DG_CURSOR;
    pfi_put_le32(out + 1, c->serial);
    out[5] = (uint8_t)c->flags;
    pfi_put_le32(out + 6, (uint32_t)c->x);
    pfi_put_le32(out + 10, (uint32_t)c->y);
    return 0;
}

int pf_pkf1_cursor_decode(const uint8_t *b, size_t len, pf_pkf1_cursor *ret)
{
    pf_assert_return((b || len == 0) && ret, PF_ERR_INVALID_ARGUMENT);
    if (len != 14 || b[0] != PF_PKF1_DG_CURSOR)
        return PF_ERR_MALFORMED;
    ret->serial = pfi_get_le32(b + 1);
    ret->flags = b[5];
    ret->x = (int32_t)pfi_get_le32(b + 6);
    ret->y = (int32_t)pfi_get_le32(b + 10);
    return 0;
}

int pf_pkf1_pad_audio_encode(const pf_pkf1_pad_audio *a, uint8_t *out, size_t out_cap,
                             size_t *ret_len)
{
    pf_assert_return(a && out && ret_len && (a->payload || a->payload_len == 0),
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(a->pad <= 0xFF && a->kind <= 0xFF, PF_ERR_INVALID_ARGUMENT);
    pfi_wbuf w = {out, out_cap, 0, 0};
    pfi_wbuf_u8(&w, PF_PKF1_DG_PAD_AUDIO);
    pfi_wbuf_u8(&w, (uint8_t)a->pad);
    pfi_wbuf_u8(&w, (uint8_t)a->kind);
    pfi_wbuf_le32(&w, a->seq);
    pfi_wbuf_le64(&w, a->pts_ns);
    pfi_wbuf_bytes(&w, a->payload, a->payload_len);
    if (w.overflow)
        return PF_ERR_BUFFER_TOO_SMALL;
    *ret_len = w.len;
    return 0;
}

int pf_pkf1_pad_audio_decode(const uint8_t *b, size_t len, pf_pkf1_pad_audio *ret)
{
    pf_assert_return((b || len == 0) && ret, PF_ERR_INVALID_ARGUMENT);
    if (len < 15 || b[0] != PF_PKF1_DG_PAD_AUDIO)
        return PF_ERR_MALFORMED;
    memset(ret, 0, sizeof(*ret));
    ret->pad = b[1];
    ret->kind = b[2];
    ret->seq = pfi_get_le32(b + 3);
    ret->pts_ns = pfi_get_le64(b + 7);
    ret->payload = b + 15;
    ret->payload_len = len - 15;
    return 0;
}
