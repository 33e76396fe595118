/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_LOGS_H
#define PFHOST_MGMT_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* The host's recent log lines, kept in memory for the console's live tail. The process has
 * one log (stderr) and so one ring; every line also still goes to stderr. */
#define LOG_RING_LINES 2000

/* Adds a line; @p level is PF_LOG_* (3 error, 4 warning, 6 info, 7 debug). */
void log_ring_add(uint32_t level, const char *topic, const char *text, size_t len);
/* {"lines": [{seq, time, level, topic, text}], "next": N}: at most @p max lines with a
 * sequence number >= @p after, oldest first; "next" is what to ask for next time. */
json_object *log_ring_to_json(uint64_t after, size_t max);
/* Empties the ring (tests). */
void log_ring_clear(void);

#endif
