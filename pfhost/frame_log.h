/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pfhost serve --frame-log FILE`: one text line per video frame a GameStream session sent,
 * with the stage stamps the wire does not carry (the send time), for latency measurements
 * (pf-latency-probe). Lines are appended; each start of the host writes a header first:
 *
 *     # pfhost frame log: session frame capture_ns encoded_ns sent_ns (CLOCK_MONOTONIC)
 *     7 1 123456789000 123459789000 123460012000
 *
 * session: the GameStream session id; frame: the frameIndex of §6.3 (the client sees it);
 * capture_ns, encoded_ns, sent_ns: CLOCK_MONOTONIC when the frame was captured, came out of
 * the encoder, and when the pacer's send call for its last datagram returned. Every number
 * is unsigned decimal, separated by one space. */
#ifndef PFHOST_FRAME_LOG_H
#define PFHOST_FRAME_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef struct frame_log frame_log;

typedef struct frame_log_entry {
    uint32_t session, frame;
    uint64_t capture_ns, encoded_ns, sent_ns;
} frame_log_entry;

/* Lines buffered before a write to the file (also at frame_log_flush()). */
#define FRAME_LOG_FLUSH_EVERY 64u

/* Opens @p path for appending (created 0600) and writes the header. 0, or -1 with @p err. */
int frame_log_open(const char *path, frame_log **ret, char *err, size_t err_len);
/* One frame's line, into the buffer; any thread (lines never interleave). */
void frame_log_write(frame_log *l, const frame_log_entry *e);
/* Writes what is buffered: a session's end. Any thread. */
void frame_log_flush(frame_log *l);
/* Flushes and closes; NULL allowed. */
void frame_log_close(frame_log *l);

/* One line of the file (with or without its newline): 1 and @p e filled for a frame, 0 for
 * the header or an empty line, -1 for anything else. */
int frame_log_parse(const char *line, frame_log_entry *e);

#endif
