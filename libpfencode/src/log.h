/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_ENCODE_LOG_H
#define PF_ENCODE_LOG_H

#include "pf/core/common.h"

/* Debug messages to the object's hook; libraries never log at a louder level (style.md). */
void pfi_enc_debug(const pf_log_hook *hook, const char *topic, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
