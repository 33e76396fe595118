/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_BENCH_PIPELINE_TPUT_H
#define PF_BENCH_PIPELINE_TPUT_H

#include <netinet/in.h>

/* A sending and a receiving UDP socket on loopback with @buf_bytes of socket buffer each, the
 * receiver bound to an ephemeral port (its address in @ret_addr) with a 20 ms receive
 * timeout so its thread can notice a stop flag. 0, or -1 (nothing left open). */
int loopback_pair(int buf_bytes, int *ret_tx, int *ret_rx, struct sockaddr_in *ret_addr);

/* pf-bench-pipeline --throughput (bench_pipeline_tput.c): 0, or 1 when a run failed. */
int pipeline_throughput(int json, int quick);

#endif
