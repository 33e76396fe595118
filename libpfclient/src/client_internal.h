/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private state of a pf_client (client_api.c: the public calls, which wait on the state the
 * I/O thread keeps; client_io.c: the I/O thread, sole owner of the QUIC endpoint and the
 * video socket; client_media.c: the video and audio queues, statistics). */
#ifndef PF_CLIENT_INTERNAL_H
#define PF_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "pf/client.h"
#include "pf/core/pkf1_clock.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_handshake.h"
#include "pf/core/pkf1_media.h"
#include "pf/net_native.h"

#include "udp_rx.h"

#define PFC_LAT_RING 1024u
#define PFC_TIMING_RING 64u
#define PFC_KEYFRAME_GAP_NS 250000000ull /* between automatic keyframe requests */

/* One queued item: a control-stream payload to send (framed by the I/O thread), a datagram,
 * or a close. Apps never touch the endpoint: only the I/O thread does, so the endpoint's own
 * lock is never held across the client's. */
enum pfc_cmd_kind { PFC_CMD_STREAM, PFC_CMD_DATAGRAM, PFC_CMD_CLOSE };
typedef struct pfc_cmd {
    struct pfc_cmd *next;
    enum pfc_cmd_kind kind;
    uint64_t code;
    size_t len;
    uint8_t data[];
} pfc_cmd;

/* A received control payload kept for a blocking call (handshake, pairing). */
typedef struct pfc_msg {
    struct pfc_msg *next;
    size_t len;
    uint8_t data[];
} pfc_msg;

typedef struct pfc_frame {
    struct pfc_frame *next;
    pf_client_video_frame f; /* data points at buf */
    uint8_t buf[];
} pfc_frame;

typedef struct pfc_audio {
    struct pfc_audio *next;
    pf_client_audio_packet p;
    uint8_t buf[];
} pfc_audio;

enum pfc_state { PFC_CONNECTING, PFC_CONNECTED, PFC_STREAMING, PFC_CLOSED };

struct pf_client {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* any change a blocking call or a puller waits for */
    pthread_t thread;
    int thread_started, stop, wake[2];
    pf_log_hook log;
    char host[64];
    uint16_t port;
    struct sockaddr_storage host_addr;
    socklen_t host_addr_len;
    uint8_t pinned_fp[32];
    int has_pin;
    char device_name[65];
    char launch[129];      /* Hello launch id, "" = none (pf_client_set_launch) */
    uint32_t wire_version; /* Hello wire_version, 0 = PF_PKF1_WIRE_VERSION */
    uint8_t client_fp[32];
    int has_client_fp;

    /* I/O thread only */
    pf_net_quic_endpoint *ep;
    pf_net_quic_conn *conn;
    int64_t sid;
    uint8_t *rx;
    size_t rx_len, rx_cap;
    pf_pkf1_video_rx *vrx;
    pfi_udp_rx vsock; /* reads the video socket (fd below) once streaming */
    uint64_t next_punch_ns, next_probe_ns, next_report_ns;
    unsigned punches, probes_in_batch;
    uint64_t probe_t1; /* outstanding probe, 0 = none */
    uint64_t report_received, report_recovered, report_late; /* at the last report */
    uint64_t seq_lo, seq_hi, seq_got;
    uint64_t au_first_packet_ns; /* first datagram stored for the AU being assembled */
    int au_completed;            /* the datagram being fed completed an AU (I/O thread) */
    uint64_t last_keyframe_ask_ns;
    uint64_t rate_t0_ns, rate_bytes0;

