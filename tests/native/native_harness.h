/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_NATIVE_HARNESS_H
#define PF_TEST_NATIVE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/pkf1_handshake.h"

#include "host_proc.h"
#include "native_client.h"

/* The pfhost under test (`serve --source testpattern`), its punktfunk/1 port and certificate
 * fingerprint (hex, from the management API), and two client identities A and B. */
extern host_proc host;
extern uint16_t native_port;
extern char host_fp_hex[65];
extern char *cert_a, *key_a, *cert_b, *key_b;
extern uint8_t fp_a[32], fp_b[32];
/* Where the host records the input it would inject (`serve --input-record`). */
extern char input_record_path[300];

/* cmocka group setup / teardown: starts the host (`serve --source testpattern`, unless the
 * test set host.serve_args first); the teardown prints its punktfunk/1 log. */
int native_setup(void **state);
int native_teardown(void **state);

void hex(const uint8_t *b, size_t n, char *out);
void msleep(int ms);
int read_native_status(void);
/* POST /api/v1/native/pair. */
int arm_pin(char pin[5]);
/* Connects and checks the pinned fingerprint against the one the API reports. */
native_client *connect_as(const char *cert, const char *key);
/* The same at @p addr (numeric IPv4 or IPv6). */
native_client *connect_as_at(const char *addr, const char *cert, const char *key);
void expect_close(native_client *c, uint64_t code);
/* One pairing ceremony: 0 paired, PF_ERR_AUTH (wrong PIN) or the host's close code. */
int pair_once(const char *cert, const char *key, const uint8_t *fp, const char *pin);
int client_listed(const char *fp_hex, const char *kind);
void send_hello(native_client *c, uint32_t version, uint32_t w, uint32_t h, uint32_t hz,
                uint8_t video_caps);
/* The same Hello naming an app to start (§3.1 launch; NULL = none). */
void send_hello_launch(native_client *c, uint32_t version, uint32_t w, uint32_t h, uint32_t hz,
                       uint8_t video_caps, const char *launch);
/* As client A: Hello → Welcome → Start → punch. */
native_client *open_session(uint32_t w, uint32_t h, uint32_t hz, uint8_t caps,
                            pf_pkf1_welcome *ret_w, int *ret_fd);
native_client *open_session_at(const char *addr, uint32_t w, uint32_t h, uint32_t hz,
                               uint8_t caps, pf_pkf1_welcome *ret_w, int *ret_fd);
/* The same with a Hello launch id (messages after the Welcome stay queued for the caller). */
native_client *open_session_launch(const char *addr, uint32_t w, uint32_t h, uint32_t hz,
                                   uint8_t caps, const char *launch, pf_pkf1_welcome *ret_w,
                                   int *ret_fd);
/* A Hello with the harness's defaults (wire version, codecs, name) for that mode. */
void hello_for(pf_pkf1_hello *hello, uint32_t w, uint32_t h, uint32_t hz, uint8_t video_caps);
/* The same session from a Hello of the caller's (audio channels, layout, ...). */
native_client *open_session_hello(const char *addr, const pf_pkf1_hello *hello,
                                  pf_pkf1_welcome *ret_w, int *ret_fd);
/* Sets client A's stored grants while the host is down, then starts it again. */
void restart_with_grants(int grants);
/* One 0xC8 datagram. */
void send_input(native_client *c, uint32_t kind, uint32_t code, int32_t x, int32_t y,
                uint32_t flags);
/* 1 when the host's input record (`--input-record`) contains @p needle. */
int recorded(const char *needle);

#endif
