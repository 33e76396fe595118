/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The web console's pieces without sockets: the admin password (argon2id, 0600 file),
 * sessions and their cookie, CSRF tokens, expiry, the login limit per address, the
 * settings file editor and the log ring. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "fileio.h"
#include "help.h"
#include "mgmt_logs.h"
#include "mgmt_session.h"
#include "mgmt_settings.h"

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/pfhost-console-unit-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void password(void **state)
{
    char *p = path_join(dir, "console-password");
    console_auth a;
    assert_int_equal(console_auth_init(&a, p), 0);
    assert_false(console_has_password(&a));
    assert_false(console_check_password(&a, "anything at all"));
    assert_int_equal(console_set_password(&a, "short", NULL), -EINVAL);
    assert_int_equal(console_set_password(&a, NULL, NULL), -EINVAL);
    assert_int_equal(console_set_password(&a, "correct horse", NULL), 0);
    assert_true(console_has_password(&a));
    assert_true(console_check_password(&a, "correct horse"));
    assert_false(console_check_password(&a, "correct horsE"));
    assert_false(console_check_password(&a, "correct horse "));
    assert_false(console_check_password(&a, ""));
    console_auth_free(&a);

    /* Stored as an argon2id string, 0600, and read back by a new process. */
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text;
    assert_int_equal(file_read(p, 4096, &text, NULL), 0);
    assert_non_null(strstr(text, "$argon2id$"));
    assert_null(strstr(text, "correct horse"));
    free(text);
    assert_int_equal(console_auth_init(&a, p), 0);
    assert_true(console_check_password(&a, "correct horse"));
    console_auth_free(&a);

    /* A damaged file is an error, never "no password" (which would let anybody set one). */
    assert_int_equal(file_write_atomic(p, "plaintext\n", 10, 0600), 0);
    assert_int_equal(console_auth_init(&a, p), -EINVAL);
    assert_true(console_has_password(&a));
    assert_false(console_check_password(&a, "plaintext"));
    assert_false(console_check_password(&a, "!damaged"));
    assert_int_equal(console_set_password(&a, "a fresh start", NULL), 0);
    assert_true(console_check_password(&a, "a fresh start"));
    console_auth_free(&a);
    free(p);
}

