/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pf/net.h"

#include "pf-config.h"

uint32_t pf_net_abi_version(void)
{
    return PF_NET_ABI_VERSION;
}

const char *pf_net_version_string(void)
{
    return PF_VERSION_STRING;
}
