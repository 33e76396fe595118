/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "format.h"

#include <string.h>

#include <spa/param/format-utils.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/iter.h>

#include "pf/core/error.h"

static const struct {
    uint32_t fourcc;
    uint32_t spa;
    uint32_t bpp;
} format_map[] = {
    { PF_FRAME_FORMAT_BGRX, SPA_VIDEO_FORMAT_BGRx, 4 },
    { PF_FRAME_FORMAT_RGBX, SPA_VIDEO_FORMAT_RGBx, 4 },
    { PF_FRAME_FORMAT_BGRA, SPA_VIDEO_FORMAT_BGRA, 4 },
    { PF_FRAME_FORMAT_RGBA, SPA_VIDEO_FORMAT_RGBA, 4 },
    { PF_FRAME_FORMAT_XR30, SPA_VIDEO_FORMAT_xRGB_210LE, 4 },
    { PF_FRAME_FORMAT_NV12, SPA_VIDEO_FORMAT_NV12, 0 },
    { PF_FRAME_FORMAT_P010, SPA_VIDEO_FORMAT_P010_10LE, 0 },
};

#define N_MAP (sizeof(format_map) / sizeof(format_map[0]))

uint32_t pfi_format_to_spa(uint32_t fourcc)
{
    for (size_t i = 0; i < N_MAP; i++)
        if (format_map[i].fourcc == fourcc)
            return format_map[i].spa;
    return SPA_VIDEO_FORMAT_UNKNOWN;
}

uint32_t pfi_format_from_spa(uint32_t spa_format)
{
    for (size_t i = 0; i < N_MAP; i++)
        if (format_map[i].spa == spa_format)
            return format_map[i].fourcc;
    return 0;
}

uint32_t pfi_format_bpp(uint32_t fourcc)
{
    for (size_t i = 0; i < N_MAP; i++)
        if (format_map[i].fourcc == fourcc)
            return format_map[i].bpp;
    return 0;
}

int pfi_format_offer_init(struct pfi_format_offer *offer, const pf_capture_settings *s)
{
    static const uint32_t defaults[] = { PF_FRAME_FORMAT_BGRX, PF_FRAME_FORMAT_RGBX,
                                         PF_FRAME_FORMAT_BGRA, PF_FRAME_FORMAT_RGBA };

    memset(offer, 0, sizeof(*offer));
    if (s->n_formats > PF_CAPTURE_MAX_FORMATS || s->n_modifiers > PF_CAPTURE_MAX_MODIFIERS)
        return PF_ERR_INVALID_ARGUMENT;
    if (s->n_modifiers && !s->modifiers)
        return PF_ERR_INVALID_ARGUMENT;
    if (s->n_formats == 0) {
        memcpy(offer->formats, defaults, sizeof(defaults));
        offer->n_formats = 4;
    } else {
        for (uint32_t i = 0; i < s->n_formats; i++) {
            if (pfi_format_to_spa(s->formats[i]) == SPA_VIDEO_FORMAT_UNKNOWN)
                return PF_ERR_INVALID_ARGUMENT;
            offer->formats[i] = s->formats[i];
        }
        offer->n_formats = s->n_formats;
    }
    /* LINEAR is always importable (at worst through a copy), so it is always offered, after
     * the device's own modifiers which are usually faster. */
    for (uint32_t i = 0; i < s->n_modifiers; i++) {
        if (s->modifiers[i] == PF_FRAME_MODIFIER_LINEAR ||
            s->modifiers[i] == PF_FRAME_MODIFIER_INVALID)
            continue;
        offer->modifiers[offer->n_modifiers++] = s->modifiers[i];
    }
    offer->modifiers[offer->n_modifiers++] = PF_FRAME_MODIFIER_LINEAR;
    offer->dmabuf = !(s->flags & PF_CAPTURE_FLAG_NO_DMABUF);
    offer->shm = !(s->flags & PF_CAPTURE_FLAG_NO_SHM);
    offer->width = s->width;
    offer->height = s->height;
    offer->fps = s->fps;
    return 0;
}

static void build_common(const struct pfi_format_offer *offer, uint32_t fourcc,
                         struct spa_pod_builder *b)
{
    struct spa_rectangle def = SPA_RECTANGLE(offer->width ? offer->width : 1920,
                                             offer->height ? offer->height : 1080);
    struct spa_rectangle min = SPA_RECTANGLE(1, 1), max = SPA_RECTANGLE(16384, 16384);
    struct spa_fraction fdef = SPA_FRACTION(offer->fps ? offer->fps : 60, 1);
    struct spa_fraction fmin = SPA_FRACTION(0, 1), fmax = SPA_FRACTION(1000, 1);
    struct spa_fraction fone = SPA_FRACTION(1, 1);

    spa_pod_builder_add(b, SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
                        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
                        SPA_FORMAT_VIDEO_format, SPA_POD_Id(pfi_format_to_spa(fourcc)), 0);
    /* The client's exact mode when one is asked for: producers that follow the consumer
     * (Mutter's virtual monitor) then size the output to it, and a producer of another size
     * fails to link instead of streaming a scaled or cropped picture. Without a mode, any
     * size links. The rate stays a range: damage-driven producers announce 0/1. */
    if (offer->width && offer->height)
        spa_pod_builder_add(b, SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&def), 0);
    else
        spa_pod_builder_add(b, SPA_FORMAT_VIDEO_size,
                            SPA_POD_CHOICE_RANGE_Rectangle(&def, &min, &max), 0);
    spa_pod_builder_add(b, SPA_FORMAT_VIDEO_framerate,
                        SPA_POD_CHOICE_RANGE_Fraction(&fdef, &fmin, &fmax), 0);
    /* Damage-driven producers (Mutter) announce framerate 0/1 and pace by maxFramerate; left
     * to the producer that can fixate to its minimum. Ask for the client's rate. */
    spa_pod_builder_add(b, SPA_FORMAT_VIDEO_maxFramerate,
                        SPA_POD_CHOICE_RANGE_Fraction(&fdef, &fone, &fmax), 0);
}

