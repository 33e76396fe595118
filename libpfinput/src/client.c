/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-client input: permissions, the event-rate bound, translation of decoded GameStream
 * events into backend calls, and the bookkeeping of what the client holds down so that a
 * disconnect or timeout never leaves a stuck key (field-notes.md, "Input"). */
#include "injector.h"

#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "keysym.h"
#include "log.h"

#define TOPIC "client"

static const uint32_t button_codes[] = {
    [PF_INPUT_BUTTON_LEFT] = BTN_LEFT,   [PF_INPUT_BUTTON_MIDDLE] = BTN_MIDDLE,
    [PF_INPUT_BUTTON_RIGHT] = BTN_RIGHT, [PF_INPUT_BUTTON_X1] = BTN_SIDE,
    [PF_INPUT_BUTTON_X2] = BTN_EXTRA,
};

static int key_held(const pf_input_client *c, uint32_t key)
{
    return (c->keys[key / 64] >> (key % 64)) & 1u;
}

static void key_mark(pf_input_client *c, uint32_t key, int down)
{
    uint64_t bit = 1ull << (key % 64);
    if (down)
        c->keys[key / 64] |= bit;
    else
        c->keys[key / 64] &= ~bit;
}

/* A backend that is not ready for an event class (no session started yet, no stream to
 * address) makes the event a no-op, not an error: the client cannot do anything about it. */
static int done(int r)
{
    if (r == PF_ERR_STATE)
        return 0;
    return r < 0 ? r : 1;
}

static const pf_log_hook *logp(const pf_input_client *c)
{
    return &c->inj->log;
}

static struct pfi_backend *desk(const pf_input_client *c, uint32_t cap)
{
    struct pfi_backend *b = c->inj->desk;
    if (!b || !b->impl->caps || !(b->impl->caps(b) & cap))
        return NULL;
    return b;
}

static int backend_key(pf_input_client *c, uint32_t key, int down)
{
    struct pfi_backend *b = desk(c, PFI_CAP_KEYBOARD);
    if (!b || !b->impl->key)
        return 0;
    int r = b->impl->key(b, key, down);
    if (r == PF_ERR_STATE)
        return 0;
    if (r < 0)
        return r;
    key_mark(c, key, down);
    return 1;
}

/* Is modifier bit @p mod down through any key this client holds (left or right)? */
static int mod_held(const pf_input_client *c, uint32_t mod)
{
    for (uint32_t w = 0; w < PFI_KEY_WORDS; w++) {
        uint64_t bits = c->keys[w];
        while (bits) {
            uint32_t key = w * 64 + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            uint32_t m;
            if (pfi_keymap_is_modifier(key, &m) && m == mod)
                return 1;
        }
    }
    return 0;
}

/* GameStream key events carry the modifier state the client saw. A client that never sends
 * the modifier's own key (on-screen keyboards, some mobile clients) still means Shift+A, so a
 * missing modifier is pressed on its behalf and released again once the client's state
 * drops it. Modifiers the client pressed itself are left to its own key events. */
static int sync_modifiers(pf_input_client *c, uint32_t wanted, int press)
{
    static const uint32_t mods[] = { PF_INPUT_MOD_SHIFT, PF_INPUT_MOD_CTRL, PF_INPUT_MOD_ALT,
                                     PF_INPUT_MOD_META };
    for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
        uint32_t m = mods[i];
        uint32_t key = pfi_keymap_modifier_key(m);
        if ((c->synth_mods & m) && !(wanted & m)) {
            c->synth_mods &= ~m;
            if (key_held(c, key)) {
                int r = backend_key(c, key, 0);
                if (r < 0)
                    return r;
            }
        } else if (press && (wanted & m) && !(c->synth_mods & m) && !mod_held(c, m)) {
            int r = backend_key(c, key, 1);
            if (r < 0)
                return r;
            c->synth_mods |= m;
        }
    }
    return 0;
}

