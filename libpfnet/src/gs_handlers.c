/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The GameStream endpoints (gamestream-protocol.md §2): query in, XML out. No I/O here; the
 * HTTP layer in gs_server.c supplies the request facts. */
#include "gs_server.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "gs_xml.h"
#include "netlog.h"

#define TOPIC "gs_handlers"

/* Sunshine's value; qt drops HEVC when this is 0 (§2.3). */
#define MAX_LUMA_PIXELS_HEVC 1869449984u

static const char XML_TYPE[] = "application/xml; charset=utf-8";

static int finish(pfi_xml *x, pfi_gs_reply *ret)
{
    memset(ret, 0, sizeof(*ret));
    int r = pfi_xml_finish(x, &ret->body, &ret->len);
    ret->content_type = XML_TYPE;
    return r;
}

int pfi_gs_error(int code, const char *msg, pfi_gs_reply *ret)
{
    pfi_xml x;
    pfi_xml_begin(&x, code, msg);
    return finish(&x, ret);
}

static int serverinfo(pf_net_gs_server *s, const pfi_gs_req_info *info, pfi_gs_reply *ret)
{
    uint32_t game = s->cb.current_app ? s->cb.current_app(s->cb.user_data) : 0;
    pfi_xml x;
    pfi_xml_begin(&x, 200, NULL);
    pfi_xml_text(&x, "hostname", s->hostname);
    pfi_xml_text(&x, "appversion", PF_NET_GS_APPVERSION);
    pfi_xml_text(&x, "GfeVersion", PF_NET_GS_GFEVERSION);
    pfi_xml_text(&x, "uniqueid", pf_net_identity_get_uniqueid(s->id));
    pfi_xml_uint(&x, "HttpsPort", pf_net_gs_server_get_port(s, 1));
    pfi_xml_uint(&x, "ExternalPort", pf_net_gs_server_get_port(s, 0));
    pfi_xml_uint(&x, "MaxLumaPixelsHEVC",
                 (s->cfg.codec_mask & PF_NET_GS_CODEC_HEVC) ? MAX_LUMA_PIXELS_HEVC : 0);
    /* Over plain HTTP the MAC is withheld; clients ignore the all-zero value (§2.3). */
    pfi_xml_text(&x, "mac", info->https ? info->mac : "00:00:00:00:00:00");
    pfi_xml_text(&x, "LocalIP", info->local_is_v6 ? "127.0.0.1" : info->local_ip);
    if (s->external_address)
        pfi_xml_text(&x, "ExternalIP", s->external_address);
    pfi_xml_uint(&x, "ServerCodecModeSupport", s->cfg.codec_mask);
    pfi_xml_open(&x, "SupportedDisplayMode");
    static const uint32_t modes[][3] = {
        {1280, 720, 60}, {1920, 1080, 60}, {1920, 1080, 120}, {2560, 1440, 60}, {3840, 2160, 60}};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        pfi_xml_open(&x, "DisplayMode");
        pfi_xml_uint(&x, "Width", modes[i][0]);
        pfi_xml_uint(&x, "Height", modes[i][1]);
        pfi_xml_uint(&x, "RefreshRate", modes[i][2]);
        pfi_xml_close(&x, "DisplayMode");
    }
    pfi_xml_close(&x, "SupportedDisplayMode");
    pfi_xml_uint(&x, "PairStatus", info->client_id ? 1 : 0);
    pfi_xml_uint(&x, "currentgame", game);
    pfi_xml_text(&x, "state", game ? "SUNSHINE_SERVER_BUSY" : "SUNSHINE_SERVER_FREE");
    pfi_xml_text(&x, "gputype", "punktfunk");
    pfi_xml_text(&x, "GsVersion", PF_NET_GS_GFEVERSION);
    return finish(&x, ret);
}

static int applist(pf_net_gs_server *s, pfi_gs_reply *ret)
{
    pfi_xml x;
    pfi_xml_begin(&x, 200, NULL);
    for (uint32_t i = 0; s->cb.app_get && i < 10000; i++) {
        pf_net_gs_app app = {0};
        if (s->cb.app_get(s->cb.user_data, i, &app) < 0)
            break;
        if (app.id == 0)
            continue; /* qt rejects the whole list on ID 0 (§2.6) */
        pfi_xml_open(&x, "App");
        pfi_xml_uint(&x, "IsHdrSupported", app.hdr ? 1 : 0);
        pfi_xml_text(&x, "AppTitle", app.title ? app.title : "");
        pfi_xml_uint(&x, "ID", app.id);
        pfi_xml_close(&x, "App");
    }
    return finish(&x, ret);
}

