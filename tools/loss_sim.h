/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One cell of pf-loss-harness: frames of a fixed size through libpfcore's real packetizer,
 * a synthetic loss channel and the real reassembler, in memory. Deterministic per seed. */
#ifndef PF_TOOLS_LOSS_SIM_H
#define PF_TOOLS_LOSS_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/rs16.h"

typedef enum loss_scheme {
    LOSS_SCHEME_GS8,  /* GameStream video blocks, GF(2^8) (pf/core/gs_video.h) */
    LOSS_SCHEME_PKF1, /* punktfunk/1 media blocks, GF(2^16) (pf/core/pkf1_media.h) */
} loss_scheme;

typedef enum loss_model {
    LOSS_MODEL_RANDOM, /* Bernoulli: every datagram lost independently with rate p */
    LOSS_MODEL_BURST,  /* Gilbert–Elliott: good state delivers, bad state drops; mean burst
                          length B, stationary loss p (p(good→bad) = p / (B (1 − p))) */
} loss_model;

#define LOSS_MAX_BLOCKS 16u

typedef struct loss_cell_spec {
    loss_scheme scheme;
    loss_model model;
    uint32_t frame_bytes;    /* access-unit size */
    uint32_t parity_percent; /* the packetizer's FEC percentage */
    double loss;             /* datagram loss rate, 0…1 */
    double burst_len;        /* mean burst length in datagrams (burst model) */
    uint32_t frames;         /* frames sent */
    uint64_t seed;
} loss_cell_spec;

typedef struct loss_cell_result {
    uint64_t frames_sent, frames_delivered, frames_corrupt;
    uint64_t frames_hit;           /* frames that lost at least one datagram */
    uint64_t frames_hit_delivered; /* of those, delivered intact (repaired by FEC) */
    uint64_t datagrams_sent, datagrams_dropped, shards_recovered;
    /* The block shapes of a frame as read back from the datagram headers. */
    uint32_t block_count;
    uint32_t block_data[LOSS_MAX_BLOCKS], block_parity[LOSS_MAX_BLOCKS];
    double residual_loss;  /* 1 − delivered / sent */
    double recovery_rate;  /* hit_delivered / hit; negative when no frame was hit */
    double expected_loss;  /* expected residual loss: binomial (random model) or the exact
                              Gilbert–Elliott chain over the block shapes (burst model) */
} loss_cell_result;

/* P(more than m of n lost) at independent loss @p p. */
double loss_block_fail(uint32_t n, uint32_t m, double p);

/* P(frame lost) under the Gilbert–Elliott channel of this harness (stationary loss @p p,
 * mean burst @p burst_len) for a frame of @p blocks blocks sent in order, block b holding
 * data[b] + parity[b] datagrams; -1 when out of memory. */
double loss_burst_frame_fail(const uint32_t *data, const uint32_t *parity, uint32_t blocks,
                             double p, double burst_len);

/* Runs one cell. @p tables: shared GF(2^16) tables (may be NULL). 0, or a PF_ERR_* code
 * from libpfcore with a message in @p err. */
int loss_cell_run(const loss_cell_spec *spec, const pf_rs16_tables *tables,
                  loss_cell_result *ret, char *err, size_t err_len);

const char *loss_scheme_name(loss_scheme s);
const char *loss_model_name(loss_model m);

#endif
