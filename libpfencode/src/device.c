/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device creation and backend selection: probe order, the PF_ENCODER override, and the
 * rule that one failing probe never blocks the next (field notes: Sunshine #5218). */
#include "pf/encode.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encoder_impl.h"
#include "ff_log.h"
#include "log.h"

#define TOPIC "encode.device"

const struct pfi_backend *const pfi_backends[PF_ENCODE_BACKEND_COUNT - 1] = {
    &pfi_backend_nvenc,
    &pfi_backend_vaapi,
    &pfi_backend_vulkan,
    &pfi_backend_software,
};

static const struct pfi_backend *backend_by_id(uint32_t id)
{
    for (size_t i = 0; i < PF_ENCODE_BACKEND_COUNT - 1; i++)
        if (pfi_backends[i]->id == id)
            return pfi_backends[i];
    return NULL;
}

static const struct pfi_backend *backend_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < PF_ENCODE_BACKEND_COUNT - 1; i++) {
        const char *n = pfi_backends[i]->name;
        if (strlen(n) == len && strncasecmp(n, name, len) == 0)
            return pfi_backends[i];
    }
    return NULL;
}

PF_EXPORT const char *pf_encode_backend_name(uint32_t backend)
{
    const struct pfi_backend *b = backend_by_id(backend);
    return b ? b->name : NULL;
}

/* Parses "vaapi,software" (also '|' or spaces as separators) into an ordered list. */
static int parse_override(const char *env, const struct pfi_backend **list, size_t *n)
{
    *n = 0;
    const char *p = env;
    while (*p) {
        size_t len = strcspn(p, ",| ");
        if (len) {
            const struct pfi_backend *b = backend_by_name(p, len);
            if (!b || *n >= PF_ENCODE_BACKEND_COUNT - 1)
                return PF_ERR_INVALID_ARGUMENT;
            list[(*n)++] = b;
        }
        p += len;
        if (*p)
            p++;
    }
    return *n ? 0 : PF_ERR_INVALID_ARGUMENT;
}

static int try_open(const struct pfi_backend *b, const pf_encode_device_settings *s,
                    pf_encode_device **ret_device)
{
    pf_encode_device *dev = calloc(1, sizeof(*dev));
    if (!dev)
        return PF_ERR_NOMEM;
    dev->impl = b;
    dev->refs = 1;
    dev->log = s->log;
    dev->allow_cpu_vulkan = s->allow_cpu_vulkan;
    pfi_ff_log_quiet_begin();
    int r = b->device_open(dev, s);
    pfi_ff_log_quiet_end();
    if (r < 0) {
        pfi_enc_debug(&s->log, TOPIC, "backend %s unavailable: %s", b->name, pf_strerror(r));
        free(dev);
        return r;
    }
    pfi_enc_debug(&s->log, TOPIC, "using backend %s", b->name);
    *ret_device = dev;
    return 0;
}

PF_EXPORT int pf_encode_device_create(const pf_encode_device_settings *settings,
                                      pf_encode_device **ret_device)
{
    if (!settings || !ret_device)
        return PF_ERR_INVALID_ARGUMENT;
    if (settings->struct_size < offsetof(pf_encode_device_settings, log) + sizeof(pf_log_hook) ||
        settings->struct_size > sizeof(pf_encode_device_settings))
        return PF_ERR_INVALID_ARGUMENT;
    pf_encode_device_settings s;
    pf_encode_device_settings_default(&s);
    memcpy(&s, settings, settings->struct_size);

    if (s.backend != PF_ENCODE_BACKEND_AUTO) {
        const struct pfi_backend *b = backend_by_id(s.backend);
        if (!b)
            return PF_ERR_INVALID_ARGUMENT;
        return try_open(b, &s, ret_device);
    }

    const struct pfi_backend *order[PF_ENCODE_BACKEND_COUNT - 1];
    size_t n = PF_ENCODE_BACKEND_COUNT - 1;
    memcpy(order, pfi_backends, sizeof(order));
    const char *env = getenv("PF_ENCODER");
    if (env && *env) {
        int r = parse_override(env, order, &n);
        if (r < 0) {
            pfi_enc_debug(&s.log, TOPIC, "PF_ENCODER=\"%s\" names no backend "
                          "(nvenc, vaapi, vulkan, software)", env);
            return r;
        }
    }
    int last = PF_ERR_NOT_FOUND;
    for (size_t i = 0; i < n; i++) {
        int r = try_open(order[i], &s, ret_device);
        if (r == 0)
            return 0;
        if (r == PF_ERR_NOMEM)
            return r;
        last = r;
    }
    /* Nothing opened: report "not found" unless every candidate said it was compiled out. */
    return last == PF_ERR_UNSUPPORTED ? PF_ERR_UNSUPPORTED : PF_ERR_NOT_FOUND;
}

void pfi_device_ref(pf_encode_device *dev)
{
    __atomic_add_fetch(&dev->refs, 1, __ATOMIC_RELAXED);
}

PF_EXPORT void pf_encode_device_destroy(pf_encode_device *device)
{
    if (!device)
        return;
    if (__atomic_sub_fetch(&device->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    device->impl->device_close(device);
    free(device);
}

PF_EXPORT int pf_encode_device_get_backend(const pf_encode_device *device)
{
    if (!device)
        return PF_ERR_INVALID_ARGUMENT;
    return (int)device->impl->id;
}

PF_EXPORT int pf_encode_device_query_caps(pf_encode_device *device, uint32_t codec,
                                          pf_encode_caps *ret_caps)
{
    if (!device || !ret_caps || ret_caps->struct_size < sizeof(pf_encode_caps))
        return PF_ERR_INVALID_ARGUMENT;
    if (codec != PF_ENCODE_CODEC_H264 && codec != PF_ENCODE_CODEC_HEVC &&
        codec != PF_ENCODE_CODEC_AV1)
        return PF_ERR_INVALID_ARGUMENT;
    pf_encode_caps caps;
    memset(&caps, 0, sizeof(caps));
    caps.struct_size = sizeof(caps);
    caps.backend = device->impl->id;
    caps.codec = codec;
    pfi_ff_log_quiet_begin();
    int r = device->impl->query_caps(device, codec, &caps);
    pfi_ff_log_quiet_end();
    if (r < 0)
        return r;
    *ret_caps = caps;
    return 0;
}
