/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure RTSP text handling for the GameStream handshake (gamestream-protocol.md §4): request
 * framing and parsing, the DESCRIBE SDP and reply formatting. No I/O. */
#ifndef PF_NET_GS_RTSP_PARSE_H
#define PF_NET_GS_RTSP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "pf/net_stream.h"

/* Requests and replies stay far below this; the client rejects replies above 1 MiB. */
#define PFI_RTSP_MAX_MESSAGE 65536u

#define PFI_RTSP_OPTIONS 1
#define PFI_RTSP_DESCRIBE 2
#define PFI_RTSP_SETUP 3
#define PFI_RTSP_ANNOUNCE 4
#define PFI_RTSP_PLAY 5
#define PFI_RTSP_TEARDOWN 6

#define PFI_RTSP_STREAM_NONE 0
#define PFI_RTSP_STREAM_AUDIO 1
#define PFI_RTSP_STREAM_VIDEO 2
#define PFI_RTSP_STREAM_CONTROL 3

typedef struct pfi_rtsp_request {
    int method;            /* PFI_RTSP_*, 0 for an unknown method (reply 501) */
    int stream;            /* PFI_RTSP_STREAM_* of a SETUP target */
    uint32_t cseq;
    int has_cseq;
    const char *session;   /* Session header value up to ';', borrowed; NULL if absent */
    size_t session_len;
    const char *host;      /* Host header value, borrowed; NULL if absent */
    size_t host_len;
    const char *body;      /* payload after the blank line, borrowed */
    size_t body_len;
    size_t total_len;      /* header + Content-length bytes */
} pfi_rtsp_request;

/* Frames and parses one request held in @p buf. Returns 0 with @p ret filled (pointers into
 * buf); PF_ERR_AGAIN when more bytes are needed; PF_ERR_MALFORMED; PF_ERR_LIMIT when the
 * message would exceed PFI_RTSP_MAX_MESSAGE. */
int pfi_rtsp_request_parse(const char *buf, size_t len, pfi_rtsp_request *ret);

typedef struct pfi_rtsp_describe {
    uint32_t codec_mask;     /* PF_NET_GS_CODEC_* */
    uint32_t feature_flags;
    uint32_t encryption_supported;
    uint32_t encryption_requested;
    const char (*surround)[16]; /* 4 lines: 5.1 normal/high, 7.1 normal/high; "" = none */
} pfi_rtsp_describe;

/* Writes the DESCRIBE SDP (§4.4, §8.2). Returns its length or PF_ERR_BUFFER_TOO_SMALL. */
int pfi_rtsp_describe_sdp(const pfi_rtsp_describe *d, char *out, size_t cap);

/* Formats "RTSP/1.0 <code> <reason>\r\nCSeq: n\r\n<extra>\r\n<body>". @p extra holds whole
 * header lines (each ending in \r\n) or is NULL. Returns the length or
 * PF_ERR_BUFFER_TOO_SMALL. */
int pfi_rtsp_reply(int code, uint32_t cseq, const char *extra, const char *body,
                   size_t body_len, char *out, size_t cap);

#endif
