/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-session frame path: source → bounded ring → encode → packetize → pace; audio beside
 * it. The threads talk through a mutex-guarded ring and atomics only. */
#include "pipeline.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/audio_encode.h"
#include "pf/core/error.h"
#include "pf/core/gs_audio.h"
#include "pf/core/gs_video.h"
#include "pf/core/rs8.h"
#include "pf/encode.h"

#include "pattern.h"
#include "source_pw.h"

#define RING 3u
#define AU_CAP_MIN (1u << 20)

typedef struct slot {
    pf_frame *frame; /* a captured frame (one reference), or NULL: pixels holds it */
    uint8_t *pixels;
    uint64_t pts_ns;
    uint64_t counter;
} slot;

struct pipeline {
    pipeline_settings st;
    pthread_t src_thread, video_thread, audio_thread;
    int src_started, video_started, audio_started;
    atomic_int stop;
    atomic_int idr;
    atomic_int video_peer; /* a ping told the video address: frames have somewhere to go */
    atomic_int source_failed;
    atomic_uint bitrate_kbps; /* wanted; the video thread applies changes */
    uint32_t max_kbps;        /* the most that keeps frames inside the FEC budget */
    uint32_t bitrate_applied;
    atomic_uint fec_percent; /* wanted parity percentage; the video thread applies it */

    pthread_mutex_t lock;
    pthread_cond_t cond;
    slot ring[RING];
    uint32_t head, count;

    pf_encode_device *dev;
    pf_encode_video *enc;
    pf_gs_video_tx *vtx;
    pf_net_pacer *vpacer, *apacer;
    uint8_t *au;
    size_t au_cap;
    uint8_t *pkts;
    size_t pkts_cap;
    uint32_t pkt_bytes;

    pf_encode_audio *aenc;
    pf_gs_audio_tx *atx;
    pw_source *src; /* the capture thread's source once it ended */

