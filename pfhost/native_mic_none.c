/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Without libpfcapture there is no PipeWire to play a microphone into: packets are dropped. */
#include "native_mic.h"

#include <stdlib.h>

struct native_mic {
    int unused;
};

native_mic *native_mic_create(const char *remote, const char *client, const char *tag,
                              pf_log_hook log)
{
    (void)remote;
    (void)client;
    (void)tag;
    (void)log;
    return calloc(1, sizeof(native_mic));
}

void native_mic_destroy(native_mic *m)
{
    free(m);
}

void native_mic_datagram(native_mic *m, const uint8_t *data, size_t len, uint32_t grants)
{
    (void)m;
    (void)data;
    (void)len;
    (void)grants;
}
