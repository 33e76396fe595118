/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 QUIC endpoint (server role) against arbitrary datagrams: each input is sent
 * as one UDP datagram to a live endpoint on loopback, which then dispatches. Initials create
 * connections, anything else must be dropped; nothing may crash, leak or hang, and the
 * endpoint keeps its socket. */
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pf/net_native.h"

#include "fuzz_input.h"

static pf_net_quic_endpoint *srv;
static int tx = -1;
static struct sockaddr_in to;

static void cleanup(void)
{
    pf_net_quic_endpoint_destroy(srv);
    if (tx >= 0)
        close(tx);
}

static int setup(void)
{
    char *key, *cert;
    if (pf_net_quic_cert_generate("fuzz", &key, &cert) < 0)
        return -1;
    pf_net_quic_settings st;
    pf_net_quic_settings_default(&st);
    st.bind_address = "127.0.0.1";
    st.cert_pem = cert;
    st.key_pem = key;
    int r = pf_net_quic_endpoint_create(&st, NULL, &srv);
    pf_net_quic_free(key);
    pf_net_quic_free(cert);
    if (r < 0)
        return -1;
    tx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    to.sin_family = AF_INET;
    to.sin_port = htons(pf_net_quic_endpoint_get_port(srv));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    atexit(cleanup);
    return tx < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv && setup() < 0)
        __builtin_trap();
    if (size == 0 || size > 65507)
        return 0;
    if (sendto(tx, data, size, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        return 0;
    struct pollfd p = {pf_net_quic_endpoint_get_fd(srv), POLLIN, 0};
    poll(&p, 1, 50);
    if (pf_net_quic_endpoint_dispatch(srv) < 0)
        __builtin_trap();
    return 0;
}
