/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_INPUT_LOG_H
#define PF_INPUT_LOG_H

#include "pf/core/common.h"

/* Libraries log at debug only (style.md); formatting happens only when the hook wants it. */
void pfi_input_log(const pf_log_hook *hook, const char *topic, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
