/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_BENCH_H
#define PF_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Command-line options shared by every pf-bench-* program. */
struct bench_opts {
    bool json;   /* one JSON object per line */
    bool quick;  /* few repetitions: a smoke run for the test suite, not a measurement */
    const char *only; /* run only benches whose name contains this, or NULL */
    /* Time the calling thread's CPU (CLOCK_THREAD_CPUTIME_ID) rather than the wall clock:
     * for single-threaded work, so that time slices lost to other processes on a busy
     * machine count for neither side. Set by the program after bench_parse_args. */
    bool thread_cpu;
};

int bench_parse_args(int argc, char **argv, struct bench_opts *opts, const char *usage);
bool bench_selected(const struct bench_opts *opts, const char *bench);

/* One timed unit of work; a bench runs it many times per repetition. */
typedef void (*bench_body)(void *ctx);

struct bench_side {
    bench_body body;
    void *ctx;
};

/* Runs ours and the reference alternately, one repetition of each back to back, and
 * returns the rates (calls per second) of the pair whose ratio is the median ratio of all
 * pairs. A machine that changes speed for seconds at a time (another guest on the core's
 * second hardware thread, a frequency step) slows both halves of a pair alike, so the
 * ratio of a pair holds where the medians of each side taken apart could match one side's
 * fast spell with the other's slow one. */
void bench_compare(const struct bench_opts *opts, struct bench_side ours, struct bench_side ref,
                   double *ret_ours_per_s, double *ret_ref_per_s);

/* Median rate of one side alone (for benches without a reference). */
double bench_rate(const struct bench_opts *opts, struct bench_side side);

/* Result lines. size_field is "shard_bytes" (FEC) or "bytes" (crypto); k and m are printed
 * only when size_field is "shard_bytes". ref_name "none" prints ref_value and ratio as null. */
void bench_report(const struct bench_opts *opts, const char *bench, uint32_t k, uint32_t m,
                  const char *size_field, size_t size, double ours, const char *unit,
                  const char *ref_name, double ref_value);

/* Prints what every figure depends on, before the results: the CPU model, its SIMD and
 * crypto flags, the load average (other work on the machine skews rates; ratios, being
 * interleaved, much less), and one line per reference saying what it is. @legend holds
 * "name: description" lines separated by '\n' (or NULL). Text mode prefixes "# "; JSON mode
 * prints one {"env": ...} object. */
void bench_print_env(const struct bench_opts *opts, const char *legend);

/* Fills a buffer with reproducible pseudo-random bytes (xorshift64*). */
void bench_fill(uint8_t *buf, size_t len, uint64_t seed);

/* Keeps the compiler from discarding a result. */
void bench_consume(const void *p, size_t len);

#endif
