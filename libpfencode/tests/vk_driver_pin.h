/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_VK_DRIVER_PIN_H
#define PF_TEST_VK_DRIVER_PIN_H

#include <dlfcn.h>

/* Keeps lavapipe, the software Vulkan driver, loaded until the process ends. The driver makes
 * a one-time allocation (LLVM state under pthread_once) that it never frees; the Vulkan loader
 * unloads it when the instance is destroyed, and LeakSanitizer then reports that allocation
 * from an unknown module, which no suppression can name. Pinned, its frames stay named and
 * tests/lsan.supp's library entries apply. Harmless without a sanitizer or without lavapipe. */
static inline void pin_vulkan_driver(void)
{
    (void)dlopen("libvulkan_lvp.so", RTLD_NOW | RTLD_NODELETE);
}

#endif