static void sessions_and_csrf(void **state)
{
    char *p = path_join(dir, "console-password");
    console_auth a;
    assert_int_equal(console_auth_init(&a, p), 0);
    free(p);
    a.idle_ms = 1000;
    a.max_age_ms = 5000;
    const console_session *s = console_session_new(&a, 100);
    assert_non_null(s);
    assert_int_equal(strlen(s->id), CONSOLE_ID_HEX);
    assert_int_equal(strlen(s->csrf), CONSOLE_ID_HEX);
    assert_string_not_equal(s->id, s->csrf);

    char cookie[300], hdr[400];
    console_cookie(&a, s, 0, cookie, sizeof(cookie));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    assert_non_null(strstr(cookie, "Max-Age=5"));
    assert_null(strstr(cookie, "Secure"));
    console_cookie(&a, s, 1, cookie, sizeof(cookie));
    assert_non_null(strstr(cookie, "; Secure"));

    /* Found among other cookies; a near miss is no session. */
    snprintf(hdr, sizeof(hdr), "theme=dark; %s=%s; other=1", CONSOLE_COOKIE, s->id);
    assert_ptr_equal(console_session_find(&a, hdr, 200), s);
    char wrong[CONSOLE_ID_HEX + 1];
    snprintf(wrong, sizeof(wrong), "%s", s->id);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    snprintf(hdr, sizeof(hdr), "%s=%s", CONSOLE_COOKIE, wrong);
    assert_null(console_session_find(&a, hdr, 200));
    snprintf(hdr, sizeof(hdr), "x%s=%s", CONSOLE_COOKIE, s->id);
    assert_null(console_session_find(&a, hdr, 200));
    assert_null(console_session_find(&a, NULL, 200));
    assert_null(console_session_find(&a, "pf_session=", 200));

    assert_true(console_csrf_ok(s, s->csrf));
    assert_false(console_csrf_ok(s, NULL));
    assert_false(console_csrf_ok(s, ""));
    assert_false(console_csrf_ok(s, s->id));
    assert_false(console_csrf_ok(NULL, s->csrf));

    /* Idle expiry, refreshed by use; the absolute limit holds even for a busy session. */
    snprintf(hdr, sizeof(hdr), "%s=%s", CONSOLE_COOKIE, s->id);
    for (uint64_t t = 900; t <= 4900; t += 800)
        assert_non_null(console_session_find(&a, hdr, t));
    assert_null(console_session_find(&a, hdr, 5200));
    const console_session *s2 = console_session_new(&a, 6000);
    snprintf(hdr, sizeof(hdr), "%s=%s", CONSOLE_COOKIE, s2->id);
    assert_null(console_session_find(&a, hdr, 7100));

    /* Logout ends it; a new password ends every session. */
    const console_session *s3 = console_session_new(&a, 8000);
    snprintf(hdr, sizeof(hdr), "%s=%s", CONSOLE_COOKIE, s3->id);
    console_session_end(&a, s3);
    assert_null(console_session_find(&a, hdr, 8001));
    const console_session *s4 = console_session_new(&a, 9000);
    snprintf(hdr, sizeof(hdr), "%s=%s", CONSOLE_COOKIE, s4->id);
    assert_int_equal(console_set_password(&a, "a new password", NULL), 0);
    assert_null(console_session_find(&a, hdr, 9001));
    /* ...but the one that changed it, when named. */
    const console_session *mine = console_session_new(&a, 9100), *other = console_session_new(&a, 9100);
    char mine_hdr[200], other_hdr[200];
    snprintf(mine_hdr, sizeof(mine_hdr), "%s=%s", CONSOLE_COOKIE, mine->id);
    snprintf(other_hdr, sizeof(other_hdr), "%s=%s", CONSOLE_COOKIE, other->id);
    assert_int_equal(console_set_password(&a, "another password", mine), 0);
    assert_ptr_equal(console_session_find(&a, mine_hdr, 9101), mine);
    assert_null(console_session_find(&a, other_hdr, 9101));

    /* More logins than slots: the least recently used session makes room. */
    a.idle_ms = a.max_age_ms = 1000000;
    char first[CONSOLE_ID_HEX + 1];
    snprintf(first, sizeof(first), "%s", console_session_new(&a, 10000)->id);
    for (int i = 1; i <= CONSOLE_SESSIONS; i++)
        assert_non_null(console_session_new(&a, 10000 + (uint64_t)i));
    snprintf(hdr, sizeof(hdr), "%s=%s", CONSOLE_COOKIE, first);
    assert_null(console_session_find(&a, hdr, 20000));
    console_auth_free(&a);
}

static void login_limit(void **state)
{
    mgmt_limit l = {.max_failures = 3, .lockout_ms = 1000};
    assert_int_equal(mgmt_limit_locked(&l, "10.0.0.9", 0), 0);
    assert_int_equal(mgmt_limit_fail(&l, "10.0.0.9", 0), 0);
    assert_int_equal(mgmt_limit_fail(&l, "10.0.0.9", 1), 0);
    mgmt_limit_success(&l, "10.0.0.9"); /* a success forgets earlier failures */
    assert_int_equal(mgmt_limit_fail(&l, "10.0.0.9", 2), 0);
    assert_int_equal(mgmt_limit_fail(&l, "10.0.0.9", 3), 0);
    assert_int_equal(mgmt_limit_fail(&l, "10.0.0.9", 4), 1);
    assert_int_equal(mgmt_limit_locked(&l, "10.0.0.9", 5), 999);
    assert_int_equal(mgmt_limit_locked(&l, "10.0.0.10", 5), 0);
    assert_int_equal(mgmt_limit_locked(&l, "10.0.0.9", 1004), 0);
}

