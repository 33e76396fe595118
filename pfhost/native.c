/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 plane (native-protocol.md §4): the QUIC endpoint on the host's loop, one
 * native_conn per connection, the control stream split into frames, and the gate that takes a
 * connection from its first message to pairing (§6) or to a streaming session (§4.1).
 * Any malformed, truncated, oversized, replayed or out-of-order message ends that connection
 * with a close code and one log line; nothing else (stored state, other connections) is
 * touched by it. */
#include "native.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/error.h"

#include "host.h"
#include "identity_store.h"
#include "native_desktop.h"
#include "native_internal.h"

uint64_t native_now_ms(void)
{
    return host_now_ms();
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void lib_log(void *user_data, uint32_t level, const char *topic, const char *msg,
                    size_t len)
{
    if (level >= PF_LOG_DEBUG)
        return;
    host_log("%s: %.*s", topic, (int)len, msg);
}

int native_send_payload(native_conn *nc, const uint8_t *payload, size_t len, int fin)
{
    uint8_t hdr[PF_PKF1_FRAME_HEADER_BYTES];
    int r = pf_pkf1_frame_header(len, hdr);
    if (r < 0 || nc->sid < 0)
        return r < 0 ? r : PF_ERR_STATE;
    r = pf_net_quic_conn_write(nc->qc, nc->sid, hdr, sizeof(hdr), 0);
    if (r == 0)
        r = pf_net_quic_conn_write(nc->qc, nc->sid, payload, len, fin);
    return r;
}

int native_send_msg(native_conn *nc, const pf_pkf1_msg *msg, int fin)
{
    uint8_t buf[512];
    size_t n;
    int r = pf_pkf1_msg_encode(msg, buf, sizeof(buf), &n);
    return r < 0 ? r : native_send_payload(nc, buf, n, fin);
}

void native_refuse(native_conn *nc, uint32_t code, const char *reason)
{
    const char *name = pf_pkf1_close_code_name(code);
    if (nc->closing)
        return;
    nc->closing = 1;
    host_log("native %s: closed with 0x%02x (%s): %s", nc->peer, code, name ? name : "?",
             reason);
    pf_net_quic_conn_close(nc->qc, code, reason);
}

static native_conn *conn_of(pf_net_quic_conn *qc)
{
    return pf_net_quic_conn_get_user(qc);
}

static void on_connected(pf_net_quic_conn *qc, void *user)
{
    native_plane *np = user;
    native_conn *nc = calloc(1, sizeof(*nc));
    if (!nc) {
        pf_net_quic_conn_close(qc, PF_PKF1_CLOSE_SETUP_FAILED, "out of memory");
        return;
    }
    nc->np = np;
    nc->qc = qc;
    nc->sid = -1;
    nc->state = NC_FIRST;
    nc->deadline_ms = native_now_ms() + NATIVE_HANDSHAKE_MS;
    nc->has_fp = pf_net_quic_conn_get_peer_fingerprint(qc, nc->fp) == 0;
    if (nc->has_fp)
        hex(nc->fp, sizeof(nc->fp), nc->fp_hex);
    struct sockaddr_storage ss;
    char a[INET6_ADDRSTRLEN] = "?";
    if (pf_net_quic_conn_get_address(qc, 0, &ss, sizeof(ss)) > 0) {
        if (ss.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
        else
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
    }
    snprintf(nc->peer, sizeof(nc->peer), "%s", a);
    pf_net_quic_conn_set_user(qc, nc);
    nc->next = np->conns;
    np->conns = nc;
}

static void conn_free(native_conn *nc)
{
    native_plane *np = nc->np;
    for (native_conn **pp = &np->conns; *pp; pp = &(*pp)->next)
        if (*pp == nc) {
            *pp = nc->next;
            break;
        }
    if (nc->sess) {
        native_session_destroy(nc->sess);
        np->nsessions--;
    }
    native_pairing_free(nc->pairing);
    free(nc->buf);
    free(nc);
}

static void on_closed(pf_net_quic_conn *qc, const pf_net_quic_close_info *info, void *user)
{
    native_conn *nc = conn_of(qc);
    if (!nc)
        return;
    if (info->remote)
        host_log("native %s: the client closed (%s 0x%llx%s%s)", nc->peer,
                 info->application ? "code" : "transport error",
                 (unsigned long long)info->code, info->reason[0] ? ": " : "", info->reason);
    else if (!info->application)
        host_log("native %s: connection ended (%s)", nc->peer,
                 info->reason[0] ? info->reason : "transport error");
    conn_free(nc);
}

static void handle_hello(native_conn *nc, const uint8_t *p, size_t n)
{
    pf_pkf1_hello hello;
    if (pf_pkf1_hello_decode(p, n, &hello) < 0) {
        /* No code names a garbled handshake; 0x68 (setup failed) is what a client shows as
         * "the session could not start", the truthful outcome. */
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "malformed Hello");
        return;
    }
    /* §4.3: the version gate comes before anything else. */
    uint32_t code = pf_pkf1_hello_check_version(&hello);
    if (code) {
        char why[96];
        snprintf(why, sizeof(why), "wire version %u, this host speaks %u", hello.wire_version,
                 PF_PKF1_WIRE_VERSION);
        native_refuse(nc, code, why);
        return;
    }
    if (!nc->has_fp) {
        native_refuse(nc, PF_PKF1_CLOSE_IDENTITY_REQUIRED, "a client certificate is required");
        return;
    }
    const paired_client *pc = clients_find(&nc->np->h->clients, nc->fp_hex);
    if (!pc || pc->kind != CLIENT_NATIVE) {
        /* The reference host parks unknown devices for operator approval (§4.1); this host
         * has no approval flow, so the device is told to pair first: 0x63 is the code whose
         * client action is "pair with a PIN". */
        native_refuse(nc, PF_PKF1_CLOSE_IDENTITY_REQUIRED,
                      "this device is not paired; pair it with a PIN first");
        return;
    }
    nc->grants = pf_pkf1_grants_normalize(pc->grants);
    if (hello.launch_len && !(nc->grants & PF_PKF1_GRANT_LAUNCH)) {
        native_refuse(nc, PF_PKF1_CLOSE_LAUNCH_DENIED, "launching apps is not granted");
        return;
    }
    clients_touch(&nc->np->h->clients, nc->fp_hex, (int64_t)time(NULL));
    pf_pkf1_welcome w;
    char reason[256] = ""; /* a refused desktop's reason names the fix */
    native_session *s = NULL;
    code = native_session_create(nc, &hello, &w, &s, reason, sizeof(reason));
    if (code) {
        native_refuse(nc, code, reason);
        return;
    }
    nc->sess = s;
    nc->np->nsessions++;
    uint8_t out[PF_PKF1_WELCOME_MAX_BYTES];
    size_t len;
    /* §3.2: a C host sends no Welcome extension block (which tags v0.43.1 puts there is not
     * known); the positional Welcome is always valid. */
    int r = pf_pkf1_welcome_encode(&w, 0, NULL, 0, out, sizeof(out), &len);
    if (r == 0)
        r = native_send_payload(nc, out, len, 0);
    if (r < 0) {
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "cannot send the Welcome");
        return;
    }
    host_log("native %s: session %ux%u@%u for \"%.*s\" (%s), waiting for Start", nc->peer,
             w.width, w.height, w.refresh_hz, (int)hello.name_len,
             hello.name ? (const char *)hello.name : "", nc->fp_hex);
    native_launch(nc, &hello, w.width, w.height, w.refresh_hz);
    nc->state = NC_WAIT_START;
    nc->deadline_ms = native_now_ms() + NATIVE_HANDSHAKE_MS;
}

