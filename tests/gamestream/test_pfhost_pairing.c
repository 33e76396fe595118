/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pairing against a hostile LAN peer, end to end: a running pfhost, a real client and an
 * attacker on another loopback address (127.0.0.2) with raw sockets. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gs_client.h"
#include "host_proc.h"

static host_proc host;
static gsc_identity real_id, evil_id;

static void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int group_setup(void **state)
{
    if (gsc_identity_create(&real_id) || gsc_identity_create(&evil_id))
        return -1;
    return host_start(&host, "pin_wait = 30\n");
}

static int group_teardown(void **state)
{
    int st = host_stop(&host);
    host_remove_dir(&host);
    gsc_identity_free(&real_id);
    gsc_identity_free(&evil_id);
    return st == 0 ? 0 : -1;
}

/* A plain HTTP GET from source address @p src; returns the connected socket (the reply is
 * read later, or never). */
static int raw_get_from(const char *src, uint16_t port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    a.sin_port = htons(port);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    char req[8192];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    return fd;
}

/* Reads what arrives within @p ms; returns a NUL-terminated buffer (caller frees). */
static char *read_reply(int fd, int ms)
{
    char *buf = calloc(1, 65536);
    size_t len = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (len < 65535 && poll(&p, 1, ms) > 0) {
        ssize_t k = read(fd, buf + len, 65535 - len);
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    return buf;
}

static int evil_phase1_from(const char *src, const char *uniqueid)
{
    gsc_pair p;
    gsc_pair_init(&p, &evil_id, "0000", uniqueid);
    char *path = gsc_pair_phase1(&p);
    int fd = raw_get_from(src, host.http, path);
    free(path);
    gsc_pair_free(&p);
    return fd;
}

static int evil_phase1(const char *uniqueid)
{
    return evil_phase1_from("127.0.0.2", uniqueid);
}

static int wait_waiting(int n)
{
    for (int i = 0; i < 400; i++) {
        if (api_pairing_waiting(&host) == n)
            return 0;
        msleep(25);
    }
    return -1;
}

/* Audit finding 1: the attacker opens two attempts before the real client; the user types
 * the client's PIN. It used to go to the attacker's oldest attempt, and typed again to its
 * second. Now a PIN without a chosen attempt is refused while several wait, the list shows
 * who waits, and a PIN once given is refused for every other attempt. */
static void pin_takeover_refused(void **state)
{
    int e1 = evil_phase1("EVIL0001"), e2 = evil_phase1("EVIL0002");
    assert_int_equal(wait_waiting(2), 0);
    pair_run real;
    assert_int_equal(pair_start(&host, &real, &real_id, "4711", "0123456789ABCDEF"), 0);
    assert_int_equal(wait_waiting(3), 0);

    char *body = NULL;
    assert_int_equal(api_call(&host, "POST", "/api/v1/pin", "{\"pin\":\"4711\"}", NULL, &body),
                     409);
    assert_non_null(strstr(body, "attempt"));
    free(body);
    assert_int_equal(api_call(&host, "GET", "/api/v1/pairing", NULL, NULL, &body), 200);
    /* oldest first: both of the attacker's, then the client */
    const char *first = strstr(body, "127.0.0.2"), *last = strstr(body, "127.0.0.1");
    assert_non_null(first);
    assert_non_null(last);
    assert_true(first < last);
    assert_non_null(strstr(body, "\"name\":\"roth\""));
    assert_non_null(strstr(body, "\"age_s\":"));
    free(body);

    /* The user picks an attacker's attempt by mistake once: its PIN is then burnt. */
    char evil_attempt[32], real_attempt[32], other_evil[32];
    assert_int_equal(api_attempt_id(&host, 0, evil_attempt, sizeof(evil_attempt)), 0);
    assert_int_equal(api_attempt_id(&host, 1, other_evil, sizeof(other_evil)), 0);
    assert_int_equal(api_attempt_id(&host, 2, real_attempt, sizeof(real_attempt)), 0);
    assert_int_equal(enter_pin_for(&host, "4711", evil_attempt, 0), 0);
    char *reply = read_reply(e1, 5000);
    assert_non_null(strstr(reply, "plaincert"));
    free(reply);
    char pinbody[128];
    snprintf(pinbody, sizeof(pinbody), "{\"pin\":\"4711\",\"attempt\":\"%s\"}", other_evil);
    assert_int_equal(api_call(&host, "POST", "/api/v1/pin", pinbody, NULL, &body), 409);
    assert_non_null(strstr(body, "already"));
    free(body);
    snprintf(pinbody, sizeof(pinbody), "{\"pin\":\"4711\",\"attempt\":\"%s\"}", real_attempt);
    assert_int_equal(api_call(&host, "POST", "/api/v1/pin", pinbody, NULL, NULL), 409);
    assert_int_equal(api_call(&host, "POST", "/api/v1/pin",
                              "{\"pin\":\"4712\",\"attempt\":\"nosuch\"}", NULL, NULL),
                     404);

    /* The client gives up (its PIN is burnt), restarts and shows a new PIN; the attacker's
     * other attempt still waits, so the user picks the client's new attempt. */
    assert_int_equal(enter_pin_for(&host, "4711", real_attempt, 1), -1);
    free(gs_get(&host, 0, NULL, "/unpair?uniqueid=0123456789ABCDEF", NULL, NULL));
    int check;
    assert_int_equal(pair_finish(&real, &check, NULL), -1);
    assert_int_equal(wait_waiting(1), 0);
    assert_int_equal(pair_start(&host, &real, &real_id, "5711", "0123456789ABCDEF"), 0);
    assert_int_equal(wait_waiting(2), 0);
    assert_int_equal(api_attempt_id(&host, 1, real_attempt, sizeof(real_attempt)), 0);
    assert_int_equal(enter_pin_for(&host, "5711", real_attempt, 1), 0);
    assert_int_equal(pair_finish(&real, &check, NULL), 1);
    assert_int_equal(check, GSC_OK);
    reply = read_reply(e2, 200);
    assert_null(strstr(reply, "plaincert"));
    free(reply);
    close(e1);
    close(e2);
    assert_int_equal(wait_waiting(0), 0);
}

/* Audit finding 2: one peer held all eight slots, so the real client got 503. */
static void slots_limited_per_address(void **state)
{
    int fds[8];
    for (int i = 0; i < 8; i++) {
        char uid[16];
        snprintf(uid, sizeof(uid), "SLOT%04d", i);
        fds[i] = evil_phase1_from("127.0.0.3", uid);
    }
    /* Two wait; the others are answered at once with 503. */
    assert_int_equal(wait_waiting(2), 0);
    int refused = 0;
    for (int i = 0; i < 8; i++) {
        char *r = read_reply(fds[i], i < 2 ? 50 : 3000);
        refused += strstr(r, "status_code=\"503\"") != NULL;
        free(r);
    }
    assert_int_equal(refused, 6);
    pair_run real;
    assert_int_equal(pair_start(&host, &real, &real_id, "2468", "0123456789ABCDEF"), 0);
    assert_int_equal(wait_waiting(3), 0);
    /* Audit finding 2: an attempt whose connection closed kept its slot and could take the
     * next PIN. The attacker hangs up; its attempts go away and the client's is alone. */
    for (int i = 0; i < 8; i++)
        close(fds[i]);
    assert_int_equal(wait_waiting(1), 0);
    assert_int_equal(enter_pin(&host, "2468", 0), 0);
    int check;
    assert_int_equal(pair_finish(&real, &check, NULL), 1);
}

/* Audit finding 10: phase 1 over HTTPS (a paired client pairing again) was never answered
 * after the PIN arrived. */
typedef struct https_phase1 {
    gsc_pair p;
    char *reply;
} https_phase1;

static void *https_phase1_thread(void *arg)
{
    https_phase1 *j = arg;
    char *path = gsc_pair_phase1(&j->p);
    j->reply = gs_get(&host, 1, &real_id, path, NULL, NULL);
    free(path);
    return NULL;
}

static void phase1_over_https_answered(void **state)
{
    https_phase1 j = {0};
    gsc_pair_init(&j.p, &real_id, "1357", "0123456789ABCDEF");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, https_phase1_thread, &j), 0);
    assert_int_equal(wait_waiting(1), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(enter_pin(&host, "1357", 0), 0);
    pthread_join(t, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_non_null(j.reply);
    assert_int_equal(gsc_pair_phase1_reply(&j.p, j.reply), GSC_OK);
    /* answered at once, not when some later event happens to run the HTTPS engine */
    assert_true(s < 5.0);
    free(j.reply);
    gsc_pair_free(&j.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pin_takeover_refused),
        cmocka_unit_test(slots_limited_per_address),
        cmocka_unit_test(phase1_over_https_answered),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
