/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 clock sync (native-protocol.md §4.5) and feedback arithmetic (§9.1, §9.3). */
#include "pf/core/pkf1_clock.h"

#include <string.h>

#include "pf/core/error.h"

#include "pf_assert.h"

int pf_pkf1_clock_sample(uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4,
                         int64_t *ret_offset_ns, int64_t *ret_rtt_ns)
{
    pf_assert_return(ret_offset_ns && ret_rtt_ns, PF_ERR_INVALID_ARGUMENT);
    /* Differences first, in wrapping unsigned arithmetic, then read as signed: the two
     * clocks are independent and either may be ahead by any amount. */
    int64_t a = (int64_t)(t2 - t1), b = (int64_t)(t3 - t4);
    *ret_offset_ns = a / 2 + b / 2 + (a % 2 + b % 2) / 2;
    *ret_rtt_ns = (int64_t)(t4 - t1) - (int64_t)(t3 - t2);
    return 0;
}

void pf_pkf1_clock_sync_init(pf_pkf1_clock_sync *s)
{
    if (s)
        memset(s, 0, sizeof(*s));
}

int pf_pkf1_clock_sync_end_batch(pf_pkf1_clock_sync *s)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    if (s->batch_count == 0)
        return 0;
    s->batch_count = 0;
    int64_t limit = s->best_rtt_ns + s->best_rtt_ns / 2;
    if (limit < PF_PKF1_CLOCK_MIN_ACCEPT_NS)
        limit = PF_PKF1_CLOCK_MIN_ACCEPT_NS;
    if (s->valid && s->batch_rtt_ns > limit && s->rejections < PF_PKF1_CLOCK_MAX_REJECTIONS) {
        s->rejections++;
        return 0;
    }
    s->rejections = 0;
    s->offset_ns = s->batch_offset_ns;
    s->rtt_ns = s->batch_rtt_ns;
    if (!s->valid || s->batch_rtt_ns < s->best_rtt_ns)
        s->best_rtt_ns = s->batch_rtt_ns;
    s->valid = 1;
    return 1;
}

int pf_pkf1_clock_sync_add(pf_pkf1_clock_sync *s, uint64_t t1, uint64_t t2, uint64_t t3,
                           uint64_t t4)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    int64_t offset, rtt;
    pf_pkf1_clock_sample(t1, t2, t3, t4, &offset, &rtt);
    if (rtt < 0)
        return 0;
    if (s->batch_count == 0 || rtt < s->batch_rtt_ns) {
        s->batch_rtt_ns = rtt;
        s->batch_offset_ns = offset;
    }
    if (++s->batch_count < PF_PKF1_CLOCK_BATCH)
        return 0;
    return pf_pkf1_clock_sync_end_batch(s);
}

uint32_t pf_pkf1_loss_ppm(uint64_t received, uint64_t recovered, uint64_t late)
{
    uint64_t lost = recovered > late ? recovered - late : 0;
    uint64_t den = received + lost;
    if (den < received) /* saturating, as the reference's counters are */
        den = UINT64_MAX;
    if (den == 0)
        return 0;
    /* lost <= den, so lost · 1e6 / den <= 1e6; split to keep the product in range */
    uint64_t ppm = lost <= UINT64_MAX / 1000000u ? lost * 1000000u / den
                                                  : lost / (den / 1000000u + 1);
    return ppm > 1000000u ? 1000000u : (uint32_t)ppm;
}

uint32_t pf_pkf1_fec_for_loss(uint32_t loss_ppm)
{
    uint64_t p = ((uint64_t)loss_ppm * 14 + 99999) / 100000 + 1;
    if (p < PF_PKF1_FEC_MIN)
        p = PF_PKF1_FEC_MIN;
    if (p > PF_PKF1_FEC_MAX)
        p = PF_PKF1_FEC_MAX;
    return (uint32_t)p;
}

uint32_t pf_pkf1_encoder_budget_kbps(uint32_t link_kbps, uint32_t audio_kbps,
                                     uint32_t shard_payload, uint32_t fec_percent)
{
    uint64_t avail = link_kbps > audio_kbps ? link_kbps - audio_kbps : 0;
    uint64_t kbps = avail * shard_payload * 100 /
                    (((uint64_t)shard_payload + 64) * (100 + (uint64_t)fec_percent));
    return kbps < 500 ? 500 : (uint32_t)(kbps > UINT32_MAX ? UINT32_MAX : kbps);
}