static void handle_start(native_conn *nc, const uint8_t *p, size_t n)
{
    uint16_t port;
    pf_pkf1_ext_entry ext[PF_PKF1_EXT_MAX_ENTRIES];
    size_t count;
    /* Welcome's host_caps2 carries EXT, so the block is read (and its rules enforced). */
    if (pf_pkf1_is_typed(p, n) || pf_pkf1_start_decode(p, n, 1, &port, ext, PF_PKF1_EXT_MAX_ENTRIES,
                                                        &count) < 0) {
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "malformed or missing Start");
        return;
    }
    int abr = pf_pkf1_ext_find(ext, count, PF_PKF1_EXT_TAG_ABR);
    int abr_reason = abr >= 0 && ext[abr].len >= 1 && (ext[abr].value[0] & PF_PKF1_EXT_ABR_ACK_REASON);
    nc->state = NC_STREAMING;
    nc->deadline_ms = 0;
    native_session_start(nc->sess, port, abr_reason);
}

static void handle_typed(native_conn *nc, const uint8_t *p, size_t n, uint64_t recv_ns)
{
    pf_pkf1_msg m;
    int r = pf_pkf1_msg_decode(p, n, &m);
    if (r == PF_ERR_NOT_FOUND)
        return; /* §2: unknown types are ignored */
    if (r < 0) {
        char why[64];
        snprintf(why, sizeof(why), "malformed control message (type 0x%02x)",
                 n > PF_PKF1_MSG_HEADER_BYTES - 1 ? p[PF_PKF1_MSG_HEADER_BYTES - 1] : 0);
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, why);
        return;
    }
    switch (nc->state) {
    case NC_FIRST:
        if (m.type == PF_PKF1_MSG_PAIR_REQUEST)
            native_pairing_request(nc, p, n);
        else
            native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "expected Hello or PairRequest");
        return;
    case NC_PAIR_PROOF:
        if (m.type == PF_PKF1_MSG_PAIR_PROOF)
            native_pairing_proof(nc, p, n);
        else
            native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "expected PairProof");
        return;
    case NC_PAIR_DONE:
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "message after PairResult");
        return;
    case NC_WAIT_START:
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "expected Start");
        return;
    case NC_STREAMING:
        if (m.type >= PF_PKF1_MSG_PAIR_REQUEST && m.type <= PF_PKF1_MSG_REFUSED) {
            native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "pairing message in a session");
            return;
        }
        native_session_control(nc->sess, &m, recv_ns);
        return;
    }
}