    pthread_mutex_t stats_lock;
    pipeline_stats stats;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
    struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static void push_frame(pipeline *p, pf_frame *f, uint64_t pts_ns, uint64_t counter)
{
    pthread_mutex_lock(&p->lock);
    while (p->count == RING && !atomic_load(&p->stop)) {
        p->stats.frames_dropped++;
        pthread_cond_wait(&p->cond, &p->lock);
    }
    if (atomic_load(&p->stop)) {
        pthread_mutex_unlock(&p->lock);
        pf_frame_release(f);
        return;
    }
    slot *s = &p->ring[(p->head + p->count) % RING];
    s->frame = f;
    s->pts_ns = pts_ns;
    s->counter = counter;
    p->count++;
    p->stats.frames_captured++;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

/* Captured frames (PipeWire): the capture object belongs to this thread. */
static void *capture_main(void *arg)
{
    pipeline *p = arg;
    pw_source *src = NULL;
    int cursor = p->st.cursor && p->st.sink && p->st.sink->cursor;
    int r = p->st.source == PIPELINE_SOURCE_NODE
                ? pw_source_create_node((uint32_t)p->st.node_id, p->st.cfg.width,
                                        p->st.cfg.height, p->st.cfg.fps, p->st.pipewire_remote,
                                        cursor, p->st.log, &src)
                : pw_source_create(p->st.cfg.width, p->st.cfg.height, p->st.cfg.fps,
                                   p->st.pipewire_remote,
                                   p->st.source == PIPELINE_SOURCE_VDISPLAY,
                                   p->st.vdisplay_backend, cursor, p->st.log, &src);
    if (r < 0) {
        /* Never a black stream: the owner ends the session with a reason. */
        atomic_store(&p->source_failed, 1);
        if (p->st.log.fn) {
            static const char msg[] = "PipeWire source unavailable; no video";
            p->st.log.fn(p->st.log.user_data, PF_LOG_WARNING, "pipeline", msg, sizeof(msg) - 1);
        }
    }
    uint64_t counter = 0;
    /* §6.7: a damage-driven compositor sends nothing while the screen is still, but the
     * client needs frames; the last one is encoded again every frame interval. */
    int32_t interval_ms = (int32_t)(1000 / p->st.cfg.fps) + 1;
    pf_frame *last = NULL;
    uint64_t last_push = 0;
    while (src && !atomic_load(&p->stop)) {
        pf_frame *f = NULL;
        r = pw_source_next(src, interval_ms, &f);
        pw_source_report_cursor(src, p->st.sink);
        if (r == PF_ERR_AGAIN) {
            /* Buffers that carry only a pointer move wake this loop too: a repeat is due only
             * once a whole interval passed without a frame. */
            uint64_t now = mono_ns();
            if (last && now - last_push >= 1000000000ull / p->st.cfg.fps &&
                pw_source_ref(last) == 0) {
                last_push = now;
                push_frame(p, last, now, counter++);
            }
            continue;
        }
        if (r < 0) {
            atomic_store(&p->source_failed, 1);
            break;
        }
        pf_frame_release(last);
        last = pw_source_ref(f) == 0 ? f : NULL;
        last_push = mono_ns();
        push_frame(p, f, f->pts_ns ? f->pts_ns : mono_ns(), counter++);
    }
    pf_frame_release(last);
    /* Frames in the ring and the one being encoded still point into the source: it goes in
     * pipeline_destroy(), after the video thread and the ring are done with them. */
    p->src = src;
    return NULL;
}

static void *source_main(void *arg)
{
    pipeline *p = arg;
    if (p->st.source != PIPELINE_SOURCE_TESTPATTERN)
        return capture_main(arg);
    uint32_t w = p->st.cfg.width, h = p->st.cfg.height;
    uint64_t interval = 1000000000ull / p->st.cfg.fps, next = mono_ns();
    uint8_t *scratch = malloc((size_t)w * h * 4);
    uint64_t counter = 0;
    while (scratch && !atomic_load(&p->stop)) {
        sleep_until(next);
        next += interval;
        uint64_t now = mono_ns();
        if (now > next + interval)
            next = now; /* fell behind (suspend, overload): skip, never burst */
        pattern_draw_bgrx(scratch, w, h, w * 4, (uint32_t)counter);
        pthread_mutex_lock(&p->lock);
        /* The test pattern waits for a busy encoder instead of dropping, so a client may
         * demand consecutive counters even on a loaded machine; its clock slips instead
         * (and catches up without bursting, above). */
        while (p->count == RING && !atomic_load(&p->stop)) {
            p->stats.frames_dropped++;
            pthread_cond_wait(&p->cond, &p->lock);
        }
        slot *s = &p->ring[(p->head + p->count) % RING];
        uint8_t *tmp = s->pixels;
        s->pixels = scratch;
        scratch = tmp;
        s->pts_ns = now;
        s->counter = counter++;
        p->count++;
        p->stats.frames_captured++;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
    }
    free(scratch);
    return NULL;
}

/* field notes: past 4 FEC blocks (data plus parity within 255 shards each, §6.3) a frame
 * goes out unprotected and any loss in it costs an IDR. The encoder's one-frame VBV keeps
 * frames near bitrate / fps, so this bitrate, with a tenth spare for overshoot, keeps them
 * inside the budget of @p packet_size at @p fec_percent. */
static uint32_t fec_budget_kbps(uint32_t packet_size, uint32_t fec_percent, uint32_t fps)
{
    uint64_t per_block = PF_RS8_MAX_SHARDS * 100u / (100u + fec_percent);
    if (per_block > PF_GS_VIDEO_MAX_BLOCK_DATA)
        per_block = PF_GS_VIDEO_MAX_BLOCK_DATA;
    uint64_t payload =
        packet_size - (PF_GS_VIDEO_SHARD_HEADER_BYTES - PF_GS_VIDEO_RTP_HEADER_BYTES);
    uint64_t bytes = PF_GS_VIDEO_MAX_BLOCKS * per_block * payload - PF_GS_VIDEO_FRAME_HEADER_BYTES;
    uint64_t kbps = bytes * 8u * fps / 1000u * 9u / 10u;
    return kbps > UINT32_MAX ? UINT32_MAX : (uint32_t)kbps;
}

static int encode_and_send(pipeline *p, const pf_frame *frame, uint8_t *pixels, uint64_t pts_ns)
{
    /* §6.4: the client counts from frame index 1 and takes every skipped index for a lost
     * frame, so nothing is encoded (or numbered) before its first ping; the first frame it
     * gets is then frame 1, an IDR. */
    if (!atomic_load(&p->video_peer)) {
        if (frame)
            pf_frame_release((pf_frame *)frame);
        return 0;
    }
    uint64_t dequeued = mono_ns();
    pf_frame f;
    memset(&f, 0, sizeof(f));
    f.struct_size = sizeof(f);
    f.width = p->st.cfg.width;
    f.height = p->st.cfg.height;
    f.format = PF_FRAME_FORMAT_BGRX;
    f.memory = PF_FRAME_MEMORY_CPU;
    f.n_planes = 1;
    f.planes[0].fd = -1;
    f.planes[0].stride = f.width * 4;
    f.planes[0].data = pixels;
    f.sync_fd = f.timeline_fd = -1;
    f.pts_ns = f.arrival_ns = pts_ns;
    if (frame) {
        f = *frame;
        f.pts_ns = pts_ns;
    }
    uint32_t want = atomic_load(&p->bitrate_kbps);
    if (want != p->bitrate_applied && pf_encode_video_set_bitrate(p->enc, want) == 0)
        p->bitrate_applied = want;
    uint32_t flags = atomic_exchange(&p->idr, 0) ? PF_ENCODE_SUBMIT_IDR : 0;
    int r = pf_encode_video_submit(p->enc, &f, flags);
    if (frame) {
        /* The encoder no longer reads it: back to the producer at once. */
        pf_frame_release((pf_frame *)frame);
    }
    if (r < 0) {
        if (flags)
            atomic_store(&p->idr, 1);
        return r;
    }
    for (;;) {
        pf_encode_packet pk = {.struct_size = sizeof(pk)};
        r = pf_encode_video_peek(p->enc, &pk);
        if (r == PF_ERR_AGAIN)
            return 0;
        if (r < 0)
            return r;
        if (pk.size > p->au_cap) {
            /* Rare growth outside the steady state (a huge IDR). */
            uint8_t *n = realloc(p->au, pk.size * 2);
            if (!n)
                return PF_ERR_NOMEM;
            p->au = n;
            p->au_cap = pk.size * 2;
        }
        int len = pf_encode_video_receive(p->enc, p->au, p->au_cap, &pk);
        if (len < 0)
            return len;
        uint64_t encoded = mono_ns();
        if (p->st.sink) {
            r = p->st.sink->video(p->st.sink->user, p->au, (size_t)len, pts_ns, dequeued,
                                  encoded, (pk.flags & PF_ENCODE_PACKET_IDR) != 0);
            pthread_mutex_lock(&p->stats_lock);
            p->stats.frames_encoded++;
            p->stats.idr_frames += (pk.flags & PF_ENCODE_PACKET_IDR) != 0;
            if (r == 0) {
                p->stats.frames_sent++;
                p->stats.bytes_sent += (uint64_t)len;
                p->stats.encode_ns_total += encoded - pts_ns;
            }
            pthread_mutex_unlock(&p->stats_lock);
            if (r == PF_ERR_STATE)
                atomic_store(&p->idr, 1);
            continue;
        }
        /* Before sizing: a higher percentage means more packets for this frame. */
        pf_gs_video_tx_set_fec_percent(p->vtx, atomic_load(&p->fec_percent));
        uint32_t pbytes, maxp;
        r = pf_gs_video_tx_get_frame_size(p->vtx, (size_t)len, &pbytes, &maxp);
        if (r < 0)
            return r;
        if ((size_t)pbytes * maxp > p->pkts_cap) {
            uint8_t *n = realloc(p->pkts, (size_t)pbytes * maxp);
            if (!n)
                return PF_ERR_NOMEM;
            p->pkts = n;
            p->pkts_cap = (size_t)pbytes * maxp;
        }
        pf_gs_video_frame_info info = {
            .version = PF_GS_VIDEO_FRAME_INFO_VERSION,
            .frame_type = (pk.flags & PF_ENCODE_PACKET_IDR) ? PF_GS_FRAME_TYPE_IDR
                                                             : PF_GS_FRAME_TYPE_P,
            .host_latency = (uint32_t)((encoded - pts_ns) / 100000u),
            .rtp_timestamp = (uint32_t)(pts_ns / 100000u * 9u),
        };
        pf_gs_video_tx_result res;
        r = pf_gs_video_tx_packetize(p->vtx, &info, p->au, (size_t)len, p->pkts, p->pkts_cap,
                                     pbytes, &res);
        if (r < 0)
            return r;
        uint64_t interval = 1000000000ull / p->st.cfg.fps;
        pf_net_pacer_result pr;
        r = pf_net_pacer_send(p->vpacer, p->pkts, pbytes, res.packet_bytes, res.packet_count,
                              interval, &pr);
        pthread_mutex_lock(&p->stats_lock);
        p->stats.frames_encoded++;
        if (pk.flags & PF_ENCODE_PACKET_IDR)
            p->stats.idr_frames++;
        int first_without_fec = res.fec_skipped && p->stats.fec_skipped == 0;
        p->stats.fec_skipped += res.fec_skipped;
        if (r == 0) {
            p->stats.frames_sent++;
            p->stats.packets_sent += res.packet_count;
            p->stats.bytes_sent += (uint64_t)res.packet_count * res.packet_bytes;
            p->stats.encode_ns_total += encoded - pts_ns;
            p->stats.send_ns_total += pr.last_sent_ns - pts_ns;
        }
        pthread_mutex_unlock(&p->stats_lock);
        if (r == 0 && p->st.frame_log)
            frame_log_write(p->st.frame_log,
                            &(frame_log_entry){p->st.session_id, res.frame_index, pts_ns,
                                               encoded, pr.last_sent_ns});
        if (first_without_fec && p->st.log.fn) {
            /* field notes: past GameStream's 4 FEC blocks a frame goes out unprotected, and
             * any loss in it costs an IDR. Said once per session; the count is in its stats. */
            char msg[200];
            int n = snprintf(msg, sizeof(msg),
                             "session %u: a %d KB frame needs more than 4 FEC blocks of %u-byte "
                             "packets and went without parity; a lower bitrate or resolution "
                             "keeps frames protected",
                             p->st.session_id, len / 1024, p->st.cfg.packet_size);
            p->st.log.fn(p->st.log.user_data, PF_LOG_WARNING, "pipeline", msg, (size_t)n);
        }
        if (r == PF_ERR_STATE) {
            /* No ping yet: the client cannot decode P-frames it never got the IDR for. */
            atomic_store(&p->idr, 1);
        }
    }
}

static void *video_main(void *arg)
{
    pipeline *p = arg;
    uint8_t *mine = malloc((size_t)p->st.cfg.width * p->st.cfg.height * 4);
    while (mine) {
        pthread_mutex_lock(&p->lock);
        while (!p->count && !atomic_load(&p->stop))
            pthread_cond_wait(&p->cond, &p->lock);
        if (atomic_load(&p->stop)) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        slot *s = &p->ring[p->head];
        pf_frame *captured = s->frame;
        s->frame = NULL;
        if (!captured) {
            uint8_t *px = s->pixels;
            s->pixels = mine;
            mine = px;
        }
        uint64_t pts = s->pts_ns;
        p->head = (p->head + 1) % RING;
        p->count--;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        int r = encode_and_send(p, captured, mine, pts);
        if (r < 0 && r != PF_ERR_STATE && p->st.log.fn) {
            static const char msg[] = "frame could not be encoded or sent";
            p->st.log.fn(p->st.log.user_data, PF_LOG_DEBUG, "pipeline", msg, sizeof(msg) - 1);
        }
    }
    free(mine);
    return NULL;
}

static void *audio_main(void *arg)
{
    pipeline *p = arg;
    pf_encode_audio_layout lay = {.struct_size = sizeof(lay)};
    if (pf_encode_audio_get_layout(p->aenc, &lay) < 0)
        return NULL;
    uint32_t ch = lay.channels, n = lay.frame_samples;
    int16_t *pcm = calloc((size_t)n * ch, sizeof(int16_t));
    uint8_t opus[PF_GS_AUDIO_MAX_PAYLOAD];
    uint8_t out[3 * PF_GS_AUDIO_MAX_DATAGRAM];
    uint64_t interval = (uint64_t)p->st.cfg.audio_packet_ms * 1000000ull, next = mono_ns();
    uint64_t sample = 0, last_period = 0;
    /* Captured sources play into the session's virtual sink; the test pattern has a tone. */
    pw_audio *cap = NULL;
    if (p->st.source != PIPELINE_SOURCE_TESTPATTERN) {
        char sink[32];
        snprintf(sink, sizeof(sink), "pf-sink-%u", p->st.session_id);
        if (pw_audio_create(ch, p->st.cfg.audio_packet_ms, p->st.pipewire_remote, sink,
                            p->st.log, &cap) < 0 && p->st.log.fn) {
            static const char msg[] = "audio capture unavailable; sending silence";
            p->st.log.fn(p->st.log.user_data, PF_LOG_WARNING, "pipeline", msg, sizeof(msg) - 1);
        }
    }
    while (pcm && !atomic_load(&p->stop)) {
        if (cap) {
            /* The sink's clock paces (periods come in bursts of a graph quantum); when it
             * stalls for longer than any quantum, silence keeps the client's audio stream
             * alive at the packet rate. */
            int r = pw_audio_read(cap, pcm, (size_t)n * ch * sizeof(int16_t),
                                  (int32_t)p->st.cfg.audio_packet_ms);
            if (r < 0)
                break;
            uint64_t now = mono_ns();
            if (r == 1) {
                last_period = now;
            } else {
                if (now < last_period + 50000000ull || now < next)
                    continue;
                memset(pcm, 0, (size_t)n * ch * sizeof(int16_t));
            }
            next = now + interval;
        } else {
            sleep_until(next);
            next += interval;
            /* The pattern's tone per channel (silence without a capture). */
            double amp = p->st.source == PIPELINE_SOURCE_TESTPATTERN ? PATTERN_TONE_AMPLITUDE : 0.0;
            for (uint32_t i = 0; i < n; i++, sample++)
                for (uint32_t c = 0; c < ch; c++)
                    pcm[(size_t)i * ch + c] = (int16_t)(
                        amp * sin(2.0 * M_PI * PATTERN_TONE_HZ(c) * (double)sample / 48000.0));
        }
        int len = pf_encode_audio_encode(p->aenc, pcm, n, opus, sizeof(opus));
        if (len <= 0)
            continue;
        if (p->st.sink) {
            p->st.sink->audio(p->st.sink->user, opus, (size_t)len, mono_ns());
            pthread_mutex_lock(&p->stats_lock);
            p->stats.audio_packets++;
            pthread_mutex_unlock(&p->stats_lock);
            continue;
        }
        pf_gs_audio_tx_result res;
        if (pf_gs_audio_tx_packetize(p->atx, opus, (size_t)len, out, sizeof(out),
                                     PF_GS_AUDIO_MAX_DATAGRAM, &res) < 0)
            continue;
        for (uint32_t i = 0; i < res.packet_count; i++)
            pf_net_pacer_send(p->apacer, out + (size_t)i * PF_GS_AUDIO_MAX_DATAGRAM,
                              res.packet_bytes[i], res.packet_bytes[i], 1, 0, NULL);
        pthread_mutex_lock(&p->stats_lock);
        p->stats.audio_packets++;
        pthread_mutex_unlock(&p->stats_lock);
    }
    pw_audio_destroy(cap);
    free(pcm);
    return NULL;
}

static uint32_t encode_codec(uint32_t gs)
{
    return gs == PF_NET_GS_STREAM_HEVC ? PF_ENCODE_CODEC_HEVC
           : gs == PF_NET_GS_STREAM_AV1 ? PF_ENCODE_CODEC_AV1
                                        : PF_ENCODE_CODEC_H264;
}

static int setup_video(pipeline *p)
{
    pf_encode_device_settings ds;
    pf_encode_device_settings_default(&ds);
    ds.log = p->st.log;
    int r = pf_encode_device_create(&ds, &p->dev);
    if (r < 0)
        return r;
    pf_encode_video_settings vs;
    pf_encode_video_settings_default(&vs);
    vs.codec = encode_codec(p->st.cfg.codec);
    vs.width = p->st.cfg.width;
    vs.height = p->st.cfg.height;
    vs.input_format = PF_FRAME_FORMAT_BGRX;
    vs.fps = p->st.cfg.fps;
    /* A sink has its own FEC (punktfunk/1: GF(2^16), no 4-block wall). */
    p->max_kbps = p->st.sink ? 1000000u
                             : fec_budget_kbps(p->st.cfg.packet_size, p->st.fec_percent,
                                               p->st.cfg.fps);
    vs.bitrate_kbps = p->st.cfg.bitrate_kbps < 50 ? 50 : p->st.cfg.bitrate_kbps;
    if (vs.bitrate_kbps > p->max_kbps) {
        if (p->st.log.fn) {
            char msg[220];
            int n = snprintf(msg, sizeof(msg),
                             "session %u: %u kbps would make frames too big for FEC at %u-byte "
                             "packets; streaming at %u kbps",
                             p->st.session_id, vs.bitrate_kbps, p->st.cfg.packet_size,
                             p->max_kbps);
            p->st.log.fn(p->st.log.user_data, PF_LOG_WARNING, "pipeline", msg, (size_t)n);
        }
        vs.bitrate_kbps = p->max_kbps;
    }
    vs.bit_depth = p->st.cfg.dynamic_range ? 10 : 8;
    /* encoderCscMode (§4.5): (colour space << 1) | full range; space 0 BT.601, 1 BT.709,
     * 2 BT.2020, which Moonlight asks for with HDR, where the PQ stream is BT.2020 anyway. */
    uint32_t csc_space = p->st.cfg.csc_mode >> 1;
    vs.color_space = p->st.cfg.dynamic_range ? PF_COLOR_SPACE_BT2020_PQ
                     : csc_space == 0        ? PF_COLOR_SPACE_BT601
                                             : PF_COLOR_SPACE_BT709;
    vs.color_range = (p->st.cfg.csc_mode & 1) ? PF_COLOR_RANGE_FULL : PF_COLOR_RANGE_LIMITED;
    vs.slices = p->st.cfg.slices;
    vs.log = p->st.log;
    r = pf_encode_video_create(p->dev, &vs, &p->enc);
    if (r < 0)
        return r;
    p->bitrate_applied = vs.bitrate_kbps;
    atomic_store(&p->bitrate_kbps, vs.bitrate_kbps);
    pf_gs_video_tx_settings ts;
    pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.packet_size = p->st.cfg.packet_size;
    ts.fec_percent = p->st.fec_percent;
    atomic_store(&p->fec_percent, ts.fec_percent);
    ts.min_parity = p->st.cfg.min_fec_packets;
    ts.encrypt = p->st.cfg.encrypt_video;
    memcpy(ts.key, p->st.rikey, 16);
    ts.max_shapes = 256;
    r = pf_gs_video_tx_create(&ts, &p->vtx);
    if (r < 0)
        return r;
    /* Buffers for a 1 MiB access unit, or for the largest frame GameStream can carry in
     * this packet size (4 blocks of 1023 shards) when that is smaller. */
    size_t payload = p->st.cfg.packet_size -
                     (PF_GS_VIDEO_SHARD_HEADER_BYTES - PF_GS_VIDEO_RTP_HEADER_BYTES);
    size_t largest = (size_t)PF_GS_VIDEO_MAX_BLOCKS * PF_GS_VIDEO_MAX_BLOCK_DATA * payload -
                     PF_GS_VIDEO_FRAME_HEADER_BYTES;
    p->au_cap = largest < AU_CAP_MIN ? largest : AU_CAP_MIN;
    p->au = malloc(p->au_cap);
    uint32_t maxp;
    r = pf_gs_video_tx_get_frame_size(p->vtx, p->au_cap, &p->pkt_bytes, &maxp);
    if (r < 0 || !p->au)
        return r < 0 ? r : PF_ERR_NOMEM;
    p->pkts_cap = (size_t)p->pkt_bytes * maxp;
    p->pkts = malloc(p->pkts_cap);
    for (uint32_t i = 0; i < RING; i++) {
        p->ring[i].pixels = malloc((size_t)vs.width * vs.height * 4);
        if (!p->ring[i].pixels)
            return PF_ERR_NOMEM;
    }
    return p->pkts ? 0 : PF_ERR_NOMEM;
}

static int setup_audio(pipeline *p)
{
    pf_encode_audio_settings as;
    pf_encode_audio_settings_default(&as);
    as.channels = p->st.cfg.audio_channels;
    as.frame_ms = p->st.cfg.audio_packet_ms;
    as.coupling = p->st.audio_coupling;
    as.high_quality = p->st.cfg.audio_channels > 2 ? p->st.cfg.audio_high_quality
                                                   : p->st.cfg.stereo_high_quality;
    if (p->st.cfg.audio_channels == 2)
        as.bitrate_bps = as.high_quality ? 512000 : 96000;
    if (p->st.audio_bitrate_bps)
        as.bitrate_bps = p->st.audio_bitrate_bps;
    as.log = p->st.log;
    int r = pf_encode_audio_create(&as, &p->aenc);
    if (r < 0)
        return r;
    pf_gs_audio_tx_settings ts;
    pf_gs_audio_tx_settings_default(PF_GS_AUDIO_TX_SETTINGS_VERSION, &ts);
    ts.packet_duration_ms = p->st.cfg.audio_packet_ms;
    ts.encrypt = p->st.cfg.encrypt_audio;
    ts.rikeyid = p->st.rikeyid;
    memcpy(ts.key, p->st.rikey, 16);
    return pf_gs_audio_tx_create(&ts, &p->atx);
}

int pipeline_create(const pipeline_settings *st, pipeline **ret)
{
    pipeline *p = calloc(1, sizeof(*p));
    if (!p)
        return PF_ERR_NOMEM;
    p->st = *st;
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->stats_lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    atomic_init(&p->stop, 0);
    atomic_init(&p->idr, 1);
    atomic_init(&p->video_peer, st->sink != NULL); /* a sink decides when frames go out */
    atomic_init(&p->source_failed, 0);
    pf_net_pacer_settings ps;
    pf_net_pacer_settings_default(&ps);
    ps.fd = st->video_fd;
    /* PF_UDP_GSO=0 sends every datagram on its own: netfilter sees a GSO burst as one
     * packet, so per-datagram loss emulation (the loss test) needs it off. */
    const char *gso = getenv("PF_UDP_GSO");
    ps.use_gso = !(gso && !strcmp(gso, "0"));
    int r = pf_net_pacer_create(&ps, &p->vpacer);
    if (r == 0) {
        ps.fd = st->audio_fd;
        ps.use_gso = 0;
        r = pf_net_pacer_create(&ps, &p->apacer);
    }
    if (r == 0)
        r = setup_video(p);
    if (r == 0)
        r = setup_audio(p);
    if (r == 0) {
        p->video_started = pthread_create(&p->video_thread, NULL, video_main, p) == 0;
        p->audio_started = pthread_create(&p->audio_thread, NULL, audio_main, p) == 0;
        p->src_started = pthread_create(&p->src_thread, NULL, source_main, p) == 0;
        if (!p->video_started || !p->audio_started || !p->src_started)
            r = PF_ERR_NOMEM;
    }
    if (r < 0) {
        pipeline_destroy(p);
        return r;
    }
    *ret = p;
    return 0;
}

void pipeline_destroy(pipeline *p)
{
    if (!p)
        return;
    atomic_store(&p->stop, 1);
    pthread_mutex_lock(&p->lock);
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (p->src_started)
        pthread_join(p->src_thread, NULL);
    if (p->video_started)
        pthread_join(p->video_thread, NULL);
    if (p->audio_started)
        pthread_join(p->audio_thread, NULL);
    if (p->st.frame_log) /* the session's last lines reach the file as it ends */
        frame_log_flush(p->st.frame_log);
    pf_encode_video_destroy(p->enc);
    pf_encode_device_destroy(p->dev);
    pf_encode_audio_destroy(p->aenc);
    pf_gs_video_tx_destroy(p->vtx);
    pf_gs_audio_tx_destroy(p->atx);
    pf_net_pacer_destroy(p->vpacer);
    pf_net_pacer_destroy(p->apacer);
    for (uint32_t i = 0; i < RING; i++) {
        pf_frame_release(p->ring[i].frame);
        free(p->ring[i].pixels);
    }
    pw_source_destroy(p->src);
    free(p->au);
    free(p->pkts);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->stats_lock);
    free(p);
}

void pipeline_set_peer(pipeline *p, uint32_t which, uint32_t addr_be, uint16_t port)
{
    pf_net_pacer_set_peer(which == PF_NET_GS_MEDIA_AUDIO ? p->apacer : p->vpacer, addr_be, port);
    if (which == PF_NET_GS_MEDIA_VIDEO) {
        atomic_store(&p->idr, 1);
        atomic_store(&p->video_peer, 1);
    }
}

void pipeline_set_bitrate(pipeline *p, uint32_t kbps)
{
    if (kbps > p->max_kbps)
        kbps = p->max_kbps;
    atomic_store(&p->bitrate_kbps, kbps < 50 ? 50 : kbps);
}

uint32_t pipeline_get_max_bitrate(const pipeline *p)
{
    return p->max_kbps;
}

uint32_t pipeline_get_bitrate(pipeline *p)
{
    return atomic_load(&p->bitrate_kbps);
}

void pipeline_set_fec(pipeline *p, uint32_t percent)
{
    atomic_store(&p->fec_percent, percent > 255 ? 255 : percent);
}

uint32_t pipeline_get_fec(pipeline *p)
{
    return atomic_load(&p->fec_percent);
}

void pipeline_request_idr(pipeline *p)
{
    atomic_store(&p->idr, 1);
}

void pipeline_get_stats(pipeline *p, pipeline_stats *ret)
{
    pthread_mutex_lock(&p->stats_lock);
    pthread_mutex_lock(&p->lock);
    *ret = p->stats;
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_unlock(&p->stats_lock);
}

int pipeline_source_failed(pipeline *p)
{
    return atomic_load(&p->source_failed);
}
