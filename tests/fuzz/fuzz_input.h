/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Input layout shared by the datagram fuzz targets and the seed generator:
 *   byte 0        configuration bits (target specific)
 *   then records  BE16 length ‖ that many bytes (a short last record takes what is left)
 * so one input is a whole packet sequence and mutations hit lengths, order and contents. */
#ifndef PF_FUZZ_INPUT_H
#define PF_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_input {
    const uint8_t *data;
    size_t len;
    size_t pos;
} fuzz_input;

static inline int fuzz_next_packet(fuzz_input *in, const uint8_t **ret_pkt, size_t *ret_len)
{
    if (in->len - in->pos < 2)
        return 0;
    size_t want = ((size_t)in->data[in->pos] << 8) | in->data[in->pos + 1];
    in->pos += 2;
    size_t left = in->len - in->pos;
    size_t take = want < left ? want : left;
    *ret_pkt = in->data + in->pos;
    *ret_len = take;
    in->pos += take;
    return 1;
}

/* The libFuzzer entry point every target defines; the replayer calls it too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