static void handle_frame(native_conn *nc, const uint8_t *p, size_t n, uint64_t recv_ns)
{
    int typed = pf_pkf1_is_typed(p, n);
    if (nc->state == NC_FIRST && !typed) {
        handle_hello(nc, p, n);
        return;
    }
    if (nc->state == NC_WAIT_START) {
        handle_start(nc, p, n);
        return;
    }
    if (!typed) {
        /* A handshake message out of turn: a replayed Hello or Start. */
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "unexpected handshake message");
        return;
    }
    handle_typed(nc, p, n, recv_ns);
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_stream(pf_net_quic_conn *qc, int64_t id, const uint8_t *data, size_t len, int fin,
                      void *user)
{
    native_conn *nc = conn_of(qc);
    if (!nc)
        return;
    uint64_t recv_ns = realtime_ns(); /* ClockEcho t2: as close to arrival as this gets */
    if (nc->sid < 0)
        nc->sid = id;
    if (id != nc->sid) {
        /* Extra streams are clipboard fetches, which this host does not offer (no
         * HOST_CAP_CLIPBOARD): their bytes are dropped. */
        return;
    }
    if (nc->closing)
        return;
    if (nc->len + len > nc->cap) {
        size_t cap = (nc->len + len) * 2;
        uint8_t *b = realloc(nc->buf, cap);
        if (!b) {
            native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "out of memory");
            return;
        }
        nc->buf = b;
        nc->cap = cap;
    }
    memcpy(nc->buf + nc->len, data, len);
    nc->len += len;
    size_t off = 0;
    /* Frames are handled one at a time; a refusal ends the loop (the connection is closing). */
    while (!nc->closing) {
        const uint8_t *payload;
        size_t plen, used;
        if (pf_pkf1_frame_split(nc->buf + off, nc->len - off, &payload, &plen, &used) < 0)
            break;
        off += used;
        handle_frame(nc, payload, plen, recv_ns);
    }
    if (nc->closing)
        return;
    memmove(nc->buf, nc->buf + off, nc->len - off);
    nc->len -= off;
    if (fin && nc->state != NC_PAIR_DONE)
        native_refuse(nc, nc->len ? PF_PKF1_CLOSE_SETUP_FAILED : PF_PKF1_CLOSE_NORMAL,
                      nc->len ? "truncated control message" : "control stream ended");
}

static void on_datagram(pf_net_quic_conn *qc, const uint8_t *data, size_t len, void *user)
{
    native_conn *nc = conn_of(qc);
    if (nc && nc->sess && nc->state == NC_STREAMING)
        native_session_datagram(nc->sess, data, len);
}

static void rearm(native_plane *np)
{
    int ms = pf_net_quic_endpoint_get_timeout(np->ep);
    /* Step deadlines are checked at least every 500 ms. */
    if (ms < 0 || ms > 500)
        ms = 500;
    uint64_t now;
    sd_event_now(np->h->loop, CLOCK_MONOTONIC, &now);
    sd_event_source_set_time(np->timer, now + (uint64_t)ms * 1000);
    sd_event_source_set_enabled(np->timer, SD_EVENT_ONESHOT);
}

static void check_deadlines(native_plane *np)
{
    uint64_t now = native_now_ms();
    for (native_conn *nc = np->conns, *next; nc; nc = next) {
        next = nc->next;
        if (!nc->deadline_ms || now < nc->deadline_ms)
            continue;
        nc->deadline_ms = 0;
        if (nc->state == NC_PAIR_DONE) {
            pf_net_quic_conn_close(nc->qc, nc->linger_code, "pairing done");
            continue;
        }
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED,
                      nc->state == NC_PAIR_PROOF ? "pairing step timed out"
                                                 : "handshake timed out");
    }
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
    native_plane *np = ud;
    pf_net_quic_endpoint_dispatch(np->ep);
    check_deadlines(np);
    rearm(np);
    return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *ud)
{
    return on_io(s, -1, 0, ud);
}

