/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --window: presents the stream in an SDL2 window and sends what the person does in it back
 * to the host: keys as Windows virtual-key codes (§8.1), the pointer as absolute positions in
 * the window, buttons, the wheel, and game controllers. Ctrl+Alt+Shift+Q leaves; every other
 * key goes to the host. */
#include <stdio.h>
#include <string.h>

#include "pfclient.h"

#ifdef PFCLIENT_HAVE_SDL2
#include <time.h>

#include <SDL.h>
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>

#include "pf/core/error.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SDL keycode → Windows virtual-key code (US positional), 0 when there is none. */
static uint32_t vk_of(SDL_Keycode k)
{
    if (k >= SDLK_a && k <= SDLK_z)
        return 0x41u + (uint32_t)(k - SDLK_a);
    if (k >= SDLK_0 && k <= SDLK_9)
        return 0x30u + (uint32_t)(k - SDLK_0);
    if (k >= SDLK_F1 && k <= SDLK_F12)
        return 0x70u + (uint32_t)(k - SDLK_F1);
    if (k >= SDLK_KP_1 && k <= SDLK_KP_9)
        return 0x61u + (uint32_t)(k - SDLK_KP_1);
    switch (k) {
    case SDLK_BACKSPACE: return 0x08;
    case SDLK_TAB: return 0x09;
    case SDLK_RETURN: case SDLK_KP_ENTER: return 0x0D;
    case SDLK_PAUSE: return 0x13;
    case SDLK_CAPSLOCK: return 0x14;
    case SDLK_ESCAPE: return 0x1B;
    case SDLK_SPACE: return 0x20;
    case SDLK_PAGEUP: return 0x21;
    case SDLK_PAGEDOWN: return 0x22;
    case SDLK_END: return 0x23;
    case SDLK_HOME: return 0x24;
    case SDLK_LEFT: return 0x25;
    case SDLK_UP: return 0x26;
    case SDLK_RIGHT: return 0x27;
    case SDLK_DOWN: return 0x28;
    case SDLK_PRINTSCREEN: return 0x2C;
    case SDLK_INSERT: return 0x2D;
    case SDLK_DELETE: return 0x2E;
    case SDLK_LGUI: return 0x5B;
    case SDLK_RGUI: return 0x5C;
    case SDLK_KP_0: return 0x60;
    case SDLK_KP_MULTIPLY: return 0x6A;
    case SDLK_KP_PLUS: return 0x6B;
    case SDLK_KP_MINUS: return 0x6D;
    case SDLK_KP_PERIOD: return 0x6E;
    case SDLK_KP_DIVIDE: return 0x6F;
    case SDLK_NUMLOCKCLEAR: return 0x90;
    case SDLK_SCROLLLOCK: return 0x91;
    case SDLK_LSHIFT: return 0xA0;
    case SDLK_RSHIFT: return 0xA1;
    case SDLK_LCTRL: return 0xA2;
    case SDLK_RCTRL: return 0xA3;
    case SDLK_LALT: return 0xA4;
    case SDLK_RALT: return 0xA5;
    case SDLK_SEMICOLON: return 0xBA;
    case SDLK_EQUALS: return 0xBB;
    case SDLK_COMMA: return 0xBC;
    case SDLK_MINUS: return 0xBD;
    case SDLK_PERIOD: return 0xBE;
    case SDLK_SLASH: return 0xBF;
    case SDLK_BACKQUOTE: return 0xC0;
    case SDLK_LEFTBRACKET: return 0xDB;
    case SDLK_BACKSLASH: return 0xDC;
    case SDLK_RIGHTBRACKET: return 0xDD;
    case SDLK_QUOTE: return 0xDE;
    default: return 0;
    }
}

