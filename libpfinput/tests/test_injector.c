/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Injector core against a recording backend: what reaches the backend for each decoded
 * event, permissions, the rate bound, modifiers, backend choice, and that a client leaving
 * with keys, buttons and touches down releases all of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/input-event-codes.h>

#include "pf/input.h"

#include "backend.h"

#define MAX_LINES 256

struct rec {
    struct pfi_backend base;
    char lines[MAX_LINES][64];
    int n;
    uint32_t caps;
};

/* The test's view of the backend the injector created last. */
static struct rec *last;
static int fail_create;

static void add(struct rec *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    assert_true(r->n < MAX_LINES);
    vsnprintf(r->lines[r->n++], sizeof(r->lines[0]), fmt, ap);
    va_end(ap);
}

static struct rec *R(struct pfi_backend *b)
{
    return (struct rec *)b;
}

static uint32_t r_caps(struct pfi_backend *b)
{
    return R(b)->caps;
}
static int r_key(struct pfi_backend *b, uint32_t k, int d)
{
    add(R(b), "key %u %d", k, d);
    return 0;
}
static int r_keysym(struct pfi_backend *b, uint32_t s, int d)
{
    add(R(b), "keysym 0x%x %d", s, d);
    return 0;
}
static int r_motion(struct pfi_backend *b, double dx, double dy)
{
    add(R(b), "motion %.0f %.0f", dx, dy);
    return 0;
}
static int r_abs(struct pfi_backend *b, double x, double y)
{
    add(R(b), "abs %.2f %.2f", x, y);
    return 0;
}
static int r_button(struct pfi_backend *b, uint32_t c, int d)
{
    add(R(b), "button %u %d", c, d);
    return 0;
}
static int r_scroll(struct pfi_backend *b, uint32_t axis, int32_t v)
{
    add(R(b), "scroll %u %d", axis, v);
    return 0;
}
static int r_touch(struct pfi_backend *b, uint32_t slot, uint32_t type, double x, double y,
                   double p)
{
    if (type == PF_INPUT_TOUCH_UP)
        add(R(b), "touch-up %u", slot);
    else
        add(R(b), "touch %u %u %.1f %.1f", slot, type, x, y);
    return 0;
}
static int r_pad_create(struct pfi_backend *b, uint32_t id, const struct pfi_pad_desc *d)
{
    add(R(b), "pad-create %u type %u", id, d->type);
    return 0;
}
static int r_pad_state(struct pfi_backend *b, uint32_t id, const pf_input_pad *s)
{
    add(R(b), "pad-state %u 0x%x %d", id, s->buttons, s->left_x);
    return 0;
}
static void r_pad_destroy(struct pfi_backend *b, uint32_t id)
{
    add(R(b), "pad-destroy %u", id);
}
static void r_destroy(struct pfi_backend *b)
{
    if (last == R(b))
        last = NULL;
    free(b);
}

static const struct pfi_backend_impl rec_impl;
static int r_create(const struct pfi_backend_args *args, struct pfi_backend **ret)
{
    if (fail_create)
        return PF_ERR_UNSUPPORTED;
    struct rec *r = calloc(1, sizeof(*r));
    r->base.impl = &rec_impl;
    r->caps = PFI_CAP_KEYBOARD | PFI_CAP_KEYSYM | PFI_CAP_POINTER | PFI_CAP_POINTER_ABS |
              PFI_CAP_TOUCH | PFI_CAP_GAMEPAD;
    last = r;
    *ret = &r->base;
    return 0;
}

static const struct pfi_backend_impl rec_impl = {
    .name = "rec",
    .create = r_create,
    .destroy = r_destroy,
    .caps = r_caps,
    .key = r_key,
    .keysym = r_keysym,
    .motion = r_motion,
    .motion_abs = r_abs,
    .button = r_button,
    .scroll = r_scroll,
    .touch = r_touch,
    .pad_create = r_pad_create,
    .pad_state = r_pad_state,
    .pad_destroy = r_pad_destroy,
};

static const struct pfi_backend_impl *const table[] = { &rec_impl, NULL };