int native_plane_create(host *h, const stream_options *opt, native_plane **ret, char *err,
                        size_t err_len)
{
    native_plane *np = calloc(1, sizeof(*np));
    if (!np) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    np->h = h;
    np->opt = *opt;
    np->log = (pf_log_hook){.fn = lib_log, .user_data = np};
    char *key = NULL;
    if (native_identity_load_or_create(h->cfg.state_dir, h->cfg.hostname, &np->cert_pem, &key,
                                       err, err_len) < 0)
        goto fail;
    if (pf_net_quic_cert_fingerprint(np->cert_pem, strlen(np->cert_pem), np->fp) < 0) {
        snprintf(err, err_len, "the punktfunk/1 certificate does not parse");
        goto fail;
    }
    hex(np->fp, sizeof(np->fp), np->fp_hex);
    pf_net_quic_settings st;
    pf_net_quic_settings_default(&st);
    st.bind_address = h->cfg.native_address;
    /* Like the GameStream media ports (stream.h): with http_port 0 (tests) the default
     * native port becomes a free one, so hosts under test never collide on 9777. */
    st.port = h->cfg.http_port == 0 && h->cfg.native_port == PF_PKF1_DEFAULT_PORT
                  ? 0
                  : h->cfg.native_port;
    st.alpn = PF_PKF1_ALPN;
    st.cert_pem = np->cert_pem;
    st.key_pem = key;
    st.user = np;
    st.log = np->log;
    pf_net_quic_callbacks cb = {sizeof(cb), on_connected, on_stream, on_datagram, on_closed};
    int r = pf_net_quic_endpoint_create(&st, &cb, &np->ep);
    memset(key, 0, strlen(key));
    free(key);
    key = NULL;
    if (r < 0) {
        snprintf(err, err_len, "cannot start punktfunk/1 on UDP port %u: %s (set native = no "
                 "or another native_port)", h->cfg.native_port, pf_strerror(r));
        goto fail;
    }
    if (sd_event_add_io(h->loop, &np->io, pf_net_quic_endpoint_get_fd(np->ep), EPOLLIN, on_io,
                        np) < 0 ||
        sd_event_add_time(h->loop, &np->timer, CLOCK_MONOTONIC, 0, 1000, on_timer, np) < 0) {
        snprintf(err, err_len, "cannot add punktfunk/1 to the event loop");
        goto fail;
    }
    rearm(np);
    native_desktop_attach(np);
    *ret = np;
    return 0;
fail:
    free(key);
    native_plane_destroy(np);
    return -1;
}

void native_plane_destroy(native_plane *np)
{
    if (!np)
        return;
    for (native_conn *nc = np->conns, *next; nc; nc = next) {
        next = nc->next;
        pf_net_quic_conn_close(nc->qc, PF_PKF1_CLOSE_HOST_POWER, "host shutting down");
    }
    sd_event_source_unref(np->io);
    sd_event_source_unref(np->timer);
    pf_net_quic_endpoint_destroy(np->ep);
    native_desktop_detach(np);
    free(np->cert_pem);
    free(np);
}

uint16_t native_plane_port(const native_plane *np)
{
    return np ? pf_net_quic_endpoint_get_port(np->ep) : 0;
}

const char *native_plane_fingerprint(const native_plane *np)
{
    return np ? np->fp_hex : "";
}

int native_plane_arm_pairing(native_plane *np, char pin[5], uint32_t *ret_ttl_s)
{
    uint32_t ttl = np->h->cfg.native_pin_ttl_s ? np->h->cfg.native_pin_ttl_s : 120;
    int r = native_pair_arm(&np->pair, native_now_ms(), ttl * 1000u);
    if (r < 0)
        return r;
    memcpy(pin, np->pair.pin, 5);
    *ret_ttl_s = ttl;
    host_log("native pairing armed for %u s", ttl);
    return 0;
}

void native_plane_revoke(native_plane *np, const char *fp_hex)
{
    if (!np)
        return;
    for (native_conn *nc = np->conns, *next; nc; nc = next) {
        next = nc->next;
        if (nc->has_fp && !strcmp(nc->fp_hex, fp_hex))
            native_refuse(nc, PF_PKF1_CLOSE_ACCESS_EXPIRED, "this device was unpaired");
    }
}

uint32_t native_plane_sessions(const native_plane *np)
{
    return np ? np->nsessions : 0;
}
