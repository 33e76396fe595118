/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bench_parse_args(int argc, char **argv, struct bench_opts *opts, const char *usage)
{
    memset(opts, 0, sizeof(*opts));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            opts->json = true;
        } else if (strcmp(argv[i], "--quick") == 0) {
            opts->quick = true;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            opts->only = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("%s", usage);
            return 1;
        } else {
            fprintf(stderr, "unknown argument: %s\n%s", argv[i], usage);
            return -1;
        }
    }
    return 0;
}

bool bench_selected(const struct bench_opts *opts, const char *bench)
{
    return !opts->only || strstr(bench, opts->only) != NULL;
}

static double clock_now(const struct bench_opts *opts)
{
    struct timespec ts;
    clock_gettime(opts->thread_cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Calls per repetition are calibrated so that one repetition lasts about this long. */
static double rep_seconds(const struct bench_opts *opts)
{
    return opts->quick ? 0.002 : 0.05;
}

static int repetitions(const struct bench_opts *opts)
{
    return opts->quick ? 3 : 21;
}

static unsigned long calibrate(const struct bench_opts *opts, struct bench_side s)
{
    unsigned long n = 1;
    for (;;) {
        double t0 = clock_now(opts);
        for (unsigned long i = 0; i < n; i++)
            s.body(s.ctx);
        double dt = clock_now(opts) - t0;
        if (dt >= rep_seconds(opts) / 4 || n >= (1ul << 30))
            return dt > 0 ? (unsigned long)((double)n * rep_seconds(opts) / dt) + 1 : n;
        n *= 2;
    }
}

static double time_rep(const struct bench_opts *opts, struct bench_side s, unsigned long n)
{
    double t0 = clock_now(opts);
    for (unsigned long i = 0; i < n; i++)
        s.body(s.ctx);
    double dt = clock_now(opts) - t0;
    return (double)n / (dt > 0 ? dt : 1e-9);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_compare(const struct bench_opts *opts, struct bench_side ours, struct bench_side ref,
                   double *ret_ours_per_s, double *ret_ref_per_s)
{
    enum { MAX_REPS = 64 };
    double a[MAX_REPS], b[MAX_REPS];
    int reps = repetitions(opts);
    unsigned long na = calibrate(opts, ours), nb = calibrate(opts, ref);
    for (int r = 0; r < reps; r++) {
        /* Alternate which side goes first so neither always runs on a warmer cache. */
        if (r % 2) {
            b[r] = time_rep(opts, ref, nb);
            a[r] = time_rep(opts, ours, na);
        } else {
            a[r] = time_rep(opts, ours, na);
            b[r] = time_rep(opts, ref, nb);
        }
    }
    /* The median pair: sort indices by ratio (reps is small; insertion sort). */
    int order[MAX_REPS];
    for (int r = 0; r < reps; r++) {
        int at = r;
        while (at > 0 && a[order[at - 1]] * b[r] > a[r] * b[order[at - 1]]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = r;
    }
    int mid = order[reps / 2];
    *ret_ours_per_s = a[mid];
    *ret_ref_per_s = b[mid];
}

double bench_rate(const struct bench_opts *opts, struct bench_side side)
{
    enum { MAX_REPS = 64 };
    double a[MAX_REPS];
    int reps = repetitions(opts);
    unsigned long n = calibrate(opts, side);
    for (int r = 0; r < reps; r++)
        a[r] = time_rep(opts, side, n);
    return median(a, reps);
}

void bench_report(const struct bench_opts *opts, const char *bench, uint32_t k, uint32_t m,
                  const char *size_field, size_t size, double ours, const char *unit,
                  const char *ref_name, double ref_value)
{
    int has_ref = strcmp(ref_name, "none") != 0;
    int fec = strcmp(size_field, "shard_bytes") == 0;
    if (opts->json) {
        printf("{\"bench\":\"%s\",", bench);
        if (fec)
            printf("\"k\":%u,\"m\":%u,", k, m);
        printf("\"%s\":%zu,\"ours\":%.3f,\"ref\":\"%s\",", size_field, size, ours, ref_name);
        if (has_ref)
            printf("\"ref_value\":%.3f,\"ratio\":%.4f}\n", ref_value, ours / ref_value);
        else
            printf("\"ref_value\":null,\"ratio\":null}\n");
    } else {
        printf("%-16s", bench);
        if (fec)
            printf(" k=%-5u m=%-4u", k, m);
        printf(" %s=%-6zu ours %12.1f %s", size_field, size, ours, unit);
        if (has_ref)
            printf("   %s %12.1f   ratio %.3f\n", ref_name, ref_value, ours / ref_value);
        else
            printf("   (no reference)\n");
    }
    fflush(stdout);
}

/* The value of the first /proc/cpuinfo line that starts with @key, or "" if none. */
static void cpuinfo_field(const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char *line = NULL;
    size_t n = 0;
    while (getline(&line, &n, f) > 0) {
        if (strncmp(line, key, strlen(key)) != 0)
            continue;
        const char *v = strchr(line, ':');
        if (v) {
            v += 1 + (v[1] == ' ');
            snprintf(out, cap, "%s", v);
            out[strcspn(out, "\n")] = '\0';
        }
        break;
    }
    free(line);
    fclose(f);
}

/* Only the flags that decide which kernels run, in a fixed order. */
static void simd_flags(char *out, size_t cap)
{
    static const char *const wanted[] = {
        "ssse3",    "avx",      "avx2",       "aes",       "pclmulqdq", "avx512f",
        "avx512dq", "avx512bw", "avx512vl",   "avx512vbmi", "avx512_vnni", "avx512ifma",
        "gfni",     "vaes",     "vpclmulqdq",
    };
    char flags[8192];
    cpuinfo_field("flags", flags, sizeof(flags));
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        char pad[40];
        snprintf(pad, sizeof(pad), " %s ", wanted[i]);
        char padded[8200];
        snprintf(padded, sizeof(padded), " %s ", flags);
        if (strstr(padded, pad) && at + strlen(wanted[i]) + 2 < cap)
            at += (size_t)snprintf(out + at, cap - at, "%s%s", at ? " " : "", wanted[i]);
    }
}

void bench_print_env(const struct bench_opts *opts, const char *legend)
{
    char model[256], flags[512], load[128] = "";
    cpuinfo_field("model name", model, sizeof(model));
    simd_flags(flags, sizeof(flags));
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(load, sizeof(load), f))
            load[0] = '\0';
        fclose(f);
        load[strcspn(load, "\n")] = '\0';
    }
    if (opts->json) {
        printf("{\"env\":{\"cpu\":\"%s\",\"flags\":\"%s\",\"loadavg\":\"%s\",\"timing\":\"%s\","
               "\"refs\":[",
               model, flags, load, opts->thread_cpu ? "thread_cpu" : "wall");
        for (const char *p = legend; p && *p;) {
            size_t n = strcspn(p, "\n");
            printf("%s\"%.*s\"", p == legend ? "" : ",", (int)n, p);
            p += n + (p[n] == '\n');
        }
        printf("]}}\n");
    } else {
        printf("# cpu: %s\n# flags: %s\n# loadavg: %s\n# timing: %s\n", model, flags, load,
               opts->thread_cpu ? "CPU time of the benchmark thread" : "wall clock");
        for (const char *p = legend; p && *p;) {
            size_t n = strcspn(p, "\n");
            printf("# %.*s\n", (int)n, p);
            p += n + (p[n] == '\n');
        }
    }
    fflush(stdout);
}

void bench_fill(uint8_t *buf, size_t len, uint64_t seed)
{
    uint64_t s = seed ? seed : 1;
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 0) {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
        }
        buf[i] = (uint8_t)((s * 0x2545F4914F6CDD1Dull) >> (8 * (i % 8)));
    }
}

void bench_consume(const void *p, size_t len)
{
    __asm__ volatile("" : : "r"(p), "r"(len) : "memory");
}
