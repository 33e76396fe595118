/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pf/core/error.h"

#include <errno.h>
#include <string.h>

struct error_entry {
    int code;
    const char *name;
    const char *text;
};

static const struct error_entry pf_errors[] = {
    { PF_OK, "PF_OK", "success" },
    { PF_ERR_INVALID_ARGUMENT, "PF_ERR_INVALID_ARGUMENT", "invalid argument" },
    { PF_ERR_NOMEM, "PF_ERR_NOMEM", "out of memory" },
    { PF_ERR_BUFFER_TOO_SMALL, "PF_ERR_BUFFER_TOO_SMALL", "output buffer too small" },
    { PF_ERR_MALFORMED, "PF_ERR_MALFORMED", "malformed input" },
    { PF_ERR_AUTH, "PF_ERR_AUTH", "authentication failed" },
    { PF_ERR_UNRECOVERABLE, "PF_ERR_UNRECOVERABLE", "too many shards lost to recover" },
    { PF_ERR_UNSUPPORTED, "PF_ERR_UNSUPPORTED", "unsupported shape or option" },
    { PF_ERR_CRYPTO, "PF_ERR_CRYPTO", "crypto backend failure" },
    { PF_ERR_STATE, "PF_ERR_STATE", "operation not valid in this state" },
    { PF_ERR_REPLAY, "PF_ERR_REPLAY", "duplicate or stale packet" },
    { PF_ERR_AGAIN, "PF_ERR_AGAIN", "no data available yet" },
    { PF_ERR_LIMIT, "PF_ERR_LIMIT", "limit exceeded" },
    { PF_ERR_NOT_FOUND, "PF_ERR_NOT_FOUND", "not found" },
    { PF_ERR_IO, "PF_ERR_IO", "input/output error" },
    { PF_ERR_TIMEOUT, "PF_ERR_TIMEOUT", "timed out" },
};

/* The errno names the I/O libraries can return; strerror() gives their text. */
static const struct error_entry errno_names[] = {
    { EPERM, "EPERM", NULL },     { ENOENT, "ENOENT", NULL },   { EINTR, "EINTR", NULL },
    { EIO, "EIO", NULL },         { EBADF, "EBADF", NULL },     { EAGAIN, "EAGAIN", NULL },
    { ENOMEM, "ENOMEM", NULL },   { EACCES, "EACCES", NULL },   { EBUSY, "EBUSY", NULL },
    { EEXIST, "EEXIST", NULL },   { ENODEV, "ENODEV", NULL },   { EINVAL, "EINVAL", NULL },
    { ENOSPC, "ENOSPC", NULL },   { EPIPE, "EPIPE", NULL },     { ERANGE, "ERANGE", NULL },
    { ENOSYS, "ENOSYS", NULL },   { ENOTSUP, "ENOTSUP", NULL }, { EPROTO, "EPROTO", NULL },
    { EBADMSG, "EBADMSG", NULL }, { EMSGSIZE, "EMSGSIZE", NULL }, { ENOBUFS, "ENOBUFS", NULL },
    { EADDRINUSE, "EADDRINUSE", NULL }, { ECONNREFUSED, "ECONNREFUSED", NULL },
    { ECONNRESET, "ECONNRESET", NULL }, { ETIMEDOUT, "ETIMEDOUT", NULL },
    { ECANCELED, "ECANCELED", NULL }, { ENOTCONN, "ENOTCONN", NULL },
};

static const struct error_entry *find(const struct error_entry *table, size_t n, int code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].code == code)
            return &table[i];
    return NULL;
}

const char *pf_strerror(int err)
{
    const struct error_entry *e = find(pf_errors, sizeof(pf_errors) / sizeof(pf_errors[0]), err);
    if (e)
        return e->text;
    /* strerror() of glibc returns static strings for known codes; unknown ones format into
     * a static buffer, so only names from our table are passed through. */
    if (err < 0 && find(errno_names, sizeof(errno_names) / sizeof(errno_names[0]), -err))
        return strerror(-err);
    return "unknown error";
}

const char *pf_error_name(int err)
{
    const struct error_entry *e = find(pf_errors, sizeof(pf_errors) / sizeof(pf_errors[0]), err);
    if (e)
        return e->name;
    if (err < 0) {
        e = find(errno_names, sizeof(errno_names) / sizeof(errno_names[0]), -err);
        if (e)
            return e->name;
    }
    return NULL;
}
