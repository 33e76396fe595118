/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pfhost serve`: composes identity, client store, app catalog, the GameStream servers, the
 * management API and mDNS on one sd-event loop. */
#include "serve.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/encode.h"

#include "fileio.h"
#include "host.h"
#include "identity_store.h"
#include "mgmt.h"
#include "mgmt_auth.h"
#include "pipeline.h"
#include "native.h"
#include "mgmt_logs.h"


typedef struct loop_ctx {
    host *h;
    sd_event_source *gs_io, *gs_timer, *api_io, *api_timer, *post;
    int verbose;
    stream_ctx *stream;
} loop_ctx;

uint64_t host_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void host_log(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    fprintf(stderr, "pfhost: %s\n", buf);
    log_ring_add(PF_LOG_INFO, "pfhost", buf, strlen(buf));
}

static void lib_log(void *user_data, uint32_t level, const char *topic, const char *msg,
                    size_t len)
{
    const loop_ctx *l = user_data;
    if (level >= PF_LOG_DEBUG && !l->verbose)
        return;
    fprintf(stderr, "pfhost: %s: %.*s\n", topic, (int)len, msg);
    log_ring_add(level, topic, msg, len);
}

static void session_log(void *user_data, const char *msg)
{
    host_log("%s", msg);
}

int host_unpair(host *h, const char *client_id)
{
    const paired_client *c = clients_find(&h->clients, client_id);
    int native = c && c->kind == CLIENT_NATIVE;
    int r = clients_remove(&h->clients, client_id);
    if (r < 0)
        return r;
    if (native)
        native_plane_revoke(h->native, client_id);
    else
        pf_net_gs_server_remove_client(h->gs, client_id);
    sessions_close_client(&h->sessions, client_id);
    host_log("client %s unpaired", client_id);
    return 0;
}

/* GameStream callbacks */

static int cb_paired(void *ud, const char *id, const char *pem, const char *name)
{
    host *h = ud;
    int r = clients_add(&h->clients, id, name, pem, (int64_t)time(NULL));
    if (r < 0) {
        host_log("cannot store paired client %s: %s", id, strerror(-r));
        return PF_ERR_IO;
    }
    host_log("client %s (%s) paired", id, name);
    return 0;
}

static int cb_app_get(void *ud, uint32_t index, pf_net_gs_app *ret)
{
    host *h = ud;
    if (index >= h->apps.n)
        return PF_ERR_NOT_FOUND;
    ret->id = h->apps.v[index].id;
    ret->hdr = 0;
    ret->title = h->apps.v[index].name;
    return 0;
}

static int cb_app_asset(void *ud, uint32_t appid, const uint8_t **png, size_t *len)
{
    host *h = ud;
    return apps_art(&h->apps, appid, png, len) < 0 ? PF_ERR_NOT_FOUND : 0;
}

static int cb_launch(void *ud, const pf_net_gs_launch *l)
{
    host *h = ud;
    clients_touch(&h->clients, l->client_id, (int64_t)time(NULL));
    /* Launches the session table refuses anyway (no app to resume, another app, no such
     * app) start no desktop. */
    if (!h->use_desktops || (l->resume && !h->sessions.app_id) ||
        (!l->resume && (h->sessions.app_id || !apps_find(&h->apps, l->appid))))
        return sessions_launch(&h->sessions, &h->apps, l, (int64_t)time(NULL));
    /* The desktop comes first: the app starts inside it, and without a picture the client
     * hears why instead of getting a black stream. sessions_launch() numbers the session
     * next_id. */
    uint32_t id = h->sessions.next_id;
    char err[400] = "";
    if (desktops_open(&h->desktops, id, l->width, l->height, l->fps, err, sizeof(err)) < 0) {
        pf_net_gs_server_set_launch_error(h->gs, err);
        return PF_ERR_UNSUPPORTED;
    }
    h->sessions.launch_env = desktops_env(&h->desktops, id);
    int r = sessions_launch(&h->sessions, &h->apps, l, (int64_t)time(NULL));
    h->sessions.launch_env = NULL;
    if (r < 0)
        desktops_close(&h->desktops, id);
    return r;
}

static int cb_cancel(void *ud, const char *client_id)
{
    host *h = ud;
    clients_touch(&h->clients, client_id, (int64_t)time(NULL));
    sessions_cancel(&h->sessions);
    return 0;
}

static uint32_t cb_current_app(void *ud)
{
    host *h = ud;
    return h->sessions.app_id;
}

/* Streaming plane seam: RTSP and the media streams pick sessions up from here. */
static void plane_start(void *ud, const session *s)
{
    host_log("session %u for client %s ready: app %u at %ux%u@%u (waiting for RTSP)", s->id,
             s->client_id, s->app_id, s->width, s->height, s->fps);
}

static void plane_stop(void *ud, const session *s)
{
    host_log("session %u ended", s->id);
}

/* Event loop glue */

static void rearm(sd_event_source *timer, int64_t ms)
{
    if (ms < 0) {
        sd_event_source_set_enabled(timer, SD_EVENT_OFF);
        return;
    }
    uint64_t now;
    sd_event_now(sd_event_source_get_event(timer), CLOCK_MONOTONIC, &now);
    sd_event_source_set_time(timer, now + (uint64_t)ms * 1000);
    sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT);
}

static int on_gs(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
    loop_ctx *l = ud;
    pf_net_gs_server_dispatch(l->h->gs, host_now_ms());
    return 0;
}

static int on_gs_timer(sd_event_source *s, uint64_t usec, void *ud)
{
    return on_gs(s, -1, 0, ud);
}

static int on_api(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
    loop_ctx *l = ud;
    mgmt_dispatch(l->h->api);
    return 0;
}

static int on_api_timer(sd_event_source *s, uint64_t usec, void *ud)
{
    return on_api(s, -1, 0, ud);
}

/* After every loop iteration: one side may have changed the other's deadlines (a PIN from
 * the API resumes a pairing request), so both timers are recomputed. */
static int on_post(sd_event_source *s, void *ud)
{
    loop_ctx *l = ud;
    rearm(l->gs_timer, pf_net_gs_server_get_timeout(l->h->gs, host_now_ms()));
    rearm(l->api_timer, mgmt_get_timeout(l->h->api));
    return 0;
}

static int on_child(sd_event_source *s, const struct signalfd_siginfo *si, void *ud)
{
    loop_ctx *l = ud;
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        if (!supervisor_reaped(&l->h->sup, pid, st))
            sessions_child_exited(&l->h->sessions, pid);
    return 0;
}

static int on_quit(sd_event_source *s, const struct signalfd_siginfo *si, void *ud)
{
    host_log("signal %u: shutting down", si->ssi_signo);
    return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int write_runtime(host *h, const char *token_path)
{
    json_object *o = json_object_new_object();
    char url[128];
    const char *addr = h->cfg.api_address;
    int v6 = strchr(addr, ':') != NULL;
    snprintf(url, sizeof(url), "%s://%s%s%s:%u", mgmt_is_tls(h->api) ? "https" : "http",
             v6 ? "[" : "", addr, v6 ? "]" : "", mgmt_get_port(h->api));
    json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
    json_object_object_add(o, "api_url", json_object_new_string(url));
    json_object_object_add(o, "token_file", json_object_new_string(token_path));
        json_object_object_add(o, "http_port", json_object_new_int(pf_net_gs_server_get_port(h->gs, 0)));
    json_object_object_add(o, "https_port", json_object_new_int(pf_net_gs_server_get_port(h->gs, 1)));
    const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    int r = dir_create(h->cfg.runtime_dir, 0700);
    if (r == 0)
        r = file_write_atomic(h->runtime_file, text, strlen(text), 0600);
    json_object_put(o);
    return r;
}

/* serverinfo's codec bitmask is what the encoder a session would get can produce here: the
 * same autoselected backend the pipeline opens. HEVC and AV1 follow their policy keys
 * (config.h): by default only a hardware encoder offers them. */
static uint32_t probe_codec_mask(const host_config *cfg, host *h)
{
    pf_encode_device_settings ds;
    pf_encode_device *dev = NULL;
    pf_encode_device_settings_default(&ds);
    int r = pf_encode_device_create(&ds, &dev);
    if (r < 0) {
        host_log("no video encoder is usable (%s); advertising H.264 only", pf_strerror(r));
        for (int i = 0; i < HOST_CODECS; i++)
            snprintf(h->codec_why[i], sizeof(h->codec_why[i]), "no video encoder is usable (%s)",
                     pf_strerror(r));
        return PF_NET_GS_CODEC_H264;
    }
    const struct {
        uint32_t encode_codec, gs_codec;
        const char *key;
        int policy;
    } offered[] = {{PF_ENCODE_CODEC_H264, PF_NET_GS_CODEC_H264, "h264", CONFIG_CODEC_ON},
                   {PF_ENCODE_CODEC_HEVC, PF_NET_GS_CODEC_HEVC, "hevc", cfg->hevc},
                   {PF_ENCODE_CODEC_AV1, PF_NET_GS_CODEC_AV1_MAIN8, "av1", cfg->av1}};
    uint32_t mask = 0;
    for (size_t i = 0; i < sizeof(offered) / sizeof(offered[0]); i++) {
        pf_encode_caps caps = {.struct_size = sizeof(caps)};
        if (pf_encode_device_query_caps(dev, offered[i].encode_codec, &caps) < 0) {
            snprintf(h->codec_why[i], sizeof(h->codec_why[i]), "no encoder here has it");
            continue;
        }
        if (offered[i].policy == CONFIG_CODEC_OFF) {
            snprintf(h->codec_why[i], sizeof(h->codec_why[i]), "turned off (%s = no)",
                     offered[i].key);
            continue;
        }
        if (offered[i].policy == CONFIG_CODEC_AUTO && !(caps.flags & PF_ENCODE_CAP_HARDWARE)) {
            host_log("%s is not offered: only the CPU encoder %s has it (set %s = yes to offer "
                     "it anyway)",
                     offered[i].key, caps.encoder_name, offered[i].key);
            snprintf(h->codec_why[i], sizeof(h->codec_why[i]),
                     "only the CPU encoder %s has it (set %s = yes to offer it anyway)",
                     caps.encoder_name, offered[i].key);
            continue;
        }
        snprintf(h->codec_why[i], sizeof(h->codec_why[i]), "%s%s", caps.encoder_name,
                 caps.flags & PF_ENCODE_CAP_HARDWARE ? " (hardware)" : " (CPU)");
        mask |= offered[i].gs_codec;
    }
    pf_encode_device_destroy(dev);
    return mask ? mask : PF_NET_GS_CODEC_H264;
}

static int setup(host *h, loop_ctx *l, char *err, size_t n)
{
    config_remove_stale_temps(&h->cfg);
    if (identity_load_or_create(h->cfg.state_dir, h->cfg.hostname, &h->id, err, n) < 0)
        return -1;
    char *cpath = path_join(h->cfg.state_dir, "clients.json");
    int r = cpath ? clients_load(&h->clients, cpath, err, n) : -1;
    free(cpath);
    if (r < 0 || apps_load(&h->apps, h->cfg.apps_file, err, n) < 0)
        return -1;
    stream_plane plane = {.user_data = h, .start = plane_start, .stop = plane_stop};
    sessions_init(&h->sessions, &plane);
    h->sessions.log = session_log;
    h->codec_mask = probe_codec_mask(&h->cfg, h);

    pf_net_gs_settings st;
    pf_net_gs_settings_default(&st);
    st.bind_address = h->cfg.address;
    st.hostname = h->cfg.hostname;
    st.http_port = h->cfg.http_port;
    st.https_port = h->cfg.https_port;
    st.rtsp_port = h->cfg.rtsp_port;
    st.codec_mask = h->codec_mask;
    st.pin_wait_ms = h->cfg.pin_wait_s * 1000;
    st.pin_ttl_ms = h->cfg.pin_ttl_s * 1000;
    st.pair_max_failures = h->cfg.pair_max_failures ? h->cfg.pair_max_failures : 1;
    st.pair_lockout_ms = h->cfg.pair_lockout_s * 1000;
    st.log = (pf_log_hook){.fn = lib_log, .user_data = l};
    pf_net_gs_callbacks cb = {
        .version = PF_NET_GS_CALLBACKS_VERSION,
        .user_data = h,
        .paired = cb_paired,
        .app_get = cb_app_get,
        .app_asset = cb_app_asset,
        .launch = cb_launch,
        .cancel = cb_cancel,
        .current_app = cb_current_app,
    };
    r = pf_net_gs_server_create(&st, &cb, h->id, &h->gs);
    if (r < 0) {
        snprintf(err, n, "cannot start the GameStream servers on ports %u/%u: %s",
                 h->cfg.http_port, h->cfg.https_port, pf_strerror(r));
        return -1;
    }
    r = pf_net_gs_server_set_external_address(h->gs, h->cfg.external_address);
    if (r < 0) {
        snprintf(err, n, "cannot set the external address \"%s\": %s",
                 h->cfg.external_address, pf_strerror(r));
        return -1;
    }
    for (size_t i = 0; i < h->clients.n; i++)
        if (h->clients.v[i].kind == CLIENT_MOONLIGHT &&
            pf_net_gs_server_add_client(h->gs, h->clients.v[i].cert_pem) < 0)
            host_log("stored client %s has an unreadable certificate; ignored",
                     h->clients.v[i].id);

    char *tpath = path_join(h->cfg.config_dir, "api-token");
    char token[MGMT_TOKEN_HEX + 1];
    r = tpath ? dir_create(h->cfg.config_dir, 0700) : -ENOMEM;
    if (r == 0)
        r = mgmt_token_load_or_create(tpath, token, sizeof(token), 1);
    if (r < 0) {
        snprintf(err, n, "cannot read or create the API token %s: %s", tpath ? tpath : "",
                 strerror(-r));
        free(tpath);
        return -1;
    }
    r = mgmt_create(h, token, &h->api, err, n);
    memset(token, 0, sizeof(token));
    if (r < 0) {
        free(tpath);
        return -1;
    }
    h->runtime_file = path_join(h->cfg.runtime_dir, "runtime.json");
    r = h->runtime_file ? write_runtime(h, tpath) : -ENOMEM;
    free(tpath);
    if (r < 0) {
        snprintf(err, n, "cannot write %s/runtime.json: %s", h->cfg.runtime_dir, strerror(-r));
        return -1;
    }
    if (h->cfg.mdns) {
        pf_log_hook mlog = {.fn = lib_log, .user_data = l};
        if (pf_net_mdns_create(h->cfg.hostname, pf_net_gs_server_get_port(h->gs, 0), &mlog,
                               &h->mdns) < 0)
            host_log("mDNS announcement unavailable");
    }
    return 0;
}

static int setup_loop(host *h, loop_ctx *l)
{
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGINT);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGCHLD);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    signal(SIGPIPE, SIG_IGN);
    int r;
    if ((r = sd_event_new(&h->loop)) < 0 ||
        (r = sd_event_add_signal(h->loop, NULL, SIGINT, on_quit, l)) < 0 ||
        (r = sd_event_add_signal(h->loop, NULL, SIGTERM, on_quit, l)) < 0 ||
        (r = sd_event_add_signal(h->loop, NULL, SIGCHLD, on_child, l)) < 0 ||
        (r = sd_event_add_io(h->loop, &l->gs_io, pf_net_gs_server_get_fd(h->gs), EPOLLIN,
                             on_gs, l)) < 0 ||
        (r = sd_event_add_io(h->loop, &l->api_io, mgmt_get_fd(h->api), EPOLLIN, on_api, l)) <
            0 ||
        (r = sd_event_add_time(h->loop, &l->gs_timer, CLOCK_MONOTONIC, 0, 1000, on_gs_timer,
                               l)) < 0 ||
        (r = sd_event_add_time(h->loop, &l->api_timer, CLOCK_MONOTONIC, 0, 1000, on_api_timer,
                               l)) < 0 ||
        (r = sd_event_add_post(h->loop, &l->post, on_post, l)) < 0)
        return r;
    on_post(NULL, l);
    return 0;
}

static void teardown(host *h, loop_ctx *l)
{
    sd_event_source *srcs[] = {l->gs_io, l->gs_timer, l->api_io, l->api_timer, l->post};
    for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
        sd_event_source_unref(srcs[i]);
    pf_net_mdns_destroy(h->mdns);
    native_plane_destroy(h->native);
    sessions_finish(&h->sessions);
    desktops_finish(&h->desktops);
    supervisor_finish(&h->sup, 3000);
    desktops_sweep(&h->desktops);
    stream_destroy(l->stream);
    mgmt_destroy(h->api);
    pf_net_gs_server_destroy(h->gs);
    if (h->runtime_file) {
        unlink(h->runtime_file);
        /* Empty now unless something else keeps files there. */
        rmdir(h->cfg.runtime_dir);
    }
    free(h->runtime_file);
    sd_event_unref(h->loop);
    clients_free(&h->clients);
    apps_free(&h->apps);
    pf_net_identity_destroy(h->id);
    config_free(&h->cfg);
}

static void end_session(void *ud, uint32_t id, uint32_t code)
{
    loop_ctx *l = ud;
    stream_end_session(l->stream, id, code);
    if (l->h->native) /* or a punktfunk/1 session's desktop */
        native_plane_desktop_lost(l->h->native, id);
}

static int source_failed(void *ud, uint32_t id)
{
    loop_ctx *l = ud;
    return stream_source_failed(l->stream, id);
}

/* architecture §5: each session gets a desktop (desktop.c) at launch. */
static void setup_desktops(host *h, loop_ctx *l, const stream_options *stream)
{
    const char *forced = stream->vdisplay_backend ? stream->vdisplay_backend
                         : h->cfg.vdisplay         ? h->cfg.vdisplay
                                                   : getenv("PF_VDISPLAY");
    h->use_desktops = 1;
    if (supervisor_init(&h->sup, h->loop) < 0)
        host_log("cannot watch daemon shutdowns; stopping them will wait instead");
    desktops_init(&h->desktops, &h->sup, h->cfg.runtime_dir, forced, stream->pipewire_remote,
                  h->loop);
    h->desktops.end_session = end_session;
    h->desktops.source_failed = source_failed;
    h->desktops.user_data = l;
    desktops_describe(&h->desktops);
    h->sessions.plane = desktops_wrap_plane(&h->desktops, h->sessions.plane);
    stream_set_desktop_source(l->stream, desktops_stream_source, &h->desktops);
}

/* punktfunk/1 beside GameStream, announced on mDNS as native-protocol.md §0.3 describes. */
static int serve_native(host *h, const stream_options *stream, char *err, size_t n)
{
    if (native_plane_create(h, stream, &h->native, err, n) < 0) {
        /* GameStream keeps working without it; the status then has no "native". */
        host_log("punktfunk/1 is unavailable: %s", err);
        err[0] = '\0';
        return 0;
    }
    host_log("punktfunk/1 on UDP %u, certificate %s", native_plane_port(h->native),
             native_plane_fingerprint(h->native));
    if (h->mdns) {
        char fp[80], id[80];
        snprintf(fp, sizeof(fp), "fp=%s", native_plane_fingerprint(h->native));
        snprintf(id, sizeof(id), "id=%s", pf_net_identity_get_uniqueid(h->id));
        /* wire=1: only pkf1 is served (v0.43 hosts that also serve pkf2 say "1,2"). */
        const char *txt[] = {"proto=punktfunk/1", fp, "pair=required", id, "wire=1"};
        pf_net_mdns_set_native(h->mdns, native_plane_port(h->native), txt,
                               sizeof(txt) / sizeof(txt[0]));
    }
    return 0;
}

int serve_run(host_config *cfg, int verbose, const stream_options *stream)
{
    host h;
    memset(&h, 0, sizeof(h));
    h.cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    h.started_ms = host_now_ms();
    stream_options_describe_source(stream, h.capture_source, sizeof(h.capture_source));
    loop_ctx l = {.h = &h, .verbose = verbose};
    char err[512] = "";
    int status = 1;
    /* FFmpeg speaks through the host's log: probe noise only with --verbose. */
    pf_encode_set_ffmpeg_log(&(pf_log_hook){.fn = lib_log, .user_data = &l});
    if (setup(&h, &l, err, sizeof(err)) < 0) {
        fprintf(stderr, "pfhost: %s\n", err);
        goto out;
    }
    int r = setup_loop(&h, &l);
    if (r < 0) {
        fprintf(stderr, "pfhost: cannot set up the event loop: %s\n", strerror(-r));
        goto out;
    }
    if (stream_create(&h, stream, &l.stream, err, sizeof(err)) < 0) {
        fprintf(stderr, "pfhost: %s\n", err);
        goto out;
    }
    h.sessions.plane = stream_get_plane(l.stream);
    if (stream->source == PIPELINE_SOURCE_VDISPLAY)
        setup_desktops(&h, &l, stream);
    if (h.cfg.native && serve_native(&h, stream, err, sizeof(err)) < 0) {
        fprintf(stderr, "pfhost: %s\n", err);
        goto out;
    }
    host_log("serving \"%s\": GameStream HTTP %u, HTTPS %u; management API %s port %u",
             h.cfg.hostname, pf_net_gs_server_get_port(h.gs, 0),
             pf_net_gs_server_get_port(h.gs, 1), mgmt_is_tls(h.api) ? "(HTTPS)" : "(HTTP)",
             mgmt_get_port(h.api));
    r = sd_event_loop(h.loop);
    status = r < 0 ? 1 : 0;
out:
    teardown(&h, &l);
    pf_encode_set_ffmpeg_log(NULL);
    return status;
}