static pf_input_injector *make(uint32_t rate, uint32_t burst)
{
    pf_input_settings s;
    pf_input_settings_default(&s);
    s.backends = "rec";
    s.max_events_per_sec = rate;
    s.burst = burst;
    s.layout = "de";
    pf_input_injector *inj = NULL;
    assert_int_equal(pfi_injector_create_with(&s, table, &inj), 0);
    assert_non_null(last);
    return inj;
}

static pf_input_event ev(uint32_t type)
{
    pf_input_event e;
    memset(&e, 0, sizeof(e));
    e.struct_size = sizeof(e);
    e.type = type;
    return e;
}

static pf_input_event key(uint32_t type, uint16_t vk, uint8_t mods)
{
    pf_input_event e = ev(type);
    e.key.key_code = (uint16_t)(0x8000 | vk);
    e.key.modifiers = mods;
    return e;
}

static void expect_lines(const char *const *want, int n)
{
    assert_non_null(last);
    if (last->n != n) {
        for (int i = 0; i < last->n; i++)
            print_message("got: %s\n", last->lines[i]);
    }
    assert_int_equal(last->n, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(last->lines[i], want[i]);
    last->n = 0;
}

#define EXPECT(...)                                                                            \
    do {                                                                                       \
        static const char *const w_[] = { __VA_ARGS__ };                                       \
        expect_lines(w_, (int)(sizeof(w_) / sizeof(w_[0])));                                   \
    } while (0)
#define EXPECT_NONE() expect_lines(NULL, 0)

static void test_keys_and_modifiers(void **state)
{
    pf_input_injector *inj = make(0, 0);
    pf_input_client *c;
    assert_int_equal(pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c), 0);
    /* Captured sample: key down 'A' + Shift, without a Shift key event first. */
    pf_input_event e = key(PF_INPUT_EVENT_KEY_DOWN, 'A', PF_INPUT_MOD_SHIFT);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    EXPECT("key 42 1", "key 30 1");
    /* Auto-repeat of a held key is the compositor's business. */
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    EXPECT_NONE();
    e = key(PF_INPUT_EVENT_KEY_UP, 'A', 0);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    EXPECT("key 30 0", "key 42 0");
    /* A real Shift from the client is its own business: not synthesised, not released. */
    e = key(PF_INPUT_EVENT_KEY_DOWN, 0xA1, PF_INPUT_MOD_SHIFT);
    pf_input_client_submit(c, &e, 0);
    e = key(PF_INPUT_EVENT_KEY_DOWN, 'B', PF_INPUT_MOD_SHIFT);
    pf_input_client_submit(c, &e, 0);
    e = key(PF_INPUT_EVENT_KEY_UP, 'B', PF_INPUT_MOD_SHIFT);
    pf_input_client_submit(c, &e, 0);
    EXPECT("key 54 1", "key 48 1", "key 48 0");
    /* Unknown key: ignored. Key up of a key never pressed: ignored. */
    e = key(PF_INPUT_EVENT_KEY_DOWN, 0xFF, 0);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    e = key(PF_INPUT_EVENT_KEY_UP, 'Q', 0);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    EXPECT_NONE();
    /* Non-normalised code from a German client: its Z sits where US has Y. */
    e = key(PF_INPUT_EVENT_KEY_DOWN, 'Z', PF_INPUT_MOD_SHIFT);
    e.key.flags = PF_INPUT_KEY_FLAG_NON_NORMALIZED;
    pf_input_client_submit(c, &e, 0);
    EXPECT("key 21 1");
    pf_input_client_destroy(c);
    /* Disconnect: right Shift and Y were still down. */
    EXPECT("key 21 0", "key 54 0");
    pf_input_injector_destroy(inj);
}

