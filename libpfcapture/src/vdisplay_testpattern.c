/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "testpattern": no compositor, the test-pattern source at the client's mode. Last in probe
 * order: it always works, so a host streams something verifiable anywhere. */
#include "pf/capture_testpattern.h"
#include "pf/core/error.h"

#include "vdisplay_impl.h"

static int probe(const pf_vdisplay_settings *s)
{
    return 1;
}

static int create(struct pf_vdisplay *vd)
{
    pf_capture_testpattern_settings s;
    pf_capture_testpattern *tp;
    int r;

    pf_capture_testpattern_settings_init(&s);
    s.width = vd->settings.width;
    s.height = vd->settings.height;
    s.fps = (vd->settings.refresh_mhz + 500) / 1000;
    s.remote = vd->pipewire_remote;
    s.log = vd->log;
    r = pf_capture_testpattern_create(&s, &tp);
    if (r < 0)
        return r;
    vd->backend = tp;
    vd->node_id = pf_capture_testpattern_get_node_id(tp);
    return 0;
}

static void destroy(struct pf_vdisplay *vd)
{
    pf_capture_testpattern_destroy(vd->backend);
    vd->backend = NULL;
}

const struct pfi_vdisplay_impl pfi_vdisplay_testpattern = {
    .name = "testpattern",
    .probe = probe,
    .create = create,
    .destroy = destroy,
};
