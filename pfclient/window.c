/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "pfclient.h"

int pfc_window_run(pf_client *c, const pfc_options *o, pfc_video *v, pfc_session *s)
{
    (void)c;
    (void)o;
    (void)v;
    (void)s;
    fprintf(stderr, "pfclient: this build has no SDL2: --window is not available\n");
    return -1;
}