static void test_pointer(void **state)
{
    pf_input_injector *inj = make(0, 0);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    pf_input_event e = ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    e.pointer.dx = 10;
    e.pointer.dy = -5;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    e = ev(PF_INPUT_EVENT_MOUSE_MOVE_ABS);
    e.pointer.x = 100;
    e.pointer.y = 200;
    e.pointer.ref_width = 1920;
    e.pointer.ref_height = 1080;
    /* No output yet: nothing to map onto. */
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    pf_input_output out = { .struct_size = sizeof(out), .width = 1280, .height = 720 };
    assert_int_equal(pf_input_injector_set_output(inj, &out), 0);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    e.pointer.x = 5000; /* beyond the reference area: clamped onto the edge */
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    e = ev(PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    for (uint32_t b = 1; b <= 6; b++) {
        e.pointer.button = b;
        pf_input_client_submit(c, &e, 0);
    }
    e = ev(PF_INPUT_EVENT_MOUSE_BUTTON_UP);
    e.pointer.button = PF_INPUT_BUTTON_RIGHT;
    pf_input_client_submit(c, &e, 0);
    pf_input_client_submit(c, &e, 0);
    e = ev(PF_INPUT_EVENT_SCROLL);
    e.pointer.scroll = 120;
    pf_input_client_submit(c, &e, 0);
    e = ev(PF_INPUT_EVENT_HSCROLL);
    e.pointer.scroll = -120;
    pf_input_client_submit(c, &e, 0);
    e.pointer.scroll = 0;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    EXPECT("motion 10 -5", "abs 66.65 133.27", "abs 1279.00 133.27", "button 272 1",
           "button 274 1", "button 273 1", "button 275 1", "button 276 1", "button 273 0",
           "scroll 0 120", "scroll 1 -120");
    assert_int_equal(pf_input_client_release_all(c), 4);
    EXPECT("button 272 0", "button 274 0", "button 275 0", "button 276 0");
    pf_input_client_destroy(c);
    EXPECT_NONE();
    pf_input_injector_destroy(inj);
}

static void test_touch_and_text(void **state)
{
    pf_input_injector *inj = make(0, 0);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    pf_input_output out = { .struct_size = sizeof(out), .width = 101, .height = 51 };
    pf_input_injector_set_output(inj, &out);
    pf_input_event e = ev(PF_INPUT_EVENT_TOUCH);
    e.touch.event_type = PF_INPUT_TOUCH_DOWN;
    e.touch.pointer_id = 7;
    e.touch.x = 0.25f;
    e.touch.y = 0.5f;
    pf_input_client_submit(c, &e, 0);
    e.touch.pointer_id = 9;
    pf_input_client_submit(c, &e, 0);
    e.touch.event_type = PF_INPUT_TOUCH_MOVE;
    e.touch.x = 1.0f;
    pf_input_client_submit(c, &e, 0);
    e.touch.pointer_id = 1234; /* move of an unknown contact */
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    e.touch.event_type = PF_INPUT_TOUCH_UP;
    e.touch.pointer_id = 7;
    pf_input_client_submit(c, &e, 0);
    e = ev(PF_INPUT_EVENT_TEXT);
    e.text.codepoint = 0xE9;
    pf_input_client_submit(c, &e, 0);
    e.text.codepoint = 0xD800;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    EXPECT("touch 0 1 25.0 25.0", "touch 1 1 25.0 25.0", "touch 1 3 100.0 25.0", "touch-up 0",
           "keysym 0xe9 1", "keysym 0xe9 0");
    pf_input_client_destroy(c);
    EXPECT("touch-up 1");
    pf_input_injector_destroy(inj);
}

static void test_permissions(void **state)
{
    pf_input_injector *inj = make(0, 0);
    pf_input_client *viewer, *c;
    assert_int_equal(pf_input_client_create(inj, PF_INPUT_PERM_VIEW_ONLY, &viewer), 0);
    assert_int_equal(pf_input_client_create(inj, 0x100, &c), PF_ERR_INVALID_ARGUMENT);
    static const uint32_t types[] = { PF_INPUT_EVENT_KEY_DOWN, PF_INPUT_EVENT_MOUSE_MOVE_REL,
                                      PF_INPUT_EVENT_MOUSE_BUTTON_DOWN, PF_INPUT_EVENT_SCROLL,
                                      PF_INPUT_EVENT_TEXT, PF_INPUT_EVENT_CONTROLLER_STATE };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        pf_input_event e = ev(types[i]);
        e.key.key_code = 'A';
        e.pointer.dx = 1;
        e.pointer.button = 1;
        e.pointer.scroll = 120;
        e.text.codepoint = 'x';
        e.pad.active_mask = 1;
        assert_int_equal(pf_input_client_submit(viewer, &e, 0), 0);
    }
    EXPECT_NONE();
    /* Keyboard only: the mouse is refused, keys pass; revoking releases held keys. */
    assert_int_equal(pf_input_client_create(inj, PF_INPUT_PERM_KEYBOARD, &c), 0);
    pf_input_event e = ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    e.pointer.dx = 3;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    e = key(PF_INPUT_EVENT_KEY_DOWN, 'A', 0);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    assert_int_equal(pf_input_client_set_permissions(c, PF_INPUT_PERM_MOUSE), 0);
    assert_int_equal(pf_input_client_get_permissions(c), PF_INPUT_PERM_MOUSE);
    EXPECT("key 30 1", "key 30 0");
    e = key(PF_INPUT_EVENT_KEY_UP, 'A', 0);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    pf_input_injector_destroy(inj); /* destroys both clients */
}

