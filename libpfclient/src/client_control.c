/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calls that steer a running session: input, keyframes, bitrate, mode changes and the
 * speed test. Each queues a message for the I/O thread; the blocking ones wait on the
 * client's condition for what the I/O thread records from the host's answer. */
#include <string.h>
#include <time.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "client_internal.h"

static int streaming(pf_client *c)
{
    pthread_mutex_lock(&c->lock);
    int s = c->state == PFC_STREAMING;
    pthread_mutex_unlock(&c->lock);
    return s;
}

int pf_client_send_input(pf_client *c, uint32_t kind, uint32_t code, int32_t x, int32_t y,
                         uint32_t flags)
{
    if (!c || kind > 255)
        return PF_ERR_INVALID_ARGUMENT;
    if (!streaming(c))
        return PF_ERR_STATE;
    pf_pkf1_input in = {kind, code, x, y, flags};
    uint8_t dg[PF_PKF1_INPUT_BYTES];
    int r = pf_pkf1_input_encode(&in, dg);
    if (r < 0)
        return r;
    pthread_mutex_lock(&c->lock);
    int edges = (c->info.host_caps2 & PF_PKF1_HOST_CAP2_INPUT_EDGES) != 0;
    pthread_mutex_unlock(&c->lock);
    if (edges && kind <= PF_PKF1_INPUT_KEY_UP) {
        /* §5.6: toward hosts that take InputEdge, key presses and releases ride the reliable
         * stream instead of a datagram, so that none is lost or doubled. */
        pf_pkf1_msg m;
        pf_pkf1_msg_init(&m, PF_PKF1_MSG_INPUT_EDGE);
        m.blob = dg;
        m.blob_len = sizeof(dg);
        return pfc_queue_msg(c, &m);
    }
    return pfc_queue(c, PFC_CMD_DATAGRAM, 0, dg, sizeof(dg));
}

int pf_client_request_keyframe(pf_client *c)
{
    if (!c)
        return PF_ERR_INVALID_ARGUMENT;
    if (!streaming(c))
        return PF_ERR_STATE;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_REQUEST_KEYFRAME);
    pthread_mutex_lock(&c->lock);
    c->st.keyframes_requested++;
    pthread_mutex_unlock(&c->lock);
    return pfc_queue_msg(c, &m);
}

int pf_client_set_bitrate(pf_client *c, uint32_t kbps)
{
    if (!c)
        return PF_ERR_INVALID_ARGUMENT;
    if (!streaming(c))
        return PF_ERR_STATE;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_SET_BITRATE);
    m.value32 = kbps;
    return pfc_queue_msg(c, &m);
}

int pf_client_reconfigure(pf_client *c, uint32_t width, uint32_t height, uint32_t refresh_hz,
                          uint32_t timeout_ms)
{
    if (!c || !width || !height || !refresh_hz)
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    c->reconf_answered = 0;
    pthread_mutex_unlock(&c->lock);
    if (!streaming(c))
        return PF_ERR_STATE;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_RECONFIGURE);
    m.width = width;
    m.height = height;
    m.refresh_hz = refresh_hz;
    int r = pfc_queue_msg(c, &m);
    if (r < 0)
        return r;
    uint64_t end = pfc_deadline_of((int)timeout_ms);
    pthread_mutex_lock(&c->lock);
    for (;;) {
        if (c->reconf_answered) {
            r = c->reconf_accepted ? 1 : 0;
            break;
        }
        if (c->state == PFC_CLOSED) {
            r = PF_ERR_STATE;
            break;
        }
        if (!pfc_wait_until(c, end)) {
            r = PF_ERR_TIMEOUT;
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

int pf_client_speed_test(pf_client *c, uint32_t target_kbps, uint32_t duration_ms,
                         pf_client_probe_result *ret_result)
{
    if (!c || !target_kbps || !duration_ms || !ret_result ||
        ret_result->struct_size < sizeof(uint32_t))
        return PF_ERR_INVALID_ARGUMENT;
    if (!streaming(c))
        return PF_ERR_STATE;
    pthread_mutex_lock(&c->lock);
    if (c->probe_running) {
        /* One at a time: a ProbeResult carries nothing to tell two tests apart. */
        pthread_mutex_unlock(&c->lock);
        return PF_ERR_AGAIN;
    }
    c->probe_running = 1;
    c->probe_answered = 0;
    /* The reassembler counts probe filler (FLAG_PROBE) apart from video; the I/O thread
     * copies its count after every read. */
    uint64_t before = c->probe_packets;
    pthread_mutex_unlock(&c->lock);
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_PROBE_REQUEST);
    m.value32 = target_kbps;
    m.value32b = duration_ms;
    int r = pfc_queue_msg(c, &m);
    /* The host may clamp the duration; its own limit is the answer's deadline. */
    uint64_t end = pfc_deadline_of((int)(duration_ms + 5000));
    pthread_mutex_lock(&c->lock);
    while (r == 0 && !c->probe_answered && c->state != PFC_CLOSED && pfc_wait_until(c, end))
        ;
    int got = c->probe_answered;
    pf_pkf1_msg res = c->probe_msg;
    int closed = c->state == PFC_CLOSED;
    c->probe_running = 0;
    pthread_mutex_unlock(&c->lock);
    if (r < 0)
        return r;
    if (!got)
        return closed ? PF_ERR_STATE : PF_ERR_TIMEOUT;
    /* An empty result (nothing sent, no duration): the host runs another test. */
    if (!res.value64 && !res.value32 && !res.value32b)
        return PF_ERR_AGAIN;
    /* Filler still in flight when the result was sent arrives within a few ms. */
    struct timespec ts = {0, 100000000L};
    nanosleep(&ts, NULL);
    pf_client_probe_result out;
    memset(&out, 0, sizeof(out));
    out.struct_size = sizeof(out);
    out.target_kbps = target_kbps;
    out.duration_ms = res.value32b ? res.value32b : duration_ms;
    out.host_bytes_sent = res.value64;
    out.host_packets_sent = res.value32;
    out.host_wire_packets_sent = res.has_ext ? res.value32c : res.value32;
    out.host_send_dropped = res.has_ext ? res.value32d : 0;
    /* Every filler datagram is a full shard plus the 64 bytes of seal and header. */
    pthread_mutex_lock(&c->lock);
    out.packets_received = c->probe_packets - before;
    uint64_t per = (uint64_t)c->info.shard_payload + 64u;
    pthread_mutex_unlock(&c->lock);
    out.bytes_received = out.packets_received * per;
    out.received_kbps = (uint32_t)(out.bytes_received * 8u / out.duration_ms);
    uint64_t sent = out.host_wire_packets_sent;
    out.loss_ppm = sent && out.packets_received < sent
                       ? (uint32_t)((sent - out.packets_received) * 1000000u / sent) : 0;
    COPY_SIZED(ret_result, &out);
    return 0;
}

