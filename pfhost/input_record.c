/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recording input backend: one text line per decoded event, for tests on machines
 * without an injection target. */
#include "input_record.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

void input_record(int fd, uint32_t id, const pf_input_event *e)
{
    char line[256];
    int n = 0;
    const pf_input_pointer *p = &e->pointer;
    const pf_input_pad *d = &e->pad;
    switch (e->type) {
    case PF_INPUT_EVENT_KEY_DOWN:
    case PF_INPUT_EVENT_KEY_UP:
        n = snprintf(line, sizeof(line), "%u %s %u %u %u\n", id,
                     e->type == PF_INPUT_EVENT_KEY_DOWN ? "key_down" : "key_up",
                     e->key.key_code, e->key.modifiers, e->key.flags);
        break;
    case PF_INPUT_EVENT_MOUSE_MOVE_REL:
        n = snprintf(line, sizeof(line), "%u mouse_rel %d %d\n", id, p->dx, p->dy);
        break;
    case PF_INPUT_EVENT_MOUSE_MOVE_ABS:
        n = snprintf(line, sizeof(line), "%u mouse_abs %d %d %u %u\n", id, p->x, p->y,
                     p->ref_width, p->ref_height);
        break;
    case PF_INPUT_EVENT_MOUSE_BUTTON_DOWN:
    case PF_INPUT_EVENT_MOUSE_BUTTON_UP:
        n = snprintf(line, sizeof(line), "%u %s %u\n", id,
                     e->type == PF_INPUT_EVENT_MOUSE_BUTTON_DOWN ? "button_down" : "button_up",
                     p->button);
        break;
    case PF_INPUT_EVENT_SCROLL:
    case PF_INPUT_EVENT_HSCROLL:
        n = snprintf(line, sizeof(line), "%u %s %d\n", id,
                     e->type == PF_INPUT_EVENT_SCROLL ? "scroll" : "hscroll", p->scroll);
        break;
    case PF_INPUT_EVENT_TEXT:
        n = snprintf(line, sizeof(line), "%u text U+%04X\n", id, e->text.codepoint);
        break;
    case PF_INPUT_EVENT_CONTROLLER_ARRIVAL:
        n = snprintf(line, sizeof(line), "%u pad_arrival %u %u %u %u\n", id, d->number, d->type,
                     d->capabilities, d->supported_buttons);
        break;
    case PF_INPUT_EVENT_CONTROLLER_STATE:
        n = snprintf(line, sizeof(line), "%u pad_state %u %u %u %u %u %d %d %d %d\n", id,
                     d->number, d->active_mask, d->buttons, d->left_trigger, d->right_trigger,
                     d->left_x, d->left_y, d->right_x, d->right_y);
        break;
    case PF_INPUT_EVENT_CONTROLLER_MOTION:
        n = snprintf(line, sizeof(line), "%u pad_motion %u %u %g %g %g\n", id, d->number,
                     d->motion_type, (double)d->motion[0], (double)d->motion[1],
                     (double)d->motion[2]);
        break;
    case PF_INPUT_EVENT_CONTROLLER_BATTERY:
        n = snprintf(line, sizeof(line), "%u pad_battery %u %u %u\n", id, d->number,
                     d->battery_state, d->battery_percent);
        break;
    case PF_INPUT_EVENT_TOUCH:
    case PF_INPUT_EVENT_PEN:
    case PF_INPUT_EVENT_CONTROLLER_TOUCH:
        n = snprintf(line, sizeof(line), "%u %s %u %u %g %g\n", id,
                     e->type == PF_INPUT_EVENT_TOUCH ? "touch"
                     : e->type == PF_INPUT_EVENT_PEN ? "pen"
                                                     : "pad_touch",
                     e->touch.event_type, e->touch.pointer_id, (double)e->touch.x,
                     (double)e->touch.y);
        break;
    case PF_INPUT_EVENT_HAPTICS_ENABLE:
        n = snprintf(line, sizeof(line), "%u haptics\n", id);
        break;
    default:
        return;
    }
    if (n > 0 && write(fd, line, (size_t)n) < 0)
        host_log("input record write failed: %s", strerror(errno));
}
