/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stand-ins for backends whose build dependencies were missing: the backend stays in the
 * probe order and says "not compiled in" instead of leaving a hole in the table. */
#include "encoder_impl.h"

static int stub_open(struct pf_encode_device *dev, const pf_encode_device_settings *s)
{
    return PF_ERR_UNSUPPORTED;
}

#define PFI_STUB(sym, ident, label)                                                           \
    const struct pfi_backend sym = {.id = ident, .name = label, .device_open = stub_open}

#ifdef PFI_STUB_VAAPI
PFI_STUB(pfi_backend_vaapi, PF_ENCODE_BACKEND_VAAPI, "vaapi");
#endif
#ifdef PFI_STUB_VULKAN
PFI_STUB(pfi_backend_vulkan, PF_ENCODE_BACKEND_VULKAN, "vulkan");
#endif
