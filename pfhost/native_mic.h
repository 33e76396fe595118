/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_MIC_H
#define PFHOST_NATIVE_MIC_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"

/* A punktfunk/1 session's microphone (native-protocol.md §8.3): 0xCB datagrams, honoured only
 * with GRANT_MIC, decoded and played into a PipeWire virtual source named after the client
 * ("punktfunk microphone (<client>)") on the session's PipeWire. The source is made when the
 * first granted packet arrives and removed with the session. */
typedef struct native_mic native_mic;

/* @p remote: PipeWire remote (NULL = default); @p client: label for the source's name;
 * @p tag: a short unique id for node.name. All copied. Returns NULL without memory. */
native_mic *native_mic_create(const char *remote, const char *client, const char *tag,
                              pf_log_hook log);
void native_mic_destroy(native_mic *m);
/* One 0xCB datagram (event-loop thread). Dropped unless @p grants has GRANT_MIC. */
void native_mic_datagram(native_mic *m, const uint8_t *data, size_t len, uint32_t grants);

#endif
