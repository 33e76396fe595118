/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_INPUT_BACKEND_UINPUT_H
#define PF_INPUT_BACKEND_UINPUT_H

#include "backend.h"
#include "uinput_sink.h"

/* Creates the uinput backend over an explicit sink (@p sink and @p sink_data borrowed for the
 * backend's life). pfi_backend_uinput.create uses the kernel sink. */
int pfi_uinput_create_with_sink(const struct pfi_backend_args *args,
                                const struct pfi_uinput_sink *sink, void *sink_data,
                                struct pfi_backend **ret);

#endif
