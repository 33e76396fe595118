/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The producer's pointer from PipeWire's SPA_META_Cursor (PF_CAPTURE_FLAG_CURSOR). Mutter
 * (cursor-mode metadata) and KWin fill it on every buffer, including buffers that carry only
 * a pointer move and no picture; the bitmap only when the sprite changed. Producers write
 * the bitmap premultiplied (KWin says so; Mutter draws it with Cogl's premultiplied RGBA),
 * whatever alpha format they name, so it is turned into straight alpha here, once per shape.
 * Runs on the real-time thread: bounded copies, no allocation, no lock. */
#include "cursor.h"

#include <stdlib.h>
#include <string.h>

#include <spa/buffer/meta.h>
#include <spa/param/video/raw.h>

#include "pf/core/error.h"

#define PFI_CURSOR_FRESH 4u

struct pfi_cursor *pfi_cursor_new(void)
{
    struct pfi_cursor *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->back = 0;
    atomic_store(&c->middle, 1u);
    c->front = 2;
    c->cur.info.struct_size = sizeof(c->cur.info);
    return c;
}

void pfi_cursor_free(struct pfi_cursor *c)
{
    free(c);
}

static uint8_t unpremultiply(uint8_t v, uint8_t a)
{
    uint32_t s;

    if (a == 0)
        return 0;
    s = ((uint32_t)v * 255u + a / 2u) / a;
    return s > 255u ? 255u : (uint8_t)s;
}

/* Byte positions of R, G, B, A in the producer's format; 0 when it is not one we read. */
static int channel_order(uint32_t format, int idx[4])
{
    static const int rgba[4] = {0, 1, 2, 3}, bgra[4] = {2, 1, 0, 3}, argb[4] = {1, 2, 3, 0},
                     abgr[4] = {3, 2, 1, 0};
    const int *o = format == SPA_VIDEO_FORMAT_RGBA   ? rgba
                   : format == SPA_VIDEO_FORMAT_BGRA ? bgra
                   : format == SPA_VIDEO_FORMAT_ARGB ? argb
                   : format == SPA_VIDEO_FORMAT_ABGR ? abgr
                                                     : NULL;

    if (!o)
        return 0;
    memcpy(idx, o, sizeof(rgba));
    return 1;
}

/* Reads the bitmap at @p off of the meta (@p size bytes) into the working copy. Returns 1
 * for a shape, 0 for an empty sprite (the pointer is hidden), -1 for one we cannot take. */
static int read_bitmap(struct pfi_cursor *c, const uint8_t *meta, uint32_t size, uint32_t off)
{
    const struct spa_meta_bitmap *bm;
    uint32_t w, h, stride;
    int idx[4];

    if (off < sizeof(struct spa_meta_cursor) || (uint64_t)off + sizeof(*bm) > size)
        return -1;
    bm = (const struct spa_meta_bitmap *)(meta + off);
    w = bm->size.width;
    h = bm->size.height;
    if (w == 0 || h == 0)
        return 0;
    stride = bm->stride > 0 ? (uint32_t)bm->stride : w * 4u;
    if (w > PF_CAPTURE_CURSOR_MAX_SIDE || h > PF_CAPTURE_CURSOR_MAX_SIDE || stride < w * 4u ||
        bm->offset < sizeof(*bm) || !channel_order(bm->format, idx) ||
        (uint64_t)off + bm->offset + (uint64_t)stride * (h - 1) + w * 4u > size)
        return -1;
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *src = meta + off + bm->offset + (size_t)stride * y;
        uint8_t *dst = c->cur.pixels + (size_t)w * 4u * y;

        for (uint32_t x = 0; x < w; x++, src += 4, dst += 4) {
            uint8_t a = src[idx[3]];

            dst[0] = unpremultiply(src[idx[0]], a);
            dst[1] = unpremultiply(src[idx[1]], a);
            dst[2] = unpremultiply(src[idx[2]], a);
            dst[3] = a;
        }
    }
    c->cur.info.width = w;
    c->cur.info.height = h;
    return 1;
}