static void test_rate_limit(void **state)
{
    pf_input_injector *inj = make(100, 10); /* 100/s, bursts of 10 */
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    pf_input_event down = key(PF_INPUT_EVENT_KEY_DOWN, 'A', 0);
    pf_input_event up = key(PF_INPUT_EVENT_KEY_UP, 'A', 0);
    pf_input_event mv = ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    mv.pointer.dx = 1;
    assert_int_equal(pf_input_client_submit(c, &down, 1000), 1);
    int passed = 0;
    for (int i = 0; i < 1000; i++)
        passed += pf_input_client_submit(c, &mv, 1000);
    assert_int_equal(passed, 9);
    /* The bucket is empty, yet the release must pass: a flood never sticks a key. */
    assert_int_equal(pf_input_client_submit(c, &up, 1000), 1);
    /* 50 ms later, 5 tokens have come back. */
    passed = 0;
    for (int i = 0; i < 100; i++)
        passed += pf_input_client_submit(c, &mv, 1000 + 50000000ull);
    assert_int_equal(passed, 5);
    /* Time going backwards (a bad caller clock) refills nothing and does not crash. */
    assert_int_equal(pf_input_client_submit(c, &mv, 0), 0);
    last->n = 0;
    pf_input_injector_destroy(inj);
}

static void test_gamepads(void **state)
{
    pf_input_injector *inj = make(0, 0);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    pf_input_event e = ev(PF_INPUT_EVENT_CONTROLLER_ARRIVAL);
    e.pad.number = 1;
    e.pad.type = PF_INPUT_PAD_TYPE_PLAYSTATION;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    e = ev(PF_INPUT_EVENT_CONTROLLER_STATE);
    e.pad.number = 0; /* no arrival: created on its first state, type unknown */
    e.pad.active_mask = 3;
    e.pad.buttons = PF_INPUT_PAD_A;
    e.pad.left_x = 1000;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    e.pad.number = 16; /* beyond the limit */
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    e.pad.number = 1;
    e.pad.active_mask = 1; /* pad 1's own bit cleared: it left */
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    EXPECT("pad-create 17 type 2", "pad-create 16 type 0", "pad-state 16 0x1000 1000",
           "pad-destroy 17");
    pf_input_client_destroy(c);
    EXPECT("pad-state 16 0x0 0", "pad-destroy 16");
    pf_input_injector_destroy(inj);
}

