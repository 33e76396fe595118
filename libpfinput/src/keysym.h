/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_INPUT_KEYSYM_H
#define PF_INPUT_KEYSYM_H

#include <stdint.h>

/* @return the X keysym that types Unicode code point @p cp, or 0 for a code point that is
 * not a character (surrogates, beyond U+10FFFF, C0/C1 controls other than those with keys). */
uint32_t pfi_keysym_from_codepoint(uint32_t cp);

#endif
