/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_LOG_H
#define PF_CAPTURE_LOG_H

#include "pf_assert.h"
#include "pf_log.h"

/* Never called from PipeWire's thread (style.md: nothing logs from RT callbacks). */
#define pfi_capture_log pfi_log

#define pfi_cap_debug(hook, topic, ...) pfi_capture_log((hook), PF_LOG_DEBUG, (topic), __VA_ARGS__)

#endif
