/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_CURSOR_H
#define PF_CAPTURE_CURSOR_H

#include <stdatomic.h>
#include <stdint.h>

#include <spa/buffer/buffer.h>

#include "pf/capture.h"

#define PFI_CURSOR_BYTES (PF_CAPTURE_CURSOR_MAX_SIDE * PF_CAPTURE_CURSOR_MAX_SIDE * 4u)

struct pfi_cursor_state {
    pf_capture_cursor info;
    uint8_t pixels[PFI_CURSOR_BYTES]; /* straight-alpha RGBA, width·height·4 used */
};

/* The producer's pointer, handed from PipeWire's real-time thread to the owner without a
 * lock: the writer fills its own copy and publishes it through a triple buffer (one atomic
 * exchange per change), the reader swaps the newest in. Nothing allocates after create. */
struct pfi_cursor {
    struct pfi_cursor_state cur;     /* the writer's working copy */
    struct pfi_cursor_state slot[3]; /* triple buffer */
    uint32_t back;                   /* writer-owned slot */
    _Atomic uint32_t middle;         /* slot index | PFI_CURSOR_FRESH */
    uint32_t front;                  /* reader-owned slot */
    int hidden;                      /* writer: the producer sent an empty sprite */
    int had_shape;                   /* writer: the producer has sent a real one */
    int published;                   /* writer: something went out */
    int seen;                        /* reader: something was published */
};

struct pfi_cursor *pfi_cursor_new(void);
void pfi_cursor_free(struct pfi_cursor *c);
/* PipeWire's thread: reads the buffer's SPA_META_Cursor, if any, and publishes a change. */
void pfi_cursor_update(struct pfi_cursor *c, struct spa_buffer *sb);
/* Owner thread: pf_capture_get_cursor(). */
int pfi_cursor_get(struct pfi_cursor *c, pf_capture_cursor *ret, uint8_t *pixels, size_t size);

#endif
