/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pfhost end to end, as a Moonlight client sees it: real sockets, real TLS, pfhost as a
 * subprocess with its own XDG directories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "gs_client.h"
#include "host_proc.h"

static host_proc host;
static gsc_identity client_a, client_b, client_c, client_d, stranger;
static char work[64];
static char *a_server_pem;
static char *first_uniqueid;

#define Q "uniqueid=0123456789ABCDEF&uuid=11112222333344445555666677778888"

static char *xml_field(const char *doc, const char *tag)
{
    char *v = gsc_xml_get(doc, tag);
    assert_non_null(v);
    return v;
}

static void assert_field(const char *doc, const char *tag, const char *want)
{
    char *v = xml_field(doc, tag);
    assert_string_equal(v, want);
    free(v);
}

static int group_setup(void **state)
{
    snprintf(work, sizeof(work), "/tmp/pfhost-apps-XXXXXX");
    if (!mkdtemp(work))
        return -1;
    char apps[256], conf[512];
    snprintf(apps, sizeof(apps), "%s/apps.json", work);
    FILE *f = fopen(apps, "w");
    if (!f)
        return -1;
    /* Sunshine's apps.json format, unchanged. */
    fprintf(f,
            "{\"env\": {}, \"apps\": [{\"name\": \"Desktop\", \"image-path\": \"desktop.png\"},\n"
            " {\"name\": \"Marker\", \"cmd\": \"sleep 30\", \"detached\": [],\n"
            "  \"prep-cmd\": [{\"do\": \"echo $SUNSHINE_CLIENT_WIDTH $SUNSHINE_CLIENT_HEIGHT "
            "$SUNSHINE_CLIENT_FPS $PF_CLIENT_HDR > %s/prep.txt\",\n"
            "                \"undo\": \"touch %s/undo.txt\", \"elevated\": false}],\n"
            "  \"working-dir\": \"%s\"},\n"
            " {\"name\": \"Quick\", \"cmd\": \"sleep 0.3\"}]}\n",
            work, work, work);
    fclose(f);
    snprintf(conf, sizeof(conf), "apps = %s\npin_wait = 20\nexternal_address = 203.0.113.7\n",
             apps);
    if (gsc_identity_create(&client_a) || gsc_identity_create(&client_b) ||
        gsc_identity_create(&client_c) || gsc_identity_create(&stranger))
        return -1;
    char *cert = NULL, *key = NULL, path[4096];
    snprintf(path, sizeof(path), "%s/tests/gamestream/data/serial0-client-cert.pem",
             getenv("PF_SOURCE_ROOT"));
    cert = read_text_file(path);
    snprintf(path, sizeof(path), "%s/tests/gamestream/data/serial0-client-key.pem",
             getenv("PF_SOURCE_ROOT"));
    key = read_text_file(path);
    int r = cert && key ? gsc_identity_load(&client_d, cert, key) : -1;
    free(cert);
    free(key);
    if (r < 0)
        return -1;
    return host_start(&host, conf);
}

