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

#endif
