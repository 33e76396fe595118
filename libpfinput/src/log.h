/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_INPUT_LOG_H
#define PF_INPUT_LOG_H

#include "pf_log.h"

#define pfi_input_log(hook, topic, ...) pfi_log((hook), PF_LOG_DEBUG, (topic), __VA_ARGS__)

#endif