void pfi_cursor_update(struct pfi_cursor *c, struct spa_buffer *sb)
{
    struct spa_meta *m = spa_buffer_find_meta(sb, SPA_META_Cursor);
    const struct spa_meta_cursor *mc;
    pf_capture_cursor *i = &c->cur.info;
    pf_capture_cursor before = *i;
    uint32_t flags = i->flags;
    size_t n;

    if (!m || !m->data || m->size < sizeof(*mc))
        return;
    mc = m->data;
    if (mc->id == 0) {
        /* Outside the captured area (or the producer lost it). */
        flags &= ~PF_CAPTURE_CURSOR_VISIBLE;
    } else {
        i->x = mc->position.x;
        i->y = mc->position.y;
        flags |= PF_CAPTURE_CURSOR_VISIBLE;
        if (mc->bitmap_offset) {
            int r = read_bitmap(c, m->data, m->size, mc->bitmap_offset);

            i->shape_serial++;
            if (i->shape_serial == 0)
                i->shape_serial = 1;
            if (r == 1) {
                flags |= PF_CAPTURE_CURSOR_HAS_SHAPE;
                i->hot_x = mc->hotspot.x;
                i->hot_y = mc->hotspot.y;
            } else {
                flags &= ~PF_CAPTURE_CURSOR_HAS_SHAPE;
                i->width = i->height = 0;
                i->hot_x = i->hot_y = 0;
            }
            /* An empty sprite is how a producer says the pointer is hidden, once it has
             * shown one. Before that it says that no sprite is set yet: a compositor with
             * no shell over its bare background (a headless Mutter) sends one at start, or
             * not, as the race of the pointer and the stream goes, and then none until an
             * app sets a sprite. The pointer is there all the same: visible, no shape. */
            c->had_shape |= r == 1;
            c->hidden = r == 0 && c->had_shape;
        }
        if (c->hidden)
            flags &= ~PF_CAPTURE_CURSOR_VISIBLE;
    }
    i->flags = flags;
    /* The first description is news even when it says "not here". */
    if (c->published && i->x == before.x && i->y == before.y && i->flags == before.flags &&
        i->shape_serial == before.shape_serial)
        return;
    c->published = 1;
    i->serial++;
    /* Publish: only the part of the bitmap in use is copied. */
    n = (i->flags & PF_CAPTURE_CURSOR_HAS_SHAPE) ? (size_t)i->width * i->height * 4u : 0;
    c->slot[c->back].info = *i;
    memcpy(c->slot[c->back].pixels, c->cur.pixels, n);
    c->back = atomic_exchange(&c->middle, c->back | PFI_CURSOR_FRESH) & 3u;
}

int pfi_cursor_get(struct pfi_cursor *c, pf_capture_cursor *ret, uint8_t *pixels, size_t size)
{
    const struct pfi_cursor_state *s;
    size_t n, need;

    if (atomic_load(&c->middle) & PFI_CURSOR_FRESH) {
        c->front = atomic_exchange(&c->middle, c->front) & 3u;
        c->seen = 1;
    }
    if (!c->seen)
        return PF_ERR_AGAIN;
    s = &c->slot[c->front];
    n = ret->struct_size < sizeof(s->info) ? ret->struct_size : sizeof(s->info);
    memcpy(ret, &s->info, n);
    ret->struct_size = (uint32_t)n;
    need = (s->info.flags & PF_CAPTURE_CURSOR_HAS_SHAPE)
               ? (size_t)s->info.width * s->info.height * 4u
               : 0;
    if (!pixels || !need)
        return 0;
    if (size < need)
        return PF_ERR_BUFFER_TOO_SMALL;
    memcpy(pixels, s->pixels, need);
    return 0;
}
