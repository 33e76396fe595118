/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 input (native-protocol.md §8.1) into libpfinput: 0xC8 datagrams (and InputEdge
 * bodies) decoded by libpfcore, gated by the session's grants (§3.6), translated into
 * pf_input_event and injected, or appended to the `--input-record` file in tests. Gamepad
 * button and axis events update a per-pad state that is submitted whole, as libpfinput takes
 * pads by state; snapshots (kind 12) apply only when their sequence number is newer. */
#include "native_input.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"

#include "host.h"
#include "input_record.h"

#define PADS 16u

struct native_input {
    uint32_t id; /* names the session in the record */
    int record_fd;
    pf_input_injector *inj;
    int inj_borrowed; /* a desktop's injector (native_desktop.c): not ours to destroy */
    pf_input_client *client;
    pf_input_pad pads[PADS];
    uint8_t pad_seq[PADS];
    int pad_seen[PADS];
    uint64_t dropped_by_grants;
};

int native_input_create(uint32_t id, const char *record_path, native_input **ret)
{
    native_input *in = calloc(1, sizeof(*in));
    if (!in)
        return -1;
    in->id = id;
    in->record_fd = -1;
    if (record_path) {
        in->record_fd = open(record_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    } else {
        pf_input_settings is;
        pf_input_settings_default(&is);
        if (pf_input_injector_create(&is, &in->inj) < 0 ||
            pf_input_client_create(in->inj, PF_INPUT_PERM_ALL, &in->client) < 0) {
            host_log("native session: no input backend available; input is ignored");
            pf_input_injector_destroy(in->inj);
            in->inj = NULL;
        }
    }
    *ret = in;
    return 0;
}

int native_input_create_on(uint32_t id, pf_input_injector *inj, native_input **ret)
{
    native_input *in = calloc(1, sizeof(*in));
    if (!in)
        return -1;
    in->id = id;
    in->record_fd = -1;
    if (inj && pf_input_client_create(inj, PF_INPUT_PERM_ALL, &in->client) == 0) {
        in->inj = inj;
        in->inj_borrowed = 1;
    } else {
        host_log("native session: its desktop has no input backend; input is ignored");
    }
    *ret = in;
    return 0;
}

void native_input_destroy(native_input *in)
{
    if (!in)
        return;
    if (in->client) {
        /* field notes: nothing stays pressed after a client leaves. */
        pf_input_client_release_all(in->client);
        pf_input_client_destroy(in->client);
    }
    if (!in->inj_borrowed)
        pf_input_injector_destroy(in->inj);
    if (in->record_fd >= 0)
        close(in->record_fd);
    free(in);
}

static void submit(native_input *in, const pf_input_event *e)
{
    if (in->record_fd >= 0) {
        input_record(in->record_fd, in->id, e);
        return;
    }
    if (in->client) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        pf_input_client_submit(in->client, e,
                               (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
    }
}

static void submit_pad(native_input *in, uint32_t pad)
{
    pf_input_event e = {.struct_size = sizeof(e), .type = PF_INPUT_EVENT_CONTROLLER_STATE};
    e.pad = in->pads[pad];
    e.pad.number = pad;
    for (uint32_t i = 0; i < PADS; i++)
        if (in->pad_seen[i])
            e.pad.active_mask |= 1u << i;
    submit(in, &e);
}

static void pad_arrival(native_input *in, uint32_t pad, uint32_t kind)
{
    if (in->pad_seen[pad])
        return; /* §8.1: arrivals are resent twice */
    in->pad_seen[pad] = 1;
    pf_input_event e = {.struct_size = sizeof(e), .type = PF_INPUT_EVENT_CONTROLLER_ARRIVAL};
    e.pad.number = pad;
    /* Hello gamepad ids: 2 DualSense, 4 DS4, 7 DualSense Edge are PlayStation; 8, 16–18 are
     * Nintendo; everything else presents as an Xbox pad. */
    e.pad.type = kind == 2 || kind == 4 || kind == 7 ? PF_INPUT_PAD_TYPE_PLAYSTATION
                 : kind == 8 || (kind >= 16 && kind <= 18) ? PF_INPUT_PAD_TYPE_NINTENDO
                                                           : PF_INPUT_PAD_TYPE_XBOX;
    e.pad.capabilities = PF_INPUT_PAD_CAP_ANALOG_TRIGGERS | PF_INPUT_PAD_CAP_RUMBLE;
    submit(in, &e);
}

static void pad_event(native_input *in, const pf_pkf1_input *ev)
{
    uint32_t pad = ev->flags & 0xffu; /* every pad kind names its pad in the low byte */
    if (pad >= PADS)
        return;
    pf_input_pad *p = &in->pads[pad];
    switch (ev->kind) {
    case PF_PKF1_INPUT_GAMEPAD_ARRIVAL:
        pad_arrival(in, pad, ev->code);
        return;
    case PF_PKF1_INPUT_GAMEPAD_REMOVE:
        in->pad_seen[pad] = 0;
        memset(p, 0, sizeof(*p));
        submit_pad(in, pad);
        return;
    case PF_PKF1_INPUT_GAMEPAD_BUTTON:
        p->buttons = ev->x ? p->buttons | ev->code : p->buttons & ~ev->code;
        break;
    case PF_PKF1_INPUT_GAMEPAD_AXIS: {
        /* Sticks −32768…32767 with +y up, triggers 0…255 (§8.1), as libpfinput wants. */
        int32_t v = ev->x;
        int16_t s = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
        uint8_t t = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        switch (ev->code) {
        case 0: p->left_x = s; break;
        case 1: p->left_y = s; break;
        case 2: p->right_x = s; break;
        case 3: p->right_y = s; break;
        case 4: p->left_trigger = t; break;
        case 5: p->right_trigger = t; break;
        default: return;
        }
        break;
    }
    case PF_PKF1_INPUT_GAMEPAD_STATE: {
        /* Apply only a newer snapshot (wrapping signed 8-bit compare). */
        uint8_t seq = (uint8_t)(ev->flags >> 24);
        if (in->pad_seen[pad] && (int8_t)(seq - in->pad_seq[pad]) <= 0)
            return;
        in->pad_seq[pad] = seq;
        p->buttons = ev->code;
        p->left_x = (int16_t)((uint32_t)ev->x >> 16);
        p->left_y = (int16_t)((uint32_t)ev->x & 0xffffu);
        p->right_x = (int16_t)((uint32_t)ev->y >> 16);
        p->right_y = (int16_t)((uint32_t)ev->y & 0xffffu);
        p->left_trigger = (uint8_t)(ev->flags >> 16);
        p->right_trigger = (uint8_t)(ev->flags >> 8);
        break;
    }
    default:
        return;
    }
    if (!in->pad_seen[pad])
        pad_arrival(in, pad, 0);
    submit_pad(in, pad);
}

/* Pointer kinds carry the client view as (w << 16) | h in flags; 0 → drop (§8.1). */
static int view(const pf_pkf1_input *ev, pf_input_event *e)
{
    uint32_t w = ev->flags >> 16, h = ev->flags & 0xffffu;
    if (!w || !h)
        return 0;
    e->pointer.ref_width = w;
    e->pointer.ref_height = h;
    return 1;
}

void native_input_set_output(native_input *in, uint32_t width, uint32_t height)
{
    /* A desktop's injector is mapped by the desktop (desktop.c: onto its screencast stream,
     * which absolute input on Mutter needs); an output without that would unlink it. */
    if (!in->inj || in->inj_borrowed)
        return;
    /* The native session's output is its own virtual mode, at the origin. */
    pf_input_output o = {.struct_size = sizeof(o), .width = width, .height = height};
    if (pf_input_injector_set_output(in->inj, &o) < 0)
        host_log("native session: input cannot map onto %ux%u", width, height);
}

int native_input_can_touch(const native_input *in)
{
    /* The recorder stands in for an injector with every ability (tests read touch back). */
    if (in->record_fd >= 0)
        return 1;
    return in->client && (pf_input_injector_get_capabilities(in->inj) & PF_INPUT_CAP_TOUCH);
}

/* §8.1 kinds 9–11: a contact id in code; down and move carry pixels of the client view
 * ((w << 16) | h in flags, 0 → drop), libpfinput takes 0..1 of the video area. */
static int touch(const pf_pkf1_input *ev, pf_input_event *e)
{
    e->type = PF_INPUT_EVENT_TOUCH;
    e->touch.pointer_id = ev->code;
    e->touch.rotation = 0xFFFF;
    e->touch.tilt = 0xFF;
    if (ev->kind == PF_PKF1_INPUT_TOUCH_UP) {
        e->touch.event_type = PF_INPUT_TOUCH_UP;
        return 1;
    }
    uint32_t w = ev->flags >> 16, h = ev->flags & 0xffffu;
    if (!w || !h)
        return 0;
    float x = (float)ev->x / (float)w, y = (float)ev->y / (float)h;
    e->touch.event_type =
        ev->kind == PF_PKF1_INPUT_TOUCH_DOWN ? PF_INPUT_TOUCH_DOWN : PF_INPUT_TOUCH_MOVE;
    e->touch.x = x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x;
    e->touch.y = y < 0.0f ? 0.0f : y > 1.0f ? 1.0f : y;
    e->touch.pressure = 1.0f;
    return 1;
}

void native_input_event(native_input *in, const pf_pkf1_input *ev, uint32_t grants)
{
    uint32_t need = pf_pkf1_input_required_grant(ev->kind);
    if (!need || !(grants & need)) {
        in->dropped_by_grants += need != 0;
        return;
    }
    pf_input_event e = {.struct_size = sizeof(e)};
    switch (ev->kind) {
    case PF_PKF1_INPUT_KEY_DOWN:
    case PF_PKF1_INPUT_KEY_UP:
        e.type = ev->kind == PF_PKF1_INPUT_KEY_DOWN ? PF_INPUT_EVENT_KEY_DOWN
                                                    : PF_INPUT_EVENT_KEY_UP;
        e.key.key_code = (uint16_t)(ev->code & 0xffu);
        break;
    case PF_PKF1_INPUT_MOUSE_MOVE:
        e.type = PF_INPUT_EVENT_MOUSE_MOVE_REL;
        e.pointer.dx = ev->x;
        e.pointer.dy = ev->y;
        break;
    case PF_PKF1_INPUT_MOUSE_MOVE_ABS:
        e.type = PF_INPUT_EVENT_MOUSE_MOVE_ABS;
        e.pointer.x = ev->x;
        e.pointer.y = ev->y;
        if (!view(ev, &e))
            return;
        break;
    case PF_PKF1_INPUT_MOUSE_BUTTON_DOWN:
    case PF_PKF1_INPUT_MOUSE_BUTTON_UP:
        /* §13 item 10: numbering unverified; GameStream's 1 left … 5 X2 is the likely model. */
        if (ev->code < 1 || ev->code > 5)
            return;
        e.type = ev->kind == PF_PKF1_INPUT_MOUSE_BUTTON_DOWN ? PF_INPUT_EVENT_MOUSE_BUTTON_DOWN
                                                             : PF_INPUT_EVENT_MOUSE_BUTTON_UP;
        e.pointer.button = ev->code;
        break;
    case PF_PKF1_INPUT_MOUSE_SCROLL:
        e.type = ev->code == 1 ? PF_INPUT_EVENT_HSCROLL : PF_INPUT_EVENT_SCROLL;
        /* 120 per detent; PRECISE deltas are trackpad distance at 10 px per detent. */
        e.pointer.scroll = (ev->flags & 0x01) ? ev->x * 12 : ev->x;
        break;
    case PF_PKF1_INPUT_SCROLL:
        e.type = ev->code == 1 ? PF_INPUT_EVENT_HSCROLL : PF_INPUT_EVENT_SCROLL;
        e.pointer.scroll = ev->x / 256 * 120 + (ev->x % 256) * 120 / 256; /* Q24.8 detents */
        break;
    case PF_PKF1_INPUT_TEXT:
        e.type = PF_INPUT_EVENT_TEXT;
        e.text.codepoint = ev->code;
        break;
    case PF_PKF1_INPUT_TOUCH_DOWN:
    case PF_PKF1_INPUT_TOUCH_MOVE:
    case PF_PKF1_INPUT_TOUCH_UP:
        /* Only toward HOST_CAP2_TOUCH, which a session without touch does not set. */
        if (!native_input_can_touch(in) || !touch(ev, &e))
            return;
        break;
    default:
        pad_event(in, ev);
        return;
    }
    submit(in, &e);
}

uint64_t native_input_dropped(const native_input *in)
{
    return in->dropped_by_grants;
}

void native_input_attach(native_input *in, pf_input_injector *inj)
{
    if (in->record_fd >= 0)
        return; /* --input-record: the record is the target */
    if (in->client) {
        pf_input_client_release_all(in->client);
        pf_input_client_destroy(in->client);
        in->client = NULL;
    }
    if (!in->inj_borrowed)
        pf_input_injector_destroy(in->inj);
    in->inj = NULL;
    /* The new injector has seen none of the pads: each announces itself again on use. */
    memset(in->pad_seen, 0, sizeof(in->pad_seen));
    if (!inj)
        return;
    if (pf_input_client_create(inj, PF_INPUT_PERM_ALL, &in->client) < 0) {
        host_log("native session: the desktop's input backend refused a client; input is "
                 "ignored");
        in->client = NULL;
        return;
    }
    in->inj = inj;
    in->inj_borrowed = 1;
}
