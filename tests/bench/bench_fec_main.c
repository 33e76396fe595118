/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-fec: Reed–Solomon throughput against a reference linked in the same binary. */
#include "bench_fec.h"

static const char usage[] =
    "usage: pf-bench-fec [--json] [--quick] [--only NAME]\n"
    "  rs8_encode/rs8_decode vs Debian's ISA-L 2.30 (same Cauchy matrix), MB/s of data;\n"
    "    decode also against a whole ISA-L decode (matrix inversion every call)\n"
    "  rs16_encode/rs16_decode (no Debian reference), MB/s of data\n";

int main(int argc, char **argv)
{
    struct bench_opts opts;
    int r = bench_parse_args(argc, argv, &opts, usage);
    if (r != 0)
        return r > 0 ? 0 : 2;
    opts.thread_cpu = true; /* single-threaded: immune to other processes' time slices */
    bench_print_env(&opts, bench_rs8_legend);
    int failed = 0;
    failed |= bench_rs8(&opts);
    failed |= bench_rs16(&opts);
    return failed ? 1 : 0;
}
