/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 cursor channel (native-protocol.md §5.5, §8.6). The session's output leaves
 * the pointer out of the picture and libpfcapture reports it on the capture thread
 * (source_pw.c); this sends what changed so that the client draws the pointer itself, at
 * its own refresh and without waiting for a video frame:
 *   - CursorShape 0x50 on the control stream when the shape changes: RGBA8 straight alpha,
 *     at most 120×120 — a larger sprite is scaled down (area average, aspect kept, hotspot
 *     scaled with it) rather than skipped, so the client never draws a stale shape;
 *   - the 0xD0 datagram when position or visibility change, at most once per frame interval,
 *     and the latest state again every 250 ms while nothing changes (datagrams may be lost,
 *     the last one of a movement included).
 * 0xD0 carries the serial of the 0x50 shape in effect and the hotspot position in video
 * pixels: the client draws the bitmap at (x − hot_x, y − hot_y). The reference documents
 * neither (§8.6 gives only the layout); this is the reading under which a client needs no
 * other state. Until the compositor describes a sprite (Mutter: only once it changes after
 * the screencast started) the theme's default arrow stands in (cursor_theme.c). Shapes are
 * encoded on the event loop (the control stream is written from
 * there only); the capture thread hands them over under a mutex and wakes it by eventfd. */
#include "native_cursor.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/core/pkf1_datagram.h"

#include "cursor_theme.h"
#include "host.h"

#define SIDE PF_PKF1_CURSOR_MAX_SIDE
#define REFRESH_NS 250000000ull

struct native_cursor {
    native_conn *nc;
    int efd;
    sd_event_source *io;
    uint8_t *msg; /* the encoded CursorShape, loop thread */

    pthread_mutex_t lock;
    int client_draws;
    uint64_t interval_ns;
    uint8_t shape[SIDE * SIDE * 4]; /* the shape to send */
    uint32_t w, h;
    int32_t hot_x, hot_y;
    uint32_t serial;  /* wire serial of the newest shape; 0 = none yet */
    int shape_pending;
    uint32_t src_shape; /* the capture's shape serial it came from */
    int reset;
    /* The last 0xD0 sent. */
    int sent_any, sent_visible;
    int32_t sent_x, sent_y;
    uint32_t sent_serial;
    uint64_t sent_ns;
    uint64_t shapes, positions;
    /* The theme's arrow, sent while the compositor has described no sprite yet (Mutter does
     * so only when the sprite changes after the screencast started). */
    pw_source_cursor arrow;
    uint8_t *arrow_rgba;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int on_wake(sd_event_source *src, int fd, uint32_t revents, void *ud)
{
    native_cursor *c = ud;
    uint64_t v;
    if (read(fd, &v, sizeof(v)) < 0)
        return 0;
    pthread_mutex_lock(&c->lock);
    size_t n = 0;
    int r = PF_ERR_AGAIN;
    if (c->shape_pending) {
        pf_pkf1_msg m;
        pf_pkf1_msg_init(&m, PF_PKF1_MSG_CURSOR_SHAPE);
        m.value32 = c->serial;
        m.width = c->w;
        m.height = c->h;
        m.value16 = (uint16_t)c->hot_x;
        m.value16b = (uint16_t)c->hot_y;
        m.blob = c->shape;
        m.blob_len = (size_t)c->w * c->h * 4u;
        r = pf_pkf1_msg_encode(&m, c->msg, PF_PKF1_MSG_MAX_BYTES, &n);
        c->shape_pending = 0;
    }
    pthread_mutex_unlock(&c->lock);
    if (r == 0 && !c->nc->closing && native_send_payload(c->nc, c->msg, n, 0) == 0)
        __atomic_add_fetch(&c->shapes, 1, __ATOMIC_RELAXED);
    return 0;
}

int native_cursor_create(native_conn *nc, sd_event *loop, uint32_t fps, native_cursor **ret)
{
    native_cursor *c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    c->nc = nc;
    c->client_draws = 1; /* the client set CURSOR: it draws the pointer */
    c->interval_ns = 1000000000ull / (fps ? fps : 60);
    pthread_mutex_init(&c->lock, NULL);
    c->msg = malloc(PF_PKF1_MSG_MAX_BYTES);
    c->arrow_rgba = malloc(256u * 256u * 4u);
    if (c->arrow_rgba &&
        cursor_theme_arrow(256, c->arrow_rgba, &c->arrow.width, &c->arrow.height,
                           &c->arrow.hot_x, &c->arrow.hot_y) == 0)
        c->arrow.rgba = c->arrow_rgba;
    c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!c->msg || c->efd < 0 || sd_event_add_io(loop, &c->io, c->efd, EPOLLIN, on_wake, c) < 0) {
        native_cursor_destroy(c);
        return PF_ERR_NOMEM;
    }
    *ret = c;
    return 0;
}