/* SDL game controller button → the pad button bit of §8.1. */
static uint32_t pad_bit(uint8_t b)
{
    switch (b) {
    case SDL_CONTROLLER_BUTTON_DPAD_UP: return 0x1;
    case SDL_CONTROLLER_BUTTON_DPAD_DOWN: return 0x2;
    case SDL_CONTROLLER_BUTTON_DPAD_LEFT: return 0x4;
    case SDL_CONTROLLER_BUTTON_DPAD_RIGHT: return 0x8;
    case SDL_CONTROLLER_BUTTON_START: return 0x10;
    case SDL_CONTROLLER_BUTTON_BACK: return 0x20;
    case SDL_CONTROLLER_BUTTON_LEFTSTICK: return 0x40;
    case SDL_CONTROLLER_BUTTON_RIGHTSTICK: return 0x80;
    case SDL_CONTROLLER_BUTTON_LEFTSHOULDER: return 0x100;
    case SDL_CONTROLLER_BUTTON_RIGHTSHOULDER: return 0x200;
    case SDL_CONTROLLER_BUTTON_GUIDE: return 0x400;
    case SDL_CONTROLLER_BUTTON_A: return 0x1000;
    case SDL_CONTROLLER_BUTTON_B: return 0x2000;
    case SDL_CONTROLLER_BUTTON_X: return 0x4000;
    case SDL_CONTROLLER_BUTTON_Y: return 0x8000;
    case SDL_CONTROLLER_BUTTON_MISC1: return 0x200000;
    case SDL_CONTROLLER_BUTTON_PADDLE1: return 0x10000;
    case SDL_CONTROLLER_BUTTON_PADDLE2: return 0x20000;
    case SDL_CONTROLLER_BUTTON_PADDLE3: return 0x40000;
    case SDL_CONTROLLER_BUTTON_PADDLE4: return 0x80000;
    case SDL_CONTROLLER_BUTTON_TOUCHPAD: return 0x100000;
    default: return 0;
    }
}

/* Pad index (0–15) of a joystick instance: the order controllers were opened in. */
static SDL_JoystickID pads[16];
static int pad_count;

static int pad_index(SDL_JoystickID id)
{
    for (int i = 0; i < pad_count; i++)
        if (pads[i] == id)
            return i;
    return -1;
}

static void handle_event(pf_client *c, const SDL_Event *e, SDL_Window *w, pfc_session *s,
                         int *quit)
{
    int ww, wh;
    SDL_GetWindowSize(w, &ww, &wh);
    uint32_t view = ((uint32_t)ww << 16) | ((uint32_t)wh & 0xffffu);
    switch (e->type) {
    case SDL_QUIT:
        *quit = 1;
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP: {
        /* The event's own modifier state, also for keys synthesised into the window. */
        unsigned m = (unsigned)e->key.keysym.mod | (unsigned)SDL_GetModState();
        if (e->key.keysym.sym == SDLK_q && (m & KMOD_CTRL) && (m & KMOD_ALT) && (m & KMOD_SHIFT)) {
            *quit = 1;
            break;
        }
        uint32_t vk = vk_of(e->key.keysym.sym);
        if (vk && !e->key.repeat) {
            pf_client_send_input(c, e->type == SDL_KEYDOWN ? PF_CLIENT_INPUT_KEY_DOWN
                                                           : PF_CLIENT_INPUT_KEY_UP,
                                 vk, 0, 0, 0);
            s->keys_sent++;
        }
        break;
    }
    case SDL_MOUSEMOTION:
        pf_client_send_input(c, PF_CLIENT_INPUT_MOUSE_MOVE_ABS, 0, e->motion.x, e->motion.y,
                             view);
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        /* SDL numbers left 1, middle 2, right 3, X1 4, X2 5, as GameStream does. */
        pf_client_send_input(c, e->type == SDL_MOUSEBUTTONDOWN
                                    ? PF_CLIENT_INPUT_MOUSE_BUTTON_DOWN
                                    : PF_CLIENT_INPUT_MOUSE_BUTTON_UP,
                             e->button.button, 0, 0, 0);
        break;
    }
    case SDL_MOUSEWHEEL:
        if (e->wheel.y)
            pf_client_send_input(c, PF_CLIENT_INPUT_MOUSE_SCROLL, 0, e->wheel.y * 120, 0, 0);
        if (e->wheel.x)
            pf_client_send_input(c, PF_CLIENT_INPUT_MOUSE_SCROLL, 1, e->wheel.x * 120, 0, 0);
        break;
    case SDL_CONTROLLERDEVICEADDED:
        if (pad_count < 16) {
            SDL_GameController *gc = SDL_GameControllerOpen(e->cdevice.which);
            if (gc)
                pads[pad_count++] = SDL_JoystickInstanceID(SDL_GameControllerGetJoystick(gc));
        }
        break;
    case SDL_CONTROLLERBUTTONDOWN:
    case SDL_CONTROLLERBUTTONUP: {
        int pad = pad_index(e->cbutton.which);
        uint32_t bit = pad_bit(e->cbutton.button);
        if (pad >= 0 && bit)
            pf_client_send_input(c, PF_CLIENT_INPUT_GAMEPAD_BUTTON, bit,
                                 e->type == SDL_CONTROLLERBUTTONDOWN, 0, (uint32_t)pad);
        break;
    }
    case SDL_CONTROLLERAXISMOTION: {
        int pad = pad_index(e->caxis.which);
        int32_t v = e->caxis.value;
        uint32_t axis;
        switch (e->caxis.axis) {
        case SDL_CONTROLLER_AXIS_LEFTX: axis = 0; break;
        case SDL_CONTROLLER_AXIS_LEFTY: axis = 1; v = v == -32768 ? 32767 : -v; break; /* +y up */
        case SDL_CONTROLLER_AXIS_RIGHTX: axis = 2; break;
        case SDL_CONTROLLER_AXIS_RIGHTY: axis = 3; v = v == -32768 ? 32767 : -v; break;
        case SDL_CONTROLLER_AXIS_TRIGGERLEFT: axis = 4; v = v * 255 / 32767; break;
        case SDL_CONTROLLER_AXIS_TRIGGERRIGHT: axis = 5; v = v * 255 / 32767; break;
        default: return;
        }
        if (pad >= 0)
            pf_client_send_input(c, PF_CLIENT_INPUT_GAMEPAD_AXIS, axis, v, 0, (uint32_t)pad);
        break;
    }
    default:
        break;
    }
}

