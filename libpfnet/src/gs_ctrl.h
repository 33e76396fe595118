/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_GS_CTRL_H
#define PF_NET_GS_CTRL_H

#include <stddef.h>
#include <stdint.h>

#include "pf/net_stream.h"

/* Hands one message to session @p id as if its peer had sent it over ENet: opened with the
 * session key, replay-checked and delivered to the callbacks. For tests and fuzzing, which
 * reach the parsers behind the encryption without an ENet client. Returns 0;
 * PF_ERR_NOT_FOUND; or the error that would end the session (a tag failure). */
int pfi_gs_control_receive(pf_net_gs_control *c, uint32_t id, const uint8_t *data, size_t len);

#endif
