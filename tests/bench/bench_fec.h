/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_BENCH_FEC_H
#define PF_BENCH_FEC_H

#include "bench.h"

/* Each code registers its shapes in its own file; main() runs them in order.
 * Return 0, or nonzero when a bench could not run (reported on stderr). */
int bench_rs8(const struct bench_opts *opts);
extern const char bench_rs8_legend[]; /* what each rs8 reference name stands for */
int bench_rs16(const struct bench_opts *opts);

#endif
