/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_GS_QUERY_H
#define PF_NET_GS_QUERY_H

#include <stddef.h>
#include <stdint.h>

/* Requests are small GETs (§2.1); the largest parameter is a hex-encoded PEM certificate
 * (about 2.5 KiB for RSA-2048, 5.6 KiB hex). Anything beyond these limits is an attack or
 * a bug, and is refused before parsing. */
#define PFI_QUERY_MAX_PARAMS 32u
#define PFI_QUERY_MAX_LEN 16384u

typedef struct pfi_query {
    char *buf; /* decoded storage: every key and value is NUL-terminated inside it */
    uint32_t count;
    const char *key[PFI_QUERY_MAX_PARAMS];
    const char *value[PFI_QUERY_MAX_PARAMS];
} pfi_query;

/* Splits "path?query" (the query part may be absent) into @p ret_path and parameters.
 * Percent-decoding and '+' as space apply; a key or value holding a NUL after decoding, more
 * than PFI_QUERY_MAX_PARAMS parameters or a URI above PFI_QUERY_MAX_LEN is PF_ERR_MALFORMED
 * / PF_ERR_LIMIT. @p ret_path points into q->buf. */
int pfi_query_parse(const char *uri, size_t len, pfi_query *q, const char **ret_path);
void pfi_query_clear(pfi_query *q);
/* First value of @p key, or NULL. */
const char *pfi_query_get(const pfi_query *q, const char *key);

/* Exactly @p out_len bytes from 2*out_len hex digits of either case; else PF_ERR_MALFORMED. */
int pfi_hex_decode_exact(const char *hex, uint8_t *out, size_t out_len);
/* Any even number of hex digits up to @p cap bytes into @p out; @p ret_len gets the count. */
int pfi_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *ret_len);
void pfi_hex_encode(const uint8_t *in, size_t len, char *out);
/* Parses a decimal in [min, max]; optional leading '-'. PF_ERR_MALFORMED otherwise. */
int pfi_parse_int(const char *s, int64_t min, int64_t max, int64_t *ret);

#endif
