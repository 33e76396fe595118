/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream control-message and RTSP sealing (gamestream-protocol.md §4.8, §5.2–§5.3). */
#include "pf/core/gs_control.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "pf_assert.h"
#include "gs_bytes.h"

#define HEADER_BYTES 8u
#define TAG_BYTES 16u
#define V2_HEADER_BYTES 4u
#define MAX_CONTROL_PAYLOAD (0xffffu - HEADER_BYTES - TAG_BYTES - V2_HEADER_BYTES)

struct pf_gs_cipher {
    const pf_crypto_ops *ops;
    pf_aead *aead;
    uint8_t key[PF_AES128_KEY_BYTES];
};

int pf_gs_cipher_create(const pf_crypto_ops *ops, const uint8_t *key, pf_gs_cipher **ret_cipher)
{
    pf_assert_return(key && ret_cipher, PF_ERR_INVALID_ARGUMENT);
    pf_gs_cipher *c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    c->ops = ops;
    /* The legacy IV needs the raw key (GCM over a 16-byte IV is built from AES blocks). */
    memcpy(c->key, key, sizeof(c->key));
    int r = pf_aead_create(ops, PF_AEAD_AES128_GCM, key, PF_AES128_KEY_BYTES, &c->aead);
    if (r < 0) {
        pf_gs_cipher_destroy(c);
        return r;
    }
    *ret_cipher = c;
    return 0;
}

void pf_gs_cipher_destroy(pf_gs_cipher *cipher)
{
    if (!cipher)
        return;
    pf_aead_destroy(cipher->aead);
    memset(cipher->key, 0, sizeof(cipher->key));
    free(cipher);
}

static void iv12(uint32_t seq, uint32_t origin, uint8_t tail, uint8_t *iv)
{
    memset(iv, 0, PF_AEAD_NONCE_BYTES);
    pfi_put_le32(iv, seq);
    iv[10] = (uint8_t)origin;
    iv[11] = tail;
}

static int valid_origin(uint32_t origin)
{
    return origin == PF_GS_ORIGIN_CLIENT || origin == PF_GS_ORIGIN_HOST;
}

static int control_seal(pf_gs_cipher *c, uint32_t iv_mode, uint32_t origin, uint32_t seq,
                        uint8_t *buf, size_t len, uint8_t *tag)
{
    if (iv_mode == PF_GS_CONTROL_IV_V2) {
        uint8_t iv[PF_AEAD_NONCE_BYTES];
        iv12(seq, origin, 'C', iv);
        return pf_aead_seal(c->aead, iv, NULL, 0, buf, len, buf, tag);
    }
    uint8_t iv[PF_GCM_LEGACY_IV_BYTES] = {(uint8_t)seq};
    return pf_aes128_gcm_seal_iv16(c->ops, c->key, iv, NULL, 0, buf, len, buf, tag);
}

static int control_open(pf_gs_cipher *c, uint32_t iv_mode, uint32_t origin, uint32_t seq,
                        const uint8_t *in, size_t len, const uint8_t *tag, uint8_t *out)
{
    if (iv_mode == PF_GS_CONTROL_IV_V2) {
        uint8_t iv[PF_AEAD_NONCE_BYTES];
        iv12(seq, origin, 'C', iv);
        return pf_aead_open(c->aead, iv, NULL, 0, in, len, tag, out);
    }
    uint8_t iv[PF_GCM_LEGACY_IV_BYTES] = {(uint8_t)seq};
    return pf_aes128_gcm_open_iv16(c->ops, c->key, iv, NULL, 0, in, len, tag, out);
}