    /* shared, under lock */
    enum pfc_state state;
    int fd;                        /* video socket once streaming, -1 before */
    int hs_fp_ok;                  /* the handshake finished and the pin matched */
    uint8_t host_fp[32];
    int has_host_fp;
    pfc_cmd *cmd_head, *cmd_tail;
    pfc_msg *msg_head, *msg_tail;
    int want_msgs;                 /* a blocking call collects every payload */
    pf_client_close_info close;
    pf_client_stream_settings ss;
    pf_client_stream_info info;
    int reconf_answered, reconf_accepted;
    /* §5.6 notices, kept apart from info so that a Welcome read later cannot erase them */
    int32_t launch_outcome;
    char launch_message[201];
    uint32_t access_updates, access_grants;
    int probe_answered;
    pf_pkf1_msg probe_msg;
    uint64_t probe_packets, probe_bytes; /* counted while a speed test runs */
    int probe_running;
    pf_pkf1_clock_sync clock;
    pfc_frame *vq_head, *vq_tail, *v_current;
    unsigned vq_count;
    pfc_audio *aq_head, *aq_tail, *a_current;
    unsigned aq_count;
    int discontinuity;
    int keyframe_owed; /* a request fell inside the gap: send it when the gap is over */
    pf_client_stats st;
    uint64_t lat[PFC_LAT_RING];
    unsigned lat_count, lat_pos;
    pf_pkf1_host_timing timing[PFC_TIMING_RING];
    unsigned timing_pos;
    struct pfc_cursor *cursor; /* the cursor channel, when the app asked for it */
};

uint64_t pfc_realtime_ns(void);
uint64_t pfc_monotonic_ns(void);

/* client_api.c */
/* The struct_size rule: fills the caller's struct up to the size it was compiled with and
 * leaves its struct_size as it set it. */
void pfc_copy_sized(void *dst, const void *src, size_t src_size);
#define COPY_SIZED(dst, src) pfc_copy_sized((dst), (src), sizeof(*(src)))
/* Monotonic deadline @p timeout_ms from now; 0 (forever) for a negative timeout. */
uint64_t pfc_deadline_of(int timeout_ms);
/* Waits on the condition (lock held) for at most 20 ms or until @p deadline; 0 once the
 * deadline has passed. */
int pfc_wait_until(pf_client *c, uint64_t deadline);

/* client_io.c */
int pfc_io_start(pf_client *c, const char *cert_pem, const char *key_pem);
void pfc_io_stop(pf_client *c);
/* Queues a command for the I/O thread and wakes it (any thread; takes the lock). */
int pfc_queue(pf_client *c, enum pfc_cmd_kind kind, uint64_t code, const uint8_t *data,
              size_t len);
int pfc_queue_msg(pf_client *c, const pf_pkf1_msg *msg);
/* The same with the lock held and without the wake-up (the I/O thread's own callbacks). */
int pfc_queue_locked(pf_client *c, enum pfc_cmd_kind kind, uint64_t code, const uint8_t *data,
                     size_t len);
void pfc_wake(pf_client *c);

/* A typed control message while streaming (I/O thread, or pf_client_start for what came
 * with the Welcome). Lock held. */
void pfc_handle_msg(pf_client *c, const pf_pkf1_msg *m);
/* Copies the §5.6 notices into c->info. Lock held. */
void pfc_info_notices(pf_client *c);

/* client_media.c (called with the lock held unless noted) */
/* The reassembler's on_frame: copies the AU into the video queue (I/O thread, lock free). */
void pfc_media_on_frame(void *user, const pf_pkf1_video_frame *f);
void pfc_media_on_lost(void *user, uint32_t first, uint32_t count);
void pfc_media_on_audio(pf_client *c, const uint8_t *data, size_t len);
void pfc_media_on_timing(pf_client *c, const uint8_t *data, size_t len);
/* Sets the frame's host_* fields from the 0xCF ring when its timing has arrived. */
void pfc_media_match_timing(pf_client *c, pf_client_video_frame *f);
void pfc_media_clear(pf_client *c);
/* Queues RequestKeyframe unless one went out within PFC_KEYFRAME_GAP_NS (then it is owed). */
void pfc_ask_keyframe(pf_client *c);
void pfc_stats_latency(pf_client *c, pf_client_stats *st);

/* client_cursor.c; the _on_ calls with the lock held. */
uint8_t pfc_cursor_client_caps(pf_client *c);
void pfc_cursor_on_shape(pf_client *c, const pf_pkf1_msg *m);
void pfc_cursor_on_datagram(pf_client *c, const uint8_t *data, size_t len);
void pfc_cursor_free(pf_client *c);

#endif
