/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pfhost serve --frame-log`'s file: the header and one line per frame, in the format
 * frame_log.h documents; lines buffered until 64 are pending or a flush; whole lines from
 * concurrent video threads; the file 0600 and appended to; the parser pf-latency-probe reads
 * it with refuses anything else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "frame_log.h"

#define HEADER "# pfhost frame log: session frame capture_ns encoded_ns sent_ns (CLOCK_MONOTONIC)\n"

static char dir[64], path[128];

/* The file's lines, each with its newline; *n gets the count. */
static char **read_lines(size_t *n)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char **v = NULL, buf[256];
    *n = 0;
    while (fgets(buf, sizeof(buf), f)) {
        v = realloc(v, (*n + 1) * sizeof(*v));
        assert_non_null(v);
        v[(*n)++] = strdup(buf);
    }
    fclose(f);
    return v;
}

static void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static size_t count_lines(void)
{
    size_t n = 0;
    char **v = read_lines(&n);
    free_lines(v, n);
    return n;
}

static void format_and_buffering(void **state)
{
    (void)state;
    frame_log *l = NULL;
    char err[256];
    assert_int_equal(frame_log_open(path, &l, err, sizeof(err)), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(count_lines(), 1); /* the header is written at once */
    frame_log_write(l, &(frame_log_entry){7, 1, 1000, 2000, 3000});
    frame_log_write(l, &(frame_log_entry){UINT32_MAX, UINT32_MAX, UINT64_MAX, UINT64_MAX - 1,
                                          UINT64_MAX});
    assert_int_equal(count_lines(), 1); /* buffered */
    frame_log_flush(l);
    size_t n;
    char **v = read_lines(&n);
    assert_int_equal(n, 3);
    assert_string_equal(v[0], HEADER);
    assert_string_equal(v[1], "7 1 1000 2000 3000\n");
    assert_string_equal(v[2], "4294967295 4294967295 18446744073709551615 "
                              "18446744073709551614 18446744073709551615\n");
    frame_log_entry e;
    assert_int_equal(frame_log_parse(v[0], &e), 0);
    assert_int_equal(frame_log_parse(v[1], &e), 1);
    assert_true(e.session == 7 && e.frame == 1 && e.capture_ns == 1000 && e.encoded_ns == 2000 &&
                e.sent_ns == 3000);
    assert_int_equal(frame_log_parse(v[2], &e), 1);
    assert_true(e.session == UINT32_MAX && e.frame == UINT32_MAX && e.capture_ns == UINT64_MAX &&
                e.encoded_ns == UINT64_MAX - 1 && e.sent_ns == UINT64_MAX);
    free_lines(v, n);
    /* Without a flush the file gets the lines once 64 are pending. */
    for (uint32_t i = 0; i < FRAME_LOG_FLUSH_EVERY - 1; i++)
        frame_log_write(l, &(frame_log_entry){8, i + 1, i, i, i});
    assert_int_equal(count_lines(), 3);
    frame_log_write(l, &(frame_log_entry){8, 64, 1, 2, 3});
    assert_int_equal(count_lines(), 3 + FRAME_LOG_FLUSH_EVERY);
    frame_log_close(l);
    /* A second run appends after a header of its own. */
    assert_int_equal(frame_log_open(path, &l, err, sizeof(err)), 0);
    frame_log_write(l, &(frame_log_entry){9, 1, 5, 6, 7});
    frame_log_close(l);
    v = read_lines(&n);
    assert_int_equal(n, 3 + FRAME_LOG_FLUSH_EVERY + 2);
    assert_string_equal(v[n - 2], HEADER);
    assert_string_equal(v[n - 1], "9 1 5 6 7\n");
    free_lines(v, n);
    /* A file that cannot be opened is a clear error. */
    assert_int_equal(frame_log_open("/nonexistent/dir/frames.log", &l, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/dir/frames.log"));
    unlink(path);
}

typedef struct writer {
    frame_log *l;
    uint32_t session;
} writer;

enum { THREADS = 4, FRAMES = 1000 };

static void *write_frames(void *arg)
{
    writer *w = arg;
    for (uint32_t i = 1; i <= FRAMES; i++)
        frame_log_write(w->l, &(frame_log_entry){w->session, i, (uint64_t)i * 1000000u,
                                                 (uint64_t)i * 1000000u + 300000u,
                                                 (uint64_t)i * 1000000u + 450000u});
    return NULL;
}

static void concurrent_sessions(void **state)
{
    (void)state;
    frame_log *l = NULL;
    char err[256];
    assert_int_equal(frame_log_open(path, &l, err, sizeof(err)), 0);
    pthread_t t[THREADS];
    writer w[THREADS];
    for (uint32_t i = 0; i < THREADS; i++) {
        w[i] = (writer){l, 100 + i};
        assert_int_equal(pthread_create(&t[i], NULL, write_frames, &w[i]), 0);
    }
    for (uint32_t i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    frame_log_close(l);
    size_t n;
    char **v = read_lines(&n);
    assert_int_equal(n, 1 + THREADS * FRAMES);
    uint32_t next[THREADS] = {1, 1, 1, 1};
    for (size_t i = 1; i < n; i++) {
        frame_log_entry e;
        assert_int_equal(frame_log_parse(v[i], &e), 1);
        assert_true(e.session >= 100 && e.session < 100 + THREADS);
        /* each session's frames in order, none lost or torn */
        assert_int_equal(e.frame, next[e.session - 100]++);
        assert_true(e.capture_ns == (uint64_t)e.frame * 1000000u &&
                    e.encoded_ns == e.capture_ns + 300000u && e.sent_ns == e.capture_ns + 450000u);
    }
    for (uint32_t i = 0; i < THREADS; i++)
        assert_int_equal(next[i], FRAMES + 1);
    free_lines(v, n);
    unlink(path);
}

static void parser_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1 2 3 4",                       /* a field short */
        "1 2 3 4 5 6",                   /* one too many */
        "1 2 3 4 5 ",                    /* trailing space */
        " 1 2 3 4 5",                    /* leading space */
        "1  2 3 4 5",                    /* two spaces */
        "1\t2\t3\t4\t5",                 /* tabs */
        "a 2 3 4 5",                     /* not a number */
        "-1 2 3 4 5",                    /* signed */
        "+1 2 3 4 5",
        "4294967296 1 2 3 4",            /* session past 32 bits */
        "1 4294967296 2 3 4",            /* frame past 32 bits */
        "1 2 18446744073709551616 3 4",  /* past 64 bits */
        "1 2 3 4 99999999999999999999",
        "1 2 3 4 5\r\n",
        "1 2 3 4 5\n\n",
        "# something else",
        "#",
        HEADER "x",
    };
    frame_log_entry e = {0};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (frame_log_parse(bad[i], &e) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
    assert_int_equal(frame_log_parse("", &e), 0);
    assert_int_equal(frame_log_parse("\n", &e), 0);
    assert_int_equal(frame_log_parse("1 2 3 4 5", &e), 1); /* the newline is optional */
    assert_int_equal(e.sent_ns, 5);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/pf-frame-log-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/frames.log", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_and_buffering),
        cmocka_unit_test(concurrent_sessions),
        cmocka_unit_test(parser_refuses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
