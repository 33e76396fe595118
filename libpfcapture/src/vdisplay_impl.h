/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_VDISPLAY_IMPL_H
#define PF_CAPTURE_VDISPLAY_IMPL_H

#include <stdint.h>

#include "pf/vdisplay.h"

/* One backend, wlroots style: a private vtable; vdisplay.c probes, picks and dispatches. */
struct pfi_vdisplay_impl {
    const char *name;
    /* 1 when the running session looks like this backend's (cheap: environment, bus names,
     * binaries on PATH). Only consulted by autoselect. */
    int (*probe)(const pf_vdisplay_settings *settings);
    /* Creates the output and fills node_id (and the optional fields). PF_ERR_* on failure,
     * after undoing what it did. */
    int (*create)(struct pf_vdisplay *display);
    void (*destroy)(struct pf_vdisplay *display);
    /* May be NULL (PF_ERR_UNSUPPORTED). */
    int (*set_mode)(struct pf_vdisplay *display, uint32_t width, uint32_t height,
                    uint32_t refresh_mhz);
};

struct pf_vdisplay {
    const struct pfi_vdisplay_impl *impl;
    pf_vdisplay_settings settings; /* strings below are owned copies */
    char *pipewire_remote;
    char *command;
    pf_log_hook log;
    uint32_t caps;
    int64_t node_id;
    char session_id[256];
    char stream_path[256];
    char wayland_display[320];
    void *backend; /* the backend's own state */
};

extern const struct pfi_vdisplay_impl pfi_vdisplay_mutter;
extern const struct pfi_vdisplay_impl pfi_vdisplay_kwin;
extern const struct pfi_vdisplay_impl pfi_vdisplay_wlr;
extern const struct pfi_vdisplay_impl pfi_vdisplay_gamescope;
extern const struct pfi_vdisplay_impl pfi_vdisplay_mutter_headless;
extern const struct pfi_vdisplay_impl pfi_vdisplay_weston;
extern const struct pfi_vdisplay_impl pfi_vdisplay_testpattern;

/* Probe order of autoselect: desktop sessions first, then compositors we start ourselves,
 * then the test pattern, which always works. */
const struct pfi_vdisplay_impl *const *pfi_vdisplay_impls(uint32_t *ret_count);

/* The pure selection logic, separate for tests: the index into @impls that create() should
 * try first given @name (settings or NULL) and @env_override (PF_VDISPLAY or NULL), or -1
 * for an unknown name. Autoselect (both NULL) returns -2. */
int pfi_vdisplay_pick(const struct pfi_vdisplay_impl *const *impls, uint32_t n,
                      const char *name, const char *env_override);

#endif
