/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_PKF1_BYTES_H
#define PF_CORE_PKF1_BYTES_H

#include <stdint.h>
#include <string.h>

#include "gs_bytes.h"

/* punktfunk/1 wire helpers beside the GameStream ones: the 64-bit readers and a bounded
 * writer cursor that turns every overrun into one sticky flag instead of a check per
 * field. */
static inline uint64_t pfi_get_le64(const uint8_t *p)
{
    return pfi_get_le32(p) | ((uint64_t)pfi_get_le32(p + 4) << 32);
}

static inline void pfi_put_be64(uint8_t *p, uint64_t v)
{
    pfi_put_be32(p, (uint32_t)(v >> 32));
    pfi_put_be32(p + 4, (uint32_t)v);
}

static inline uint64_t pfi_get_be64(const uint8_t *p)
{
    return ((uint64_t)pfi_get_be32(p) << 32) | pfi_get_be32(p + 4);
}

typedef struct pfi_wbuf {
    uint8_t *p;
    size_t cap;
    size_t len;
    int overflow;
} pfi_wbuf;

static inline uint8_t *pfi_wbuf_take(pfi_wbuf *w, size_t n)
{
    if (w->overflow || w->cap - w->len < n) {
        w->overflow = 1;
        return NULL;
    }
    uint8_t *at = w->p + w->len;
    w->len += n;
    return at;
}

static inline void pfi_wbuf_u8(pfi_wbuf *w, uint8_t v)
{
    uint8_t *at = pfi_wbuf_take(w, 1);
    if (at)
        *at = v;
}

static inline void pfi_wbuf_le16(pfi_wbuf *w, uint16_t v)
{
    uint8_t *at = pfi_wbuf_take(w, 2);
    if (at)
        pfi_put_le16(at, v);
}

static inline void pfi_wbuf_le32(pfi_wbuf *w, uint32_t v)
{
    uint8_t *at = pfi_wbuf_take(w, 4);
    if (at)
        pfi_put_le32(at, v);
}

static inline void pfi_wbuf_le64(pfi_wbuf *w, uint64_t v)
{
    uint8_t *at = pfi_wbuf_take(w, 8);
    if (at)
        pfi_put_le64(at, v);
}

static inline void pfi_wbuf_bytes(pfi_wbuf *w, const void *src, size_t n)
{
    uint8_t *at = pfi_wbuf_take(w, n);
    if (at && n)
        memcpy(at, src, n);
}

#endif
