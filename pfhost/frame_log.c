/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The frame log: a fully buffered stdio stream the video threads append to. A line costs a
 * formatted copy into the buffer under the stream's lock; the write to the file happens every
 * FRAME_LOG_FLUSH_EVERY lines and at each session's end, so a video thread never waits on the
 * disk per frame. */
#include "frame_log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER "# pfhost frame log: session frame capture_ns encoded_ns sent_ns (CLOCK_MONOTONIC)"

struct frame_log {
    FILE *f;
    uint32_t pending; /* lines since the last flush; under the stream's lock */
};

int frame_log_open(const char *path, frame_log **ret, char *err, size_t n)
{
    frame_log *l = calloc(1, sizeof(*l));
    int fd = l ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
    if (fd >= 0)
        l->f = fdopen(fd, "a");
    if (!l || !l->f) {
        snprintf(err, n, "cannot open the frame log %s: %s", path,
                 l ? strerror(errno) : "out of memory");
        if (fd >= 0)
            close(fd);
        free(l);
        return -1;
    }
    /* 64 lines are under 4 KiB; the buffer never fills before the flush. */
    setvbuf(l->f, NULL, _IOFBF, 8192);
    if (fprintf(l->f, HEADER "\n") < 0 || fflush(l->f) != 0) {
        snprintf(err, n, "cannot write the frame log %s: %s", path, strerror(errno));
        fclose(l->f);
        free(l);
        return -1;
    }
    *ret = l;
    return 0;
}

void frame_log_write(frame_log *l, const frame_log_entry *e)
{
    flockfile(l->f);
    fprintf(l->f, "%" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", e->session,
            e->frame, e->capture_ns, e->encoded_ns, e->sent_ns);
    if (++l->pending >= FRAME_LOG_FLUSH_EVERY) {
        fflush(l->f);
        l->pending = 0;
    }
    funlockfile(l->f);
}

void frame_log_flush(frame_log *l)
{
    flockfile(l->f);
    fflush(l->f);
    l->pending = 0;
    funlockfile(l->f);
}

void frame_log_close(frame_log *l)
{
    if (!l)
        return;
    fclose(l->f);
    free(l);
}

/* An unsigned decimal of at most @p max, then one space or the end: the rest, or NULL. */
static const char *number(const char *s, uint64_t max, uint64_t *v, int last)
{
    if (*s < '0' || *s > '9')
        return NULL;
    uint64_t x = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (x > (max - d) / 10)
            return NULL;
        x = x * 10 + d;
    }
    if (last ? (*s && strcmp(s, "\n") != 0) : *s != ' ')
        return NULL;
    *v = x;
    return last ? s : s + 1;
}

int frame_log_parse(const char *line, frame_log_entry *e)
{
    if (!strcmp(line, "") || !strcmp(line, "\n"))
        return 0;
    if (line[0] == '#') {
        size_t h = strlen(HEADER);
        return !strncmp(line, HEADER, h) && (!line[h] || !strcmp(line + h, "\n")) ? 0 : -1;
    }
    uint64_t v[5] = {0};
    const char *s = line;
    for (int i = 0; i < 5 && s; i++)
        s = number(s, i < 2 ? UINT32_MAX : UINT64_MAX, &v[i], i == 4);
    if (!s)
        return -1;
    *e = (frame_log_entry){(uint32_t)v[0], (uint32_t)v[1], v[2], v[3], v[4]};
    return 1;
}
