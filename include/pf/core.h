/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core.h
 * Umbrella header of libpfcore (and of the Swift module PFCore): includes every public
 * libpfcore header.
 */
#ifndef PF_CORE_H
#define PF_CORE_H

#include "core/common.h"
#include "core/error.h"
#include "core/crypto.h"
#include "core/rs8.h"
/* pf:core-umbrella */
#include "core/rs16.h"
#include "core/gs_video.h"
#include "core/gs_audio.h"
#include "core/gs_control.h"
#include "core/pkf1.h"
#include "core/pkf1_handshake.h"
#include "core/pkf1_control.h"
#include "core/pkf1_pair.h"
#include "core/pkf1_media.h"
#include "core/pkf1_datagram.h"
#include "core/pkf1_clock.h"

#endif