void native_cursor_destroy(native_cursor *c)
{
    if (!c)
        return;
    host_log("native %s: cursor channel: %llu shapes, %llu positions sent", c->nc->peer,
             (unsigned long long)c->shapes, (unsigned long long)c->positions);
    sd_event_source_disable_unref(c->io);
    if (c->efd >= 0)
        close(c->efd);
    pthread_mutex_destroy(&c->lock);
    free(c->msg);
    free(c->arrow_rgba);
    free(c);
}

void native_cursor_set_fps(native_cursor *c, uint32_t fps)
{
    pthread_mutex_lock(&c->lock);
    c->interval_ns = 1000000000ull / (fps ? fps : 60);
    pthread_mutex_unlock(&c->lock);
}

int native_cursor_set_client_draws(native_cursor *c, int client_draws)
{
    pthread_mutex_lock(&c->lock);
    int changed = c->client_draws != !!client_draws;
    c->client_draws = !!client_draws;
    pthread_mutex_unlock(&c->lock);
    return changed;
}

int native_cursor_client_draws(native_cursor *c)
{
    pthread_mutex_lock(&c->lock);
    int d = c->client_draws;
    pthread_mutex_unlock(&c->lock);
    return d;
}

void native_cursor_reset(native_cursor *c)
{
    pthread_mutex_lock(&c->lock);
    c->reset = 1;
    pthread_mutex_unlock(&c->lock);
}

void native_cursor_counts(native_cursor *c, uint64_t *shapes, uint64_t *positions)
{
    *shapes = __atomic_load_n(&c->shapes, __ATOMIC_RELAXED);
    pthread_mutex_lock(&c->lock);
    *positions = c->positions;
    pthread_mutex_unlock(&c->lock);
}

/* Area average of the straight-alpha source into at most SIDE×SIDE, colour weighted by
 * alpha so that transparent pixels do not darken the edges. */
