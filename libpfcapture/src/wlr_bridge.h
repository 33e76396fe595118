/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_WLR_BRIDGE_H
#define PF_CAPTURE_WLR_BRIDGE_H

#include <stdint.h>

/* wlroots compositors offer no PipeWire node of their own (xdg-desktop-portal-wlr needs
 * dmabuf, which headless machines lack), so this bridge copies one output with
 * wlr-screencopy (shm) at the client's rate and publishes the frames as a PipeWire video
 * source: every backend still yields a node, and there is one capture path. */
struct pfi_wlr_bridge;

/* Connects to the compositor of WAYLAND_DISPLAY, finds @output_name, and starts publishing
 * @width x @height at @fps. PF_ERR_IO, PF_ERR_NOT_FOUND (no such output), PF_ERR_UNSUPPORTED
 * (no screencopy), PF_ERR_TIMEOUT, PF_ERR_NOMEM. */
int pfi_wlr_bridge_start(const char *output_name, uint32_t width, uint32_t height, uint32_t fps,
                         const char *pipewire_remote, uint32_t timeout_ms,
                         struct pfi_wlr_bridge **ret_bridge);
uint32_t pfi_wlr_bridge_node_id(struct pfi_wlr_bridge *bridge);
void pfi_wlr_bridge_stop(struct pfi_wlr_bridge *bridge);

#endif