static int on_key(pf_input_client *c, const pf_input_key *k, int down)
{
    int layout = (k->flags & PF_INPUT_KEY_FLAG_NON_NORMALIZED) ? c->inj->layout : PFI_LAYOUT_US;
    uint32_t key = pfi_keymap_vk_to_evdev(k->key_code, layout);
    if (!key) {
        pfi_input_log(logp(c), TOPIC, "unknown virtual key 0x%x ignored", k->key_code);
        return 0;
    }
    uint32_t mod;
    int is_mod = pfi_keymap_is_modifier(key, &mod);
    int r;
    if (down) {
        if (key_held(c, key))
            return 0; /* client auto-repeat: the compositor repeats on its own */
        if (is_mod)
            c->synth_mods &= ~(key == pfi_keymap_modifier_key(mod) ? mod : 0u);
        else if ((r = sync_modifiers(c, k->modifiers, 1)) < 0)
            return r;
        return backend_key(c, key, 1);
    }
    if (!key_held(c, key))
        return 0;
    r = backend_key(c, key, 0);
    if (r < 0)
        return r;
    if (!is_mod && (r = sync_modifiers(c, k->modifiers, 0)) < 0)
        return r;
    return 1;
}

static int on_button(pf_input_client *c, uint32_t button, int down)
{
    if (button < PF_INPUT_BUTTON_LEFT || button > PF_INPUT_BUTTON_X2) {
        pfi_input_log(logp(c), TOPIC, "unknown mouse button %u ignored", button);
        return 0;
    }
    uint32_t bit = 1u << button;
    if (!!(c->buttons & bit) == !!down)
        return 0;
    struct pfi_backend *b = desk(c, PFI_CAP_POINTER);
    if (!b || !b->impl->button)
        return 0;
    int r = b->impl->button(b, button_codes[button], down);
    if (r < 0)
        return r;
    c->buttons = down ? (c->buttons | bit) : (c->buttons & ~bit);
    return 1;
}

static int on_motion_abs(pf_input_client *c, const pf_input_pointer *p)
{
    struct pfi_backend *b = desk(c, PFI_CAP_POINTER_ABS);
    if (!b || !b->impl->motion_abs)
        return 0;
    if (!c->inj->have_output) {
        pfi_input_log(logp(c), TOPIC, "absolute motion before an output was set");
        return 0;
    }
    double x, y;
    int r = pfi_coord_map_abs(p->x, p->y, p->ref_width, p->ref_height, &c->inj->out, &x, &y);
    if (r < 0) {
        pfi_input_log(logp(c), TOPIC, "absolute motion with a zero reference size");
        return 0;
    }
    if (r > 0)
        pfi_input_log(logp(c), TOPIC, "absolute position %d,%d clamped into %ux%u", p->x, p->y,
                      p->ref_width, p->ref_height);
    r = b->impl->motion_abs(b, x, y);
    return done(r);
}

/* Backends without keysyms (uinput, KWin) can still type ASCII, assuming the session's
 * layout is US: the key is tapped, with Shift around it when the character needs it and
 * the client is not holding Shift already. Nothing is left held. */
static int type_ascii(pf_input_client *c, uint32_t cp)
{
    struct pfi_backend *b = desk(c, PFI_CAP_KEYBOARD);
    uint32_t vk;
    int shift;
    if (!b || !b->impl->key || !pfi_keymap_ascii_to_vk(cp, &vk, &shift)) {
        pfi_input_log(logp(c), TOPIC, "backend cannot type U+%04X; dropped", cp);
        return 0;
    }
    uint32_t key = pfi_keymap_vk_to_evdev(vk, PFI_LAYOUT_US);
    if (key_held(c, key))
        return 0;
    uint32_t shift_key = pfi_keymap_modifier_key(PF_INPUT_MOD_SHIFT);
    shift = shift && !mod_held(c, PF_INPUT_MOD_SHIFT);
    int r = shift ? b->impl->key(b, shift_key, 1) : 0;
    if (r >= 0)
        r = b->impl->key(b, key, 1);
    if (r >= 0)
        r = b->impl->key(b, key, 0);
    if (shift)
        b->impl->key(b, shift_key, 0);
    return done(r);
}

