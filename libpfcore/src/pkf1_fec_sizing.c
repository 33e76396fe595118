/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 parity sized for the measured loss (pf/core/pkf1_media.h) and the host's loss
 * estimate from LossReports (pf/core/pkf1_clock.h).
 *
 * Why a block may carry more parity than §7.6's percentage rule: the rule gives a block of k
 * data shards max(ceil(k·P/100), 2) parity, which protects large blocks and starves small
 * ones. At 20 % loss a k = 8 block with m = 4 fails about 7 % of the time, and a stream of
 * small P-frames loses several frames a second. A block survives when at most m of its k + m
 * shards are lost, so the least m that makes P(more than m lost) small follows from the
 * binomial distribution of the losses.
 *
 * Why a v0.43.1 client accepts it: the wire is self-describing (§9.3). Every packet carries
 * its block's k and m; the reassembler checks only 1 <= k <= D and k + m <= D + ceil(0.9·D)
 * (§7.6 step 6) and decodes any shape reed-solomon-simd accepts, m > k included (its low-rate
 * engine, which rs16 reproduces; shared/vectors/reed-solomon-simd). The sizing below never
 * leaves those bounds, nor m <= D, which libpfcore's own reassembler needs. With no loss it
 * is exactly the reference rule, so a clean link sees the bytes a v0.43.1 host would send. */
#include "pf/core/pkf1_clock.h"
#include "pf/core/pkf1_media.h"

#define PPM 1000000u

/* P(more than m of n shards lost), each lost alone with probability p (0 < p < 1, m < n).
 * The binomial terms are summed relative to the largest one, each the previous times a
 * ratio, so nothing under- or overflows and no libm is needed; terms below 1e-30 of the
 * largest do not change the sum. */
static double tail_above(uint32_t n, uint32_t m, double p)
{
    const double q = p / (1.0 - p);
    uint32_t mode = (uint32_t)((double)(n + 1) * p);
    if (mode > n)
        mode = n;
    double all = 1.0, above = mode > m ? 1.0 : 0.0, t = 1.0;
    for (uint32_t j = mode; j < n && t > 1e-30; j++) {
        t *= (double)(n - j) / (double)(j + 1) * q; /* term j + 1 */
        all += t;
        if (j + 1 > m)
            above += t;
    }
    t = 1.0;
    for (uint32_t j = mode; j > 0 && t > 1e-30; j--) {
        t *= (double)j / ((double)(n - j + 1) * q); /* term j − 1 */
        all += t;
        if (j - 1 > m)
            above += t;
    }
    return above / all;
}

/* The least m in [0, max_m] with P(more than m of k + m lost) < the target, or max_m. The
 * tail falls as m grows (losing more than m + 1 of k + m + 1 shards needs more than m lost
 * among the first k + m), so a bracket and a bisection find it. The bracket starts where the
 * expected loss p·(k + m) equals m, below which the tail is large, and widens by doubling
 * steps: a few sums of O(sqrt(k)) terms for any block. */
static uint32_t least_parity(uint32_t k, double p, uint32_t max_m)
{
    double even = (double)k * p / (1.0 - p);
    uint32_t lo = 0, hi = even < (double)max_m ? (uint32_t)even : max_m;
    if (tail_above(k + hi, hi, p) >= PF_PKF1_MEDIA_BLOCK_FAILURE) {
        for (uint32_t step = 1;; step *= 2) {
            if (hi == max_m)
                return max_m;
            lo = hi + 1;
            hi = max_m - hi > step ? hi + step : max_m;
            if (tail_above(k + hi, hi, p) < PF_PKF1_MEDIA_BLOCK_FAILURE)
                break;
        }
    }
    while (lo < hi) { /* tail(hi) < target; the answer is in [lo, hi] */
        uint32_t mid = lo + (hi - lo) / 2;
        if (tail_above(k + mid, mid, p) < PF_PKF1_MEDIA_BLOCK_FAILURE)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

uint32_t pf_pkf1_media_recovery_for_loss(uint32_t k, uint32_t fec_percent,
                                         uint32_t welcome_percent, uint32_t max_data_per_block,
                                         uint32_t loss_ppm)
{
    uint32_t m = pf_pkf1_media_recovery_for(k, fec_percent, welcome_percent, max_data_per_block);
    if (fec_percent == 0 || loss_ppm == 0 || k == 0 || k > max_data_per_block)
        return m;
    /* What a v0.43.1 reassembler accepts (§7.6 step 6), and m <= D for libpfcore's. */
    uint64_t d = max_data_per_block, bound = d + (d * 9 + 9) / 10;
    if (bound > 65535)
        bound = 65535;
    uint64_t max_m = bound > k ? bound - k : 0;
    if (max_m > d)
        max_m = d;
    if (m >= max_m)
        return m;
    uint32_t need = loss_ppm >= PPM ? (uint32_t)max_m
                                    : least_parity(k, (double)loss_ppm / PPM, (uint32_t)max_m);
    return need > m ? need : m;
}

uint32_t pf_pkf1_fec_loss_estimate(uint32_t previous_ppm, uint32_t reported_ppm)
{
    /* §9.1's ratio counts the shards a client stored until each block completed: a block of
     * k data shards that lost a share p of them stores k and rebuilds p·k, so the report
     * reads p/(1 + p) (less still where parity that came after completion counts as
     * received). Read back as p = r/(1 − r). A client that counts gaps in the wire sequence
     * reports p itself, and this then reads p/(1 − p): more protection, never less. */
    uint64_t r = reported_ppm >= PPM / 2 ? PPM / 2 : reported_ppm;
    uint64_t p = r * PPM / (PPM - r);
    /* A quarter more for what one window (a few hundred shards) can misjudge. */
    uint64_t fresh = p + p / 4;
    /* Slow decay: an eighth a window, so that one quiet window after loss does not strip the
     * protection; what has decayed below 0.1 % is forgotten, so a clean link returns to the
     * reference rule exactly (a window that still sees loss sets its own value at once). */
    uint64_t held = (uint64_t)previous_ppm - previous_ppm / 8;
    if (held < 1000)
        held = 0;
    uint64_t est = fresh > held ? fresh : held;
    return est > PF_PKF1_FEC_MAX_LOSS_PPM ? PF_PKF1_FEC_MAX_LOSS_PPM : (uint32_t)est;
}
