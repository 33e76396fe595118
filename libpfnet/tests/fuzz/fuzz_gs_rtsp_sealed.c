/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RTSP server behind its encryption, over real loopback TCP. The target knows the
 * session key, so each record of the input (fuzz_input.h framing) is a plaintext RTSP
 * request that it seals as a client would (sequence 1, 2, ...) and sends on its own
 * connection; the server's decryption, request parser, ANNOUNCE parser and reply sealing all
 * run. Byte 0: bit 0 sends the requests unsealed instead; bit 1 offers a legacy session
 * (plaintext RTSP) tied to another address than the one the target connects from.
 *
 * Oracles: a reply to a sealed request opens under the session key and is an RTSP status
 * line; a plaintext request never learns a session's ping payload or connect data (the
 * sealed session refuses plaintext, the legacy one is tied to 127.0.0.2). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/core/gs_control.h"
#include "pf/net_stream.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t test_key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const char ping_payload[17] = "0123456789ABCDEF";

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int announce(void *ud, uint32_t id, const pf_net_gs_stream_config *cfg)
{
    if (cfg->width == 0 || cfg->height == 0)
        __builtin_trap();
    return 0;
}

/* Sends @p req on a new connection and collects the reply until the server closes. */
static size_t exchange(pf_net_rtsp_server *s, const uint8_t *req, size_t len, uint8_t *out,
                       size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(pf_net_rtsp_server_get_port(s))};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        __builtin_trap();
    size_t got = 0;
    if (len)
        (void)send(fd, req, len, MSG_NOSIGNAL);
    for (int i = 0; i < 200; i++) {
        pf_net_rtsp_server_dispatch(s, now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1) <= 0)
            continue;
        ssize_t n = recv(fd, out + got, cap - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == cap)
            break;
    }
    close(fd);
    /* Let the server close its side before the next connection. */
    pf_net_rtsp_server_dispatch(s, now_ms());
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int plaintext = data[0] & 1, legacy = (data[0] >> 1) & 1;
    pf_net_rtsp_settings st;
    pf_net_rtsp_settings_default(&st);
    st.bind_address = "127.0.0.1";
    st.port = 0;
    pf_net_rtsp_callbacks cb = {.announce = announce};
    pf_net_rtsp_server *s;
    if (pf_net_rtsp_server_create(&st, &cb, &s) < 0)
        __builtin_trap();
    pf_net_rtsp_session rs = {.struct_size = sizeof(rs), .id = 7, .connect_data = 0x11223344,
                              .require_encryption = (uint8_t)!legacy};
    memcpy(rs.rikey, test_key, 16);
    memcpy(rs.ping_payload, ping_payload, 17);
    inet_pton(AF_INET, "127.0.0.2", &rs.peer_ipv4);
    if (pf_net_rtsp_server_add_session(s, &rs) < 0)
        __builtin_trap();
    pf_gs_cipher *c;
    if (pf_gs_cipher_create(NULL, test_key, &c) < 0)
        __builtin_trap();
    fuzz_input in = {.data = data, .len = size, .pos = 1};
    const uint8_t *pkt;
    size_t len;
    uint8_t *sealed = malloc(65536 + PF_GS_RTSP_OVERHEAD), *reply = malloc(65536),
            *open_buf = malloc(65536);
    if (!sealed || !reply || !open_buf)
        __builtin_trap();
    uint32_t seq = 0;
    for (int k = 0; k < 16 && fuzz_next_packet(&in, &pkt, &len); k++) {
        size_t slen = len;
        const uint8_t *send_buf = pkt;
        if (!plaintext) {
            if (pf_gs_rtsp_seal(c, PF_GS_ORIGIN_CLIENT, ++seq, pkt, len, sealed,
                                65536 + PF_GS_RTSP_OVERHEAD, &slen) < 0)
                continue;
            send_buf = sealed;
        }
        size_t n = exchange(s, send_buf, slen, reply, 65535);
        if (!n)
            continue;
        if (plaintext || !(reply[0] & 0x80)) {
            /* No key, or the wrong address: never the session's secrets. */
            reply[n] = 0;
            if (memmem(reply, n, ping_payload, 16) || memmem(reply, n, "X-SS-Connect-Data", 17))
                __builtin_trap();
            continue;
        }
        uint32_t rseq;
        size_t plen;
        if (pf_gs_rtsp_open(c, PF_GS_ORIGIN_HOST, reply, n, open_buf, 65536, &rseq, &plen) < 0 ||
            plen < 9 || memcmp(open_buf, "RTSP/1.0 ", 9) != 0)
            __builtin_trap();
    }
    free(sealed);
    free(reply);
    free(open_buf);
    pf_gs_cipher_destroy(c);
    pf_net_rtsp_server_destroy(s);
    return 0;
}