static void settings_file(void **state)
{
    host_config c = {0};
    c.config_path = path_join(dir, "pfhost.conf");
    const char *orig = "# mine\nhttp_port = 1000\n\n# codecs\nhevc = yes\n";
    assert_int_equal(file_write_atomic(c.config_path, orig, strlen(orig), 0644), 0);

    json_object *list = settings_to_json(&c), *arr, *e;
    json_object_object_get_ex(list, "settings", &arr);
    int seen_port = 0, seen_live = 0;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        e = json_object_array_get_idx(arr, i);
        json_object *k, *v, *r;
        json_object_object_get_ex(e, "key", &k);
        json_object_object_get_ex(e, "value", &v);
        json_object_object_get_ex(e, "restart", &r);
        if (!strcmp(json_object_get_string(k), "http_port")) {
            assert_string_equal(json_object_get_string(v), "1000");
            assert_true(json_object_get_boolean(r));
            seen_port = 1;
        }
        if (!strcmp(json_object_get_string(k), "api_lockout")) {
            assert_null(v);
            assert_false(json_object_get_boolean(r));
            seen_live = 1;
        }
    }
    assert_true(seen_port && seen_live);
    json_object_put(list);

    /* Invalid values: nothing is written, each key says why. */
    host_config nc;
    json_object *ret = NULL;
    json_object *body = json_tokener_parse(
        "{\"values\": {\"http_port\": \"70000\", \"bogus\": \"1\", \"api_address\": \"my.host\","
        " \"hostname\": \"a\\nb\", \"mdns\": \"perhaps\", \"apps\": \"\"}}");
    assert_int_equal(settings_update(&c, body, &ret, &nc), 400);
    json_object *fields;
    assert_true(json_object_object_get_ex(ret, "fields", &fields));
    assert_int_equal(json_object_object_length(fields), 6);
    json_object_put(ret);
    json_object_put(body);
    config_free(&nc);
    char *text;
    assert_int_equal(file_read(c.config_path, 4096, &text, NULL), 0);
    assert_string_equal(text, orig);
    free(text);

    /* Valid: replaced in place, removed (null = default), appended; comments stay; 0600. */
    body = json_tokener_parse(
        "{\"values\": {\"http_port\": \"2000\", \"hevc\": null, \"pin_wait\": \"45\","
        " \"api_lockout\": \"30\"}}");
    assert_int_equal(settings_update(&c, body, &ret, &nc), 200);
    assert_int_equal(nc.api_lockout_s, 30);
    json_object *applied;
    assert_true(json_object_object_get_ex(ret, "applied", &applied));
    assert_int_equal(json_object_array_length(applied), 1);
    json_object_put(ret);
    json_object_put(body);
    config_free(&nc);
    assert_int_equal(file_read(c.config_path, 4096, &text, NULL), 0);
    assert_string_equal(text, "# mine\nhttp_port = 2000\n\n# codecs\npin_wait = 45\napi_lockout = 30\n");
    free(text);
    struct stat st;
    assert_int_equal(stat(c.config_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* A file that pfhost would not load whole (here a line the user broke by hand) is not
     * made worse: the change is refused with the loader's reason. */
    const char *broken = "# mine\nthis line has no equals sign\n";
    assert_int_equal(file_write_atomic(c.config_path, broken, strlen(broken), 0600), 0);
    body = json_tokener_parse("{\"values\": {\"pin_wait\": \"30\"}}");
    assert_int_equal(settings_update(&c, body, &ret, &nc), 400);
    json_object *msg;
    assert_true(json_object_object_get_ex(ret, "error", &msg));
    assert_non_null(strstr(json_object_get_string(msg), "2: expected key = value"));
    json_object_put(ret);
    json_object_put(body);
    config_free(&nc);
    assert_int_equal(file_read(c.config_path, 4096, &text, NULL), 0);
    assert_string_equal(text, broken);
    free(text);
    const char *fixed = "# mine\nhttp_port = 2000\n\n# codecs\npin_wait = 45\napi_lockout = 30\n";
    assert_int_equal(file_write_atomic(c.config_path, fixed, strlen(fixed), 0600), 0);

    /* What the console wrote is what pfhost reads. */
    host_config back;
    char err[256];
    assert_int_equal(config_load(&back, c.config_path, err, sizeof(err)), 0);
    assert_int_equal(back.http_port, 2000);
    assert_int_equal(back.pin_wait_s, 45);
    assert_int_equal(back.hevc, CONFIG_CODEC_AUTO);
    config_free(&back);
    free(c.config_path);
}

static const char *str_of(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

/* The Settings page lists help.c's table: every key pfhost reads, once, in its order, with
 * the same default, meaning and choices, and only the keys the host applies at once are
 * marked so. */
static void settings_cover_every_key(void **state)
{
    host_config c = {0};
    c.config_path = path_join(dir, "pfhost.conf"); /* absent: every key at its default */
    json_object *list = settings_to_json(&c), *arr;
    assert_true(json_object_object_get_ex(list, "settings", &arr));
    assert_int_equal(json_object_array_length(arr), help_config_keys_n);
    const char *live_keys[] = {"api_hosts", "native_pin_ttl", "connect_timeout",
                               "api_max_failures", "api_lockout"};
    size_t live = 0;
    for (size_t i = 0; i < help_config_keys_n; i++) {
        const help_config_key *k = &help_config_keys[i];
        json_object *e = json_object_array_get_idx(arr, i), *v;
        assert_string_equal(str_of(e, "key"), k->key);
        assert_string_equal(str_of(e, "type"), k->type);
        assert_true(json_object_object_get_ex(e, "value", &v));
        assert_null(v);
        assert_true(json_object_object_get_ex(e, "default", &v));
        if (k->default_value) {
            assert_string_equal(json_object_get_string(v), k->default_value);
            /* The default is a value the parser takes. */
            host_config t = {0};
            assert_int_equal(config_set(&t, k->key, k->default_value), 0);
            config_free(&t);
        } else {
            assert_null(v);
        }
        assert_string_equal(str_of(e, "default_text"), k->default_text);
        assert_string_equal(str_of(e, "description"), k->doc);
        assert_true(json_object_object_get_ex(e, "restart", &v));
        assert_int_equal(json_object_get_boolean(v), !k->live);
        assert_int_equal(settings_is_live(k->key), k->live);
        if (k->live) {
            size_t j = 0;
            while (j < 5 && strcmp(live_keys[j], k->key))
                j++;
            assert_true(j < 5); /* read at use, on the event loop: see mgmt_console.c */
            live++;
        }
        if (k->choices) {
            assert_true(json_object_object_get_ex(e, "options", &v));
            size_t n = 0;
            for (; k->choices[n]; n++) {
                assert_string_equal(json_object_get_string(json_object_array_get_idx(v, n)),
                                    k->choices[n]);
                host_config t = {0};
                assert_int_equal(config_set(&t, k->key, k->choices[n]), 0);
                config_free(&t);
            }
            assert_int_equal(json_object_array_length(v), n);
        } else {
            assert_false(json_object_object_get_ex(e, "options", &v));
        }
    }
    assert_int_equal(live, 5);
    json_object_put(list);

    /* Keys the console did not list before are edited like the rest and reach pfhost.conf;
     * connect_timeout applies at once, vdisplay at the next start. */
    host_config nc;
    json_object *ret = NULL, *fields, *applied, *restart;
    json_object *body = json_tokener_parse(
        "{\"values\": {\"connect_timeout\": \"4000\", \"vdisplay\": \"wayland\","
        " \"native_address\": \"no.such\", \"native\": \"maybe\"}}");
    assert_int_equal(settings_update(&c, body, &ret, &nc), 400);
    assert_true(json_object_object_get_ex(ret, "fields", &fields));
    assert_int_equal(json_object_object_length(fields), 4);
    assert_string_equal(str_of(fields, "vdisplay"),
                        "must be one of: auto, mutter-headless, weston, mutter, kwin, wlr, "
                        "gamescope, testpattern");
    assert_string_equal(str_of(fields, "native"), "must be one of: yes, no");
    json_object_put(ret);
    json_object_put(body);
    config_free(&nc);
    assert_int_equal(access(c.config_path, F_OK), -1); /* nothing written */

    body = json_tokener_parse("{\"values\": {\"connect_timeout\": \"45\", \"vdisplay\": "
                              "\"weston\", \"native_port\": \"9800\"}}");
    assert_int_equal(settings_update(&c, body, &ret, &nc), 200);
    assert_int_equal(nc.connect_timeout_s, 45);
    assert_true(json_object_object_get_ex(ret, "applied", &applied));
    assert_int_equal(json_object_array_length(applied), 1);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(applied, 0)),
                        "connect_timeout");
    assert_true(json_object_object_get_ex(ret, "restart_needed", &restart));
    assert_int_equal(json_object_array_length(restart), 2);
    json_object_put(ret);
    json_object_put(body);
    config_free(&nc);
    char *text;
    assert_int_equal(file_read(c.config_path, 4096, &text, NULL), 0);
    assert_non_null(
        strstr(text, "\nconnect_timeout = 45\nvdisplay = weston\nnative_port = 9800\n"));
    free(text);
    host_config back;
    char err[256];
    assert_int_equal(config_load(&back, c.config_path, err, sizeof(err)), 0);
    assert_int_equal(back.connect_timeout_s, 45);
    assert_string_equal(back.vdisplay, "weston");
    assert_int_equal(back.native_port, 9800);
    config_free(&back);

    /* The listing shows what the file now holds. */
    list = settings_to_json(&c);
    json_object_object_get_ex(list, "settings", &arr);
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        if (!strcmp(str_of(e, "key"), "connect_timeout"))
            assert_string_equal(str_of(e, "value"), "45");
    }
    json_object_put(list);
    free(c.config_path);
}

