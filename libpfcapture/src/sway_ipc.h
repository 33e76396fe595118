/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_SWAY_IPC_H
#define PF_CAPTURE_SWAY_IPC_H

#include <stddef.h>
#include <stdint.h>

/* sway's IPC (the i3 protocol): "i3-ipc", payload length and type as native 32-bit integers,
 * then a JSON payload. Only what the wlr backend needs. */
#define PFI_SWAY_RUN_COMMAND 0u
#define PFI_SWAY_GET_OUTPUTS 3u

/* Connects to @path (SWAYSOCK). The fd (O_CLOEXEC) or PF_ERR_IO. */
int pfi_sway_connect(const char *path);

/* Sends one message and reads the reply into @reply (NUL-terminated, truncated to @size).
 * The reply length, PF_ERR_IO, PF_ERR_TIMEOUT or PF_ERR_MALFORMED. */
int pfi_sway_request(int fd, uint32_t type, const char *payload, char *reply, size_t size,
                     uint32_t timeout_ms);

/* Collects the "name" of every output in a GET_OUTPUTS reply into @names (each at most 63
 * characters). Returns the count. */
uint32_t pfi_sway_output_names(const char *json, char names[][64], uint32_t max);

/* 1 when a RUN_COMMAND reply reports success for every command. */
int pfi_sway_command_ok(const char *json);

#endif
