/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/pkf1_clock.h
 * punktfunk/1 clock synchronisation and feedback arithmetic (native-protocol.md §4.5, §9.1,
 * §9.3): pure functions and one small state machine over caller-supplied timestamps. No
 * clock is read here: the caller passes CLOCK_REALTIME nanoseconds.
 *
 * Threading: reentrant; a pf_pkf1_clock_sync is used by one thread at a time.
 */
#ifndef PF_CORE_PKF1_CLOCK_H
#define PF_CORE_PKF1_CLOCK_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_PKF1_CLOCK_BATCH 8u             /**< probes per round */
#define PF_PKF1_CLOCK_MIN_ACCEPT_NS 2000000 /**< 2 ms */
#define PF_PKF1_CLOCK_MAX_REJECTIONS 3u
#define PF_PKF1_FEC_MIN 5u
#define PF_PKF1_FEC_MAX 50u
#define PF_PKF1_FEC_START 10u

/**
 * One probe exchange: t1 client send, t2 host receive, t3 host send, t4 client receive
 * (ns). offset = ((t2 − t1) + (t3 − t4)) / 2 (host clock minus client clock),
 * rtt = (t4 − t1) − (t3 − t2). Wrapping 64-bit arithmetic, so either clock may be ahead.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL outputs). Since 0.2.
 */
PF_EXPORT int pf_pkf1_clock_sample(uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4,
                                   int64_t *ret_offset_ns, int64_t *ret_rtt_ns);

/**
 * The client's estimator (§4.5): batches of 8 samples, the one with the smallest RTT wins
 * the batch; the first batch is always taken, a later one only if its RTT is at most
 * max(2 ms, 1.5 × the best RTT seen), unless 3 batches in a row were rejected. A POD
 * filled by pf_pkf1_clock_sync_init(). Since 0.2.
 */
typedef struct pf_pkf1_clock_sync {
    int64_t offset_ns;      /**< accepted host − client offset */
    int64_t rtt_ns;         /**< RTT of the accepted sample */
    int64_t best_rtt_ns;    /**< smallest RTT of any accepted batch */
    int64_t batch_offset_ns; /**< best of the batch in progress */
    int64_t batch_rtt_ns;
    uint32_t batch_count;   /**< samples in the batch in progress */
    uint32_t rejections;    /**< batches rejected in a row */
    uint32_t valid;         /**< 1 once a batch was accepted */
    uint32_t reserved;
} pf_pkf1_clock_sync;

/** Resets @p s. Since 0.2. */
PF_EXPORT void pf_pkf1_clock_sync_init(pf_pkf1_clock_sync *s);

/**
 * Adds one exchange (a probe that got no echo is simply not added; the caller ends the
 * batch with pf_pkf1_clock_sync_end_batch() if it gives up).
 * @return 1 when this sample completed a batch that was accepted, 0 when the batch goes on
 *         or was rejected; PF_ERR_INVALID_ARGUMENT. Negative RTTs (clock steps) are
 *         ignored. Since 0.2.
 */
PF_EXPORT int pf_pkf1_clock_sync_add(pf_pkf1_clock_sync *s, uint64_t t1, uint64_t t2,
                                     uint64_t t3, uint64_t t4);

/** Closes the batch in progress early (timeouts). @return as pf_pkf1_clock_sync_add().
 * Since 0.2. */
PF_EXPORT int pf_pkf1_clock_sync_end_batch(pf_pkf1_clock_sync *s);

/**
 * LossReport value (§9.1): min(1e6, (recovered − late) · 1e6 / (received + recovered −
 * late)), saturating; 0 when the denominator is 0. Since 0.2.
 */
PF_EXPORT uint32_t pf_pkf1_loss_ppm(uint64_t received, uint64_t recovered, uint64_t late);

/** adapt_fec (§9.3): clamp(ceil(ppm · 14 / 100000) + 1, 5, 50). Since 0.2. */
PF_EXPORT uint32_t pf_pkf1_fec_for_loss(uint32_t loss_ppm);

/** Loss assumed before the first LossReport of a session (cold start), ppm: the first IDR
 * and frames are sent before anything is measured. */
#define PF_PKF1_FEC_COLD_LOSS_PPM 250000u
/** Ceiling of pf_pkf1_fec_loss_estimate(), ppm: above it parity cannot keep up. */
#define PF_PKF1_FEC_MAX_LOSS_PPM 500000u

/**
 * The host's per-datagram loss estimate after one LossReport window, for
 * pf_pkf1_media_recovery_for_loss(). The report @p reported_ppm (§9.1) is read back as the
 * loss p it implies (the §9.1 ratio reads p/(1 + p)), given a quarter more for a window's
 * sampling error, and held against @p previous_ppm decayed by an eighth a window (forgotten
 * below 1000 ppm); at most PF_PKF1_FEC_MAX_LOSS_PPM. Start from 0 at the first report (and
 * use PF_PKF1_FEC_COLD_LOSS_PPM until then). 0 for a clean link once the past has decayed.
 * @return the estimate in ppm. Since 0.3.
 */
PF_EXPORT uint32_t pf_pkf1_fec_loss_estimate(uint32_t previous_ppm, uint32_t reported_ppm);

/**
 * Encoder budget (§9.3): (link − audio) · S · 100 / ((S + 64) · (100 + P)) kbps, floor 500.
 * Since 0.2.
 */
PF_EXPORT uint32_t pf_pkf1_encoder_budget_kbps(uint32_t link_kbps, uint32_t audio_kbps,
                                               uint32_t shard_payload, uint32_t fec_percent);

#ifdef __cplusplus
}
#endif

#endif
