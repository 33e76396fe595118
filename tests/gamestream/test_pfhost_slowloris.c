/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Slow clients against every TCP service of a running pfhost: from 127.0.0.2 an attacker
 * opens many connections to the GameStream HTTP and HTTPS ports, RTSP and the management API
 * and trickles a byte now and then (plaintext headers; a TLS record that never completes).
 * Meanwhile a legitimate client on 127.0.0.1 keeps asking, and must be answered each time in
 * bounded time; and the trickling connections must be closed by the absolute request
 * deadline, which activity does not extend. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gs_client.h"
#include "host_proc.h"

#define SLOW_PER_PORT 100
#define NPORTS 4
/* The host's absolute request deadline is 10 s (RTSP: 5 s); the check waits a little more. */
#define DEADLINE_CHECK_S 14.0
/* Generous: two busy cores, sanitizers. Without the defences, requests are refused or wait
 * for the whole attack. */
#define MAX_LATENCY_S 3.0

static host_proc host;
static gsc_identity stranger;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int group_setup(void **state)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
        rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (gsc_identity_create(&stranger))
        return -1;
    return host_start(&host, NULL);
}

static int group_teardown(void **state)
{
    int st = host_stop(&host);
    host_remove_dir(&host);
    gsc_identity_free(&stranger);
    return st == 0 ? 0 : -1;
}

static int connect_from(const char *src, uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        goto fail;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    a.sin_port = htons(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        goto fail;
    return fd;
fail:
    close(fd);
    return -1;
}

/* 1 while the host has not closed @p fd. */
static int still_open(int fd)
{
    char b[256];
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return 1;
    ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
    return n > 0 || (n < 0 && errno == EAGAIN);
}

static int api_rtsp_port(void)
{
    char *body = NULL;
    int port = -1;
    if (api_call(&host, "GET", "/api/v1/status", NULL, NULL, &body) == 200 && body) {
        const char *p = strstr(body, "\"rtsp\":");
        if (p)
            port = atoi(p + 7);
    }
    free(body);
    return port;
}

static int rtsp_options_ok(uint16_t port)
{
    int fd = connect_from("127.0.0.1", port);
    if (fd < 0)
        return 0;
    static const char req[] = "OPTIONS rtsp://127.0.0.1 RTSP/1.0\r\nCSeq: 1\r\n\r\n";
    int ok = 0;
    if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof(req) - 1)) {
        char buf[512] = "";
        size_t got = 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while (got < sizeof(buf) - 1 && poll(&p, 1, 5000) > 0) {
            ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        buf[got] = '\0';
        ok = strncmp(buf, "RTSP/1.0 200", 12) == 0;
    }
    close(fd);
    return ok;
}

static void legitimate_clients_answered_during_slowloris(void **state)
{
    int rtsp = api_rtsp_port();
    assert_true(rtsp > 0);
    const uint16_t ports[NPORTS] = {host.http, host.https, host.api, (uint16_t)rtsp};
    const char *names[NPORTS] = {"http", "https", "api", "rtsp"};
    int fds[NPORTS][SLOW_PER_PORT];
    int opened = 0;
    double t0 = now_s();
    for (int p = 0; p < NPORTS; p++)
        for (int i = 0; i < SLOW_PER_PORT; i++) {
            fds[p][i] = connect_from("127.0.0.2", ports[p]);
            if (fds[p][i] < 0)
                continue;
            opened++;
            /* HTTPS: a TLS record header that promises 512 bytes; else a request line. */
            if (p == 2 && i == 0) {
                /* A kept-alive connection: one whole request answered, then a trickled
                 * second one, which gets the deadline again. */
                char req[256];
                int n = snprintf(req, sizeof(req),
                                 "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 "Authorization: Bearer %s\r\n\r\n",
                                 host.token);
                send(fds[p][i], req, (size_t)n, MSG_NOSIGNAL);
                char buf[4096];
                struct pollfd pf = {.fd = fds[p][i], .events = POLLIN};
                assert_true(poll(&pf, 1, 3000) > 0);
                assert_true(recv(fds[p][i], buf, sizeof(buf), 0) > 0);
                send(fds[p][i], "GET /api/v1/status HTTP/1.1\r\n", 29, MSG_NOSIGNAL);
            } else if (p == 1)
                send(fds[p][i], "\x16\x03\x01\x02\x00", 5, MSG_NOSIGNAL);
            else if (p == 3)
                send(fds[p][i], "OPTIONS rtsp://x RTSP/1.0\r\n", 27, MSG_NOSIGNAL);
            else
                send(fds[p][i], "GET /serverinfo HTTP/1.1\r\n", 26, MSG_NOSIGNAL);
        }
    assert_true(opened >= NPORTS * SLOW_PER_PORT / 2);

    double worst[NPORTS] = {0}, t_trickle = 0;
    int answered[NPORTS] = {0}, rounds = 0;
    while (now_s() - t0 < DEADLINE_CHECK_S) {
        double t = now_s();
        if (t - t_trickle >= 0.5) {
            /* Activity on every slow connection, to show it does not extend a deadline. */
            for (int p = 0; p < NPORTS; p++)
                for (int i = 0; i < SLOW_PER_PORT; i++)
                    if (fds[p][i] >= 0)
                        send(fds[p][i], p == 1 ? "\0" : "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            t_trickle = t;
        }
        if (t - t0 > 8.0) {
            struct timespec ts = {0, 100000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        /* The legitimate client, while every slow connection is still trickling. */
        rounds++;
        for (int p = 0; p < NPORTS; p++) {
            double s = now_s();
            int ok;
            if (p == 0) {
                char *doc = gs_get(&host, 0, NULL, "/serverinfo?uniqueid=0123456789ABCDEF",
                                   NULL, NULL);
                ok = doc && gsc_xml_status(doc) == 200;
                free(doc);
            } else if (p == 1) {
                /* An unpaired certificate is answered with a 401 document: an answer. */
                char *doc = gs_get(&host, 1, &stranger, "/serverinfo?uniqueid=0123456789ABCDEF",
                                   NULL, NULL);
                ok = doc && gsc_xml_status(doc) == 401;
                free(doc);
            } else if (p == 2) {
                ok = api_call(&host, "GET", "/api/v1/status", NULL, NULL, NULL) == 200;
            } else {
                ok = rtsp_options_ok(ports[p]);
            }
            double d = now_s() - s;
            answered[p] += ok;
            if (d > worst[p])
                worst[p] = d;
        }
    }
    int open_after[NPORTS] = {0};
    for (int p = 0; p < NPORTS; p++)
        for (int i = 0; i < SLOW_PER_PORT; i++)
            if (fds[p][i] >= 0) {
                open_after[p] += still_open(fds[p][i]);
                close(fds[p][i]);
            }
    for (int p = 0; p < NPORTS; p++) {
        printf("# %s: %d/%d legitimate requests answered, worst %.3f s; %d slow connections "
               "still open after %.0f s\n",
               names[p], answered[p], rounds, worst[p], open_after[p], DEADLINE_CHECK_S);
        assert_int_equal(answered[p], rounds);
        assert_true(worst[p] < MAX_LATENCY_S);
        assert_int_equal(open_after[p], 0);
    }
    assert_true(rounds >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(legitimate_clients_answered_during_slowloris),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
