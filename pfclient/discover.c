/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --discover: browses mDNS for punktfunk/1 hosts (_punktfunk._udp) with the Avahi client
 * library and prints each resolved host with its TXT fingerprint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/timeval.h>

#include "pfclient.h"

typedef struct disc {
    AvahiSimplePoll *poll;
    AvahiClient *client;
    int json, found;
} disc;

static void on_resolved(AvahiServiceResolver *r, AvahiIfIndex iface, AvahiProtocol proto,
                        AvahiResolverEvent ev, const char *name, const char *type,
                        const char *domain, const char *host, const AvahiAddress *addr,
                        uint16_t port, AvahiStringList *txt, AvahiLookupResultFlags flags,
                        void *user)
{
    (void)iface;
    (void)proto;
    (void)type;
    (void)domain;
    (void)flags;
    disc *d = user;
    if (ev == AVAHI_RESOLVER_FOUND) {
        char a[AVAHI_ADDRESS_STR_MAX], fp[80] = "", pair[32] = "";
        avahi_address_snprint(a, sizeof(a), addr);
        for (AvahiStringList *t = txt; t; t = avahi_string_list_get_next(t)) {
            const char *s = (const char *)avahi_string_list_get_text(t);
            size_t n = avahi_string_list_get_size(t);
            if (n > 3 && !strncmp(s, "fp=", 3))
                snprintf(fp, sizeof(fp), "%.*s", (int)(n - 3), s + 3);
            if (n > 5 && !strncmp(s, "pair=", 5))
                snprintf(pair, sizeof(pair), "%.*s", (int)(n - 5), s + 5);
        }
        int v6 = addr->proto == AVAHI_PROTO_INET6;
        if (d->json)
            printf("{\"name\":\"%s\",\"host\":\"%s\",\"address\":\"%s\",\"port\":%u,"
                   "\"fingerprint\":\"%s\",\"pair\":\"%s\"}\n",
                   name, host, a, port, fp, pair);
        else
            printf("%s  %s%s%s:%u  (%s) fingerprint %s%s%s\n", name, v6 ? "[" : "", a,
                   v6 ? "]" : "", port, host, fp[0] ? fp : "?", pair[0] ? ", pairing " : "",
                   pair);
        fflush(stdout);
        d->found++;
    }
    avahi_service_resolver_free(r);
}

static void on_browse(AvahiServiceBrowser *b, AvahiIfIndex iface, AvahiProtocol proto,
                      AvahiBrowserEvent ev, const char *name, const char *type,
                      const char *domain, AvahiLookupResultFlags flags, void *user)
{
    (void)b;
    (void)flags;
    disc *d = user;
    if (ev == AVAHI_BROWSER_NEW)
        avahi_service_resolver_new(d->client, iface, proto, name, type, domain,
                                   AVAHI_PROTO_UNSPEC, 0, on_resolved, d);
}

static void on_client(AvahiClient *c, AvahiClientState st, void *user)
{
    (void)c;
    disc *d = user;
    if (st == AVAHI_CLIENT_FAILURE)
        avahi_simple_poll_quit(d->poll);
}

static void on_timeout(AvahiTimeout *t, void *user)
{
    (void)t;
    avahi_simple_poll_quit(((disc *)user)->poll);
}

int pfc_discover(double seconds, int json)
{
    disc d = {0};
    d.json = json;
    int err = 0;
    if (!(d.poll = avahi_simple_poll_new()))
        return PFC_EXIT_REFUSED;
    d.client = avahi_client_new(avahi_simple_poll_get(d.poll), 0, on_client, &d, &err);
    if (!d.client) {
        fprintf(stderr, "pfclient: cannot reach the Avahi daemon: %s\n", avahi_strerror(err));
        avahi_simple_poll_free(d.poll);
        return PFC_EXIT_REFUSED;
    }
    AvahiServiceBrowser *b = avahi_service_browser_new(d.client, AVAHI_IF_UNSPEC,
                                                       AVAHI_PROTO_UNSPEC, "_punktfunk._udp",
                                                       NULL, 0, on_browse, &d);
    struct timeval tv;
    avahi_elapse_time(&tv, (unsigned)(seconds * 1000), 0);
    avahi_simple_poll_get(d.poll)->timeout_new(avahi_simple_poll_get(d.poll), &tv, on_timeout, &d);
    avahi_simple_poll_loop(d.poll);
    if (b)
        avahi_service_browser_free(b);
    avahi_client_free(d.client);
    avahi_simple_poll_free(d.poll);
    if (!d.found && !json)
        fprintf(stderr, "pfclient: no punktfunk/1 host found in %.1f s\n", seconds);
    return d.found ? PFC_EXIT_OK : PFC_EXIT_REFUSED;
}
