/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read(const char *path, size_t max, char **ret_data, size_t *ret_len)
{
    /* O_NONBLOCK: opening a FIFO would otherwise wait for a writer, and with it the whole
     * event loop; the type is checked before any read (regular files ignore the flag). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -errno;
    struct stat st;
    errno = 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        int e = errno ? errno : EFBIG;
        close(fd);
        return S_ISREG(st.st_mode) ? -e : -EINVAL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *ret_data = buf;
    if (ret_len)
        *ret_len = got;
    return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return -ENOMEM;
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = -errno;
        free(tmp);
        return e;
    }
    int r = 0;
    if (fchmod(fd, (mode_t)mode) < 0)
        r = -errno;
    const char *p = data;
    size_t left = len;
    while (r == 0 && left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            r = -errno;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    free(tmp);
    return r;
}

int dir_create(const char *path, unsigned mode)
{
    char *p = strdup(path);
    if (!p)
        return -ENOMEM;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
            int e = -errno;
            free(p);
            return e;
        }
        *s = '/';
    }
    int r = (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) ? -errno : 0;
    free(p);
    return r;
}

char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

void file_warn(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    fprintf(stderr, "pfhost: %s\n", buf);
}

static char *with_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", path, suffix);
    return s;
}

int file_keep_good(const char *path, const char *data, size_t len)
{
    char *good = with_suffix(path, ".good"), *old = NULL;
    if (!good)
        return -ENOMEM;
    size_t old_len = 0;
    int r = 0;
    if (file_read(good, len + 1, &old, &old_len) < 0 || old_len != len ||
        memcmp(old, data, len) != 0)
        r = file_write_atomic(good, data, len, 0600);
    free(old);
    free(good);
    return r;
}

static int fallback_good(const char *path, size_t max, char **ret_data, size_t *ret_len)
{
    char *bad = with_suffix(path, ".bad"), *good = with_suffix(path, ".good");
    int r = -ENOMEM;
    if (bad && good) {
        /* Kept for the user to look at; the next save would overwrite it otherwise. */
        if (rename(path, bad) < 0 && errno != ENOENT)
            file_warn("cannot set %s aside as %s: %s", path, bad, strerror(errno));
        r = file_read(good, max, ret_data, ret_len);
    }
    free(bad);
    free(good);
    return r;
}

/* file_write_atomic's temporary name for @p base: BASE.tmp and six characters of mkostemp. */
static int is_stale_temp(const char *name, const char *base)
{
    size_t bl = strlen(base);
    if (strncmp(name, base, bl) != 0 || strlen(name) != bl + 10 ||
        strncmp(name + bl, ".tmp", 4) != 0)
        return 0;
    for (const char *c = name + bl + 4; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
            return 0;
    return 1;
}

int file_remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
    const char *base = slash ? slash + 1 : path;
    if (!dir)
        return -ENOMEM;
    DIR *d = opendir(*dir ? dir : "/");
    if (!d) {
        int e = errno == ENOENT ? 0 : -errno;
        free(dir);
        return e;
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (!is_stale_temp(e->d_name, base) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
            file_warn("removed %s/%s, left by an interrupted save", dir, e->d_name);
            n++;
        }
    }
    closedir(d);
    free(dir);
    return n;
}

int file_load_checked(const char *path, size_t max, const file_loader *l, char *err,
                      size_t err_len)
{
    char *data = NULL;
    size_t len = 0;
    int r = file_read(path, max, &data, &len);
    if (r == -ENOENT)
        return r;
    if (r < 0)
        snprintf(err, err_len, "cannot read %s: %s", path, strerror(-r));
    else if (l->parse(l->ctx, path, data, err, err_len) == 0) {
        file_keep_good(path, data, len);
        free(data);
        return 0;
    }
    /* A damaged file must not keep the host from starting: the last good copy is used and
     * the damaged file kept beside it. */
    free(data);
    data = NULL;
    l->reset(l->ctx);
    char reason[512];
    snprintf(reason, sizeof(reason), "%s", err);
    if (fallback_good(path, max, &data, &len) == 0 &&
        l->parse(l->ctx, path, data, err, err_len) == 0) {
        snprintf(err, err_len, "%s; using the last good copy (%s.good); the damaged file is "
                 "kept as %s.bad", reason, path, path);
    } else {
        l->reset(l->ctx);
        snprintf(err, err_len, "%s; no good copy: starting with %s; the damaged file is kept "
                 "as %s.bad", reason, l->empty, path);
    }
    file_warn("%s", err);
    free(data);
    return 1;
}
