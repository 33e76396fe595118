/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bad input against a running pfhost: malformed and oversized requests, garbage TLS, unknown
 * endpoints, PIN guessing beyond the limit and the management API's access rules. After
 * each, the host must still serve and must not have stored anything. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gs_client.h"
#include "host_proc.h"
#include "httpc.h"

static host_proc host;
static gsc_identity client, guesser;

#define Q "uniqueid=0123456789ABCDEF&uuid=11112222333344445555666677778888"

static int group_setup(void **state)
{
    if (gsc_identity_create(&client) < 0 || gsc_identity_create(&guesser) < 0)
        return -1;
    /* Small limits keep the test short: two failed pairings lock pairing, three wrong API
     * tokens lock the API. */
    if (host_start(&host, "pair_max_failures = 2\npair_lockout = 600\napi_max_failures = 3\n"
                          "api_lockout = 600\npin_wait = 20\n") < 0)
        return -1;
    int check;
    return pair_client(&host, &client, "4711", "4711", "C0FFEE", 0, &check, NULL) == 1 ? 0 : -1;
}

static int group_teardown(void **state)
{
    /* A clean exit on SIGTERM is part of the contract (and where sanitizers report). */
    int st = host_stop(&host);
    host_remove_dir(&host);
    gsc_identity_free(&client);
    gsc_identity_free(&guesser);
    return st == 0 ? 0 : -1;
}

static int status_of(int https, const gsc_identity *id, const char *path)
{
    char *doc = gs_get(&host, https, id, path, NULL, NULL);
    int st = gsc_xml_status(doc);
    free(doc);
    return st;
}

static void still_serving(void)
{
    assert_int_equal(status_of(0, NULL, "/serverinfo?" Q), 200);
    char *doc = gs_get(&host, 1, &client, "/serverinfo?" Q, NULL, NULL);
    char *ps = gsc_xml_get(doc, "PairStatus");
    assert_non_null(ps);
    assert_string_equal(ps, "1");
    free(ps);
    free(doc);
}

static void malformed_and_missing_parameters(void **state)
{
    static const struct {
        int https;
        const char *path;
        int status;
    } cases[] = {
        {0, "/serverinfo?uniqueid=%zz", 400},
        {0, "/serverinfo?a=%00", 400},
        {0, "/pair?" Q "&phrase=getservercert", 400},
        {0, "/pair?phrase=getservercert&salt=00112233445566778899aabbccddeeff", 400},
        {0, "/pair?" Q "&phrase=getservercert&salt=0011&clientcert=41", 400},
        {0, "/pair?" Q "&phrase=getservercert&salt=00112233445566778899aabbccddeeff&"
            "clientcert=2d2d2d2d2d", 400},
        {0, "/pair?" Q "&clientchallenge=00112233445566778899aabbccddeeff", 400},
        {0, "/pair?" Q "&phrase=nonsense", 404},
        {0, "/pair?" Q, 404},
        {1, "/launch?" Q "&mode=1920x1080x60&rikey=00112233445566778899aabbccddeeff&rikeyid=1",
         400},
        {1, "/launch?" Q "&appid=1&rikey=00112233445566778899aabbccddeeff&rikeyid=1", 400},
        {1, "/launch?" Q "&appid=1&mode=1920x1080x60&rikeyid=1", 400},
        {1, "/launch?" Q "&appid=1&mode=1920x1080x60&rikey=0011&rikeyid=1", 400},
        {1, "/launch?" Q "&appid=1&mode=1920x1080x60&rikey=00112233445566778899aabbccddeeff", 400},
        {1, "/launch?" Q "&appid=1&mode=axbxc&rikey=00112233445566778899aabbccddeeff&rikeyid=1",
         400},
        {1, "/launch?" Q "&appid=99&mode=1920x1080x60&rikey=00112233445566778899aabbccddeeff&"
            "rikeyid=1", 404},
        {1, "/resume?" Q "&mode=1920x1080x60&rikey=00112233445566778899aabbccddeeff&rikeyid=1",
         503},
        {1, "/appasset?" Q "&appid=x", 400},
        {1, "/appasset?" Q "&appid=4242", 404},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int st = status_of(cases[i].https, cases[i].https ? &client : NULL, cases[i].path);
        if (st != cases[i].status)
            fail_msg("%s: status %d, want %d", cases[i].path, st, cases[i].status);
    }
    still_serving();
    assert_int_equal(api_count_clients(&host), 1);
}