static void scale_into(native_cursor *c, const pw_source_cursor *cur)
{
    uint32_t sw = cur->width, sh = cur->height, big = sw > sh ? sw : sh;
    uint32_t dw = sw, dh = sh;
    if (big > SIDE) {
        dw = (uint32_t)(((uint64_t)sw * SIDE + big - 1) / big);
        dh = (uint32_t)(((uint64_t)sh * SIDE + big - 1) / big);
        dw = dw < 1 ? 1 : dw > SIDE ? SIDE : dw;
        dh = dh < 1 ? 1 : dh > SIDE ? SIDE : dh;
    }
    c->w = dw;
    c->h = dh;
    c->hot_x = cur->hot_x * (int32_t)dw / (int32_t)sw;
    c->hot_y = cur->hot_y * (int32_t)dh / (int32_t)sh;
    c->hot_x = c->hot_x < 0 ? 0 : c->hot_x >= (int32_t)dw ? (int32_t)dw - 1 : c->hot_x;
    c->hot_y = c->hot_y < 0 ? 0 : c->hot_y >= (int32_t)dh ? (int32_t)dh - 1 : c->hot_y;
    if (dw == sw && dh == sh) {
        memcpy(c->shape, cur->rgba, (size_t)sw * sh * 4u);
        return;
    }
    for (uint32_t y = 0; y < dh; y++) {
        uint32_t y0 = y * sh / dh, y1 = (y + 1) * sh / dh;
        y1 = y1 > y0 ? y1 : y0 + 1;
        for (uint32_t x = 0; x < dw; x++) {
            uint32_t x0 = x * sw / dw, x1 = (x + 1) * sw / dw;
            x1 = x1 > x0 ? x1 : x0 + 1;
            uint64_t r = 0, g = 0, b = 0, a = 0, n = 0;
            for (uint32_t yy = y0; yy < y1; yy++)
                for (uint32_t xx = x0; xx < x1; xx++) {
                    const uint8_t *p = cur->rgba + ((size_t)yy * sw + xx) * 4u;
                    r += (uint64_t)p[0] * p[3];
                    g += (uint64_t)p[1] * p[3];
                    b += (uint64_t)p[2] * p[3];
                    a += p[3];
                    n++;
                }
            uint8_t *d = c->shape + ((size_t)y * dw + x) * 4u;
            d[0] = a ? (uint8_t)(r / a) : 0;
            d[1] = a ? (uint8_t)(g / a) : 0;
            d[2] = a ? (uint8_t)(b / a) : 0;
            d[3] = (uint8_t)(a / n);
        }
    }
}

/* A new shape to send: the loop thread encodes it (on_wake). */
static void take_shape(native_cursor *c, const pw_source_cursor *src)
{
    scale_into(c, src);
    c->serial++;
    c->shape_pending = 1;
    uint64_t one = 1;
    if (write(c->efd, &one, sizeof(one)) < 0) {
        /* A full counter still leaves the fd readable. */
    }
}

void native_cursor_report(native_cursor *c, const pw_source_cursor *cur)
{
    uint64_t now = mono_ns();
    pthread_mutex_lock(&c->lock);
    if (!c->client_draws) {
        pthread_mutex_unlock(&c->lock);
        return;
    }
    if ((cur->shape_serial != c->src_shape || c->reset) && cur->width && cur->height) {
        /* A shape the capture could not read (none yet, too large for it) keeps the old
         * one: the client draws something close rather than nothing. */
        c->src_shape = cur->shape_serial;
        c->reset = 0;
        take_shape(c, cur);
    }
    if (c->serial == 0 && cur->visible && c->arrow.rgba && !(cur->width && cur->height))
        take_shape(c, &c->arrow);
    int visible = cur->visible && c->serial != 0;
    int changed = !c->sent_any || visible != c->sent_visible || c->serial != c->sent_serial ||
                  (visible && (cur->x != c->sent_x || cur->y != c->sent_y));
    uint64_t since = now - c->sent_ns;
    if ((changed && since >= c->interval_ns) || since >= REFRESH_NS) {
        pf_pkf1_cursor d = {.serial = c->serial,
                            .flags = visible ? PF_PKF1_CURSOR_VISIBLE : 0,
                            .x = cur->x,
                            .y = cur->y};
        uint8_t buf[14];
        /* Latest-wins (§1.1): a datagram the connection cannot take now is sent at the
         * next report, with whatever is newest then. */
        if (pf_pkf1_cursor_encode(&d, buf) == 0 &&
            pf_net_quic_conn_send_datagram(c->nc->qc, buf, sizeof(buf)) == 0) {
            c->sent_any = 1;
            c->sent_visible = visible;
            c->sent_x = cur->x;
            c->sent_y = cur->y;
            c->sent_serial = c->serial;
            c->sent_ns = now;
            c->positions++;
        }
    }
    pthread_mutex_unlock(&c->lock);
}