static int appasset(pf_net_gs_server *s, const pfi_query *q, pfi_gs_reply *ret)
{
    int64_t appid;
    if (pfi_parse_int(pfi_query_get(q, "appid"), 1, UINT32_MAX, &appid) < 0)
        return pfi_gs_error(400, "Missing or malformed appid", ret);
    const uint8_t *png = NULL;
    size_t len = 0;
    if (!s->cb.app_asset || s->cb.app_asset(s->cb.user_data, (uint32_t)appid, &png, &len) < 0 ||
        !png || len == 0)
        return pfi_gs_error(404, "No such app or image", ret);
    memset(ret, 0, sizeof(*ret));
    ret->body = malloc(len);
    if (!ret->body)
        return PF_ERR_NOMEM;
    memcpy(ret->body, png, len);
    ret->len = len;
    ret->content_type = "image/png";
    return 0;
}

static int opt_uint(const pfi_query *q, const char *key, uint32_t def, uint32_t *out)
{
    const char *v = pfi_query_get(q, key);
    int64_t n;
    if (!v) {
        *out = def;
        return 0;
    }
    if (pfi_parse_int(v, 0, UINT32_MAX, &n) < 0)
        return PF_ERR_MALFORMED;
    *out = (uint32_t)n;
    return 0;
}

/* "WxHxF" with sane bounds; fps 0 is what GFE-mode clients send above 60 (§2.8). */
static int parse_mode(const char *m, uint32_t *w, uint32_t *h, uint32_t *f)
{
    if (!m)
        return PF_ERR_MALFORMED;
    char tail;
    unsigned a, b, c;
    if (strlen(m) > 20 || sscanf(m, "%5ux%5ux%4u%c", &a, &b, &c, &tail) != 3)
        return PF_ERR_MALFORMED;
    if (a < 64 || b < 64 || a > 16384 || b > 16384 || c > 1000)
        return PF_ERR_MALFORMED;
    *w = a;
    *h = b;
    *f = c;
    return 0;
}

static int launch(pf_net_gs_server *s, const pfi_query *q, const pfi_gs_req_info *info,
                  int resume, pfi_gs_reply *ret)
{
    pf_net_gs_launch l;
    memset(&l, 0, sizeof(l));
    l.struct_size = sizeof(l);
    l.resume = (uint32_t)resume;
    l.client_id = info->client_id;
    struct in_addr peer;
    l.peer_ipv4 = inet_pton(AF_INET, info->peer, &peer) == 1 ? peer.s_addr : 0;
    int64_t v;
    if (!resume) {
        if (pfi_parse_int(pfi_query_get(q, "appid"), 1, UINT32_MAX, &v) < 0)
            return pfi_gs_error(400, "Missing or malformed appid", ret);
        l.appid = (uint32_t)v;
    }
    if (parse_mode(pfi_query_get(q, "mode"), &l.width, &l.height, &l.fps) < 0)
        return pfi_gs_error(400, "Missing or malformed mode (WxHxFPS)", ret);
    if (pfi_hex_decode_exact(pfi_query_get(q, "rikey"), l.rikey, 16) < 0)
        return pfi_gs_error(400, "Missing or malformed rikey", ret);
    /* rikeyid is a signed 32-bit decimal on the wire, kept as its uint32 bits (§2.8). */
    if (pfi_parse_int(pfi_query_get(q, "rikeyid"), INT32_MIN, UINT32_MAX, &v) < 0)
        return pfi_gs_error(400, "Missing or malformed rikeyid", ret);
    l.rikeyid = (uint32_t)v;
    if (opt_uint(q, "surroundAudioInfo", 196610, &l.surround_info) < 0 ||
        opt_uint(q, "sops", 0, &l.sops) < 0 ||
        opt_uint(q, "localAudioPlayMode", 0, &l.local_audio) < 0 ||
        opt_uint(q, "hdrMode", 0, &l.hdr) < 0 || opt_uint(q, "corever", 0, &l.corever) < 0 ||
        opt_uint(q, "remoteControllersBitmap", 0, &l.gamepad_mask) < 0)
        return pfi_gs_error(400, "Malformed launch parameter", ret);
    int r = s->cb.launch ? s->cb.launch(s->cb.user_data, &l) : PF_ERR_UNSUPPORTED;
    memset(l.rikey, 0, sizeof(l.rikey));
    if (r == PF_ERR_NOT_FOUND)
        return resume ? pfi_gs_error(503, "No app to resume", ret)
                      : pfi_gs_error(404, "No such app", ret);
    if (r == PF_ERR_STATE)
        return pfi_gs_error(400, "Another app is already running", ret);
    if (r < 0)
        return pfi_gs_error(503, "The host could not start the session", ret);
    /* §4.8: a client that speaks corever 1 seals its RTSP when the URL says rtspenc://, so
     * the stream parameters and the ENet connect word never cross the network in clear. */
    const char *scheme = pf_net_gs_launch_rtsp_encrypted(&l) ? "rtspenc" : "rtsp";
    char url[128];
    if (info->local_is_v6)
        snprintf(url, sizeof(url), "%s://[%s]:%u", scheme, info->local_ip, s->cfg.rtsp_port);
    else
        snprintf(url, sizeof(url), "%s://%s:%u", scheme, info->local_ip, s->cfg.rtsp_port);
    pfi_xml x;
    pfi_xml_begin(&x, 200, NULL);
    pfi_xml_text(&x, "sessionUrl0", url);
    pfi_xml_uint(&x, resume ? "resume" : "gamesession", 1);
    return finish(&x, ret);
}

