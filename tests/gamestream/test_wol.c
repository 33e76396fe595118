/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Wake-on-LAN: a paired client asking /serverinfo over HTTPS learns the MAC of the interface
 * that serves it. test_wol.sh runs this inside network namespace A (the host's: a veth with a
 * MAC it set) and names namespace B (the client's, the veth's peer); the loopback and plain
 * HTTP answers stay all-zero. Prints TAP.
 * usage: test_wol HOST_ADDRESS EXPECTED_MAC CLIENT_NETNS_PATH HOST_ADDRESS6 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gs_client.h"
#include "host_proc.h"
#include "httpc.h"

#define Q "/serverinfo?uniqueid=0123456789ABCDEF&uuid=11112222333344445555666677778888"

static int n_tests, n_failed;

static void tap(int ok, const char *what, const char *got)
{
    n_tests++;
    n_failed += !ok;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", n_tests, what);
    if (!ok)
        printf("#   got %s\n", got ? got : "(nothing)");
    fflush(stdout);
}

/* GET /serverinfo from @p addr; returns the text of <tag> (malloc) or NULL. */
static char *serverinfo_field(const char *addr, uint16_t port, const gsc_identity *id,
                              const char *tag)
{
    httpc_tls tls = {0};
    if (id) {
        tls.client_cert_pem = id->cert_pem;
        tls.client_key_pem = id->key_pem;
    }
    httpc_response r;
    int rc = httpc_request(addr, port, id ? &tls : NULL, "GET", Q, NULL, NULL, 0, 10000, &r);
    free(tls.server_der);
    if (rc < 0)
        return NULL;
    char *v = r.status == 200 ? gsc_xml_get(r.body, tag) : NULL;
    free(r.body);
    return v;
}

static void expect(const char *addr, uint16_t port, const gsc_identity *id, const char *tag,
                   const char *want, const char *what)
{
    char *v = serverinfo_field(addr, port, id, tag);
    tap(v && strcmp(v, want) == 0, what, v);
    free(v);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: test_wol HOST_ADDRESS EXPECTED_MAC CLIENT_NETNS_PATH "
                        "HOST_ADDRESS6\n");
        return 2;
    }
    const char *addr = argv[1], *mac = argv[2];
    host_proc host = {0};
    gsc_identity client;
    printf("1..7\n");
    if (gsc_identity_create(&client) < 0 || host_start(&host, "pin_wait = 20\n") < 0) {
        tap(0, "host starts", NULL);
        return 1;
    }
    int check = -1;
    tap(pair_client(&host, &client, "5678", "5678", "0123456789ABCDEF", 0, &check, NULL) == 1 &&
            check == GSC_OK,
        "client pairs", NULL);
    expect("127.0.0.1", host.https, &client, "mac", "00:00:00:00:00:00",
           "over loopback the MAC stays all-zero");

    /* From here on this thread's sockets live in the client's namespace, across the veth. */
    int ns = open(argv[3], O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
        tap(0, "enter the client's network namespace", argv[3]);
        host_stop(&host);
        return 1;
    }
    close(ns);
    char what[128];
    snprintf(what, sizeof(what), "over HTTPS from the peer network the MAC is the veth's (%s)",
             mac);
    expect(addr, host.https, &client, "mac", mac, what);
    expect(addr, host.https, &client, "LocalIP", addr, "LocalIP is the address the client used");
    expect(addr, host.http, NULL, "mac", "00:00:00:00:00:00",
           "over plain HTTP the MAC is withheld (all-zero)");
    /* Over IPv6 the same interface answers; LocalIP then says 127.0.0.1 (§2.3). */
    expect(argv[4], host.https, &client, "mac", mac, "over IPv6 the MAC is the veth's too");
    expect(argv[4], host.https, &client, "LocalIP", "127.0.0.1",
           "over IPv6 LocalIP is 127.0.0.1");
    host_stop(&host);
    host_remove_dir(&host);
    gsc_identity_free(&client);
    return n_failed ? 1 : 0;
}
