/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Static files of the console: content types, caching and a strict CSP. Vite names every
 * asset by its content hash, so assets are cached for a year as immutable; the HTML pages
 * are revalidated every time (no-cache) so a new build is picked up at once. */
#include "mgmt_static.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

#define MAX_FILE (16u << 20)

/* No inline script or style, no eval, nothing from elsewhere; the API is same-origin. */
#define CSP                                                                                 \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " \
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "           \
    "form-action 'self'; frame-ancestors 'none'"

int console_files_init(console_files *f, const char *dir)
{
    memset(f, 0, sizeof(*f));
    char *idx = path_join(dir, "index.html");
    struct stat st;
    int present = idx && stat(idx, &st) == 0 && S_ISREG(st.st_mode);
    free(idx);
    if (!present)
        return 0;
    f->dir = strdup(dir);
    char *list = path_join(dir, "public.txt"), *data = NULL;
    int r = list ? file_read(list, 1 << 20, &data, NULL) : -ENOMEM;
    free(list);
    if (r < 0)
        return r == -ENOENT ? 0 : r;
    char *cursor = data;
    for (char *l = strsep(&cursor, "\n"); l; l = strsep(&cursor, "\n")) {
        if (!*l)
            continue;
        char **v = realloc(f->pub, (f->npub + 1) * sizeof(*v));
        if (!v)
            break;
        f->pub = v;
        f->pub[f->npub] = strdup(l);
        if (f->pub[f->npub])
            f->npub++;
    }
    free(data);
    return 0;
}

void console_files_free(console_files *f)
{
    for (size_t i = 0; i < f->npub; i++)
        free(f->pub[i]);
    free(f->pub);
    free(f->dir);
    memset(f, 0, sizeof(*f));
}

void console_security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
}

static const char *content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},              {".json", "application/json"},
        {".webmanifest", "application/manifest+json"}, {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Only plain names: letters, digits, '.', '-', '_' and '/' between non-empty segments that
 * do not start with a dot (no "..", no hidden files). */
int console_safe_path(const char *p)
{
    if (!*p)
        return 0;
    int seg_start = 1;
    for (const char *c = p; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_' || *c == '/';
        if (!ok || (seg_start && (*c == '.' || *c == '/')))
            return 0;
        seg_start = *c == '/';
    }
    return !seg_start;
}

static int is_public(const console_files *f, const char *name)
{
    if (strcmp(name, "login.html") == 0)
        return 1;
    for (size_t i = 0; i < f->npub; i++)
        if (strcmp(f->pub[i], name) == 0)
            return 1;
    return 0;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    console_security_headers(r);
    enum MHD_Result q = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return q;
}

enum MHD_Result console_files_serve(const console_files *f, struct MHD_Connection *c,
                                    const char *method, const char *url, int logged_in)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_text(c, 405, "method not allowed\n");
    if (!f->dir)
        return send_text(c, 404, "the web console is not installed with this pfhost; the "
                                 "management API is at /api/v1\n");
    const char *name = url[0] == '/' ? url + 1 : url;
    const char *last = strrchr(url, '/');
    /* "/", "/apps", "/index.html": pages of the single-page app; the login page until the
     * browser has a session. */
    int page = !*name || !strchr(last ? last : url, '.') || strcmp(name, "index.html") == 0;
    if (page)
        name = logged_in ? "index.html" : "login.html";
    else if (!console_safe_path(name))
        return send_text(c, 404, "not found\n");
    else if (!logged_in && !is_public(f, name))
        return send_text(c, 401, "log in first\n");
    char *path = path_join(f->dir, name);
    int fd = path ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
    free(path);
    struct stat st;
    /* Never block the loop on a FIFO or a device that somebody put there. */
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
        if (fd >= 0)
            close(fd);
        return send_text(c, 404, "not found\n");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(name));
    const char *cache = "no-cache";
    if (strncmp(name, "assets/", 7) == 0)
        cache = is_public(f, name) ? "public, max-age=31536000, immutable"
                                   : "private, max-age=31536000, immutable";
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    if (page)
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Cookie");
    console_security_headers(r);
    enum MHD_Result q = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return q;
}
