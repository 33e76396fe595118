/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pointer from SPA_META_Cursor (cursor.c), fed with buffers laid out the way producers
 * write them: position, hotspot and a premultiplied bitmap (once per shape), position-only
 * updates, "not in the stream", the empty sprite that hides the pointer, and bitmaps that
 * lie about their size. And the public call's contract on a capture object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <spa/buffer/buffer.h>
#include <spa/buffer/meta.h>
#include <spa/param/video/raw.h>

#include "pf/capture.h"
#include "pf/core/error.h"

#include "cursor.h"

#define META_BYTES (sizeof(struct spa_meta_cursor) + sizeof(struct spa_meta_bitmap) + 300 * 300 * 4)

struct fake {
    struct spa_buffer b;
    struct spa_meta meta;
    uint8_t *bytes;
};

static void fake_init(struct fake *f, uint32_t meta_size)
{
    memset(f, 0, sizeof(*f));
    f->bytes = calloc(1, META_BYTES);
    f->meta.type = SPA_META_Cursor;
    f->meta.size = meta_size;
    f->meta.data = f->bytes;
    f->b.n_metas = 1;
    f->b.metas = &f->meta;
}

static struct spa_meta_cursor *mc(struct fake *f)
{
    return (struct spa_meta_cursor *)f->bytes;
}

/* A w×h bitmap of one premultiplied pixel value in @p format. */
static void put_bitmap(struct fake *f, uint32_t format, uint32_t w, uint32_t h, int32_t stride,
                       const uint8_t px[4])
{
    struct spa_meta_cursor *m = mc(f);
    m->bitmap_offset = sizeof(*m);
    struct spa_meta_bitmap *bm = (struct spa_meta_bitmap *)(f->bytes + m->bitmap_offset);
    bm->format = format;
    bm->size.width = w;
    bm->size.height = h;
    bm->stride = stride;
    bm->offset = sizeof(*bm);
    uint8_t *d = (uint8_t *)bm + bm->offset;
    uint32_t row = stride > 0 ? (uint32_t)stride : w * 4;
    for (uint32_t y = 0; y < h && (size_t)(d - f->bytes) + row * h <= META_BYTES; y++)
        for (uint32_t x = 0; x < w; x++)
            memcpy(d + y * row + x * 4, px, 4);
}

