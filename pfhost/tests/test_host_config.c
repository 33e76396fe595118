/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pfhost.conf parsing, the client store and the management API's access rules. */
#include <errno.h>
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

#include "clients.h"
#include "config.h"
#include "fileio.h"
#include "help.h"
#include "mgmt_auth.h"

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/pfhost-conf-unit-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    setenv("XDG_CONFIG_HOME", dir, 1);
    setenv("XDG_STATE_HOME", dir, 1);
    setenv("XDG_RUNTIME_DIR", dir, 1);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *conf(const char *text)
{
    char *p = path_join(dir, "test.conf");
    assert_int_equal(file_write_atomic(p, text, strlen(text), 0600), 0);
    return p;
}

static void config_values_and_errors(void **state)
{
    host_config c;
    char err[256] = "";
    char *p = conf("# comment\n\nhostname = living room\nhttp_port=1234\nmdns = off\n"
                   "api_address = 0.0.0.0\npin_ttl = 5\nav1 = yes\nhevc = no\n"
                   "external_address = 203.0.113.7\nvdisplay = weston\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), 0);
    assert_string_equal(c.hostname, "living room");
    assert_int_equal(c.http_port, 1234);
    assert_int_equal(c.https_port, 47984);
    assert_int_equal(c.mdns, 0);
    assert_int_equal(c.av1, CONFIG_CODEC_ON);
    assert_int_equal(c.hevc, CONFIG_CODEC_OFF);
    assert_int_equal(c.pin_ttl_s, 5);
    assert_string_equal(c.api_address, "0.0.0.0");
    assert_string_equal(c.external_address, "203.0.113.7");
    assert_string_equal(c.vdisplay, "weston");
    char want[128];
    snprintf(want, sizeof(want), "%s/pfhost", dir);
    assert_string_equal(c.state_dir, want);
    config_free(&c);
    free(p);
    static const char *const bad[] = {"http_port = 70000\n", "htp_port = 1\n", "mdns = maybe\n",
                                      "just words\n", "pin_wait = -1\n", "api_port = 12x\n",
                                      "av1 = sometimes\n", "hevc = 265\n",
                                      "external_address = 2001:db8::1\n",
                                      "external_address = my.router\n",
                                      "vdisplay = wetson\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = conf(bad[i]);
        err[0] = '\0';
        /* A bad value is reported with file and line, and the last good copy (the file
         * above) is used instead: the host starts. */
        assert_int_equal(config_load(&c, p, err, sizeof(err)), 1);
        assert_non_null(strstr(err, "test.conf:1"));
        assert_non_null(strstr(err, "last good copy"));
        assert_string_equal(c.hostname, "living room");
        assert_int_equal(c.http_port, 1234);
        config_free(&c);
        free(p);
    }
    /* Without a good copy, the defaults. */
    char *good = path_join(dir, "test.conf.good");
    assert_int_equal(unlink(good), 0);
    free(good);
    p = conf("http_port = 70000\nhostname = x\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "defaults"));
    assert_int_equal(c.http_port, 47989);
    assert_null(c.external_address);
    config_free(&c);
    free(p);
    /* An explicit file must exist; the default one may not. */
    assert_int_equal(config_load(&c, "/nonexistent/pfhost.conf", err, sizeof(err)), -1);
    config_free(&c);
    assert_int_equal(config_load(&c, NULL, err, sizeof(err)), 0);
    assert_int_equal(c.av1, CONFIG_CODEC_AUTO);
    assert_int_equal(c.hevc, CONFIG_CODEC_AUTO);
    assert_null(c.external_address);
    assert_null(c.vdisplay);
    config_free(&c);
    p = conf("vdisplay = auto\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), 0);
    assert_null(c.vdisplay);
    config_free(&c);
    free(p);
    p = conf("av1 = auto\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), 0);
    assert_int_equal(c.av1, CONFIG_CODEC_AUTO);
    config_free(&c);
    free(p);
    p = conf("av1 = no\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), 0);
    assert_int_equal(c.av1, CONFIG_CODEC_OFF);
    config_free(&c);
    free(p);
}

static char *read_back(const char *path)
{
    char *d = NULL;
    assert_int_equal(file_read(path, 1 << 20, &d, NULL), 0);
    return d;
}

static void client_store_persists(void **state)
{
    client_store s;
    char err[256] = "";
    char *p = path_join(dir, "clients.json");
    assert_int_equal(clients_load(&s, p, err, sizeof(err)), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(clients_add(&s, "00112233aabbccdd", "tv", "-----CERT A-----", 100), 0);
    assert_int_equal(clients_add(&s, "ffeeddccbbaa9988", "phone", "-----CERT B-----", 200), 0);
    clients_touch(&s, "00112233aabbccdd", 300);
    clients_free(&s);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(clients_load(&s, p, err, sizeof(err)), 0);
    assert_int_equal(s.n, 2);
    const paired_client *c = clients_find(&s, "00112233aabbccdd");
    assert_non_null(c);
    assert_string_equal(c->name, "tv");
    assert_string_equal(c->cert_pem, "-----CERT A-----");
    assert_int_equal(c->first_seen, 100);
    assert_int_equal(c->last_seen, 300);
    assert_int_equal(clients_remove(&s, "00112233aabbccdd"), 0);
    assert_int_equal(clients_remove(&s, "00112233aabbccdd"), -ENOENT);
    clients_free(&s);
    assert_int_equal(clients_load(&s, p, err, sizeof(err)), 0);
    assert_int_equal(s.n, 1);
    assert_null(clients_find(&s, "00112233aabbccdd"));
    clients_free(&s);
    /* Audit finding 6: a JSON null for id, name or cert crashed the host at start. Every
     * malformed value is reported with the file and a reason; the last good copy is loaded
     * (nobody is unpaired) and the damaged file kept as clients.json.bad. */
    static const char *const damaged[] = {
        "{garbage",
        "{\"clients\": [{\"id\": null, \"name\": \"tv\", \"cert\": \"-----BEGIN CERTIFICATE-----\"}]}",
        "{\"clients\": [{\"id\": \"00112233aabbccdd\", \"name\": null, \"cert\": "
        "\"-----BEGIN CERTIFICATE-----\"}]}",
        "{\"clients\": [{\"id\": \"00112233aabbccdd\", \"name\": \"tv\", \"cert\": null}]}",
        "{\"clients\": [{\"id\": \"00112233aabbccdd\", \"cert\": \"x\", \"first_seen\": \"soon\"}]}",
        "{\"clients\": [null]}",
        "{\"clients\": [{\"id\": \"00112233AABBCCDZ\", \"cert\": \"-----BEGIN CERTIFICATE-----\"}]}",
    };
    char *bad = path_join(dir, "clients.json.bad");
    for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
        assert_int_equal(file_write_atomic(p, damaged[i], strlen(damaged[i]), 0600), 0);
        err[0] = '\0';
        assert_int_equal(clients_load(&s, p, err, sizeof(err)), 1);
        assert_non_null(strstr(err, "clients.json"));
        assert_non_null(strstr(err, "last good copy"));
        assert_int_equal(s.n, 1);
        assert_non_null(clients_find(&s, "ffeeddccbbaa9988"));
        char *kept = read_back(bad);
        assert_string_equal(kept, damaged[i]);
        free(kept);
        clients_free(&s);
    }
    free(bad);
    free(p);
}

static void client_store_kinds(void **state)
{
    client_store s;
    char err[256] = "", fp[65];
    memset(fp, 'a', 64);
    fp[64] = '\0';
    char *p = path_join(dir, "clients.json");
    /* A store written before kinds existed: its entries are Moonlight clients. */
    static const char old[] = "{\"version\":1,\"clients\":[{\"id\":\"00112233aabbccdd\","
                              "\"name\":\"tv\",\"cert\":\"PEM\",\"first_seen\":1,"
                              "\"last_seen\":2}]}";
    assert_int_equal(file_write_atomic(p, old, sizeof(old) - 1, 0600), 0);
    assert_int_equal(clients_load(&s, p, err, sizeof(err)), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0].kind, CLIENT_MOONLIGHT);
    assert_int_equal(clients_add_native(&s, fp, "phone", 0x01, 10), 0);
    assert_int_equal(clients_add_native(&s, "short", "x", 0xff, 10), -EINVAL);
    clients_free(&s);
    assert_int_equal(clients_load(&s, p, err, sizeof(err)), 0);
    assert_int_equal(s.n, 2);
    const paired_client *c = clients_find(&s, fp);
    assert_non_null(c);
    assert_int_equal(c->kind, CLIENT_NATIVE);
    assert_int_equal(c->grants, 0x01);
    assert_null(c->cert_pem);
    assert_string_equal(c->name, "phone");
    json_object *j = clients_to_json(&s);
    const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
    assert_non_null(strstr(text, "\"kind\":\"native\""));
    assert_non_null(strstr(text, "\"kind\":\"moonlight\""));
    json_object_put(j);
    assert_int_equal(clients_remove(&s, fp), 0);
    clients_free(&s);
    free(p);
}

static void token_and_lockout(void **state)
{
    char *p = path_join(dir, "token");
    char t1[MGMT_TOKEN_HEX + 1], t2[MGMT_TOKEN_HEX + 1];
    assert_int_equal(mgmt_token_load_or_create(p, t1, sizeof(t1), 0), 0);
    assert_int_equal(strlen(t1), MGMT_TOKEN_HEX);
    assert_int_equal(mgmt_token_load_or_create(p, t2, sizeof(t2), 0), 0);
    assert_string_equal(t1, t2);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(p);

    mgmt_auth a = {.limit = {.max_failures = 3, .lockout_ms = 1000}};
    memcpy(a.token, t1, sizeof(t1));
    char good[100], bad[100];
    snprintf(good, sizeof(good), "Bearer %s", t1);
    snprintf(bad, sizeof(bad), "Bearer %s", t1);
    bad[10] = bad[10] == 'a' ? 'b' : 'a';
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", good, 0), AUTH_OK);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", "bearer ", 0), AUTH_WRONG);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", NULL, 0), AUTH_MISSING);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", good, 0), AUTH_OK); /* success resets the count */
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", bad, 10), AUTH_WRONG);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", bad, 20), AUTH_WRONG);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", t1, 30), AUTH_WRONG); /* no "Bearer " */
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", good, 40), AUTH_LOCKED);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", good, 1029), AUTH_LOCKED);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", good, 1030), AUTH_OK);
    /* Failures count per address: a stranger's wrong tokens lock only the stranger out. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(mgmt_auth_check(&a, "10.0.0.66", bad, 2000), AUTH_WRONG);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.66", good, 2001), AUTH_LOCKED);
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.1", good, 2001), AUTH_OK);
    assert_int_equal(mgmt_auth_check(&a, "::1", good, 2001), AUTH_OK);
    /* Many addresses failing cannot push a locked address out before its time... */
    for (int i = 0; i < 3 * MGMT_LIMIT_SLOTS; i++) {
        char addr[32];
        snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 200, i % 200);
        assert_int_equal(mgmt_auth_check(&a, addr, bad, 2100), AUTH_WRONG);
    }
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.66", good, 2200), AUTH_LOCKED);
    /* ...and the lock-out ends. */
    assert_int_equal(mgmt_auth_check(&a, "10.0.0.66", good, 3001), AUTH_OK);

    /* Host names the API is served as; IP literals always; anything else is a rebound name. */
    const char *names[] = {"localhost", "gamebox", "gamebox.local"};
    assert_true(mgmt_host_ok("127.0.0.1:47990", names, 3));
    assert_true(mgmt_host_ok("[::1]:47990", names, 3));
    assert_true(mgmt_host_ok("192.168.1.20", names, 3));
    assert_true(mgmt_host_ok("LOCALHOST:47990", names, 3));
    assert_true(mgmt_host_ok("gamebox.local.:47990", names, 3));
    assert_true(mgmt_host_ok(NULL, names, 3));
    assert_false(mgmt_host_ok("evil.example:47990", names, 3));
    assert_false(mgmt_host_ok("127.0.0.1.evil.example", names, 3));
    assert_false(mgmt_host_ok("gamebox.evil", names, 3));
    assert_false(mgmt_host_ok("[::1", names, 3));
    assert_false(mgmt_host_ok("[evil]:1", names, 3));
    assert_false(mgmt_host_ok("", names, 3));

    assert_true(mgmt_origin_ok(NULL, "127.0.0.1:47990"));
    assert_true(mgmt_origin_ok("http://127.0.0.1:47990", "127.0.0.1:47990"));
    assert_true(mgmt_origin_ok("https://Host.lan:47990", "host.lan:47990"));
    assert_false(mgmt_origin_ok("http://evil.example", "127.0.0.1:47990"));
    assert_false(mgmt_origin_ok("http://127.0.0.1:47991", "127.0.0.1:47990"));
    assert_false(mgmt_origin_ok("null", "127.0.0.1:47990"));
    assert_false(mgmt_origin_ok("http://127.0.0.1:47990", NULL));
}

