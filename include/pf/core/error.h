/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/error.h
 * One error space for every punktfunk library.
 *
 * Calls return an int: >= 0 is success, < 0 is a PF_ERR_* value. The values are fixed
 * numbers (not errno) so that Swift and Kotlin see the same codes on every platform.
 * Libraries that do I/O may also return a negative errno; pf_strerror() names both.
 */
#ifndef PF_CORE_ERROR_H
#define PF_CORE_ERROR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_OK 0
#define PF_ERR_INVALID_ARGUMENT (-1001) /**< NULL pointer, zero length, value out of range */
#define PF_ERR_NOMEM (-1002)            /**< allocation failed */
#define PF_ERR_BUFFER_TOO_SMALL (-1003) /**< the caller's output buffer is too short */
#define PF_ERR_MALFORMED (-1004)        /**< input bytes do not parse (bad header, bad length) */
#define PF_ERR_AUTH (-1005)             /**< authentication tag or padding check failed */
#define PF_ERR_UNRECOVERABLE (-1006)    /**< more shards lost than parity can repair */
#define PF_ERR_UNSUPPORTED (-1007)      /**< a shape or option this build does not offer */
#define PF_ERR_CRYPTO (-1008)           /**< the crypto backend failed */
#define PF_ERR_STATE (-1009)            /**< call not valid in the object's current state */
#define PF_ERR_REPLAY (-1010)           /**< duplicate or too old (anti-replay window) */
#define PF_ERR_AGAIN (-1011)            /**< nothing to return yet; call again later */
#define PF_ERR_LIMIT (-1012)            /**< a documented limit was exceeded */
#define PF_ERR_NOT_FOUND (-1013)        /**< no such entry */
#define PF_ERR_IO (-1014)               /**< an I/O operation failed (libraries above libpfcore) */
#define PF_ERR_TIMEOUT (-1015)          /**< a bounded wait ran out */

/**
 * @return a static English description of @p err (a PF_ERR_* value, or a negative errno).
 * Never NULL; unknown codes give "unknown error". Thread-safe. Since 0.1.
 */
PF_EXPORT const char *pf_strerror(int err);

/**
 * @return the symbolic name of @p err ("PF_ERR_AUTH", "EINVAL"), or NULL when unknown.
 * Since 0.1.
 */
PF_EXPORT const char *pf_error_name(int err);

#ifdef __cplusplus
}
#endif

#endif
