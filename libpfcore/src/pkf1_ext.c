/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handshake extension block (native-protocol.md §3.4): LE16 ext_len ‖ entries of
 * LE16 tag ‖ LE16 len ‖ value. Encoder and decoder enforce the same limits, so this side
 * never emits what a peer would reject. */
#include "pf/core/pkf1_handshake.h"

#include "pf/core/error.h"

#include "pkf1_bytes.h"
#include "pf_assert.h"

int pf_pkf1_ext_encode(const pf_pkf1_ext_entry *entries, size_t count, uint8_t *out,
                       size_t out_cap, size_t *ret_len)
{
    pf_assert_return(entries || count == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(out && ret_len, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(count <= PF_PKF1_EXT_MAX_ENTRIES, PF_ERR_INVALID_ARGUMENT);
    size_t total = 2;
    for (size_t i = 0; i < count; i++) {
        pf_assert_return(entries[i].value || entries[i].len == 0, PF_ERR_INVALID_ARGUMENT);
        for (size_t j = 0; j < i; j++)
            pf_assert_return(entries[j].tag != entries[i].tag, PF_ERR_INVALID_ARGUMENT);
        total += 4u + entries[i].len;
    }
    pf_assert_return(total <= PF_PKF1_EXT_MAX_BYTES, PF_ERR_INVALID_ARGUMENT);
    if (out_cap < total)
        return PF_ERR_BUFFER_TOO_SMALL;
    pfi_wbuf w = {out, out_cap, 0, 0};
    pfi_wbuf_le16(&w, (uint16_t)(total - 2));
    for (size_t i = 0; i < count; i++) {
        pfi_wbuf_le16(&w, entries[i].tag);
        pfi_wbuf_le16(&w, entries[i].len);
        pfi_wbuf_bytes(&w, entries[i].value, entries[i].len);
    }
    *ret_len = w.len;
    return 0;
}

int pf_pkf1_ext_decode(const uint8_t *buf, size_t len, pf_pkf1_ext_entry *entries, size_t cap,
                       size_t *ret_count)
{
    pf_assert_return(buf || len == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return((entries || cap == 0) && ret_count, PF_ERR_INVALID_ARGUMENT);
    if (len < 2)
        return PF_ERR_MALFORMED;
    size_t body = pfi_get_le16(buf);
    if (body + 2 > PF_PKF1_EXT_MAX_BYTES || body > len - 2)
        return PF_ERR_MALFORMED;
    /* As the reference does, bytes after ext_len's span are not looked at. */
    const uint8_t *p = buf + 2;
    size_t rest = body, n = 0;
    while (rest > 0) {
        if (rest < 4)
            return PF_ERR_MALFORMED;
        uint16_t tag = pfi_get_le16(p);
        uint16_t vlen = pfi_get_le16(p + 2);
        if (rest - 4 < vlen || n == PF_PKF1_EXT_MAX_ENTRIES)
            return PF_ERR_MALFORMED;
        for (size_t j = 0; j < n && j < cap; j++)
            if (entries[j].tag == tag)
                return PF_ERR_MALFORMED;
        if (n >= cap)
            return PF_ERR_LIMIT;
        entries[n].tag = tag;
        entries[n].len = vlen;
        entries[n].reserved = 0;
        entries[n].value = p + 4;
        n++;
        p += 4u + vlen;
        rest -= 4u + vlen;
    }
    *ret_count = n;
    return 0;
}

int pf_pkf1_ext_find(const pf_pkf1_ext_entry *entries, size_t count, uint16_t tag)
{
    if (!entries)
        return -1;
    for (size_t i = 0; i < count && i < PF_PKF1_EXT_MAX_ENTRIES; i++)
        if (entries[i].tag == tag)
            return (int)i;
    return -1;
}
