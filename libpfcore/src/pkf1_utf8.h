/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_PKF1_UTF8_H
#define PF_CORE_PKF1_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Strict UTF-8 as Rust's str::from_utf8 accepts it: no overlong forms, no surrogates,
 * nothing above U+10FFFF. The reference decodes labels with it, so a label it would refuse
 * must read as "none" here too. */
int pfi_utf8_valid(const uint8_t *s, size_t len);

/* Longest prefix of valid UTF-8 @p s that fits @p max bytes and ends on a character
 * boundary (a straddling character is dropped whole, as the reference truncates). */
size_t pfi_utf8_truncate(const uint8_t *s, size_t len, size_t max);

#endif
