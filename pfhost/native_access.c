/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a punktfunk/1 client may do on this host, while it is connected (native-protocol.md
 * §3.6, §5.6): grants changed through the management API reach its connections at once
 * (AccessUpdate; input is gated by the connection's grants on every event), and the app a
 * Hello names in `launch` is started from the host's catalog and answered with
 * LaunchOutcome. */
#include <stdio.h>
#include <string.h>

#include "pf/core/error.h"

#include "app_launch.h"
#include "host.h"
#include "native_internal.h"

void native_plane_set_grants(native_plane *np, const char *fp_hex, uint32_t grants)
{
    if (!np)
        return;
    grants = pf_pkf1_grants_normalize(grants);
    for (native_conn *nc = np->conns; nc; nc = nc->next) {
        if (!nc->has_fp || strcmp(nc->fp_hex, fp_hex) != 0 || nc->closing)
            continue;
        /* From the next event on: native_session hands nc->grants to the input path. */
        nc->grants = grants;
        if (!nc->sess)
            continue; /* no Welcome yet: the Hello reads the store */
        pf_pkf1_msg m;
        pf_pkf1_msg_init(&m, PF_PKF1_MSG_ACCESS_UPDATE);
        m.value32 = grants;
        m.value32b = 0; /* the store keeps no expiry: permanent */
        native_send_msg(nc, &m, 0);
        host_log("native %s: access update, grants 0x%02x", nc->peer, grants);
    }
}

static void send_outcome(native_conn *nc, uint8_t kind, const char *text)
{
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_LAUNCH_OUTCOME);
    m.code8 = kind;
    m.text = (const uint8_t *)text;
    m.text_len = strlen(text);
    if (m.text_len > PF_PKF1_LAUNCH_MESSAGE_MAX)
        m.text_len = PF_PKF1_LAUNCH_MESSAGE_MAX;
    native_send_msg(nc, &m, 0);
    host_log("native %s: launch outcome %u: %s", nc->peer, kind, text);
}

void native_launch(native_conn *nc, const pf_pkf1_hello *hello, uint32_t width, uint32_t height,
                   uint32_t refresh_hz)
{
    if (!hello->launch_len)
        return;
    host *h = nc->np->h;
    char msg[PF_PKF1_LAUNCH_MESSAGE_MAX + 1];
    const app *a = app_launch_find(&h->apps, hello->launch, hello->launch_len);
    if (!a) {
        /* The session goes on with the desktop: an unknown id is the client's library out of
         * date, not a reason to end the stream. */
        snprintf(msg, sizeof(msg), "no app \"%.*s\" in this host's catalog",
                 (int)(hello->launch_len > 128 ? 128 : hello->launch_len),
                 (const char *)hello->launch);
        send_outcome(nc, PF_PKF1_LAUNCH_REFUSED, msg);
        return;
    }
    /* The app starts inside the session's desktop (its display, bus and PipeWire). */
    uint32_t desk_id = nc->sess ? native_session_desktop_id(nc->sess) : 0;
    h->sessions.launch_env = desk_id ? desktops_env(&h->desktops, desk_id) : NULL;
    int r = sessions_start_app(&h->sessions, a, width, height, refresh_hz);
    h->sessions.launch_env = NULL;
    if (r == 0) {
        snprintf(msg, sizeof(msg), "started %s", a->name);
        send_outcome(nc, PF_PKF1_LAUNCH_SPAWNED, msg);
    } else if (r == 1) {
        snprintf(msg, sizeof(msg), "%s is already running", a->name);
        send_outcome(nc, PF_PKF1_LAUNCH_ADOPTED, msg);
    } else if (r == PF_ERR_STATE) {
        const char *other = h->sessions.running.name ? h->sessions.running.name : "another app";
        snprintf(msg, sizeof(msg), "%s is running; quit it before launching %s", other,
                 a->name);
        send_outcome(nc, PF_PKF1_LAUNCH_REFUSED, msg);
    } else {
        snprintf(msg, sizeof(msg), "%s could not start (a prep command or its command failed)",
                 a->name);
        send_outcome(nc, PF_PKF1_LAUNCH_FAILED, msg);
    }
}