static int group_teardown(void **state)
{
    /* A clean exit on SIGTERM is part of the contract (and where sanitizers report). */
    int st = host_stop(&host);
    host_remove_dir(&host);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
    if (strncmp(work, "/tmp/pfhost-apps-", 17) == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", work);
    gsc_identity_free(&client_a);
    gsc_identity_free(&client_b);
    gsc_identity_free(&client_c);
    gsc_identity_free(&client_d);
    gsc_identity_free(&stranger);
    free(a_server_pem);
    free(first_uniqueid);
    return st == 0 ? 0 : -1;
}

static void serverinfo_over_http(void **state)
{
    char *doc = gs_get(&host, 0, NULL, "/serverinfo?" Q, NULL, NULL);
    assert_non_null(doc);
    assert_int_equal(gsc_xml_status(doc), 200);
    assert_field(doc, "appversion", "7.1.431.-1");
    assert_field(doc, "GfeVersion", "3.23.0.74");
    assert_field(doc, "hostname", "pf-test");
    assert_field(doc, "PairStatus", "0");
    assert_field(doc, "currentgame", "0");
    assert_field(doc, "state", "SUNSHINE_SERVER_FREE");
    /* hevc = auto: offered exactly when no log line says only the CPU has it, and
     * MaxLumaPixelsHEVC goes with it. */
    char *modes = xml_field(doc, "ServerCodecModeSupport"), log_path[512];
    snprintf(log_path, sizeof(log_path), "%s/host.log", host.dir);
    char *log = read_text_file(log_path);
    assert_non_null(log);
    int hevc = !strstr(log, "hevc is not offered: only the CPU encoder");
    assert_int_equal(strtoul(modes, NULL, 10) & 0x101u, hevc ? 0x101u : 0x1u);
    assert_field(doc, "MaxLumaPixelsHEVC", hevc ? "1869449984" : "0");
    free(log);
    free(modes);
    assert_field(doc, "LocalIP", "127.0.0.1");
    assert_field(doc, "ExternalIP", "203.0.113.7");
    assert_field(doc, "mac", "00:00:00:00:00:00");
    char port[8];
    snprintf(port, sizeof(port), "%u", host.https);
    assert_field(doc, "HttpsPort", port);
    snprintf(port, sizeof(port), "%u", host.http);
    assert_field(doc, "ExternalPort", port);
    first_uniqueid = xml_field(doc, "uniqueid");
    assert_int_equal(strlen(first_uniqueid), 36);
    free(doc);
}

static void pair_then_list_launch_cancel(void **state)
{
    int check;
    assert_int_equal(pair_client(&host, &client_a, "1234", "1234", "0123456789ABCDEF", 0, &check,
                                 &a_server_pem),
                     1);
    assert_int_equal(check, GSC_OK);

    char *doc = gs_get(&host, 1, &client_a, "/serverinfo?" Q, NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 200);
    assert_field(doc, "PairStatus", "1");
    /* av1 = auto: AV1 is offered exactly when no log line says only the CPU has it. */
    char *modes = gsc_xml_get(doc, "ServerCodecModeSupport"), log_path[512];
    assert_non_null(modes);
    snprintf(log_path, sizeof(log_path), "%s/host.log", host.dir);
    char *log = read_text_file(log_path);
    assert_non_null(log);
    assert_int_equal(!!(strtoul(modes, NULL, 10) & 0x10000u),
                     !strstr(log, "av1 is not offered: only the CPU encoder"));
    free(log);
    free(modes);
    free(doc);

    doc = gs_get(&host, 1, &client_a, "/applist?" Q, NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 200);
    assert_non_null(strstr(doc, "<App><IsHdrSupported>0</IsHdrSupported><AppTitle>Desktop"
                                "</AppTitle><ID>1</ID></App>"));
    assert_non_null(strstr(doc, "<AppTitle>Marker</AppTitle><ID>2</ID>"));
    free(doc);

    doc = gs_get(&host, 1, &client_a, "/appasset?" Q "&appid=1&AssetType=2&AssetIdx=0", NULL,
                 NULL);
    assert_non_null(doc);
    assert_memory_equal(doc, "\x89PNG\r\n\x1a\n", 8);
    free(doc);

    doc = gs_get(&host, 1, &client_a,
                 "/launch?" Q "&appid=2&mode=1280x720x120&additionalStates=1&sops=0&rikey="
                 "00112233445566778899aabbccddeeff&rikeyid=-5&localAudioPlayMode=0&"
                 "surroundAudioInfo=196610&remoteControllersBitmap=1&gcmap=1&gcpersist=0&corever=1",
                 NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 200);
    /* The address the client connected to and the RTSP port the host advertises. */
    char *status = NULL, url[64];
    assert_int_equal(api_call(&host, "GET", "/api/v1/status", NULL, NULL, &status), 200);
    const char *rp = strstr(status, "\"rtsp\":");
    assert_non_null(rp);
    /* corever=1: the client seals its RTSP (§4.8). */
    snprintf(url, sizeof(url), "rtspenc://127.0.0.1:%d", atoi(rp + 7));
    free(status);
    assert_field(doc, "sessionUrl0", url);
    assert_field(doc, "gamesession", "1");
    free(doc);

    /* The prep command ran with the client's mode in its environment. */
    char path[128];
    snprintf(path, sizeof(path), "%s/prep.txt", work);
    char *prep = read_text_file(path);
    assert_non_null(prep);
    assert_string_equal(prep, "1280 720 120 0\n");
    free(prep);

    doc = gs_get(&host, 1, &client_a, "/serverinfo?" Q, NULL, NULL);
    assert_field(doc, "state", "SUNSHINE_SERVER_BUSY");
    assert_field(doc, "currentgame", "2");
    free(doc);

    char *body = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/sessions", NULL, NULL, &body), 200);
    assert_non_null(strstr(body, "\"app_id\":2"));
    assert_non_null(strstr(body, "\"width\":1280"));
    assert_null(strstr(body, "rikey")); /* the session key never leaves the host */
    free(body);

    /* A second launch while an app runs is refused; resume joins it. */
    doc = gs_get(&host, 1, &client_a,
                 "/launch?" Q "&appid=1&mode=1920x1080x60&rikey=00112233445566778899aabbccddeeff"
                 "&rikeyid=1",
                 NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    doc = gs_get(&host, 1, &client_a,
                 "/resume?" Q "&mode=1920x1080x60&rikey=00112233445566778899AABBCCDDEEFF&rikeyid=7",
                 NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 200);
    assert_field(doc, "resume", "1");
    free(doc);

    doc = gs_get(&host, 1, &client_a, "/cancel?" Q, NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 200);
    assert_field(doc, "cancel", "1");
    free(doc);
    snprintf(path, sizeof(path), "%s/undo.txt", work);
    assert_int_equal(access(path, F_OK), 0);
    doc = gs_get(&host, 1, &client_a, "/serverinfo?" Q, NULL, NULL);
    assert_field(doc, "state", "SUNSHINE_SERVER_FREE");
    assert_field(doc, "currentgame", "0");
    free(doc);
    assert_int_equal(api_call(&host, "GET", "/api/v1/sessions", NULL, NULL, &body), 200);
    assert_string_equal(body, "{\"sessions\":[]}");
    free(body);
}

/* An app that exits on its own ends its sessions and frees the host (§10.3). */
static void app_exit_frees_host(void **state)
{
    char *doc = gs_get(&host, 1, &client_a,
                       "/launch?" Q "&appid=3&mode=1920x1080x60&rikey="
                       "00112233445566778899aabbccddeeff&rikeyid=3",
                       NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 200);
    free(doc);
    int busy = 1;
    for (int i = 0; i < 100 && busy; i++) {
        doc = gs_get(&host, 1, &client_a, "/serverinfo?" Q, NULL, NULL);
        char *state_v = xml_field(doc, "state");
        busy = strcmp(state_v, "SUNSHINE_SERVER_FREE") != 0;
        free(state_v);
        free(doc);
        if (busy) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    assert_false(busy);
    char *body = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/sessions", NULL, NULL, &body), 200);
    assert_string_equal(body, "{\"sessions\":[]}");
    free(body);
}

static void wrong_pin_stores_nothing(void **state)
{
    int before = api_count_clients(&host), check;
    assert_int_equal(pair_client(&host, &client_b, "1234", "4321", "0123456789ABCDEF", 1, &check,
                                 NULL),
                     0);
    assert_int_equal(check, GSC_WRONG_PIN);
    assert_int_equal(api_count_clients(&host), before);
    char *doc = gs_get(&host, 1, &client_b, "/serverinfo?" Q, NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 401);
    free(doc);
}

static void unpaired_certificates_rejected(void **state)
{
    static const char *const paths[] = {"/serverinfo?" Q, "/applist?" Q,
                                        "/launch?" Q "&appid=1&mode=1920x1080x60&rikey="
                                        "00112233445566778899aabbccddeeff&rikeyid=1",
                                        "/cancel?" Q, "/pair?" Q "&phrase=pairchallenge"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        char *doc = gs_get(&host, 1, &stranger, paths[i], NULL, NULL);
        assert_int_equal(gsc_xml_status(doc), 401);
        free(doc);
        doc = gs_get(&host, 1, NULL, paths[i], NULL, NULL);
        assert_int_equal(gsc_xml_status(doc), 401);
        free(doc);
    }
    /* HTTPS-only endpoints are not served over HTTP, whoever asks. */
    char *doc = gs_get(&host, 0, NULL, "/applist?" Q, NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 404);
    free(doc);
}

static void concurrent_pairings(void **state)
{
    /* Two clients wait in phase 1 at the same time; a PIN without a chosen attempt is then
     * refused, and each PIN goes to the attempt picked from the list (oldest first). */
    int before = api_count_clients(&host), check_c, check_d;
    pair_run c, d;
    int waiting = api_pairing_waiting(&host);
    assert_int_equal(pair_start(&host, &c, &client_c, "1111", "0123456789ABCDEF"), 0);
    assert_int_equal(wait_pairing_waiting(&host, waiting + 1), 0);
    /* moonlight-embedded sends this constant uniqueid from every machine; here both come
     * from 127.0.0.1, so the second uses another id to be a distinct attempt. */
    assert_int_equal(pair_start(&host, &d, &client_d, "2222", "FEDCBA9876543210"), 0);
    assert_int_equal(wait_pairing_waiting(&host, waiting + 2), 0);
    assert_int_equal(enter_pin(&host, "1111", 0), -1);
    assert_int_equal(enter_pin(&host, "1111", 1), -1);
    char id_c[32], id_d[32];
    assert_int_equal(api_attempt_id(&host, waiting, id_c, sizeof(id_c)), 0);
    assert_int_equal(api_attempt_id(&host, waiting + 1, id_d, sizeof(id_d)), 0);
    assert_string_not_equal(id_c, id_d);
    char *out = NULL;
    const char *list[] = {"pin", NULL};
    assert_int_equal(run_cli(&host, &out, list), 0);
    assert_non_null(strstr(out, id_c));
    assert_non_null(strstr(out, id_d));
    assert_non_null(strstr(out, "roth"));
    assert_non_null(strstr(out, "127.0.0.1"));
    free(out);
    assert_int_equal(enter_pin_for(&host, "2222", id_d, 1), 0);
    assert_int_equal(enter_pin_for(&host, "1111", id_c, 0), 0);
    assert_int_equal(pair_finish(&c, &check_c, NULL), 1);
    assert_int_equal(pair_finish(&d, &check_d, NULL), 1);
    assert_int_equal(check_c, GSC_OK);
    assert_int_equal(check_d, GSC_OK);
    assert_int_equal(api_count_clients(&host), before + 2);
}

static void unpair_by_cli(void **state)
{
    char *out = NULL;
    const char *list[] = {"clients", "list", NULL};
    assert_int_equal(run_cli(&host, &out, list), 0);
    char *doc = gs_get(&host, 1, &client_d, "/serverinfo?" Q, NULL, NULL);
    assert_field(doc, "PairStatus", "1");
    free(doc);
    /* The id is derived from the certificate: first 8 bytes of SHA-256 of its DER. */
    uint8_t der[8192];
    size_t dl = sizeof(der);
    assert_int_equal(gnutls_x509_crt_export(client_d.crt, GNUTLS_X509_FMT_DER, der, &dl), 0);
    uint8_t h[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, der, dl, h);
    char id[17];
    for (int i = 0; i < 8; i++)
        snprintf(id + 2 * i, 3, "%02x", h[i]);
    assert_non_null(strstr(out, id));
    free(out);
    const char *unpair[] = {"clients", "unpair", id, NULL};
    assert_int_equal(run_cli(&host, &out, unpair), 0);
    free(out);
    doc = gs_get(&host, 1, &client_d, "/serverinfo?" Q, NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 401);
    free(doc);
    doc = gs_get(&host, 1, &client_c, "/serverinfo?" Q, NULL, NULL);
    assert_field(doc, "PairStatus", "1");
    free(doc);
    assert_int_equal(run_cli(&host, NULL, unpair), 1); /* already gone */
}

static void restart_keeps_identity_and_pairings(void **state)
{
    assert_int_equal(host_stop(&host), 0);
    assert_int_equal(host_start(&host, NULL), 0);
    char *doc = gs_get(&host, 0, NULL, "/serverinfo?" Q, NULL, NULL);
    assert_field(doc, "uniqueid", first_uniqueid);
    free(doc);
    uint8_t *der = NULL;
    size_t dl = 0;
    doc = gs_get(&host, 1, &client_a, "/serverinfo?" Q, &der, &dl);
    assert_field(doc, "PairStatus", "1");
    free(doc);
    /* The HTTPS certificate is the one pinned at pairing (plaincert), byte for byte. */
    gnutls_x509_crt_t crt;
    gnutls_datum_t pd = {(unsigned char *)a_server_pem, (unsigned)strlen(a_server_pem)};
    uint8_t pinned[8192];
    size_t pl = sizeof(pinned);
    assert_int_equal(gnutls_x509_crt_init(&crt), 0);
    assert_int_equal(gnutls_x509_crt_import(crt, &pd, GNUTLS_X509_FMT_PEM), 0);
    assert_int_equal(gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_DER, pinned, &pl), 0);
    gnutls_x509_crt_deinit(crt);
    assert_int_equal(pl, dl);
    assert_memory_equal(pinned, der, dl);
    free(der);
    doc = gs_get(&host, 1, &client_d, "/serverinfo?" Q, NULL, NULL);
    assert_int_equal(gsc_xml_status(doc), 401);
    free(doc);
    /* Key material stays private. */
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/state/pfhost/key.pem", host.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof(path), "%s/config/pfhost/api-token", host.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void command_line(void **state)
{
    char *out = NULL;
    const char *version[] = {"--version", NULL};
    assert_int_equal(run_cli(&host, &out, version), 0);
    assert_non_null(strstr(out, "libpfnet "));
    assert_non_null(strstr(out, "libpfcore "));
    assert_non_null(strstr(out, "libmicrohttpd "));
    free(out);
    const char *help[] = {"clients", "--help", NULL};
    assert_int_equal(run_cli(&host, &out, help), 0);
    assert_non_null(strstr(out, "pfhost clients unpair ID"));
    free(out);
    const char *bad_pin[] = {"pin", "12", NULL};
    assert_int_equal(run_cli(&host, NULL, bad_pin), 2);
    const char *bogus[] = {"frobnicate", NULL};
    assert_int_equal(run_cli(&host, NULL, bogus), 2);
    const char *apps[] = {"apps", "list", NULL};
    assert_int_equal(run_cli(&host, &out, apps), 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serverinfo_over_http),
        cmocka_unit_test(pair_then_list_launch_cancel),
        cmocka_unit_test(app_exit_frees_host),
        cmocka_unit_test(wrong_pin_stores_nothing),
        cmocka_unit_test(unpaired_certificates_rejected),
        cmocka_unit_test(concurrent_pairings),
        cmocka_unit_test(unpair_by_cli),
        cmocka_unit_test(restart_keeps_identity_and_pairings),
        cmocka_unit_test(command_line),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
