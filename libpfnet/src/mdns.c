/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `_nvstream._tcp` announcement through the Avahi daemon (gamestream-protocol.md §1.2), and
 * beside it the punktfunk/1 service `_punktfunk._udp` (native-protocol.md §0.3).
 * Avahi's threaded poll keeps its D-Bus traffic off the caller's loop. */
#include "pf/net_mdns.h"

#include <stdlib.h>
#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>

#include "pf/core/error.h"

#include "netlog.h"

#define TOPIC "mdns"
#define SERVICE_TYPE "_nvstream._tcp"
#define NATIVE_SERVICE_TYPE "_punktfunk._udp"

struct pf_net_mdns {
    AvahiThreadedPoll *poll;
    AvahiClient *client;
    AvahiEntryGroup *group;
    char *name;
    uint16_t port;
    pf_log_hook log;
    int warned;
    int established;
    uint16_t native_port;     /* 0: no punktfunk/1 service */
    AvahiStringList *native_txt;
};

static void create_service(pf_net_mdns *m, AvahiClient *c);

static void group_cb(AvahiEntryGroup *g, AvahiEntryGroupState state, void *userdata)
{
    pf_net_mdns *m = userdata;
    if (state == AVAHI_ENTRY_GROUP_ESTABLISHED) {
        m->established = 1;
        pfi_net_log(&m->log, PF_LOG_INFO, TOPIC, "announcing \"%s\" as %s on port %u", m->name,
                    SERVICE_TYPE, m->port);
    } else if (state == AVAHI_ENTRY_GROUP_COLLISION) {
        /* Another host announces the same name: take "name #2" and try again. */
        char *alt = avahi_alternative_service_name(m->name);
        if (alt) {
            free(m->name);
            m->name = strdup(alt);
            avahi_free(alt);
        }
        avahi_entry_group_reset(g);
        if (m->name)
            create_service(m, avahi_entry_group_get_client(g));
    }
}

static void create_service(pf_net_mdns *m, AvahiClient *c)
{
    if (!m->group)
        m->group = avahi_entry_group_new(c, group_cb, m);
    if (!m->group)
        return;
    if (!avahi_entry_group_is_empty(m->group))
        return;
    int r = avahi_entry_group_add_service(m->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0,
                                          m->name, SERVICE_TYPE, NULL, NULL, m->port, NULL);
    if (r == 0 && m->native_port)
        r = avahi_entry_group_add_service_strlst(m->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                 0, m->name, NATIVE_SERVICE_TYPE, NULL, NULL,
                                                 m->native_port, m->native_txt);
    if (r == AVAHI_ERR_COLLISION) {
        group_cb(m->group, AVAHI_ENTRY_GROUP_COLLISION, m);
        return;
    }
    if (r < 0 || avahi_entry_group_commit(m->group) < 0)
        pfi_net_log(&m->log, PF_LOG_WARNING, TOPIC, "cannot announce the service: %s",
                    avahi_strerror(r));
}

static void client_cb(AvahiClient *c, AvahiClientState state, void *userdata)
{
    pf_net_mdns *m = userdata;
    switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
        create_service(m, c);
        break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
        if (m->group)
            avahi_entry_group_reset(m->group);
        m->established = 0;
        break;
    case AVAHI_CLIENT_CONNECTING:
        /* No daemon (yet): AVAHI_CLIENT_NO_FAIL waits for one; say so once. */
        if (!m->warned) {
            m->warned = 1;
            pfi_net_log(&m->log, PF_LOG_WARNING, TOPIC,
                        "no Avahi daemon; mDNS announcement waits for one (clients can add "
                        "this host by address)");
        }
        break;
    case AVAHI_CLIENT_FAILURE:
        if (!m->warned) {
            m->warned = 1;
            pfi_net_log(&m->log, PF_LOG_WARNING, TOPIC, "Avahi client failed: %s",
                        avahi_strerror(avahi_client_errno(c)));
        }
        m->established = 0;
        break;
    default:
        break;
    }
}

int pf_net_mdns_create(const char *name, uint16_t port, const pf_log_hook *log,
                       pf_net_mdns **ret_mdns)
{
    pf_assert_return(name && *name && port && ret_mdns, PF_ERR_INVALID_ARGUMENT);
    pf_net_mdns *m = calloc(1, sizeof(*m));
    if (!m)
        return PF_ERR_NOMEM;
    m->name = strdup(name);
    m->port = port;
    if (log)
        m->log = *log;
    m->poll = avahi_threaded_poll_new();
    if (!m->name || !m->poll) {
        pf_net_mdns_destroy(m);
        return PF_ERR_NOMEM;
    }
    int err = 0;
    avahi_threaded_poll_lock(m->poll);
    m->client = avahi_client_new(avahi_threaded_poll_get(m->poll), AVAHI_CLIENT_NO_FAIL,
                                 client_cb, m, &err);
    avahi_threaded_poll_unlock(m->poll);
    if (!m->client) {
        pfi_net_log(&m->log, PF_LOG_WARNING, TOPIC,
                    "Avahi is not available (%s); not announcing on mDNS (clients can add "
                    "this host by address)",
                    avahi_strerror(err));
    }
    if (avahi_threaded_poll_start(m->poll) < 0) {
        pf_net_mdns_destroy(m);
        return PF_ERR_NOMEM;
    }
    *ret_mdns = m;
    return 0;
}

void pf_net_mdns_destroy(pf_net_mdns *m)
{
    if (!m)
        return;
    if (m->poll)
        avahi_threaded_poll_stop(m->poll);
    if (m->client)
        avahi_client_free(m->client); /* frees the entry group too */
    if (m->poll)
        avahi_threaded_poll_free(m->poll);
    avahi_string_list_free(m->native_txt);
    free(m->name);
    free(m);
}

int pf_net_mdns_set_native(pf_net_mdns *m, uint16_t port, const char *const *txt, size_t ntxt)
{
    pf_assert_return(m && (txt || !ntxt), PF_ERR_INVALID_ARGUMENT);
    AvahiStringList *l = NULL;
    for (size_t i = ntxt; i > 0; i--) {
        AvahiStringList *n = avahi_string_list_add(l, txt[i - 1]);
        if (!n) {
            avahi_string_list_free(l);
            return PF_ERR_NOMEM;
        }
        l = n;
    }
    if (m->poll)
        avahi_threaded_poll_lock(m->poll);
    avahi_string_list_free(m->native_txt);
    m->native_txt = l;
    m->native_port = port;
    /* Re-announce both services with the new set. */
    if (m->group && m->client && avahi_client_get_state(m->client) == AVAHI_CLIENT_S_RUNNING) {
        avahi_entry_group_reset(m->group);
        m->established = 0;
        create_service(m, m->client);
    }
    if (m->poll)
        avahi_threaded_poll_unlock(m->poll);
    return 0;
}

int pf_net_mdns_is_established(pf_net_mdns *m)
{
    if (!m || !m->poll)
        return 0;
    avahi_threaded_poll_lock(m->poll);
    int e = m->established;
    avahi_threaded_poll_unlock(m->poll);
    return e;
}
