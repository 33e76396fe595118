/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Video and audio UDP sockets (gamestream-protocol.md §6.1, §8.1): the client's pings carry
 * the session's 16-character payload; their source address is where media goes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/net_stream.h"

#include "netlog.h"

#define TOPIC "media"
#define PING_LEN 16u

typedef struct media_sess {
    uint32_t id;
    char payload[PING_LEN];
    uint32_t addr[2];
    uint16_t port[2];
    uint32_t legacy_addr; /* RTSP peer allowed to send "PING"; 0 = none */
    uint64_t legacy_order;
    uint32_t only_addr;   /* pings of any kind count only from here; 0 = any */
} media_sess;

struct pf_net_gs_media {
    pf_net_gs_media_settings st;
    int fd[2];
    uint16_t port[2];
    int epfd;
    media_sess *sess;
    size_t n_sess;
    uint64_t unmatched;
    uint64_t legacy_order;
};

PF_EXPORT void pf_net_gs_media_settings_default(pf_net_gs_media_settings *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof(*st));
    st->struct_size = sizeof(*st);
    st->video_port = 47998;
    st->audio_port = 48000;
    st->send_buffer = 4u << 20;
}

static int open_udp(const char *addr, uint16_t port, uint32_t sndbuf, int *ret_fd,
                    uint16_t *ret_port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (addr && inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
        return PF_ERR_INVALID_ARGUMENT;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return PF_ERR_IO;
    /* field-notes: never depend on wmem_max; FORCE works with CAP_NET_ADMIN, else the
     * plain request gets what the kernel allows. */
    int v = (int)sndbuf;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
    socklen_t sl = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        close(fd);
        return PF_ERR_IO;
    }
    *ret_fd = fd;
    *ret_port = ntohs(sa.sin_port);
    return 0;
}

PF_EXPORT int pf_net_gs_media_create(const pf_net_gs_media_settings *settings,
                                     pf_net_gs_media **ret_media)
{
    pf_assert_return(settings && ret_media, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->struct_size >= sizeof(*settings), PF_ERR_INVALID_ARGUMENT);
    pf_net_gs_media *m = calloc(1, sizeof(*m));
    if (!m)
        return PF_ERR_NOMEM;
    m->st = *settings;
    m->st.bind_address = NULL;
    m->fd[0] = m->fd[1] = m->epfd = -1;
    int r = open_udp(settings->bind_address, settings->video_port, settings->send_buffer,
                     &m->fd[0], &m->port[0]);
    if (r == 0)
        r = open_udp(settings->bind_address, settings->audio_port, settings->send_buffer,
                     &m->fd[1], &m->port[1]);
    if (r == 0) {
        m->epfd = epoll_create1(EPOLL_CLOEXEC);
        for (int i = 0; i < 2 && m->epfd >= 0; i++) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
            if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->fd[i], &ev) < 0)
                r = PF_ERR_IO;
        }
        if (m->epfd < 0)
            r = PF_ERR_IO;
    }
    if (r < 0) {
        pf_net_gs_media_destroy(m);
        return r;
    }
    *ret_media = m;
    return 0;
}

PF_EXPORT void pf_net_gs_media_destroy(pf_net_gs_media *m)
{
    if (!m)
        return;
    for (int i = 0; i < 2; i++)
        if (m->fd[i] >= 0)
            close(m->fd[i]);
    if (m->epfd >= 0)
        close(m->epfd);
    free(m->sess);
    free(m);
}

PF_EXPORT int pf_net_gs_media_get_fd(const pf_net_gs_media *m)
{
    pf_assert_return(m, PF_ERR_INVALID_ARGUMENT);
    return m->epfd;
}

PF_EXPORT int pf_net_gs_media_get_socket(const pf_net_gs_media *m, uint32_t which)
{
    pf_assert_return(m && which <= PF_NET_GS_MEDIA_AUDIO, PF_ERR_INVALID_ARGUMENT);
    return m->fd[which];
}

PF_EXPORT uint16_t pf_net_gs_media_get_port(const pf_net_gs_media *m, uint32_t which)
{
    return m && which <= PF_NET_GS_MEDIA_AUDIO ? m->port[which] : 0;
}