static int on_text(pf_input_client *c, uint32_t cp)
{
    uint32_t sym = pfi_keysym_from_codepoint(cp);
    if (!sym) {
        pfi_input_log(logp(c), TOPIC, "code point U+%04X is not typeable", cp);
        return 0;
    }
    struct pfi_backend *b = desk(c, PFI_CAP_KEYSYM);
    if (!b || !b->impl->keysym)
        return type_ascii(c, cp);
    int r = b->impl->keysym(b, sym, 1);
    if (r >= 0)
        r = b->impl->keysym(b, sym, 0);
    return done(r);
}

static int find_touch(const pf_input_client *c, uint32_t id)
{
    for (uint32_t s = 0; s < PFI_TOUCH_SLOTS; s++)
        if ((c->touch_active & (1u << s)) && c->touch_ids[s] == id)
            return (int)s;
    return -1;
}

static int touch_up(pf_input_client *c, struct pfi_backend *b, uint32_t slot)
{
    c->touch_active &= ~(1u << slot);
    int r = b->impl->touch(b, slot, PF_INPUT_TOUCH_UP, 0, 0, 0);
    return done(r);
}

static int on_touch(pf_input_client *c, const pf_input_touch *t)
{
    struct pfi_backend *b = desk(c, PFI_CAP_TOUCH);
    if (!b || !b->impl->touch)
        return 0;
    int slot = find_touch(c, t->pointer_id);
    double x = 0, y = 0;
    if (c->inj->have_output && pfi_coord_map_unit(t->x, t->y, &c->inj->out, &x, &y) > 0)
        pfi_input_log(logp(c), TOPIC, "touch position clamped");
    switch (t->event_type) {
    case PF_INPUT_TOUCH_DOWN:
    case PF_INPUT_TOUCH_MOVE: {
        if (!c->inj->have_output)
            return 0;
        uint32_t type = PF_INPUT_TOUCH_MOVE;
        if (slot < 0) {
            if (t->event_type != PF_INPUT_TOUCH_DOWN)
                return 0;
            uint32_t free_slots = ~c->touch_active & ((1u << PFI_TOUCH_SLOTS) - 1);
            if (!free_slots) {
                pfi_input_log(logp(c), TOPIC, "more than %u contacts; ignored", PFI_TOUCH_SLOTS);
                return 0;
            }
            slot = __builtin_ctz(free_slots);
            type = PF_INPUT_TOUCH_DOWN;
        }
        double pressure = t->pressure >= 0.0f && t->pressure <= 1.0f ? t->pressure : 1.0;
        int r = b->impl->touch(b, (uint32_t)slot, type, x, y, pressure);
        if (r < 0)
            return r;
        if (type == PF_INPUT_TOUCH_DOWN) {
            c->touch_active |= 1u << slot;
            c->touch_ids[slot] = t->pointer_id;
        }
        return 1;
    }
    case PF_INPUT_TOUCH_UP:
    case PF_INPUT_TOUCH_CANCEL:
        return slot < 0 ? 0 : touch_up(c, b, (uint32_t)slot);
    case PF_INPUT_TOUCH_CANCEL_ALL: {
        int n = 0;
        for (uint32_t s = 0; s < PFI_TOUCH_SLOTS; s++) {
            if (!(c->touch_active & (1u << s)))
                continue;
            int r = touch_up(c, b, s);
            if (r < 0)
                return r;
            n++;
        }
        return n ? 1 : 0;
    }
    default:
        return 0; /* hover has no touchscreen equivalent */
    }
}

static int on_pen(pf_input_client *c, const pf_input_touch *t)
{
    struct pfi_backend *b = desk(c, PFI_CAP_PEN);
    if (!b || !b->impl->pen || !c->inj->have_output)
        return 0;
    double x, y;
    pfi_coord_map_unit(t->x, t->y, &c->inj->out, &x, &y);
    int r = b->impl->pen(b, t, x, y);
    return done(r);
}

static int pad_id(const pf_input_client *c, uint32_t n)
{
    return (int)(c->id * PF_INPUT_MAX_CONTROLLERS + n);
}