uint32_t pfi_format_build(const struct pfi_format_offer *offer, const uint64_t *fixed_modifier,
                          struct spa_pod_builder *b, const struct spa_pod **pods,
                          uint32_t max_pods)
{
    uint32_t n = 0;

    for (uint32_t i = 0; offer->dmabuf && i < offer->n_formats && n < max_pods; i++) {
        struct spa_pod_frame f[2];

        spa_pod_builder_push_object(b, &f[0], SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat);
        build_common(offer, offer->formats[i], b);
        if (fixed_modifier) {
            spa_pod_builder_prop(b, SPA_FORMAT_VIDEO_modifier, SPA_POD_PROP_FLAG_MANDATORY);
            spa_pod_builder_long(b, (int64_t)*fixed_modifier);
        } else {
            /* DONT_FIXATE: the producer must let the consumer choose among the modifiers it
             * shares with us, because only the consumer knows which one its device imports
             * fastest. */
            spa_pod_builder_prop(b, SPA_FORMAT_VIDEO_modifier,
                                 SPA_POD_PROP_FLAG_MANDATORY | SPA_POD_PROP_FLAG_DONT_FIXATE);
            spa_pod_builder_push_choice(b, &f[1], SPA_CHOICE_Enum, 0);
            spa_pod_builder_long(b, (int64_t)offer->modifiers[0]);
            for (uint32_t m = 0; m < offer->n_modifiers; m++)
                spa_pod_builder_long(b, (int64_t)offer->modifiers[m]);
            spa_pod_builder_pop(b, &f[1]);
        }
        pods[n++] = spa_pod_builder_pop(b, &f[0]);
    }
    for (uint32_t i = 0; offer->shm && i < offer->n_formats && n < max_pods; i++) {
        struct spa_pod_frame f;

        spa_pod_builder_push_object(b, &f, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat);
        build_common(offer, offer->formats[i], b);
        pods[n++] = spa_pod_builder_pop(b, &f);
    }
    return n;
}

int pfi_format_parse(const struct pfi_format_offer *offer, const struct spa_pod *param,
                     struct pfi_format_result *ret)
{
    struct spa_video_info_raw raw;
    const struct spa_pod_prop *prop;
    uint32_t media_type, media_subtype, fourcc;
    int ok = 0;

    memset(ret, 0, sizeof(*ret));
    if (!param || !spa_pod_is_object_type(param, SPA_TYPE_OBJECT_Format))
        return PF_ERR_MALFORMED;
    if (spa_format_parse(param, &media_type, &media_subtype) < 0 ||
        media_type != SPA_MEDIA_TYPE_video || media_subtype != SPA_MEDIA_SUBTYPE_raw)
        return PF_ERR_MALFORMED;
    memset(&raw, 0, sizeof(raw));
    if (spa_format_video_raw_parse(param, &raw) < 0)
        return PF_ERR_MALFORMED;
    fourcc = pfi_format_from_spa(raw.format);
    for (uint32_t i = 0; i < offer->n_formats; i++)
        ok |= offer->formats[i] == fourcc;
    if (!fourcc || !ok)
        return PF_ERR_UNSUPPORTED;
    if (raw.size.width == 0 || raw.size.height == 0)
        return PF_ERR_MALFORMED;
    ret->format = fourcc;
    ret->width = raw.size.width;
    ret->height = raw.size.height;
    ret->fps_num = raw.framerate.num;
    ret->fps_den = raw.framerate.denom ? raw.framerate.denom : 1;
    prop = spa_pod_find_prop(param, NULL, SPA_FORMAT_VIDEO_modifier);
    if (prop) {
        const struct spa_pod *val;
        uint32_t n_vals, choice;

        val = spa_pod_get_values(&prop->value, &n_vals, &choice);
        if (!spa_pod_is_long(val) || n_vals == 0)
            return PF_ERR_MALFORMED;
        ret->has_modifier = 1;
        if (choice == SPA_CHOICE_None || !(prop->flags & SPA_POD_PROP_FLAG_DONT_FIXATE)) {
            ret->modifier_fixed = 1;
            ret->modifier = (uint64_t)((const int64_t *)SPA_POD_BODY_CONST(val))[0];
        } else {
            const int64_t *v = SPA_POD_BODY_CONST(val);

            /* An Enum's first value is its default; the alternatives follow it. */
            for (uint32_t i = 1; i < n_vals && ret->n_choices < PF_CAPTURE_MAX_MODIFIERS; i++)
                ret->choices[ret->n_choices++] = (uint64_t)v[i];
            if (ret->n_choices == 0)
                ret->choices[ret->n_choices++] = (uint64_t)v[0];
        }
    }
    return 0;
}

int pfi_format_pick_modifier(const struct pfi_format_offer *offer,
                             const struct pfi_format_result *res, uint64_t *ret_modifier)
{
    for (uint32_t i = 0; i < offer->n_modifiers; i++)
        for (uint32_t j = 0; j < res->n_choices; j++)
            if (offer->modifiers[i] == res->choices[j]) {
                *ret_modifier = offer->modifiers[i];
                return 0;
            }
    return PF_ERR_UNSUPPORTED;
}