static void unknown_endpoints_and_methods(void **state)
{
    assert_int_equal(status_of(0, NULL, "/"), 404);
    assert_int_equal(status_of(0, NULL, "/admin?" Q), 404);
    assert_int_equal(status_of(1, &client, "/../../etc/passwd"), 404);
    httpc_response r;
    assert_int_equal(httpc_request("127.0.0.1", host.http, NULL, "POST", "/serverinfo", NULL,
                                   "x=1", 3, 5000, &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_int_equal(gsc_xml_status(r.body), 405);
    free(r.body);
    still_serving();
}

static void oversized_requests(void **state)
{
    size_t n = 64 * 1024;
    char *path = malloc(n + 256);
    strcpy(path, "/serverinfo?" Q "&pad=");
    size_t l = strlen(path);
    memset(path + l, 'a', n);
    path[l + n] = '\0';
    httpc_response r;
    int rc = httpc_request("127.0.0.1", host.http, NULL, "GET", path, NULL, NULL, 0, 5000, &r);
    /* Either an HTTP error from the server (414/431) or a closed connection; never a hang. */
    if (rc == 0) {
        assert_true(r.status >= 400);
        free(r.body);
    }
    /* A query that fits the connection memory but not the parser's limit. */
    path[20000] = '\0';
    rc = httpc_request("127.0.0.1", host.http, NULL, "GET", path, NULL, NULL, 0, 5000, &r);
    if (rc == 0) {
        assert_true(r.status >= 400 || gsc_xml_status(r.body) == 400);
        free(r.body);
    }
    free(path);
    still_serving();
}

static void garbage_tls(void **state)
{
    for (int round = 0; round < 3; round++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(host.https)};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        struct timeval tv = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        char junk[4096];
        for (size_t i = 0; i < sizeof(junk); i++)
            junk[i] = (char)(i * 7 + round);
        if (round == 1)
            memcpy(junk, "GET /serverinfo HTTP/1.1\r\n\r\n", 28); /* plain HTTP on TLS */
        if (round == 2)
            memcpy(junk, "\x16\x03\x01\xff\xff", 5); /* a TLS record header lying about size */
        ssize_t w = send(fd, junk, round == 2 ? 5 : sizeof(junk), MSG_NOSIGNAL);
        assert_true(w > 0);
        if (round == 2)
            shutdown(fd, SHUT_WR);
        char buf[256];
        while (recv(fd, buf, sizeof(buf), 0) > 0)
            ;
        close(fd);
    }
    still_serving();
}

static void pin_guessing_is_limited(void **state)
{
    int before = api_count_clients(&host), check;
    for (int i = 0; i < 2; i++) {
        char pin[8];
        snprintf(pin, sizeof(pin), "%04d", 1000 + i);
        assert_int_equal(pair_client(&host, &guesser, "9999", pin, "GUESS", 0, &check, NULL), 0);
        assert_int_equal(check, GSC_WRONG_PIN);
    }
    /* Locked: new attempts are refused at once and no PIN is accepted. */
    gsc_pair p;
    gsc_pair_init(&p, &guesser, "9999", "GUESS");
    char *path = gsc_pair_phase1(&p);
    char *doc = gs_get(&host, 0, NULL, path, NULL, NULL);
    free(path);
    assert_int_equal(gsc_xml_status(doc), 503);
    char *paired = gsc_xml_get(doc, "paired");
    assert_string_equal(paired, "0");
    free(paired);
    free(doc);
    gsc_pair_free(&p);
    char *body = NULL;
    assert_int_equal(api_call(&host, "POST", "/api/v1/pin", "{\"pin\":\"9999\"}", NULL, &body),
                     429);
    assert_non_null(strstr(body, "locked"));
    free(body);
    const char *cli[] = {"pin", "9999", NULL};
    assert_int_equal(run_cli(&host, NULL, cli), 1);
    assert_int_equal(api_count_clients(&host), before);
    still_serving();
}

static int raw_api(const char *method, const char *path, const char *headers, const char *body,
                   char **ret)
{
    httpc_response r;
    if (httpc_request("127.0.0.1", host.api, NULL, method, path, headers, body,
                      body ? strlen(body) : 0, 5000, &r) < 0)
        return -1;
    if (ret)
        *ret = r.body;
    else
        free(r.body);
    return r.status;
}

static void api_access_rules(void **state)
{
    char hdr[256];
    /* Malformed requests with the right token. */
    assert_int_equal(api_call(&host, "GET", "/api/v1/nothing", NULL, NULL, NULL), 404);
    assert_int_equal(api_call(&host, "PATCH", "/api/v1/apps", NULL, NULL, NULL), 405);
    assert_int_equal(api_call(&host, "POST", "/api/v1/pin", "{not json", NULL, NULL), 400);
    assert_int_equal(api_call(&host, "POST", "/api/v1/pin", "{\"pin\":\"12a4\"}", NULL, NULL), 400);
    assert_int_equal(api_call(&host, "POST", "/api/v1/apps", "{\"cmd\":\"x\"}", NULL, NULL), 400);
    assert_int_equal(api_call(&host, "PUT", "/api/v1/apps/abc", "{\"name\":\"x\"}", NULL, NULL),
                     400);
    assert_int_equal(api_call(&host, "DELETE", "/api/v1/clients/0000000000000000", NULL, NULL,
                              NULL),
                     404);
    assert_int_equal(api_call(&host, "DELETE", "/api/v1/sessions/77", NULL, NULL, NULL), 404);
    char *big = malloc(200 * 1024);
    memset(big, ' ', 200 * 1024 - 1);
    big[200 * 1024 - 1] = '\0';
    int st = api_call(&host, "POST", "/api/v1/apps", big, NULL, NULL);
    assert_true(st == 413 || st == -1);
    free(big);
    /* A page from another origin is refused even with the token (CSRF). */
    assert_int_equal(api_call(&host, "GET", "/api/v1/status", NULL, "Origin: http://evil.example\r\n",
                              NULL),
                     403);
    snprintf(hdr, sizeof(hdr), "Origin: http://127.0.0.1:%u\r\n", host.api);
    assert_int_equal(api_call(&host, "GET", "/api/v1/status", NULL, hdr, NULL), 200);
    /* No token, then wrong tokens until the lock-out; then even the right one waits. */
    assert_int_equal(raw_api("GET", "/api/v1/status", NULL, NULL, NULL), 401);
    char wrong[128];
    snprintf(wrong, sizeof(wrong), "Authorization: Bearer %.63s0\r\n", host.token);
    if (host.token[63] == '0')
        wrong[strlen("Authorization: Bearer ") + 63] = '1';
    assert_int_equal(raw_api("GET", "/api/v1/status", wrong, NULL, NULL), 401);
    assert_int_equal(raw_api("GET", "/api/v1/status", "Authorization: Basic Zm9vOmJhcg==\r\n",
                             NULL, NULL),
                     401);
    assert_int_equal(raw_api("GET", "/api/v1/status", wrong, NULL, NULL), 401);
    char *body = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/status", NULL, NULL, &body), 429);
    assert_non_null(strstr(body, "too many wrong tokens"));
    free(body);
    assert_int_equal(raw_api("GET", "/api/v1/status", wrong, NULL, NULL), 429);
    /* The GameStream side is unaffected. */
    still_serving();
}

/* Bound beyond loopback, the management API speaks HTTPS only, with the host certificate. */
static void api_off_loopback_is_https_only(void **state)
{
    host_proc h2 = {0};
    assert_int_equal(host_start(&h2, "api_address = 0.0.0.0\n"), 0);
    assert_true(h2.api_tls);
    char path[512], hdr[160];
    snprintf(path, sizeof(path), "%s/state/pfhost/cert.pem", h2.dir);
    char *cert = read_text_file(path);
    assert_non_null(cert);
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", h2.token);
    httpc_response r;
    int rc = httpc_request("127.0.0.1", h2.api, NULL, "GET", "/api/v1/status", hdr, NULL, 0,
                           5000, &r);
    assert_true(rc < 0 || r.status != 200);
    if (rc == 0)
        free(r.body);
    httpc_tls tls = {.pinned_cert_pem = cert};
    assert_int_equal(httpc_request("127.0.0.1", h2.api, &tls, "GET", "/api/v1/status", hdr, NULL,
                                   0, 5000, &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"uniqueid\""));
    free(r.body);
    free(tls.server_der);
    /* The command line finds it through the runtime file and pins the host certificate. */
    const char *list[] = {"clients", "list", NULL};
    char *out = NULL;
    assert_int_equal(run_cli(&h2, &out, list), 0);
    assert_non_null(strstr(out, "no paired clients"));
    free(out);
    free(cert);
    assert_int_equal(host_stop(&h2), 0);
    host_remove_dir(&h2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_and_missing_parameters),
        cmocka_unit_test(unknown_endpoints_and_methods),
        cmocka_unit_test(oversized_requests),
        cmocka_unit_test(garbage_tls),
        cmocka_unit_test(pin_guessing_is_limited),
        cmocka_unit_test(api_access_rules),
        cmocka_unit_test(api_off_loopback_is_https_only),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