static int pad_remove(pf_input_client *c, uint32_t n)
{
    struct pfi_backend *b = c->inj->pad;
    if (!(c->pads & (1u << n)))
        return 0;
    c->pads &= ~(1u << n);
    if (b && b->impl->pad_destroy)
        b->impl->pad_destroy(b, (uint32_t)pad_id(c, n));
    return 1;
}

static int pad_ensure(pf_input_client *c, uint32_t n)
{
    struct pfi_backend *b = c->inj->pad;
    if (c->pads & (1u << n))
        return 1;
    if (!b || !b->impl->pad_create) {
        pfi_input_log(logp(c), TOPIC, "no gamepad backend; controller %u ignored", n);
        return 0;
    }
    if (!(c->pad_announced & (1u << n))) {
        /* No arrival packet (GFE-mode clients): type unknown, which becomes an Xbox 360
         * pad, the controller every game and SDL know. */
        c->pad_desc[n] = (struct pfi_pad_desc){ .type = PF_INPUT_PAD_TYPE_UNKNOWN,
                                                .capabilities = PF_INPUT_PAD_CAP_RUMBLE |
                                                                PF_INPUT_PAD_CAP_ANALOG_TRIGGERS };
    }
    c->pad_desc[n].number = n;
    int r = b->impl->pad_create(b, (uint32_t)pad_id(c, n), &c->pad_desc[n]);
    if (r < 0)
        return r;
    c->pads |= 1u << n;
    return 1;
}

static int on_pad(pf_input_client *c, const pf_input_event *ev)
{
    const pf_input_pad *p = &ev->pad;
    uint32_t n = p->number;
    if (n >= PF_INPUT_MAX_CONTROLLERS) {
        pfi_input_log(logp(c), TOPIC, "controller number %u beyond the limit", n);
        return 0;
    }
    struct pfi_backend *b = c->inj->pad;
    int r;
    switch (ev->type) {
    case PF_INPUT_EVENT_CONTROLLER_ARRIVAL:
        c->pad_desc[n] = (struct pfi_pad_desc){ .type = p->type, .capabilities = p->capabilities };
        c->pad_announced |= 1u << n;
        return pad_ensure(c, n);
    case PF_INPUT_EVENT_CONTROLLER_STATE:
        if (!(p->active_mask & (1u << n)))
            return pad_remove(c, n);
        if ((r = pad_ensure(c, n)) <= 0)
            return r;
        if (!b->impl->pad_state)
            return 0;
        r = b->impl->pad_state(b, (uint32_t)pad_id(c, n), p);
        return done(r);
    case PF_INPUT_EVENT_CONTROLLER_MOTION:
        if (!(c->pads & (1u << n)) || !b->impl->pad_motion)
            return 0;
        r = b->impl->pad_motion(b, (uint32_t)pad_id(c, n), p);
        return done(r);
    case PF_INPUT_EVENT_CONTROLLER_TOUCH:
        if (!(c->pads & (1u << n)) || !b->impl->pad_touch)
            return 0;
        r = b->impl->pad_touch(b, (uint32_t)pad_id(c, n), &ev->touch);
        return done(r);
    default:
        return 0; /* battery: no uinput equivalent for a virtual pad */
    }
}

static uint32_t needed_perm(uint32_t type)
{
    switch (type) {
    case PF_INPUT_EVENT_KEY_DOWN:
    case PF_INPUT_EVENT_KEY_UP:
        return PF_INPUT_PERM_KEYBOARD;
    case PF_INPUT_EVENT_MOUSE_MOVE_REL:
    case PF_INPUT_EVENT_MOUSE_MOVE_ABS:
    case PF_INPUT_EVENT_MOUSE_BUTTON_DOWN:
    case PF_INPUT_EVENT_MOUSE_BUTTON_UP:
    case PF_INPUT_EVENT_SCROLL:
    case PF_INPUT_EVENT_HSCROLL:
    case PF_INPUT_EVENT_TOUCH:
    case PF_INPUT_EVENT_PEN:
        return PF_INPUT_PERM_MOUSE;
    case PF_INPUT_EVENT_TEXT:
        return PF_INPUT_PERM_TEXT;
    case PF_INPUT_EVENT_CONTROLLER_ARRIVAL:
    case PF_INPUT_EVENT_CONTROLLER_STATE:
    case PF_INPUT_EVENT_CONTROLLER_TOUCH:
    case PF_INPUT_EVENT_CONTROLLER_MOTION:
    case PF_INPUT_EVENT_CONTROLLER_BATTERY:
        return PF_INPUT_PERM_GAMEPAD;
    default:
        return 0;
    }
}

