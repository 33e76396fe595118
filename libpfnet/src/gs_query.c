/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gs_query.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes one key or value in place; returns its decoded length or -1. */
static long decode_part(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi << 4 | lo);
            if (c == '\0')
                return -1;
            i += 2;
        }
        s[o++] = c;
    }
    s[o] = '\0';
    return (long)o;
}

int pfi_query_parse(const char *uri, size_t len, pfi_query *q, const char **ret_path)
{
    memset(q, 0, sizeof(*q));
    if (!uri || len == 0)
        return PF_ERR_MALFORMED;
    if (len > PFI_QUERY_MAX_LEN)
        return PF_ERR_LIMIT;
    if (memchr(uri, '\0', len))
        return PF_ERR_MALFORMED;
    q->buf = malloc(len + 1);
    if (!q->buf)
        return PF_ERR_NOMEM;
    memcpy(q->buf, uri, len);
    q->buf[len] = '\0';
    char *qs = strchr(q->buf, '?');
    size_t plen = qs ? (size_t)(qs - q->buf) : len;
    if (qs)
        *qs++ = '\0';
    if (decode_part(q->buf, plen) < 0)
        goto malformed;
    if (qs) {
        char *p = qs;
        while (*p) {
            char *amp = strchr(p, '&');
            size_t n = amp ? (size_t)(amp - p) : strlen(p);
            if (amp)
                *amp = '\0';
            if (n > 0) {
                if (q->count == PFI_QUERY_MAX_PARAMS) {
                    pfi_query_clear(q);
                    return PF_ERR_LIMIT;
                }
                char *eq = memchr(p, '=', n);
                char *val = eq ? eq + 1 : p + n;
                size_t klen = eq ? (size_t)(eq - p) : n;
                size_t vlen = eq ? n - klen - 1 : 0;
                if (eq)
                    *eq = '\0';
                if (klen == 0 || decode_part(p, klen) < 0 ||
                    (eq && decode_part(val, vlen) < 0))
                    goto malformed;
                q->key[q->count] = p;
                q->value[q->count] = eq ? val : "";
                q->count++;
            }
            if (!amp)
                break;
            p = amp + 1;
        }
    }
    if (ret_path)
        *ret_path = q->buf;
    return 0;
malformed:
    pfi_query_clear(q);
    return PF_ERR_MALFORMED;
}

void pfi_query_clear(pfi_query *q)
{
    free(q->buf);
    memset(q, 0, sizeof(*q));
}

const char *pfi_query_get(const pfi_query *q, const char *key)
{
    for (uint32_t i = 0; i < q->count; i++)
        if (strcmp(q->key[i], key) == 0)
            return q->value[i];
    return NULL;
}

int pfi_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *ret_len)
{
    if (!hex)
        return PF_ERR_MALFORMED;
    size_t n = strlen(hex);
    if (n % 2 != 0)
        return PF_ERR_MALFORMED;
    if (n / 2 > cap)
        return PF_ERR_LIMIT;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return PF_ERR_MALFORMED;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *ret_len = n / 2;
    return 0;
}

int pfi_hex_decode_exact(const char *hex, uint8_t *out, size_t out_len)
{
    if (!hex || strlen(hex) != 2 * out_len)
        return PF_ERR_MALFORMED;
    size_t got;
    return pfi_hex_decode(hex, out, out_len, &got);
}

void pfi_hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

int pfi_parse_int(const char *s, int64_t min, int64_t max, int64_t *ret)
{
    if (!s || !*s)
        return PF_ERR_MALFORMED;
    int neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (!*s || strlen(s) > 18)
        return PF_ERR_MALFORMED;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return PF_ERR_MALFORMED;
        v = v * 10 + (*s - '0');
    }
    if (neg)
        v = -v;
    if (v < min || v > max)
        return PF_ERR_MALFORMED;
    *ret = v;
    return 0;
}
