/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decoding of GameStream input packets (gamestream-protocol.md §9) into pf_input_event.
 * Pure: bytes in, one event out. */
#ifndef PF_NET_GS_INPUT_H
#define PF_NET_GS_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "pf/input.h"

/* Decodes one 0x0206 payload. Returns 0 with @p ret filled; PF_ERR_MALFORMED (size field
 * wrong, body too short, invalid UTF-8); PF_ERR_UNSUPPORTED for a well-framed packet of an
 * unknown magic (to be ignored). */
int pfi_gs_input_decode(const uint8_t *pkt, size_t len, pf_input_event *ret);

#endif