/* Releases undo state the client already has; refusing them under a flood would be exactly
 * how keys get stuck, so they never cost a token. */
static int is_release(const pf_input_client *c, const pf_input_event *ev)
{
    switch (ev->type) {
    case PF_INPUT_EVENT_KEY_UP:
        return 1;
    case PF_INPUT_EVENT_MOUSE_BUTTON_UP:
        return 1;
    case PF_INPUT_EVENT_TOUCH:
        return ev->touch.event_type == PF_INPUT_TOUCH_UP ||
               ev->touch.event_type == PF_INPUT_TOUCH_CANCEL ||
               ev->touch.event_type == PF_INPUT_TOUCH_CANCEL_ALL;
    case PF_INPUT_EVENT_CONTROLLER_STATE:
        return ev->pad.number < PF_INPUT_MAX_CONTROLLERS &&
               !(ev->pad.active_mask & (1u << ev->pad.number)) && (c->pads & (1u << ev->pad.number));
    default:
        return 0;
    }
}

static int take_token(pf_input_client *c, uint64_t now_ns)
{
    pf_input_injector *inj = c->inj;
    if (!c->primed) {
        c->primed = 1;
        c->tokens = inj->burst;
        c->last_ns = now_ns;
    } else if (now_ns > c->last_ns) {
        c->tokens += (double)(now_ns - c->last_ns) * inj->rate / 1e9;
        if (c->tokens > inj->burst)
            c->tokens = inj->burst;
        c->last_ns = now_ns;
    }
    if (c->tokens < 1.0)
        return 0;
    c->tokens -= 1.0;
    return 1;
}