static void shapes_positions_and_hiding(void **state)
{
    struct pfi_cursor *c = pfi_cursor_new();
    struct fake f;
    pf_capture_cursor cur = {.struct_size = sizeof(cur)};
    static uint8_t pixels[PFI_CURSOR_BYTES];

    fake_init(&f, META_BYTES);
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, sizeof(pixels)), PF_ERR_AGAIN);

    /* A buffer without the meta changes nothing. */
    struct spa_buffer none = {0};
    pfi_cursor_update(c, &none);
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, sizeof(pixels)), PF_ERR_AGAIN);

    /* Position, hotspot and a 3×2 premultiplied red at half alpha. */
    mc(&f)->id = 1;
    mc(&f)->position.x = 100;
    mc(&f)->position.y = -4;
    mc(&f)->hotspot.x = 1;
    mc(&f)->hotspot.y = 1;
    const uint8_t half_red[4] = {64, 0, 0, 128};
    put_bitmap(&f, SPA_VIDEO_FORMAT_RGBA, 3, 2, 0, half_red);
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, sizeof(pixels)), 0);
    assert_int_equal(cur.flags, PF_CAPTURE_CURSOR_VISIBLE | PF_CAPTURE_CURSOR_HAS_SHAPE);
    assert_int_equal(cur.x, 100);
    assert_int_equal(cur.y, -4);
    assert_int_equal(cur.width, 3);
    assert_int_equal(cur.height, 2);
    assert_int_equal(cur.hot_x, 1);
    uint32_t shape = cur.shape_serial, serial = cur.serial;
    assert_true(shape != 0);
    /* Straight alpha out: 64 at alpha 128 is 128. */
    assert_int_equal(pixels[0], 128);
    assert_int_equal(pixels[1], 0);
    assert_int_equal(pixels[3], 128);
    assert_int_equal(pixels[5 * 4], 128);

    /* A move without a bitmap keeps the shape. */
    mc(&f)->bitmap_offset = 0;
    mc(&f)->position.x = 101;
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, NULL, 0), 0);
    assert_int_equal(cur.x, 101);
    assert_int_equal(cur.shape_serial, shape);
    assert_true(cur.serial != serial);
    assert_true(cur.flags & PF_CAPTURE_CURSOR_HAS_SHAPE);
    /* Nothing new: the same state again. */
    serial = cur.serial;
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, NULL, 0), 0);
    assert_int_equal(cur.serial, serial);

    /* Out of the stream (id 0). */
    mc(&f)->id = 0;
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, NULL, 0), 0);
    assert_false(cur.flags & PF_CAPTURE_CURSOR_VISIBLE);
    assert_int_equal(cur.x, 101);

    /* The empty sprite hides the pointer until a real one comes. */
    mc(&f)->id = 1;
    put_bitmap(&f, SPA_VIDEO_FORMAT_RGBA, 0, 0, 0, half_red);
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, NULL, 0), 0);
    assert_false(cur.flags & PF_CAPTURE_CURSOR_VISIBLE);
    assert_false(cur.flags & PF_CAPTURE_CURSOR_HAS_SHAPE);
    mc(&f)->bitmap_offset = 0;
    mc(&f)->position.x = 50;
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, NULL, 0), 0);
    assert_false(cur.flags & PF_CAPTURE_CURSOR_VISIBLE);

    /* BGRA with a stride: swizzled to RGBA; opaque stays as it is. */
    const uint8_t blue[4] = {255, 0, 0, 255}; /* B, G, R, A */
    put_bitmap(&f, SPA_VIDEO_FORMAT_BGRA, 4, 4, 32, blue);
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, sizeof(pixels)), 0);
    assert_true(cur.flags & PF_CAPTURE_CURSOR_VISIBLE);
    assert_int_equal(cur.width, 4);
    assert_int_equal(pixels[0], 0);
    assert_int_equal(pixels[2], 255);
    assert_int_equal(pixels[15 * 4 + 2], 255);
    /* Too small a buffer: the state, not the pixels. */
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, 10), PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(cur.width, 4);

    free(f.bytes);
    pfi_cursor_free(c);
}

/* A producer that sends an empty sprite before any real one has no sprite set yet (a
 * headless Mutter over its bare background): the pointer stays visible, without a shape;
 * after a real sprite, the empty one hides it. */
static void empty_sprite_before_any_shape(void **state)
{
    struct pfi_cursor *c = pfi_cursor_new();
    struct fake f;
    pf_capture_cursor cur = {.struct_size = sizeof(cur)};
    static uint8_t pixels[PFI_CURSOR_BYTES];
    const uint8_t red[4] = {255, 0, 0, 255};

    fake_init(&f, META_BYTES);
    mc(&f)->id = 1;
    mc(&f)->position.x = 300;
    mc(&f)->position.y = 200;
    put_bitmap(&f, SPA_VIDEO_FORMAT_RGBA, 0, 0, 0, red);
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, sizeof(pixels)), 0);
    assert_int_equal(cur.flags, PF_CAPTURE_CURSOR_VISIBLE);
    assert_int_equal(cur.x, 300);
    assert_true(cur.shape_serial != 0);
    /* Moves keep it visible. */
    mc(&f)->bitmap_offset = 0;
    mc(&f)->position.x = 310;
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, sizeof(pixels)), 0);
    assert_int_equal(cur.flags, PF_CAPTURE_CURSOR_VISIBLE);
    assert_int_equal(cur.x, 310);
    /* A real sprite, then an empty one: now that hides it. */
    put_bitmap(&f, SPA_VIDEO_FORMAT_RGBA, 2, 2, 0, red);
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, sizeof(pixels)), 0);
    assert_int_equal(cur.flags, PF_CAPTURE_CURSOR_VISIBLE | PF_CAPTURE_CURSOR_HAS_SHAPE);
    put_bitmap(&f, SPA_VIDEO_FORMAT_RGBA, 0, 0, 0, red);
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, pixels, sizeof(pixels)), 0);
    assert_int_equal(cur.flags, 0);
    free(f.bytes);
    pfi_cursor_free(c);
    (void)state;
}