PF_EXPORT int pf_net_gs_media_add_session(pf_net_gs_media *m, uint32_t id,
                                          const char *ping_payload)
{
    pf_assert_return(m && ping_payload && strnlen(ping_payload, PING_LEN + 1) == PING_LEN,
                     PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < m->n_sess; i++)
        if (m->sess[i].id == id || !memcmp(m->sess[i].payload, ping_payload, PING_LEN))
            return PF_ERR_STATE;
    media_sess *v = realloc(m->sess, (m->n_sess + 1) * sizeof(*v));
    if (!v)
        return PF_ERR_NOMEM;
    m->sess = v;
    memset(&v[m->n_sess], 0, sizeof(*v));
    v[m->n_sess].id = id;
    memcpy(v[m->n_sess].payload, ping_payload, PING_LEN);
    m->n_sess++;
    return 0;
}

PF_EXPORT int pf_net_gs_media_allow_legacy_ping(pf_net_gs_media *m, uint32_t id,
                                                uint32_t addr_be)
{
    pf_assert_return(m && addr_be, PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < m->n_sess; i++)
        if (m->sess[i].id == id) {
            m->sess[i].legacy_addr = addr_be;
            m->sess[i].legacy_order = ++m->legacy_order;
            return 0;
        }
    return PF_ERR_NOT_FOUND;
}

PF_EXPORT int pf_net_gs_media_restrict_session(pf_net_gs_media *m, uint32_t id,
                                               uint32_t addr_be)
{
    pf_assert_return(m, PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < m->n_sess; i++)
        if (m->sess[i].id == id) {
            m->sess[i].only_addr = addr_be;
            return 0;
        }
    return PF_ERR_NOT_FOUND;
}

PF_EXPORT int pf_net_gs_media_remove_session(pf_net_gs_media *m, uint32_t id)
{
    pf_assert_return(m, PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < m->n_sess; i++)
        if (m->sess[i].id == id) {
            m->sess[i] = m->sess[--m->n_sess];
            return 0;
        }
    return PF_ERR_NOT_FOUND;
}

/* §6.1: a session-ID ping is >= 20 bytes whose first 16 are the payload. A legacy "PING"
 * carries no session: it counts only from an address a session allowed, the newest first. */
static media_sess *match_ping(pf_net_gs_media *m, const uint8_t *buf, size_t n, uint32_t addr)
{
    if (n >= 20) {
        for (size_t i = 0; i < m->n_sess; i++)
            if (!memcmp(m->sess[i].payload, buf, PING_LEN))
                return !m->sess[i].only_addr || m->sess[i].only_addr == addr ? &m->sess[i]
                                                                              : NULL;
        return NULL;
    }
    media_sess *best = NULL;
    if (n == 4 && !memcmp(buf, "PING", 4))
        for (size_t i = 0; i < m->n_sess; i++)
            if (m->sess[i].legacy_addr == addr &&
                (!best || m->sess[i].legacy_order > best->legacy_order))
                best = &m->sess[i];
    return best;
}

PF_EXPORT int pf_net_gs_media_dispatch(pf_net_gs_media *m,
                                       void (*changed)(void *, uint32_t, uint32_t, uint32_t,
                                                       uint16_t),
                                       void *user_data)
{
    pf_assert_return(m, PF_ERR_INVALID_ARGUMENT);
    int total = 0;
    for (uint32_t w = 0; w < 2; w++) {
        /* Bounded per call: a ping flood must not starve the event loop. */
        for (int budget = 64; budget > 0; budget--) {
            uint8_t buf[64];
            struct sockaddr_in from;
            socklen_t fl = sizeof(from);
            ssize_t n = recvfrom(m->fd[w], buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from,
                                 &fl);
            if (n < 0)
                break;
            total++;
            media_sess *e = fl == sizeof(from) && from.sin_family == AF_INET
                                ? match_ping(m, buf, (size_t)n, from.sin_addr.s_addr)
                                : NULL;
            if (!e) {
                m->unmatched++;
                continue;
            }
            uint16_t port = ntohs(from.sin_port);
            if (e->addr[w] != from.sin_addr.s_addr || e->port[w] != port) {
                e->addr[w] = from.sin_addr.s_addr;
                e->port[w] = port;
                pfi_net_log(&m->st.log, PF_LOG_DEBUG, TOPIC, "session %u: %s peer port %u",
                            e->id, w ? "audio" : "video", port);
                if (changed)
                    changed(user_data, e->id, w, e->addr[w], port);
            }
        }
    }
    return total;
}

PF_EXPORT uint64_t pf_net_gs_media_get_unmatched(const pf_net_gs_media *m)
{
    return m ? m->unmatched : 0;
}