PF_EXPORT int pf_input_client_submit(pf_input_client *client, const pf_input_event *event,
                                     uint64_t now_ns)
{
    if (!client || !event || event->struct_size < sizeof(pf_input_event))
        return PF_ERR_INVALID_ARGUMENT;
    uint32_t perm = needed_perm(event->type);
    if (!perm)
        return 0;
    if (!(client->perms & perm))
        return 0;
    if (!is_release(client, event) && !take_token(client, now_ns)) {
        pfi_input_log(logp(client), TOPIC, "client %u over its event rate; event dropped",
                      client->id);
        return 0;
    }
    const pf_input_pointer *p = &event->pointer;
    struct pfi_backend *b;
    int r;
    switch (event->type) {
    case PF_INPUT_EVENT_KEY_DOWN:
    case PF_INPUT_EVENT_KEY_UP:
        return on_key(client, &event->key, event->type == PF_INPUT_EVENT_KEY_DOWN);
    case PF_INPUT_EVENT_MOUSE_MOVE_REL:
        b = desk(client, PFI_CAP_POINTER);
        if (!b || !b->impl->motion || (p->dx == 0 && p->dy == 0))
            return 0;
        r = b->impl->motion(b, p->dx, p->dy);
        return done(r);
    case PF_INPUT_EVENT_MOUSE_MOVE_ABS:
        return on_motion_abs(client, p);
    case PF_INPUT_EVENT_MOUSE_BUTTON_DOWN:
    case PF_INPUT_EVENT_MOUSE_BUTTON_UP:
        return on_button(client, p->button, event->type == PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    case PF_INPUT_EVENT_SCROLL:
    case PF_INPUT_EVENT_HSCROLL:
        b = desk(client, PFI_CAP_POINTER);
        if (!b || !b->impl->scroll || p->scroll == 0)
            return 0;
        r = b->impl->scroll(b,
                            event->type == PF_INPUT_EVENT_SCROLL ? PFI_AXIS_VERTICAL
                                                                 : PFI_AXIS_HORIZONTAL,
                            p->scroll);
        return done(r);
    case PF_INPUT_EVENT_TEXT:
        return on_text(client, event->text.codepoint);
    case PF_INPUT_EVENT_TOUCH:
        return on_touch(client, &event->touch);
    case PF_INPUT_EVENT_PEN:
        return on_pen(client, &event->touch);
    default:
        return on_pad(client, event);
    }
}

int pfi_client_release(pf_input_client *c, uint32_t perms)
{
    int n = 0, r;
    if (perms & PF_INPUT_PERM_KEYBOARD) {
        for (uint32_t w = 0; w < PFI_KEY_WORDS; w++) {
            while (c->keys[w]) {
                uint32_t key = w * 64 + (uint32_t)__builtin_ctzll(c->keys[w]);
                r = backend_key(c, key, 0);
                key_mark(c, key, 0); /* forget it even if the backend broke */
                n += r > 0;
            }
        }
        c->synth_mods = 0;
    }
    if (perms & PF_INPUT_PERM_MOUSE) {
        for (uint32_t btn = PF_INPUT_BUTTON_LEFT; btn <= PF_INPUT_BUTTON_X2; btn++) {
            if (!(c->buttons & (1u << btn)))
                continue;
            r = on_button(c, btn, 0);
            c->buttons &= ~(1u << btn);
            n += r > 0;
        }
        struct pfi_backend *b = desk(c, PFI_CAP_TOUCH);
        for (uint32_t s = 0; s < PFI_TOUCH_SLOTS; s++) {
            if (!(c->touch_active & (1u << s)))
                continue;
            r = b && b->impl->touch ? touch_up(c, b, s) : 0;
            c->touch_active &= ~(1u << s);
            n += r > 0;
        }
    }
    if (perms & PF_INPUT_PERM_GAMEPAD) {
        struct pfi_backend *b = c->inj->pad;
        const pf_input_pad neutral = { 0 };
        for (uint32_t i = 0; i < PF_INPUT_MAX_CONTROLLERS; i++) {
            if (!(c->pads & (1u << i)) || !b || !b->impl->pad_state)
                continue;
            r = b->impl->pad_state(b, (uint32_t)pad_id(c, i), &neutral);
            n += r >= 0;
        }
    }
    return n;
}

PF_EXPORT int pf_input_client_create(pf_input_injector *injector, uint32_t permissions,
                                     pf_input_client **ret_client)
{
    if (!injector || !ret_client || (permissions & ~PF_INPUT_PERM_ALL))
        return PF_ERR_INVALID_ARGUMENT;
    pf_input_client *c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    c->inj = injector;
    c->perms = permissions;
    c->id = injector->next_client_id++;
    c->next = injector->clients;
    injector->clients = c;
    *ret_client = c;
    return 0;
}

PF_EXPORT void pf_input_client_destroy(pf_input_client *client)
{
    if (!client)
        return;
    pfi_client_release(client, PF_INPUT_PERM_ALL);
    for (uint32_t i = 0; i < PF_INPUT_MAX_CONTROLLERS; i++)
        pad_remove(client, i);
    pf_input_injector *inj = client->inj;
    for (pf_input_client **pp = &inj->clients; *pp; pp = &(*pp)->next) {
        if (*pp == client) {
            *pp = client->next;
            break;
        }
    }
    free(client);
}

PF_EXPORT int pf_input_client_set_permissions(pf_input_client *client, uint32_t permissions)
{
    if (!client || (permissions & ~PF_INPUT_PERM_ALL))
        return PF_ERR_INVALID_ARGUMENT;
    uint32_t revoked = client->perms & ~permissions;
    pfi_client_release(client, revoked);
    if (revoked & PF_INPUT_PERM_GAMEPAD)
        for (uint32_t i = 0; i < PF_INPUT_MAX_CONTROLLERS; i++)
            pad_remove(client, i);
    client->perms = permissions;
    return 0;
}

PF_EXPORT uint32_t pf_input_client_get_permissions(const pf_input_client *client)
{
    return client ? client->perms : 0;
}

PF_EXPORT int pf_input_client_release_all(pf_input_client *client)
{
    if (!client)
        return 0;
    return pfi_client_release(client, PF_INPUT_PERM_ALL);
}
