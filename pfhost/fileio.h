/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_FILEIO_H
#define PFHOST_FILEIO_H

#include <stddef.h>

/* Whole-file read (NUL-terminated, at most @p max bytes). Returns 0 or -errno. */
int file_read(const char *path, size_t max, char **ret_data, size_t *ret_len);
/* Writes via a temporary file, fsync and rename, so readers see the old or the new content,
 * never half. @p mode applies to the new file (0600 for secrets). Returns 0 or -errno. */
int file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* mkdir -p with @p mode for the directories it creates. Returns 0 or -errno. */
int dir_create(const char *path, unsigned mode);
/* "a" + "/" + "b" into a new string, or NULL. */
char *path_join(const char *a, const char *b);

/* A loader's warning, to stderr ("pfhost: ..."). */
void file_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* After @p path loaded: PATH.good becomes a copy of its @p data (0600) when it differs, the
 * copy a later load falls back to. Returns 0 or -errno. */
int file_keep_good(const char *path, const char *data, size_t len);
/* A loader for file_load_checked: parse() fills ctx from a file's text (-1 with the file
 * and reason in err when a value is malformed); reset() empties ctx again. */
typedef struct file_loader {
    void *ctx;
    int (*parse)(void *ctx, const char *path, const char *text, char *err, size_t err_len);
    void (*reset)(void *ctx);
    const char *empty; /* what the host starts with when nothing loads ("no paired clients") */
} file_loader;

/* Reads and parses @p path. 0: loaded, and PATH.good refreshed. -ENOENT: no file. 1: the
 * file was unreadable or malformed (reason in @p err, also logged): it is kept as PATH.bad and
 * the last good copy, PATH.good, is parsed instead, or ctx is left empty. */
int file_load_checked(const char *path, size_t max, const file_loader *l, char *err,
                      size_t err_len);
/* Removes the temporary files of @p path that file_write_atomic leaves behind when the host
 * dies between creating and renaming one (PATH.tmpXXXXXX). Returns how many, or -errno. */
int file_remove_stale_temps(const char *path);

#endif
