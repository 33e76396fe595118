/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "session_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

pf_input_event t_ev(uint32_t type)
{
    pf_input_event e;
    memset(&e, 0, sizeof(e));
    e.struct_size = sizeof(e);
    e.type = type;
    return e;
}

void t_submit(pf_input_client *c, pf_input_event e)
{
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
}

void t_key(pf_input_client *c, uint32_t type, uint16_t vk, uint8_t mods)
{
    pf_input_event e = t_ev(type);
    e.key.key_code = (uint16_t)(0x8000 | vk);
    e.key.modifiers = mods;
    t_submit(c, e);
}

void t_tap(pf_input_client *c, struct h_proc *rec, uint16_t vk, int code)
{
    char want[32];
    t_key(c, PF_INPUT_EVENT_KEY_DOWN, vk, 0);
    t_key(c, PF_INPUT_EVENT_KEY_UP, vk, 0);
    snprintf(want, sizeof(want), "key %d 1", code);
    t_expect(rec, want);
    snprintf(want, sizeof(want), "key %d 0", code);
    t_expect(rec, want);
}

void t_click(pf_input_client *c, struct h_proc *rec, uint32_t button, int code)
{
    char want[32];
    pf_input_event b = t_ev(PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    b.pointer.button = button;
    t_submit(c, b);
    b.type = PF_INPUT_EVENT_MOUSE_BUTTON_UP;
    t_submit(c, b);
    snprintf(want, sizeof(want), "button %d 1", code);
    t_expect(rec, want);
    snprintf(want, sizeof(want), "button %d 0", code);
    t_expect(rec, want);
}

void t_expect(struct h_proc *rec, const char *want)
{
    char line[256];
    const char *sp = strchr(want, ' ');
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "%.*s", sp ? (int)(sp - want + 1) : (int)strlen(want), want);
    if (h_expect_line(rec, prefix, line, sizeof(line), 5000) < 0)
        fail_msg("recorder never printed '%s'", want);
    if (strcmp(line, want) != 0)
        fail_msg("expected '%s', got '%s'", want, line);
}

void t_expect_xy(struct h_proc *rec, const char *prefix, double *x, double *y)
{
    char line[256];
    if (h_expect_line(rec, prefix, line, sizeof(line), 5000) < 0)
        fail_msg("recorder never printed '%s'", prefix);
    assert_int_equal(sscanf(line + strlen(prefix), "%lf %lf", x, y), 2);
}

int t_wait_focus(pf_input_client *c, struct h_proc *rec, const char *seen)
{
    char got[8192] = "";
    snprintf(got, sizeof(got), "%s", seen ? seen : "");
    size_t used = strlen(got);
    for (int i = 0; i < 50 && !(strstr(got, "pointer-enter") && strstr(got, "keyboard-enter"));
         i++) {
        pf_input_event e = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
        e.pointer.dx = i % 2 ? -1 : 1;
        e.pointer.dy = i % 2 ? -1 : 1;
        pf_input_client_submit(c, &e, 0);
        e = t_ev(PF_INPUT_EVENT_KEY_DOWN);
        e.key.key_code = 0xA0;
        pf_input_client_submit(c, &e, 0);
        e.type = PF_INPUT_EVENT_KEY_UP;
        pf_input_client_submit(c, &e, 0);
        if (used < sizeof(got) - 256)
            used += (size_t)h_collect(rec, got + used, sizeof(got) - used, 200);
    }
    if (!strstr(got, "pointer-enter") || !strstr(got, "keyboard-enter")) {
        print_message("# recorder printed: %s\n", got);
        return -1;
    }
    h_collect(rec, got, sizeof(got), 300);
    return 0;
}

void t_release_on_disconnect(pf_input_client **client, struct h_proc *rec, uint16_t vk1,
                             uint16_t vk2, uint8_t mods, uint32_t button)
{
    static const uint32_t btn_codes[] = { 0, 272, 274, 273, 275, 276 }; /* BTN_LEFT… */
    int k1 = pf_input_keymap_translate(vk1, NULL), k2 = pf_input_keymap_translate(vk2, NULL);
    assert_true(k1 > 0 && k2 > 0 && button >= 1 && button <= 5);
    t_key(*client, PF_INPUT_EVENT_KEY_DOWN, vk1, mods);
    t_key(*client, PF_INPUT_EVENT_KEY_DOWN, vk2, mods);
    pf_input_event b = t_ev(PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    b.pointer.button = button;
    t_submit(*client, b);
    char want[64];
    snprintf(want, sizeof(want), "key %d 1", k1);
    t_expect(rec, want);
    snprintf(want, sizeof(want), "key %d 1", k2);
    t_expect(rec, want);
    snprintf(want, sizeof(want), "button %u 1", btn_codes[button]);
    t_expect(rec, want);
    /* The client vanishes (disconnect or timeout). */
    pf_input_client_destroy(*client);
    *client = NULL;
    char got[2048];
    h_collect(rec, got, sizeof(got), 1000);
    snprintf(want, sizeof(want), "key %d 0\n", k1);
    assert_non_null(strstr(got, want));
    snprintf(want, sizeof(want), "key %d 0\n", k2);
    assert_non_null(strstr(got, want));
    snprintf(want, sizeof(want), "button %u 0\n", btn_codes[button]);
    assert_non_null(strstr(got, want));
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void t_report_latency(pf_input_client *c, struct h_proc *rec, const char *label, int n)
{
    int64_t t[64];
    if (n > 64)
        n = 64;
    for (int i = 0; i < n; i++) {
        int64_t start = now_us();
        t_key(c, PF_INPUT_EVENT_KEY_DOWN, 'L', 0);
        t_expect(rec, "key 38 1");
        t[i] = now_us() - start;
        t_key(c, PF_INPUT_EVENT_KEY_UP, 'L', 0);
        t_expect(rec, "key 38 0");
    }
    qsort(t, (size_t)n, sizeof(t[0]), cmp_i64);
    print_message("# %s: key press to client, median %lld us, max %lld us (%d taps)\n", label,
                  (long long)t[n / 2], (long long)t[n - 1], n);
}

void t_dump(struct harness *h, struct h_proc *rec)
{
    if (rec)
        print_message("# recorder buffer: %s\n", rec->buf);
    if (!h->dir[0])
        return;
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "tail -n 5 %s/*.log 2>/dev/null | sed 's/^/# /'", h->dir);
    if (system(cmd) != 0)
        print_message("# no daemon logs\n");
}