static void bitmaps_that_do_not_fit(void **state)
{
    struct pfi_cursor *c = pfi_cursor_new();
    struct fake f;
    pf_capture_cursor cur = {.struct_size = sizeof(cur)};
    const uint8_t px[4] = {1, 2, 3, 255};

    /* Larger than PF_CAPTURE_CURSOR_MAX_SIDE: the position stays, the shape is dropped. */
    fake_init(&f, META_BYTES);
    mc(&f)->id = 1;
    mc(&f)->position.x = 7;
    put_bitmap(&f, SPA_VIDEO_FORMAT_RGBA, PF_CAPTURE_CURSOR_MAX_SIDE + 1, 2, 0, px);
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, NULL, 0), 0);
    assert_true(cur.flags & PF_CAPTURE_CURSOR_VISIBLE);
    assert_false(cur.flags & PF_CAPTURE_CURSOR_HAS_SHAPE);
    assert_int_equal(cur.x, 7);
    free(f.bytes);

    /* A bitmap that runs past the meta, a stride below the width, an offset inside the
     * header, an unknown format, a bitmap offset past the meta: all refused, none read. */
    struct {
        uint32_t meta_size, format, w, h;
        int32_t stride;
        uint32_t bitmap_offset, offset;
    } bad[] = {
        {200, SPA_VIDEO_FORMAT_RGBA, 10, 10, 0, 0, 0},
        {(uint32_t)META_BYTES, SPA_VIDEO_FORMAT_RGBA, 10, 10, 8, 0, 0},
        {(uint32_t)META_BYTES, SPA_VIDEO_FORMAT_RGBA, 2, 2, 0, 0, 4},
        {(uint32_t)META_BYTES, SPA_VIDEO_FORMAT_I420, 2, 2, 0, 0, 0},
        {64, SPA_VIDEO_FORMAT_RGBA, 2, 2, 0, 1000, 0},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fake_init(&f, bad[i].meta_size);
        mc(&f)->id = 1;
        put_bitmap(&f, bad[i].format, bad[i].w, bad[i].h, bad[i].stride, px);
        struct spa_meta_bitmap *bm = (struct spa_meta_bitmap *)(f.bytes + mc(&f)->bitmap_offset);
        if (bad[i].offset)
            bm->offset = bad[i].offset;
        if (bad[i].bitmap_offset)
            mc(&f)->bitmap_offset = bad[i].bitmap_offset;
        pfi_cursor_update(c, &f.b);
        assert_int_equal(pfi_cursor_get(c, &cur, NULL, 0), 0);
        assert_false(cur.flags & PF_CAPTURE_CURSOR_HAS_SHAPE);
        free(f.bytes);
    }
    /* A meta too small for its header is ignored. */
    fake_init(&f, sizeof(struct spa_meta_cursor) - 1);
    uint32_t serial = cur.serial;
    mc(&f)->id = 1;
    mc(&f)->position.x = 99;
    pfi_cursor_update(c, &f.b);
    assert_int_equal(pfi_cursor_get(c, &cur, NULL, 0), 0);
    assert_int_equal(cur.serial, serial);
    free(f.bytes);
    pfi_cursor_free(c);
}

static void public_call(void **state)
{
    pf_capture_settings s;
    pf_capture *cap;
    pf_capture_cursor cur = {.struct_size = sizeof(cur)};

    assert_int_equal(pf_capture_settings_init(&s), 0);
    s.node_id = 42; /* never connected here */
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &cap), 0);
    assert_int_equal(pf_capture_get_cursor(cap, &cur, NULL, 0), PF_ERR_UNSUPPORTED);
    pf_capture_destroy(cap);

    s.flags = PF_CAPTURE_FLAG_CURSOR | PF_CAPTURE_FLAG_NO_DMABUF;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &cap), 0);
    assert_int_equal(pf_capture_get_cursor(cap, &cur, NULL, 0), PF_ERR_AGAIN);
    assert_int_equal(pf_capture_get_cursor(cap, NULL, NULL, 0), PF_ERR_INVALID_ARGUMENT);
    cur.struct_size = 4;
    assert_int_equal(pf_capture_get_cursor(cap, &cur, NULL, 0), PF_ERR_INVALID_ARGUMENT);
    pf_capture_destroy(cap);

    s.flags = 0x80;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &cap), PF_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shapes_positions_and_hiding),
        cmocka_unit_test(empty_sprite_before_any_shape),
        cmocka_unit_test(bitmaps_that_do_not_fit),
        cmocka_unit_test(public_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
