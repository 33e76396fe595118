/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mgmt_logs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_MAX_TEXT 1024

typedef struct log_line {
    uint64_t seq;
    int64_t time_ms; /* Unix milliseconds */
    uint32_t level;
    char topic[24];
    char text[LINE_MAX_TEXT];
} log_line;

/* One per process, as stderr is: host_log has no host to hang it on. Libraries log from
 * their own threads too (FFmpeg's encoder threads, the pipeline), so a mutex guards it. */
static log_line *ring;
static uint64_t next_seq = 1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void log_ring_add(uint32_t level, const char *topic, const char *text, size_t len)
{
    pthread_mutex_lock(&lock);
    if (!ring)
        ring = calloc(LOG_RING_LINES, sizeof(*ring));
    if (!ring) {
        pthread_mutex_unlock(&lock);
        return;
    }
    log_line *l = &ring[next_seq % LOG_RING_LINES];
    l->seq = next_seq++;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    l->time_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    l->level = level;
    size_t tl = topic ? strlen(topic) : 0;
    if (tl >= sizeof(l->topic))
        tl = sizeof(l->topic) - 1;
    memcpy(l->topic, topic ? topic : "", tl);
    l->topic[tl] = '\0';
    if (len >= LINE_MAX_TEXT)
        len = LINE_MAX_TEXT - 1;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    memcpy(l->text, text, len);
    l->text[len] = '\0';
    pthread_mutex_unlock(&lock);
}

static const char *level_name(uint32_t level)
{
    return level <= 3 ? "error" : level == 4 ? "warning" : level <= 6 ? "info" : "debug";
}

json_object *log_ring_to_json(uint64_t after, size_t max)
{
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    pthread_mutex_lock(&lock);
    uint64_t first = next_seq > LOG_RING_LINES ? next_seq - LOG_RING_LINES : 1;
    if (after < first)
        after = first;
    if (next_seq - after > max)
        after = next_seq - max;
    for (uint64_t s = after; ring && s < next_seq; s++) {
        const log_line *l = &ring[s % LOG_RING_LINES];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "seq", json_object_new_int64((int64_t)l->seq));
        json_object_object_add(j, "time_ms", json_object_new_int64(l->time_ms));
        json_object_object_add(j, "level", json_object_new_string(level_name(l->level)));
        json_object_object_add(j, "topic", json_object_new_string(l->topic));
        json_object_object_add(j, "text", json_object_new_string(l->text));
        json_object_array_add(a, j);
    }
    json_object_object_add(o, "lines", a);
    json_object_object_add(o, "next", json_object_new_int64((int64_t)next_seq));
    pthread_mutex_unlock(&lock);
    return o;
}

void log_ring_clear(void)
{
    pthread_mutex_lock(&lock);
    free(ring);
    ring = NULL;
    next_seq = 1;
    pthread_mutex_unlock(&lock);
}