static void *log_from_thread(void *arg)
{
    for (int i = 0; i < 5000; i++)
        log_ring_add(6, "thread", "a line from another thread", 26);
    return arg;
}

static void log_ring(void **state)
{
    log_ring_clear();
    for (int i = 0; i < LOG_RING_LINES + 10; i++) {
        char line[32];
        int n = snprintf(line, sizeof(line), "line %d\n", i);
        log_ring_add(i % 2 ? 6 : 3, "test", line, (size_t)n);
    }
    json_object *o = log_ring_to_json(0, 5), *lines, *next, *first, *v;
    json_object_object_get_ex(o, "lines", &lines);
    json_object_object_get_ex(o, "next", &next);
    assert_int_equal(json_object_array_length(lines), 5);
    assert_int_equal(json_object_get_int64(next), LOG_RING_LINES + 11);
    first = json_object_array_get_idx(lines, 0);
    json_object_object_get_ex(first, "text", &v);
    char want[32];
    snprintf(want, sizeof(want), "line %d", LOG_RING_LINES + 5); /* newline trimmed */
    assert_string_equal(json_object_get_string(v), want);
    json_object_object_get_ex(first, "level", &v);
    assert_string_equal(json_object_get_string(v), "info");
    json_object_put(o);
    /* Asking from the next sequence number gives nothing new. */
    o = log_ring_to_json(LOG_RING_LINES + 11, 100);
    json_object_object_get_ex(o, "lines", &lines);
    assert_int_equal(json_object_array_length(lines), 0);
    json_object_put(o);
    /* Older than the ring: the oldest kept line comes first. */
    o = log_ring_to_json(1, 100000);
    json_object_object_get_ex(o, "lines", &lines);
    assert_int_equal(json_object_array_length(lines), LOG_RING_LINES);
    json_object_put(o);
    log_ring_clear();

    /* Libraries log from their own threads: every line is counted once, in order. */
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, log_from_thread, NULL), 0);
    for (int i = 0; i < 500; i++)
        json_object_put(log_ring_to_json(0, 50));
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    o = log_ring_to_json(0, LOG_RING_LINES);
    json_object_object_get_ex(o, "next", &next);
    assert_int_equal(json_object_get_int64(next), 4 * 5000 + 1);
    json_object_object_get_ex(o, "lines", &lines);
    for (size_t i = 1; i < json_object_array_length(lines); i++) {
        json_object *a, *b;
        json_object_object_get_ex(json_object_array_get_idx(lines, i - 1), "seq", &a);
        json_object_object_get_ex(json_object_array_get_idx(lines, i), "seq", &b);
        assert_int_equal(json_object_get_int64(a) + 1, json_object_get_int64(b));
    }
    json_object_put(o);
    log_ring_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(password, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_and_csrf, setup, teardown),
        cmocka_unit_test(login_limit),
        cmocka_unit_test_setup_teardown(settings_file, setup, teardown),
        cmocka_unit_test_setup_teardown(settings_cover_every_key, setup, teardown),
        cmocka_unit_test(log_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