int pf_gs_control_seal(pf_gs_cipher *cipher, uint32_t iv_mode, uint32_t origin, uint32_t seq,
                       uint16_t type, const uint8_t *payload, size_t payload_len, uint8_t *out,
                       size_t out_cap, size_t *ret_len)
{
    pf_assert_return(cipher && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(payload || payload_len == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(iv_mode == PF_GS_CONTROL_IV_V2 || iv_mode == PF_GS_CONTROL_IV_LEGACY,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(valid_origin(origin), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(payload_len <= MAX_CONTROL_PAYLOAD, PF_ERR_INVALID_ARGUMENT);
    size_t plain = V2_HEADER_BYTES + payload_len;
    size_t total = HEADER_BYTES + TAG_BYTES + plain;
    if (out_cap < total)
        return PF_ERR_BUFFER_TOO_SMALL;
    uint8_t *ct = out + HEADER_BYTES + TAG_BYTES;
    /* The V2 framing is built in place and sealed in place. */
    pfi_put_le16(ct, type);
    pfi_put_le16(ct + 2, (uint16_t)payload_len);
    if (payload_len)
        memcpy(ct + V2_HEADER_BYTES, payload, payload_len);
    pfi_put_le16(out, 0x0001);
    pfi_put_le16(out + 2, (uint16_t)(total - 4u));
    pfi_put_le32(out + 4, seq);
    int r = control_seal(cipher, iv_mode, origin, seq, ct, plain, out + HEADER_BYTES);
    if (r < 0)
        return r;
    *ret_len = total;
    return 0;
}

int pf_gs_control_open(pf_gs_cipher *cipher, uint32_t iv_mode, uint32_t origin,
                       const uint8_t *msg, size_t len, uint8_t *out, size_t out_cap,
                       pf_gs_control_msg *ret_msg)
{
    pf_assert_return(cipher && (msg || len == 0) && out && ret_msg, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(iv_mode == PF_GS_CONTROL_IV_V2 || iv_mode == PF_GS_CONTROL_IV_LEGACY,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(valid_origin(origin), PF_ERR_INVALID_ARGUMENT);
    if (len < HEADER_BYTES || pfi_get_le16(msg) != 0x0001)
        return PF_ERR_MALFORMED;
    /* §5.2: the client requires length >= 4 + 16 + 4 and 4 + length <= packet size. */
    size_t length = pfi_get_le16(msg + 2);
    if (length < 4u + TAG_BYTES + V2_HEADER_BYTES || 4u + length > len)
        return PF_ERR_MALFORMED;
    size_t clen = length - 4u - TAG_BYTES;
    if (out_cap < clen)
        return PF_ERR_BUFFER_TOO_SMALL;
    uint32_t seq = pfi_get_le32(msg + 4);
    int r = control_open(cipher, iv_mode, origin, seq, msg + HEADER_BYTES + TAG_BYTES, clen,
                         msg + HEADER_BYTES, out);
    if (r < 0)
        return r;
    size_t payload_len = pfi_get_le16(out + 2);
    if (payload_len > clen - V2_HEADER_BYTES) {
        memset(out, 0, clen);
        return PF_ERR_MALFORMED;
    }
    pf_gs_control_msg m = {
        .seq = seq,
        .type = pfi_get_le16(out),
        .payload_len = payload_len,
    };
    memmove(out, out + V2_HEADER_BYTES, payload_len);
    *ret_msg = m;
    return 0;
}

int pf_gs_rtsp_seal(pf_gs_cipher *cipher, uint32_t origin, uint32_t seq, const uint8_t *in,
                    size_t len, uint8_t *out, size_t out_cap, size_t *ret_len)
{
    pf_assert_return(cipher && (in || len == 0) && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(valid_origin(origin), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(len < 0x80000000u, PF_ERR_INVALID_ARGUMENT);
    if (out_cap < len + PF_GS_RTSP_OVERHEAD)
        return PF_ERR_BUFFER_TOO_SMALL;
    pfi_put_be32(out, 0x80000000u | (uint32_t)len);
    pfi_put_be32(out + 4, seq);
    uint8_t iv[PF_AEAD_NONCE_BYTES];
    iv12(seq, origin, 'R', iv);
    int r = pf_aead_seal(cipher->aead, iv, NULL, 0, in, len, out + PF_GS_RTSP_OVERHEAD, out + 8);
    if (r < 0)
        return r;
    *ret_len = len + PF_GS_RTSP_OVERHEAD;
    return 0;
}

int pf_gs_rtsp_get_length(const uint8_t *header, size_t len, size_t *ret_total)
{
    pf_assert_return((header || len == 0) && ret_total, PF_ERR_INVALID_ARGUMENT);
    if (len < HEADER_BYTES)
        return PF_ERR_AGAIN;
    uint32_t type_len = pfi_get_be32(header);
    if (!(type_len & 0x80000000u))
        return PF_ERR_MALFORMED;
    *ret_total = (size_t)(type_len & 0x7fffffffu) + PF_GS_RTSP_OVERHEAD;
    return 0;
}

int pf_gs_rtsp_open(pf_gs_cipher *cipher, uint32_t origin, const uint8_t *msg, size_t len,
                    uint8_t *out, size_t out_cap, uint32_t *ret_seq, size_t *ret_len)
{
    pf_assert_return(cipher && (msg || len == 0) && out && ret_seq && ret_len,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(valid_origin(origin), PF_ERR_INVALID_ARGUMENT);
    size_t total = 0;
    int r = pf_gs_rtsp_get_length(msg, len, &total);
    if (r == PF_ERR_AGAIN || len < PF_GS_RTSP_OVERHEAD)
        return PF_ERR_MALFORMED;
    if (r < 0)
        return r;
    /* §4.8: the length must match the message exactly. */
    if (total != len)
        return PF_ERR_MALFORMED;
    size_t clen = len - PF_GS_RTSP_OVERHEAD;
    if (out_cap < clen)
        return PF_ERR_BUFFER_TOO_SMALL;
    uint32_t seq = pfi_get_be32(msg + 4);
    uint8_t iv[PF_AEAD_NONCE_BYTES];
    iv12(seq, origin, 'R', iv);
    r = pf_aead_open(cipher->aead, iv, NULL, 0, msg + PF_GS_RTSP_OVERHEAD, clen, msg + 8, out);
    if (r < 0)
        return r;
    *ret_seq = seq;
    *ret_len = clen;
    return 0;
}
