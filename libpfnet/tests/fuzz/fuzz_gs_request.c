/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream request layer: each input line is one request URI (a leading '1' marks it as
 * HTTPS from a paired client) run through the query parser, the endpoint router and the
 * pairing state machine, in order, against one host. Every answer must be a complete XML
 * document with a status code; nothing may crash, leak or hang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "fuzz_input.h"
#include "gs_server.h"

static pf_net_identity *identity;

static void on_complete(void *ud, void *waiter, char *doc, size_t len)
{
    if (!doc || !strstr(doc, "<root status_code=\""))
        __builtin_trap();
    free(doc);
}

static int on_paired(void *ud, const pfi_peer_cert *cert, const char *pem, const char *name)
{
    return 0;
}

static int app_get(void *ud, uint32_t index, pf_net_gs_app *ret)
{
    if (index > 1)
        return PF_ERR_NOT_FOUND;
    ret->id = index + 1;
    ret->hdr = index;
    ret->title = index ? "<Game & \"Friends\">" : "Desktop";
    return 0;
}

static int app_asset(void *ud, uint32_t appid, const uint8_t **png, size_t *len)
{
    static const uint8_t img[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (appid != 1)
        return PF_ERR_NOT_FOUND;
    *png = img;
    *len = sizeof(img);
    return 0;
}

static int launch(void *ud, const pf_net_gs_launch *l)
{
    return l->appid == 2 ? PF_ERR_STATE : 0;
}

static int cancel(void *ud, const char *client)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!identity && pf_net_identity_create("fuzz", &identity) < 0)
        __builtin_trap();
    pf_net_gs_server *s = calloc(1, sizeof(*s));
    if (!s)
        return 0;
    pf_net_gs_settings_default(&s->cfg);
    s->hostname = (char *)"fuzz";
    s->id = identity;
    s->cb = (pf_net_gs_callbacks){.version = PF_NET_GS_CALLBACKS_VERSION,
                                  .app_get = app_get,
                                  .app_asset = app_asset,
                                  .launch = launch,
                                  .cancel = cancel};
    pfi_pair_hooks hooks = {.complete = on_complete, .paired = on_paired};
    pfi_pairing_init(&s->pairing, identity, &s->cfg, &hooks);
    int waiter = 0;
    size_t off = 0;
    uint64_t now = 1;
    unsigned pins = 1234;
    while (off < size) {
        const uint8_t *nl = memchr(data + off, '\n', size - off);
        size_t n = nl ? (size_t)(nl - (data + off)) : size - off;
        const char *line = (const char *)data + off;
        off += n + 1;
        pfi_gs_req_info info;
        memset(&info, 0, sizeof(info));
        if (n > 0 && line[0] == '1') {
            info.https = 1;
            info.client_id = "00112233aabbccdd";
            line++;
            n--;
        }
        strcpy(info.local_ip, "192.0.2.1");
        strcpy(info.mac, "00:00:00:00:00:00");
        strcpy(info.peer, "198.51.100.7");
        info.waiter = &waiter;
        pfi_query q;
        const char *path;
        if (pfi_query_parse(line, n, &q, &path) < 0)
            continue;
        s->now_ms = now;
        pfi_gs_reply rep;
        int r = pfi_gs_handle(s, path, &q, &info, &rep);
        pfi_query_clear(&q);
        if (r < 0)
            continue;
        if (rep.wait) {
            /* The user types a fresh PIN for the only waiting attempt, so later phases run
             * (a PIN once given is refused for other attempts). */
            char pin[8];
            snprintf(pin, sizeof(pin), "%04u", pins++ % 10000u);
            pfi_pair_set_pin(&s->pairing, pin, NULL, now);
        } else {
            if (!rep.body || (strcmp(rep.content_type, "image/png") != 0 &&
                              !strstr(rep.body, "<root status_code=\"")))
                __builtin_trap();
            free(rep.body);
        }
        now += 100;
        pfi_pair_expire(&s->pairing, now);
    }
    pfi_pairing_finish(&s->pairing);
    free(s);
    return 0;
}
