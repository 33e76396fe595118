/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_INPUT_RECORD_H
#define PFHOST_INPUT_RECORD_H

#include <stdint.h>

#include "pf/input.h"

/* Appends "<session> <event> <fields…>" for @p e to @p fd (`serve --input-record FILE`):
 * key_down/key_up VK MODS FLAGS, mouse_rel DX DY, mouse_abs X Y W H, button_down/up B,
 * scroll/hscroll N, text U+XXXX, pad_arrival/pad_state/pad_motion/pad_battery …,
 * touch/pen/pad_touch TYPE ID X Y, haptics. */
void input_record(int fd, uint32_t id, const pf_input_event *e);

#endif