/* The documented defaults (help.c, hence pfhost(1)) are the ones config_load applies: writing
 * each default into a file changes nothing, and every documented key is accepted. */
static void documented_defaults_are_the_defaults(void **state)
{
    host_config def, c;
    char err[256] = "";
    assert_int_equal(config_load(&def, NULL, err, sizeof(err)), 0);
    for (size_t i = 0; i < help_config_keys_n; i++) {
        const help_config_key *k = &help_config_keys[i];
        char text[256];
        snprintf(text, sizeof(text), "%s = %s\n", k->key,
                 k->default_value ? k->default_value : "/tmp/x");
        char *p = conf(text);
        if (config_load(&c, p, err, sizeof(err)) != 0)
            fail_msg("documented key %s is refused: %s", k->key, err);
        free(p);
        if (!k->default_value) {
            config_free(&c);
            continue;
        }
        /* Strings compare by value, everything else byte for byte (config_load zeroes the
         * struct first, so padding matches too). */
        host_config a = def, b = c;
        char **sa[] = {&a.config_path, &a.config_dir, &a.state_dir, &a.runtime_dir,
                       &a.hostname, &a.address, &a.external_address, &a.api_address,
                       &a.apps_file};
        char **sb[] = {&b.config_path, &b.config_dir, &b.state_dir, &b.runtime_dir,
                       &b.hostname, &b.address, &b.external_address, &b.api_address,
                       &b.apps_file};
        for (size_t j = 1; j < sizeof(sa) / sizeof(sa[0]); j++) {
            if ((*sa[j] == NULL) != (*sb[j] == NULL) || (*sa[j] && strcmp(*sa[j], *sb[j])))
                fail_msg("%s = %s is not the default", k->key, k->default_value);
        }
        for (size_t j = 0; j < sizeof(sa) / sizeof(sa[0]); j++)
            *sa[j] = *sb[j] = NULL;
        if (memcmp(&a, &b, sizeof(a)) != 0)
            fail_msg("%s = %s is not the default", k->key, k->default_value);
        config_free(&c);
    }
    config_free(&def);
    /* An undocumented key is refused like a bad value: the host starts on the last good copy
     * or the defaults, and says why. */
    char *p = conf("no_such_key = 1\n");
    assert_int_equal(config_load(&c, p, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "unknown key"));
    config_free(&c);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(config_values_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(client_store_persists, setup, teardown),
        cmocka_unit_test_setup_teardown(client_store_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(token_and_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(documented_defaults_are_the_defaults, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
