/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seam between the uinput backend and the kernel: device creation, event writes and
 * force-feedback requests go through this table, so tests drive the backend with a recording
 * sink where /dev/uinput does not exist (test-environment.md). */
#ifndef PF_INPUT_UINPUT_SINK_H
#define PF_INPUT_UINPUT_SINK_H

#include <stdint.h>

struct libevdev;

/* Effects an application may upload to one virtual pad. */
#define PFI_UINPUT_FF_EFFECTS 16u

#define PFI_FF_UPLOAD 1u /* effect @c id now has magnitudes strong/weak (0/0: not a rumble) */
#define PFI_FF_ERASE 2u  /* effect @c id is gone */
#define PFI_FF_PLAY 3u   /* effect @c id starts (value > 0) or stops (value 0) */

/* One force-feedback request from an application, already acknowledged to the kernel. */
struct pfi_ff_request {
    uint32_t kind;
    int32_t id;
    int32_t value;
    uint16_t strong;
    uint16_t weak;
};

struct pfi_uinput_sink {
    /* Creates a device from @p desc (borrowed; its name, ids, codes and abs info are what the
     * kernel sees); *ret_dev is the sink's handle. */
    int (*create)(void *data, const struct libevdev *desc, void **ret_dev);
    int (*write)(void *data, void *dev, uint32_t type, uint32_t code, int32_t value);
    void (*destroy)(void *data, void *dev);
    /* fd that turns readable when @p dev has feedback requests; -1 if none. */
    int (*get_fd)(void *data, void *dev);
    /* Fetches one pending request: 1 got one, 0 none, < 0 error. */
    int (*read_ff)(void *data, void *dev, struct pfi_ff_request *ret_req);
};

/* The kernel sink over @p path (NULL = /dev/uinput). @return 0, or -errno when the node
 * cannot be opened for writing (then the backend does not start). */
int pfi_uinput_sink_kernel_probe(const char *path);
extern const struct pfi_uinput_sink pfi_uinput_sink_kernel;

#endif
