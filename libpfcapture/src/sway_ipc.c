/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sway_ipc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pf/core/error.h"

#include "pw_util.h"

static const char magic[6] = { 'i', '3', '-', 'i', 'p', 'c' };

int pfi_sway_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (!path || strlen(path) >= sizeof(addr.sun_path))
        return PF_ERR_INVALID_ARGUMENT;
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return PF_ERR_IO;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        return PF_ERR_IO;
    }
    return fd;
}

static int io_all(int fd, void *buf, size_t len, int writing, uint64_t deadline)
{
    uint8_t *p = buf;

    while (len > 0) {
        struct pollfd pfd = { fd, writing ? POLLOUT : POLLIN, 0 };
        uint64_t now = pfi_now_ns();
        ssize_t n;

        if (now >= deadline)
            return PF_ERR_TIMEOUT;
        if (poll(&pfd, 1, (int)((deadline - now) / 1000000u) + 1) <= 0)
            continue;
        n = writing ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
        if (n == 0)
            return PF_ERR_IO;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return PF_ERR_IO;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int pfi_sway_request(int fd, uint32_t type, const char *payload, char *reply, size_t size,
                     uint32_t timeout_ms)
{
    uint64_t deadline = pfi_now_ns() + (uint64_t)timeout_ms * 1000000u;
    uint8_t hdr[14];
    uint32_t len = payload ? (uint32_t)strlen(payload) : 0, rlen, rtype;
    char sink[256];
    int r;

    memcpy(hdr, magic, 6);
    memcpy(hdr + 6, &len, 4);
    memcpy(hdr + 10, &type, 4);
    if ((r = io_all(fd, hdr, sizeof(hdr), 1, deadline)) < 0 ||
        (len && (r = io_all(fd, (void *)payload, len, 1, deadline)) < 0))
        return r;
    if ((r = io_all(fd, hdr, sizeof(hdr), 0, deadline)) < 0)
        return r;
    memcpy(&rlen, hdr + 6, 4);
    memcpy(&rtype, hdr + 10, 4);
    if (memcmp(hdr, magic, 6) != 0 || rtype != type || rlen > (64u << 20))
        return PF_ERR_MALFORMED;
    /* Keep what fits, drain the rest so the stream stays in step. */
    {
        uint32_t keep = rlen < size - 1 ? rlen : (uint32_t)(size - 1), left = rlen - keep;

        if ((r = io_all(fd, reply, keep, 0, deadline)) < 0)
            return r;
        reply[keep] = 0;
        while (left > 0) {
            uint32_t n = left < sizeof(sink) ? left : sizeof(sink);

            if ((r = io_all(fd, sink, n, 0, deadline)) < 0)
                return r;
            left -= n;
        }
    }
    return (int)rlen;
}

uint32_t pfi_sway_output_names(const char *json, char names[][64], uint32_t max)
{
    const char *p = json;
    uint32_t n = 0;
    int depth = 0, in_str = 0;

    /* A small scanner, not a JSON parser: the output objects are the array's elements at
     * depth 2 (array, object), and their "name" members sit directly there. */
    for (; *p && n < max; p++) {
        if (in_str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_str = 0;
            continue;
        }
        if (*p == '[' || *p == '{') {
            depth++;
        } else if (*p == ']' || *p == '}') {
            depth--;
        } else if (*p == '"') {
            if (depth == 2 && strncmp(p, "\"name\"", 6) == 0) {
                const char *v = p + 6, *end;
                size_t len;

                while (*v == ' ' || *v == ':')
                    v++;
                if (*v != '"')
                    continue;
                v++;
                end = strchr(v, '"');
                if (!end)
                    break;
                len = (size_t)(end - v) < 63 ? (size_t)(end - v) : 63;
                memcpy(names[n], v, len);
                names[n][len] = 0;
                n++;
                p = end;
                continue;
            }
            in_str = 1;
        }
    }
    return n;
}

int pfi_sway_command_ok(const char *json)
{
    return strstr(json, "\"success\": true") || strstr(json, "\"success\":true")
               ? !strstr(json, "\"success\": false") && !strstr(json, "\"success\":false")
               : 0;
}