/* The host's pointer, drawn over the video (the cursor channel): its shape as a texture,
 * made again when the shape changes, placed by its hotspot and scaled like the video. */
typedef struct pointer {
    SDL_Texture *tex;
    uint32_t shape_serial, updates;
    pf_client_cursor cur;
} pointer;

static int pointer_update(pf_client *c, SDL_Renderer *r, pointer *p)
{
    static uint8_t rgba[PF_CLIENT_CURSOR_MAX_SIDE * PF_CLIENT_CURSOR_MAX_SIDE * 4];
    pf_client_cursor cur = {.struct_size = sizeof(cur)};
    if (pf_client_get_cursor(c, &cur, rgba, sizeof(rgba)) != 0 || cur.updates == p->updates)
        return 0;
    if ((cur.flags & PF_CLIENT_CURSOR_HAS_SHAPE) && cur.shape_serial != p->shape_serial) {
        if (p->tex)
            SDL_DestroyTexture(p->tex);
        p->tex = SDL_CreateTexture(r, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STATIC,
                                   (int)cur.width, (int)cur.height);
        if (p->tex) {
            SDL_UpdateTexture(p->tex, NULL, rgba, (int)cur.width * 4);
            SDL_SetTextureBlendMode(p->tex, SDL_BLENDMODE_BLEND);
        }
        p->shape_serial = cur.shape_serial;
    }
    p->updates = cur.updates;
    p->cur = cur;
    return 1;
}

static void pointer_draw(SDL_Renderer *r, const pointer *p, int tw, int th)
{
    int ow, oh;
    if (!p->tex || !(p->cur.flags & PF_CLIENT_CURSOR_VISIBLE) || !tw || !th ||
        SDL_GetRendererOutputSize(r, &ow, &oh) != 0)
        return;
    double sx = (double)ow / tw, sy = (double)oh / th;
    SDL_Rect dst = {(int)((p->cur.x - p->cur.hot_x) * sx), (int)((p->cur.y - p->cur.hot_y) * sy),
                    (int)(p->cur.width * sx + 0.5), (int)(p->cur.height * sy + 0.5)};
    SDL_RenderCopy(r, p->tex, NULL, &dst);
}

