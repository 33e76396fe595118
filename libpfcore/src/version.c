/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pf/core/common.h"

#include "pf-config.h"

uint32_t pf_core_abi_version(void)
{
    return PF_CORE_ABI_VERSION;
}

const char *pf_core_version_string(void)
{
    return PF_VERSION_STRING;
}
