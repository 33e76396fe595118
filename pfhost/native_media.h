/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_MEDIA_H
#define PFHOST_NATIVE_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/pkf1_handshake.h"
#include "pf/core/pkf1_media.h"
#include "pf/net_native.h"

/* The punktfunk/1 data plane of one session (native-protocol.md §7, §8.2): access units
 * packetized into GF(2^16) FEC blocks and sealed by libpfcore, paced out of the session's
 * data socket (sendmmsg/GSO, libpfnet's pacer) once it is connected to the client's punch;
 * Opus audio as 0xC9 QUIC datagrams. Sequence number, keys and frame numbering live here, so
 * they survive a pipeline rebuild (Reconfigure). Sending runs on the pipeline's threads. */
typedef struct native_media native_media;

/* @p fd is the data socket (borrowed); @p w the Welcome sent (keys, cipher, shard size, FEC). */
int native_media_create(int fd, const pf_pkf1_welcome *w, native_media **ret);
void native_media_destroy(native_media *m);
/* 1 once the data socket is connected to the client: frames go out from then on. */
void native_media_set_ready(native_media *m, int ready);
/* Pacing interval of the frames to come (the session's refresh rate). Any thread. */
void native_media_set_fps(native_media *m, uint32_t fps);
/* Parity percentage for the frames to come (adaptive FEC, 5–50). Any thread. */
void native_media_set_fec(native_media *m, uint32_t percent);
uint32_t native_media_get_fec(native_media *m);
/* Per-datagram loss the parity of the frames to come is sized for, beyond the percentage
 * (the session's estimate from LossReports; pf_pkf1_media_recovery_for_loss()). Until the
 * first call the frames get the cold-start protection, PF_PKF1_FEC_COLD_LOSS_PPM. Any thread. */
void native_media_set_loss(native_media *m, uint32_t loss_ppm);
/* Milliseconds since the first frame was sent (0 before). Any thread. */
uint64_t native_media_get_sending_ms(native_media *m);
/* A frame's stage stamps on CLOCK_MONOTONIC (pipeline.h). */
typedef struct native_au_times {
    uint64_t capture_ns, dequeued_ns, encoded_ns;
} native_au_times;

/* One access unit (video thread). Returns 0, PF_ERR_STATE (not ready: the caller makes the
 * next frame an IDR) or another PF_ERR_* value. With host timing on, a 0xCF datagram follows
 * the frame's last datagram. */
int native_media_send_au(native_media *m, const uint8_t *au, size_t len, const native_au_times *t,
                         int idr);
/* §8.8: 0xCF host-timing datagrams go to @p qc (borrowed; the session's connection) after
 * each frame, toward clients that set VIDEO_CAP_HOST_TIMING. NULL turns them off. Set before
 * the data plane is ready. */
void native_media_set_host_timing(native_media *m, pf_net_quic_conn *qc);
/* §9.5: speed-test filler numbers its AUs in its own index space (VIDEO_CAP_PROBE_SEQ) or in
 * the video's. Set before the first probe. */
void native_media_set_probe_seq(native_media *m, int own_space);
/* Packetizes and seals one speed-test AU of @p len bytes of @p filler (FLAG_PROBE on every
 * datagram, no parity) into @p out, datagrams S + 64 bytes apart, sharing the wire seq with
 * the video (any thread; the caller sends them). Returns 0 or a PF_ERR_* value. */
int native_media_packetize_probe(native_media *m, const uint8_t *filler, size_t len, uint8_t *out,
                                 size_t out_cap, pf_pkf1_video_tx_result *ret);
/* 1 once the data socket is connected (native_media_set_ready). */
int native_media_is_ready(native_media *m);
/* One 5 ms Opus packet as a 0xC9 datagram on @p qc (audio thread). */
void native_media_send_audio(native_media *m, pf_net_quic_conn *qc, const uint8_t *opus,
                             size_t len);

typedef struct native_media_stats {
    uint64_t frames, packets, bytes, audio_packets, timing_datagrams;
    uint64_t data_shards, parity_shards; /* of the frames sent */
} native_media_stats;
void native_media_get_stats(native_media *m, native_media_stats *ret);

#endif