/* Puts a decoded picture into the streaming texture (recreated when the size changes). */
static int present(SDL_Renderer *r, SDL_Texture **tex, int *tw, int *th, const AVFrame *f)
{
    int nv12 = f->format == AV_PIX_FMT_NV12;
    if (!nv12 && f->format != AV_PIX_FMT_YUV420P && f->format != AV_PIX_FMT_YUVJ420P)
        return -1; /* the host sends 4:2:0 unless a client asks for 4:4:4 */
    if (!*tex || *tw != f->width || *th != f->height) {
        if (*tex)
            SDL_DestroyTexture(*tex);
        *tex = SDL_CreateTexture(r, nv12 ? SDL_PIXELFORMAT_NV12 : SDL_PIXELFORMAT_IYUV,
                                 SDL_TEXTUREACCESS_STREAMING, f->width, f->height);
        if (!*tex)
            return -1;
        *tw = f->width;
        *th = f->height;
    }
    if (nv12)
        SDL_UpdateNVTexture(*tex, NULL, f->data[0], f->linesize[0], f->data[1], f->linesize[1]);
    else
        SDL_UpdateYUVTexture(*tex, NULL, f->data[0], f->linesize[0], f->data[1], f->linesize[1],
                             f->data[2], f->linesize[2]);
    return 0;
}

int pfc_window_run(pf_client *c, const pfc_options *o, pfc_video *v, pfc_session *s)
{
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_GAMECONTROLLER) != 0) {
        fprintf(stderr, "pfclient: cannot open a window: %s\n", SDL_GetError());
        return -1;
    }
    char title[128];
    snprintf(title, sizeof(title), "pfclient - %s", o->host_key);
    SDL_Window *w = SDL_CreateWindow(title, 0, 0, (int)s->info.width, (int)s->info.height,
                                     SDL_WINDOW_RESIZABLE);
    SDL_Renderer *r = w ? SDL_CreateRenderer(w, -1, SDL_RENDERER_PRESENTVSYNC) : NULL;
    if (w && !r)
        r = SDL_CreateRenderer(w, -1, SDL_RENDERER_SOFTWARE);
    if (!w || !r) {
        fprintf(stderr, "pfclient: cannot open a window: %s\n", SDL_GetError());
        if (w)
            SDL_DestroyWindow(w);
        SDL_Quit();
        return -1;
    }
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    SDL_Texture *tex = NULL;
    int tw = 0, th = 0, quit = 0;
    double start = now_s(), last_ask = start;
    pf_client_video_frame f = {.struct_size = sizeof(f)};
    pfc_video_stats vs;
    pointer ptr = {0};
    if (s->info.host_caps & 0x08u) /* HOST_CAP_CURSOR: the pointer is not in the video */
        SDL_ShowCursor(SDL_DISABLE);
    while (!quit) {
        SDL_Event e;
        while (SDL_PollEvent(&e))
            handle_event(c, &e, w, s, &quit);
        pfc_video_get_stats(v, &vs);
        if ((o->frames && vs.decoded >= o->frames) ||
            (o->seconds > 0 && now_s() - start >= o->seconds))
            break;
        /* Every AU is decoded (each references the one before), but only the newest picture
         * is presented: when presenting is slower than the stream, the window skips pictures
         * instead of falling behind. */
        const AVFrame *pic = NULL;
        int rr = pf_client_video_next(c, 5, &f), n = 0;
        while (rr == 0) {
            pic = pfc_video_decode(v, &f);
            if (++n == 64)
                break;
            rr = pf_client_video_next(c, 0, &f);
        }
        if (rr < 0 && rr != PF_ERR_TIMEOUT)
            break;
        /* A new picture or a moved pointer: both are drawn, the pointer at its own pace
         * rather than the video's. */
        int moved = pointer_update(c, r, &ptr);
        if ((pic && present(r, &tex, &tw, &th, pic) == 0) || (moved && tex)) {
            SDL_RenderClear(r);
            SDL_RenderCopy(r, tex, NULL, NULL);
            pointer_draw(r, &ptr, tw, th);
            SDL_RenderPresent(r);
        }
        if (pfc_video_waiting_idr(v) && now_s() - last_ask > 1.0) {
            pf_client_request_keyframe(c);
            last_ask = now_s();
        }
    }
    s->elapsed_s = now_s() - start;
    if (tex)
        SDL_DestroyTexture(tex);
    if (ptr.tex)
        SDL_DestroyTexture(ptr.tex);
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(w);
    SDL_Quit();
    return 0;
}
#else
int pfc_window_run(pf_client *c, const pfc_options *o, pfc_video *v, pfc_session *s)
{
    (void)c;
    (void)o;
    (void)v;
    (void)s;
    fprintf(stderr, "pfclient: this build has no SDL2: --window is not available\n");
    return -1;
}
#endif
