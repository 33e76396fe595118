/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every streaming-plane test does around its checks: a work directory, a pfhost on free
 * ports with a paired client, the /launch request, a stream client with the usual settings,
 * and the cleanup afterwards. The end-to-end tests (test_stream, test_headless) and the soak
 * and load tool (soak.c) share it, so a change to the launch or the stream settings reaches
 * them all. No cmocka here: the soak tool reports TAP by hand. */
#ifndef PF_TEST_STREAM_HARNESS_H
#define PF_TEST_STREAM_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "gs_client.h"
#include "host_proc.h"
#include "stream_client.h"

/* The client's identity in every query (Moonlight sends both). */
#define STREAM_Q "uniqueid=0123456789ABCDEF&uuid=11112222333344445555666677778888"

/* The remote-input key a launch hands the host, as bytes and as the hex the query carries. */
extern const uint8_t stream_rikey[16];
#define STREAM_RIKEY_HEX "102132435465768798a9bacbdcedfe0f"

/* A TCP port free on the loopback now (bound to 0, read back, released): the host's RTSP
 * port, which the config names up front. 0 on failure. */
uint16_t stream_free_tcp_port(void);

uint64_t stream_now_ms(void);

/* mkdtemp(@p tmpl), e.g. "/tmp/pfhost-stream-XXXXXX", into @p work; -1 on failure. */
int stream_work_dir(char *work, size_t n, const char *tmpl);

/* Creates @p client, starts @p h with @p conf and pairs the client with PIN 1234, as
 * Moonlight does (PIN through the API). 0 once paired, -1 otherwise. */
int stream_host_up(host_proc *h, gsc_identity *client, const char *conf);

/* Stops @p h when it still runs, removes its directory (kept with PF_KEEP_TEST_DIR=1 for a
 * post-mortem) and @p work, and frees @p client. Returns host_stop's status (0 when the
 * host had already been stopped by the test). */
int stream_host_down(host_proc *h, gsc_identity *client, const char *work);

/* GET /VERB (launch or resume) of app @p appid at the client's mode with its key, stereo and
 * one gamepad, and corever @p corever (1: sealed RTSP, as current clients ask; 0 as older
 * ones).
 * Returns the reply document, NULL on a transport error. */
char *stream_launch_doc(const host_proc *h, const gsc_identity *id, const char *verb,
                        uint32_t appid, uint32_t w, uint32_t hh, uint32_t fps,
                        const char *key_hex, uint32_t corever);

/* GET /cancel: the app quits and its sessions end. */
void stream_cancel(const host_proc *h, const gsc_identity *id);

/* The settings Moonlight asks for: key id -5, 1392-byte packets, control and audio
 * encryption (0x05), audio encryption feature flag, stereo, sealed RTSP. */
stream_client_config stream_config(uint16_t rtsp_port, const uint8_t *key, uint32_t w,
                                   uint32_t h, uint32_t fps, uint32_t bitrate_kbps);

/* RTSP handshake and ENet connect. The client, or NULL with the reason in @p err. */
stream_client *stream_open(const stream_client_config *cfg, char *err, size_t n);

/* "0000000a 03000000 ..." (spaces ignored) into @p out; the byte count. */
size_t stream_unhex(const char *hex, uint8_t *out);

/* The host's log (its stderr and stdout, host.log in its directory), or NULL. */
char *stream_host_log(const host_proc *h);

/* A WAV file of @p seconds of 440 Hz at 48 kHz, stereo s16, at a quarter of full scale. */
int stream_write_tone(const char *path, uint32_t seconds);

#endif