PF_EXPORT int pf_net_gs_launch_rtsp_encrypted(const pf_net_gs_launch *l)
{
    return l && l->corever >= 1;
}

static int cancel(pf_net_gs_server *s, const pfi_gs_req_info *info, pfi_gs_reply *ret)
{
    if (s->cb.cancel && s->cb.cancel(s->cb.user_data, info->client_id) < 0)
        return pfi_gs_error(503, "The host could not stop the app", ret);
    pfi_xml x;
    pfi_xml_begin(&x, 200, NULL);
    pfi_xml_uint(&x, "cancel", 1);
    return finish(&x, ret);
}

int pfi_gs_handle(pf_net_gs_server *s, const char *path, const pfi_query *q,
                  const pfi_gs_req_info *info, pfi_gs_reply *ret)
{
    memset(ret, 0, sizeof(*ret));
    /* HTTPS is for paired certificates only; a 401 here is how clients learn they are not
     * paired (§2.2). */
    if (info->https && !info->client_id)
        return pfi_gs_error(401, "The client certificate is not paired", ret);
    if (strcmp(path, "/serverinfo") == 0)
        return serverinfo(s, info, ret);
    if (strcmp(path, "/pair") == 0) {
        int r = pfi_pair_request(&s->pairing, q, info->peer, info->client_id != NULL,
                                 info->waiter, s->now_ms, &ret->body, &ret->len);
        if (r < 0)
            return r;
        ret->content_type = XML_TYPE;
        ret->wait = r == PFI_PAIR_WAIT;
        if (!ret->wait && !ret->body)
            return PF_ERR_NOMEM;
        return 0;
    }
    if (strcmp(path, "/unpair") == 0) {
        /* uniqueid is no identity (§2.5): only a pending attempt of this peer is cancelled. */
        pfi_pair_cancel(&s->pairing, pfi_query_get(q, "uniqueid"), info->peer, s->now_ms);
        return pfi_gs_error(200, NULL, ret);
    }
    static const char *const https_only[] = {"/applist", "/appasset", "/launch", "/resume",
                                             "/cancel"};
    int known = 0;
    for (size_t i = 0; i < sizeof(https_only) / sizeof(https_only[0]); i++)
        known |= strcmp(path, https_only[i]) == 0;
    if (!known)
        return pfi_gs_error(404, "Unknown endpoint", ret);
    if (!info->https)
        return pfi_gs_error(404, "This endpoint is served over HTTPS only", ret);
    if (strcmp(path, "/applist") == 0)
        return applist(s, ret);
    if (strcmp(path, "/appasset") == 0)
        return appasset(s, q, ret);
    if (strcmp(path, "/launch") == 0)
        return launch(s, q, info, 0, ret);
    if (strcmp(path, "/resume") == 0)
        return launch(s, q, info, 1, ret);
    return cancel(s, info, ret);
}
