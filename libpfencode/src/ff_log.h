/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_ENCODE_FF_LOG_H
#define PF_ENCODE_FF_LOG_H

/* Between begin and end, on this thread, FFmpeg's messages reach the routed log at debug
 * level: a probe that fails is an expected outcome, not an error. Calls nest. */
void pfi_ff_log_quiet_begin(void);
void pfi_ff_log_quiet_end(void);

#endif
