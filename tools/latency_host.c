/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "latency_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char frame_log_path[128], pfhost_path[512];
static const char *const serve_args[] = {"--source", "testpattern", "--grace", "2",
                                         "--frame-log", frame_log_path, NULL};

/* host_proc execs the binary without a PATH search: a bare name is looked up here. */
static const char *resolve(const char *name)
{
    const char *path = getenv("PATH");
    if (strchr(name, '/') || !path)
        return name;
    for (const char *p = path; *p;) {
        size_t len = strcspn(p, ":");
        snprintf(pfhost_path, sizeof(pfhost_path), "%.*s/%s", len ? (int)len : 1,
                 len ? p : ".", name);
        if (access(pfhost_path, X_OK) == 0)
            return pfhost_path;
        p += len + (p[len] == ':');
    }
    return name;
}

int latency_host_prepare(char *work, host_proc *h, const char *pfhost, char *err, size_t n)
{
    if (!mkdtemp(work)) {
        snprintf(err, n, "cannot create a directory under /tmp");
        work[0] = '\0';
        return -1;
    }
    /* host_proc runs `$PFHOST_BIN --verbose serve SERVE_ARGS`. */
    snprintf(frame_log_path, sizeof(frame_log_path), "%s/frames.log", work);
    h->serve_args = serve_args;
    if (setenv("PFHOST_BIN", resolve(pfhost), 1) != 0) {
        snprintf(err, n, "cannot prepare %s", work);
        return -1;
    }
    return 0;
}

const char *latency_host_frame_log(void)
{
    return frame_log_path;
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
    if (keep) {
        fprintf(stderr, "pf-latency-probe: frame log kept: %s\n", frame_log_path);
        return;
    }
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
    if (system(cmd) != 0)
        fprintf(stderr, "pf-latency-probe: could not remove %s\n", work);
}
