/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "latency_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int latency_host_prepare(char *work, const char *pfhost, char *err, size_t n)
{
    if (!mkdtemp(work)) {
        snprintf(err, n, "cannot create a directory under /tmp");
        work[0] = '\0';
        return -1;
    }
    /* host_proc runs `$PFHOST_BIN --verbose serve`; the wrapper adds the source. */
    char wrapper[256];
    snprintf(wrapper, sizeof(wrapper), "%s/pfhost", work);
    FILE *f = fopen(wrapper, "w");
    int ok = f != NULL;
    if (f) {
        fprintf(f, "#!/bin/sh\nexec '%s' \"$@\" --source testpattern --grace 2\n", pfhost);
        ok = fclose(f) == 0 && chmod(wrapper, 0700) == 0 && setenv("PFHOST_BIN", wrapper, 1) == 0;
    }
    if (!ok)
        snprintf(err, n, "cannot prepare %s", work);
    return ok ? 0 : -1;
}

void latency_host_cleanup(host_proc *h, const char *work, int keep)
{
    if (h->pid > 0)
        host_stop(h);
    if (keep)
        fprintf(stderr, "pf-latency-probe: host directory kept: %s\n", h->dir);
    else if (h->dir[0])
        host_remove_dir(h);
    if (!work[0])
        return;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
    if (system(cmd) != 0)
        fprintf(stderr, "pf-latency-probe: could not remove %s\n", work);
}
