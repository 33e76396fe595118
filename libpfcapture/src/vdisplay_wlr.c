/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "wlr": placeholder until the sway IPC client lands. */
#include "pf/core/error.h"

#include "vdisplay_impl.h"

static int probe(const pf_vdisplay_settings *s)
{
    return 0;
}

static int create(struct pf_vdisplay *vd)
{
    return PF_ERR_UNSUPPORTED;
}

static void destroy(struct pf_vdisplay *vd)
{
}

const struct pfi_vdisplay_impl pfi_vdisplay_wlr = {
    .name = "wlr",
    .probe = probe,
    .create = create,
    .destroy = destroy,
};
