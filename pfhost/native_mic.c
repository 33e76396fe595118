/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The microphone of a punktfunk/1 session: datagrams through native_mic_decode.c into
 * libpfcapture's virtual source. The source is created lazily: most clients never send a
 * microphone, and a session without one should not show a dead source to the desktop. It is
 * created on a thread of its own (connecting to PipeWire and waiting for the node takes round
 * trips, up to seconds on a busy daemon) so the event loop never waits for it; packets that
 * arrive meanwhile are decoded and dropped. A PipeWire that cannot be reached is logged once
 * and the session goes on without a mic. */
#include "native_mic.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/capture_mic.h"
#include "pf/core/error.h"
#include "pf/core/pkf1.h"

#include "host.h"
#include "native_mic_decode.h"

enum { MIC_IDLE, MIC_OPENING, MIC_OPEN, MIC_FAILED };

struct native_mic {
    char *remote;
    char name[100], description[100];
    pf_log_hook log;
    mic_decoder *dec;
    pf_capture_mic *src; /* set by the opener before it publishes OPEN */
    pthread_t opener;
    int opener_started;
    atomic_int state; /* MIC_* */
    uint64_t refused; /* packets without the grant */
    int16_t pcm[MIC_PCM_CAP];
};

native_mic *native_mic_create(const char *remote, const char *client, const char *tag,
                              pf_log_hook log)
{
    native_mic *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->remote = remote ? strdup(remote) : NULL;
    m->log = log;
    snprintf(m->name, sizeof(m->name), "punktfunk-mic-%s", tag);
    /* PipeWire names must not carry quotes; anything else of the label is kept. */
    snprintf(m->description, sizeof(m->description), "punktfunk microphone (%.70s)",
             client && *client ? client : "client");
    for (char *p = m->description; *p; p++)
        if (*p == '"' || *p == '\\')
            *p = '\'';
    if ((remote && !m->remote) || mic_decoder_create(&m->dec) < 0) {
        native_mic_destroy(m);
        return NULL;
    }
    return m;
}

void native_mic_destroy(native_mic *m)
{
    if (!m)
        return;
    if (m->opener_started)
        pthread_join(m->opener, NULL);
    if (m->src) {
        pf_capture_mic_stats st = {.struct_size = sizeof(st)};
        mic_decoder_stats ds;
        pf_capture_mic_get_stats(m->src, &st);
        mic_decoder_get_stats(m->dec, &ds);
        host_log("native mic %s: %llu packets (%llu dropped, %llu concealed), %llu frames "
                 "played, %llu cut",
                 m->name, (unsigned long long)ds.packets, (unsigned long long)ds.dropped,
                 (unsigned long long)ds.concealed, (unsigned long long)st.played,
                 (unsigned long long)st.cut);
    }
    pf_capture_mic_destroy(m->src);
    mic_decoder_destroy(m->dec);
    free(m->remote);
    free(m);
}

static void *open_source(void *arg)
{
    native_mic *m = arg;
    pf_capture_mic_settings s;
    pf_capture_mic_settings_init(&s);
    s.remote = m->remote;
    s.node_name = m->name;
    s.description = m->description;
    s.log = m->log;
    int r = pf_capture_mic_create(&s, &m->src);
    if (r < 0) {
        host_log("native mic: no virtual source on PipeWire (%s); the microphone is dropped",
                 pf_strerror(r));
        atomic_store(&m->state, MIC_FAILED);
        return NULL;
    }
    host_log("native mic: source \"%s\" (%s, node %lld)", m->description, m->name,
             (long long)pf_capture_mic_get_node_id(m->src));
    atomic_store(&m->state, MIC_OPEN);
    return NULL;
}

void native_mic_datagram(native_mic *m, const uint8_t *data, size_t len, uint32_t grants)
{
    if (!m)
        return;
    if (!(grants & PF_PKF1_GRANT_MIC)) {
        if (!m->refused++)
            host_log("native mic: the client has no microphone grant; its packets are dropped");
        return;
    }
    if (atomic_load(&m->state) == MIC_IDLE) {
        atomic_store(&m->state, MIC_OPENING);
        m->opener_started = pthread_create(&m->opener, NULL, open_source, m) == 0;
        if (!m->opener_started) {
            host_log("native mic: cannot start the source's thread; the microphone is dropped");
            atomic_store(&m->state, MIC_FAILED);
        }
    }
    int state = atomic_load(&m->state);
    if (state == MIC_FAILED)
        return;
    /* Decoded while the source opens too, so its state follows the stream. */
    int n = mic_decoder_datagram(m->dec, data, len, m->pcm);
    if (n > 0 && state == MIC_OPEN)
        pf_capture_mic_write(m->src, m->pcm, (uint32_t)n);
}
