/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_NETLOG_H
#define PF_NET_NETLOG_H

#include "pf_assert.h"
#include "pf_log.h"

#define pfi_net_log pfi_log

#endif