static void test_bad_input(void **state)
{
    pf_input_injector *inj = make(0, 0);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    pf_input_event e = ev(PF_INPUT_EVENT_KEY_DOWN);
    e.struct_size = 8;
    assert_int_equal(pf_input_client_submit(c, &e, 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_input_client_submit(c, NULL, 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_input_client_submit(NULL, &e, 0), PF_ERR_INVALID_ARGUMENT);
    e = ev(9999);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    e = ev(PF_INPUT_EVENT_MOUSE_MOVE_ABS);
    e.pointer.ref_width = 0;
    pf_input_output out = { .struct_size = sizeof(out), .width = 10, .height = 10 };
    pf_input_injector_set_output(inj, &out);
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    out.width = 0;
    assert_int_equal(pf_input_injector_set_output(inj, &out), PF_ERR_INVALID_ARGUMENT);
    EXPECT_NONE();
    pf_input_client_destroy(NULL);
    pf_input_injector_destroy(NULL);
    assert_int_equal(pf_input_client_release_all(NULL), 0);
    pf_input_injector_destroy(inj);
}

static void test_backend_choice(void **state)
{
    pf_input_settings s;
    pf_input_settings_default(&s);
    pf_input_injector *inj = NULL;
    s.backends = "nosuch";
    assert_int_equal(pfi_injector_create_with(&s, table, &inj), PF_ERR_INVALID_ARGUMENT);
    s.backends = "rec";
    fail_create = 1;
    assert_int_equal(pfi_injector_create_with(&s, table, &inj), PF_ERR_UNSUPPORTED);
    fail_create = 0;
    s.layout = "xx";
    assert_int_equal(pfi_injector_create_with(&s, table, &inj), PF_ERR_INVALID_ARGUMENT);
    s.layout = NULL;
    s.struct_size = 4;
    assert_int_equal(pfi_injector_create_with(&s, table, &inj), PF_ERR_INVALID_ARGUMENT);
    assert_null(inj);
    s.struct_size = sizeof(s);
    /* The environment override applies when the caller gives no list. */
    s.backends = NULL;
    setenv("PF_INPUT_BACKENDS", "rec", 1);
    assert_int_equal(pfi_injector_create_with(&s, table, &inj), 0);
    assert_string_equal(pf_input_injector_get_backend(inj), "rec");
    /* Capabilities are the backend's: touch only while it has touch. */
    assert_int_equal(pf_input_injector_get_capabilities(inj),
                     PF_INPUT_CAP_KEYBOARD | PF_INPUT_CAP_KEYSYM | PF_INPUT_CAP_POINTER |
                         PF_INPUT_CAP_POINTER_ABS | PF_INPUT_CAP_TOUCH | PF_INPUT_CAP_GAMEPAD);
    last->caps &= ~PFI_CAP_TOUCH;
    assert_false(pf_input_injector_get_capabilities(inj) & PF_INPUT_CAP_TOUCH);
    assert_int_equal(pf_input_injector_get_capabilities(NULL), 0);
    char id[8];
    assert_int_equal(pf_input_injector_get_session_id(inj, id, sizeof(id)), 0);
    assert_string_equal(id, "");
    assert_true(pf_input_injector_get_fd(inj) >= 0);
    assert_int_equal(pf_input_injector_dispatch(inj), 0);
    assert_int_equal(pf_input_injector_start(inj), 0);
    pf_input_injector_destroy(inj);
    unsetenv("PF_INPUT_BACKENDS");
    /* Autocreate for a compositor whose backends are not in the table finds nothing. */
    s.vdisplay = "kwin";
    assert_int_equal(pfi_injector_create_with(&s, table, &inj), PF_ERR_UNSUPPORTED);
}

struct ledger {
    int keys[KEY_CNT];
    int buttons[KEY_CNT];
    int touches[PFI_TOUCH_SLOTS];
    int pads[64];
};

/* Applies what the backend was told to the ledger: a press of something already down or a
 * release of something not down is a bug, so is a pad created twice. */
static void account(struct ledger *l)
{
    for (int i = 0; i < last->n; i++) {
        const char *line = last->lines[i];
        unsigned int a, b;
        if (sscanf(line, "key %u %u", &a, &b) == 2) {
            assert_true(a < KEY_CNT);
            assert_int_equal(l->keys[a], !b);
            l->keys[a] = (int)b;
        } else if (sscanf(line, "button %u %u", &a, &b) == 2) {
            assert_int_equal(l->buttons[a], !b);
            l->buttons[a] = (int)b;
        } else if (sscanf(line, "touch-up %u", &a) == 1) {
            assert_int_equal(l->touches[a], 1);
            l->touches[a] = 0;
        } else if (sscanf(line, "touch %u %u", &a, &b) == 2) {
            assert_true(a < PFI_TOUCH_SLOTS);
            if (b == PF_INPUT_TOUCH_DOWN) {
                assert_int_equal(l->touches[a], 0);
                l->touches[a] = 1;
            } else {
                assert_int_equal(l->touches[a], 1);
            }
        } else if (sscanf(line, "pad-create %u", &a) == 1) {
            assert_true(a < 64);
            assert_int_equal(l->pads[a], 0);
            l->pads[a] = 1;
        } else if (sscanf(line, "pad-destroy %u", &a) == 1) {
            assert_int_equal(l->pads[a], 1);
            l->pads[a] = 0;
        }
    }
    last->n = 0;
}

/* xorshift: a seeded, reproducible stream of garbage. */
static uint32_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

/* Random events with random fields (types, codes, counts and coordinates far out of range)
 * through a tight rate bound: nothing crashes, the backend never sees a double press or a
 * release of something not pressed, and once the client is gone nothing is held and no pad
 * is left. */
static void test_random_flood_leaves_nothing_held(void **state)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        pf_input_injector *inj = make(500, 50);
        pf_input_output out = { .struct_size = sizeof(out), .width = 640, .height = 480 };
        pf_input_injector_set_output(inj, &out);
        pf_input_client *c;
        pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
        static struct ledger l;
        memset(&l, 0, sizeof(l));
        uint64_t s = seed * 0x9E3779B97F4A7C15ull;
        uint64_t now = 0;
        int injected = 0;
        for (int i = 0; i < 5000; i++) {
            pf_input_event e = ev(1 + rnd(&s) % 20);
            /* Keys from a small set, so presses and releases meet. */
            static const uint16_t vks[] = { 'A', 'S', 'D', 'W', 0x10, 0xA1, 0x11, 0x5B };
            e.key.key_code = (uint16_t)(rnd(&s) % 4 ? vks[rnd(&s) % 8] : rnd(&s));
            e.key.modifiers = (uint8_t)rnd(&s);
            e.key.flags = (uint8_t)rnd(&s);
            e.pointer.dx = (int32_t)rnd(&s);
            e.pointer.x = (int32_t)rnd(&s) % 5000;
            e.pointer.y = (int32_t)rnd(&s);
            e.pointer.ref_width = rnd(&s) % 3000;
            e.pointer.ref_height = rnd(&s) % 3000;
            e.pointer.button = rnd(&s) % 8;
            e.pointer.scroll = (int32_t)(rnd(&s) % 481) - 240;
            e.text.codepoint = rnd(&s) % 0x120000;
            e.touch.event_type = rnd(&s) % 9;
            e.touch.pointer_id = rnd(&s) % 14;
            e.touch.x = (float)(rnd(&s) % 300) / 100.0f - 1.0f;
            e.touch.y = (float)(rnd(&s) % 300) / 100.0f - 1.0f;
            e.pad.number = rnd(&s) % 20;
            e.pad.active_mask = rnd(&s);
            e.pad.buttons = rnd(&s);
            now += rnd(&s) % 3000000; /* up to 3 ms apart */
            int r = pf_input_client_submit(c, &e, now);
            assert_true(r == 0 || r == 1);
            injected += r;
            account(&l);
        }
        assert_true(injected > 500);
        pf_input_client_destroy(c);
        account(&l);
        for (int k = 0; k < KEY_CNT; k++)
            assert_true(!l.keys[k] && !l.buttons[k]);
        for (uint32_t t = 0; t < PFI_TOUCH_SLOTS; t++)
            assert_false(l.touches[t]);
        for (int p = 0; p < 64; p++)
            assert_false(l.pads[p]);
        pf_input_injector_destroy(inj);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_and_modifiers), cmocka_unit_test(test_pointer),
        cmocka_unit_test(test_touch_and_text),     cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_rate_limit),         cmocka_unit_test(test_gamepads),
        cmocka_unit_test(test_bad_input),          cmocka_unit_test(test_backend_choice),
        cmocka_unit_test(test_random_flood_leaves_nothing_held),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
