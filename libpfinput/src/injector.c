/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Injector lifecycle: backend choice (explicit list, PF_INPUT_BACKENDS, or autocreate from the
 * session's virtual-display backend), the streamed output, and loop integration. Per-client
 * logic lives in client.c. */
#include "injector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "keymap.h"
#include "log.h"

#define TOPIC "injector"
#define DEFAULT_RATE 2000u
#define DEFAULT_BURST 500u

const struct pfi_backend_impl *const pfi_builtin_backends[] = {
#ifdef PF_INPUT_HAVE_MUTTER
    &pfi_backend_mutter,
#endif
#ifdef PF_INPUT_HAVE_WLR
    &pfi_backend_wlr,
#endif
#ifdef PF_INPUT_HAVE_KWIN
    &pfi_backend_kwin,
#endif
#ifdef PF_INPUT_HAVE_UINPUT
    &pfi_backend_uinput,
#endif
    NULL,
};

PF_EXPORT uint32_t pf_input_abi_version(void)
{
    return PF_INPUT_ABI_VERSION;
}

PF_EXPORT void pf_input_settings_default(pf_input_settings *settings)
{
    if (!settings)
        return;
    memset(settings, 0, sizeof(*settings));
    settings->struct_size = sizeof(*settings);
    settings->max_events_per_sec = DEFAULT_RATE;
    settings->burst = DEFAULT_BURST;
}

/* The session's compositor decides which remote-input API exists; uinput follows every
 * compositor because it is the only path for gamepads. */
static const char *autocreate_list(const char *vdisplay)
{
    if (!vdisplay || !*vdisplay)
        return "mutter,wlr,uinput";
    if (strcmp(vdisplay, "mutter") == 0 || strcmp(vdisplay, "gnome") == 0)
        return "mutter,uinput";
    if (strcmp(vdisplay, "wlr") == 0 || strcmp(vdisplay, "sway") == 0)
        return "wlr,uinput";
    if (strcmp(vdisplay, "kwin") == 0)
        return "kwin,uinput";
    return "uinput";
}

static const struct pfi_backend_impl *find_impl(const struct pfi_backend_impl *const *table,
                                                const char *name, size_t len)
{
    for (size_t i = 0; table[i]; i++)
        if (strlen(table[i]->name) == len && memcmp(table[i]->name, name, len) == 0)
            return table[i];
    return NULL;
}

static uint32_t backend_caps(struct pfi_backend *b)
{
    return b->impl->caps ? b->impl->caps(b) : 0;
}

static void on_feedback(void *owner, uint32_t pad_id, uint16_t low, uint16_t high)
{
    pf_input_injector *inj = owner;
    if (!inj->feedback)
        return;
    uint32_t client_id = pad_id / PF_INPUT_MAX_CONTROLLERS;
    for (pf_input_client *c = inj->clients; c; c = c->next) {
        if (c->id != client_id)
            continue;
        pf_input_feedback fb = {
            .struct_size = sizeof(fb),
            .type = PF_INPUT_FEEDBACK_RUMBLE,
            .controller = pad_id % PF_INPUT_MAX_CONTROLLERS,
            .low_freq = low,
            .high_freq = high,
        };
        inj->feedback(inj->feedback_user_data, c, &fb);
        return;
    }
}

static int start_backends(pf_input_injector *inj, const pf_input_settings *settings,
                          const struct pfi_backend_impl *const *table, const char *list,
                          int explicit_list)
{
    const struct pfi_backend_args args = {
        .settings = settings,
        .log = &inj->log,
        .feedback = on_feedback,
        .feedback_owner = inj,
    };
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        const struct pfi_backend_impl *impl = len ? find_impl(table, p, len) : NULL;
        if (!impl && len) {
            pfi_input_log(&inj->log, TOPIC, "backend '%.*s' not built", (int)len, p);
            if (explicit_list)
                return PF_ERR_INVALID_ARGUMENT;
        } else if (impl && inj->n_backends < PFI_MAX_BACKENDS) {
            struct pfi_backend *b = NULL;
            int r = impl->create(&args, &b);
            if (r < 0) {
                pfi_input_log(&inj->log, TOPIC, "backend %s did not start: %d", impl->name, r);
            } else {
                inj->backends[inj->n_backends++] = b;
                uint32_t caps = backend_caps(b);
                if (!inj->desk && (caps & (PFI_CAP_KEYBOARD | PFI_CAP_POINTER)))
                    inj->desk = b;
                if (!inj->pad && (caps & PFI_CAP_GAMEPAD))
                    inj->pad = b;
                pfi_input_log(&inj->log, TOPIC, "backend %s started (caps 0x%x)", impl->name,
                              caps);
            }
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return inj->n_backends ? 0 : PF_ERR_UNSUPPORTED;
}

static void destroy_backends(pf_input_injector *inj)
{
    for (uint32_t i = inj->n_backends; i-- > 0;)
        inj->backends[i]->impl->destroy(inj->backends[i]);
    inj->n_backends = 0;
    inj->desk = inj->pad = NULL;
}

int pfi_injector_create_with(const pf_input_settings *settings,
                             const struct pfi_backend_impl *const *table,
                             pf_input_injector **ret_injector)
{
    if (!settings || !ret_injector || !table)
        return PF_ERR_INVALID_ARGUMENT;
    if (settings->struct_size < sizeof(pf_input_settings))
        return PF_ERR_INVALID_ARGUMENT;
    int layout = pfi_layout_from_name(settings->layout);
    if (layout < 0)
        return PF_ERR_INVALID_ARGUMENT;

    pf_input_injector *inj = calloc(1, sizeof(*inj));
    if (!inj)
        return PF_ERR_NOMEM;
    inj->log = settings->log;
    inj->feedback = settings->feedback;
    inj->feedback_user_data = settings->feedback_user_data;
    inj->layout = layout;
    inj->rate = settings->max_events_per_sec ? settings->max_events_per_sec : DEFAULT_RATE;
    inj->burst = settings->burst ? settings->burst : DEFAULT_BURST;
    inj->next_client_id = 1;
    inj->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (inj->epfd < 0) {
        free(inj);
        return PF_ERR_IO;
    }

    const char *list = settings->backends;
    int explicit_list = list != NULL;
    if (!list) {
        const char *env = getenv("PF_INPUT_BACKENDS");
        if (env && *env) {
            list = env;
            explicit_list = 1;
        } else {
            list = autocreate_list(settings->vdisplay);
        }
    }
    int r = start_backends(inj, settings, table, list, explicit_list);
    if (r < 0) {
        destroy_backends(inj);
        close(inj->epfd);
        free(inj);
        return r;
    }
    for (uint32_t i = 0; i < inj->n_backends; i++) {
        struct pfi_backend *b = inj->backends[i];
        int fd = b->impl->get_fd ? b->impl->get_fd(b) : -1;
        if (fd < 0)
            continue;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = b };
        if (epoll_ctl(inj->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
            pfi_input_log(&inj->log, TOPIC, "cannot watch fd of %s: %d", b->impl->name, errno);
    }
    *ret_injector = inj;
    return 0;
}

PF_EXPORT int pf_input_injector_create(const pf_input_settings *settings,
                                       pf_input_injector **ret_injector)
{
    return pfi_injector_create_with(settings, pfi_builtin_backends, ret_injector);
}

PF_EXPORT void pf_input_injector_destroy(pf_input_injector *injector)
{
    if (!injector)
        return;
    while (injector->clients)
        pf_input_client_destroy(injector->clients);
    destroy_backends(injector);
    close(injector->epfd);
    free(injector);
}

PF_EXPORT const char *pf_input_injector_get_backend(const pf_input_injector *injector)
{
    if (!injector)
        return NULL;
    if (injector->desk)
        return injector->desk->impl->name;
    return injector->n_backends ? injector->backends[0]->impl->name : "";
}

_Static_assert(PF_INPUT_CAP_KEYBOARD == PFI_CAP_KEYBOARD && PF_INPUT_CAP_KEYSYM == PFI_CAP_KEYSYM &&
                   PF_INPUT_CAP_POINTER == PFI_CAP_POINTER &&
                   PF_INPUT_CAP_POINTER_ABS == PFI_CAP_POINTER_ABS &&
                   PF_INPUT_CAP_TOUCH == PFI_CAP_TOUCH && PF_INPUT_CAP_PEN == PFI_CAP_PEN &&
                   PF_INPUT_CAP_GAMEPAD == PFI_CAP_GAMEPAD,
               "public and backend capability bits agree");

PF_EXPORT uint32_t pf_input_injector_get_capabilities(const pf_input_injector *injector)
{
    uint32_t caps = 0;
    if (!injector)
        return 0;
    if (injector->desk)
        caps |= backend_caps(injector->desk) & ~PFI_CAP_GAMEPAD;
    if (injector->pad)
        caps |= backend_caps(injector->pad) & PFI_CAP_GAMEPAD;
    return caps;
}

PF_EXPORT int pf_input_injector_get_session_id(const pf_input_injector *injector, char *buf,
                                               size_t len)
{
    if (!injector || !buf || !len)
        return PF_ERR_INVALID_ARGUMENT;
    struct pfi_backend *b = injector->desk;
    if (b && b->impl->session_id)
        return b->impl->session_id(b, buf, len);
    buf[0] = '\0';
    return 0;
}

PF_EXPORT int pf_input_injector_start(pf_input_injector *injector)
{
    if (!injector)
        return PF_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < injector->n_backends; i++) {
        struct pfi_backend *b = injector->backends[i];
        if (!b->impl->start)
            continue;
        int r = b->impl->start(b);
        if (r < 0)
            return r;
    }
    return 0;
}

PF_EXPORT int pf_input_injector_set_output(pf_input_injector *injector,
                                           const pf_input_output *output)
{
    if (!injector || !output || output->struct_size < sizeof(pf_input_output))
        return PF_ERR_INVALID_ARGUMENT;
    if (!output->width || !output->height || output->width > 65535 || output->height > 65535)
        return PF_ERR_INVALID_ARGUMENT;
    struct pfi_output out = {
        .x = output->x, .y = output->y, .width = output->width, .height = output->height
    };
    for (uint32_t i = 0; i < injector->n_backends; i++) {
        struct pfi_backend *b = injector->backends[i];
        if (!b->impl->set_output)
            continue;
        int r = b->impl->set_output(b, &out, output->stream_path, output->name);
        if (r < 0)
            return r;
    }
    injector->out = out;
    injector->have_output = 1;
    return 0;
}

PF_EXPORT int pf_input_injector_get_fd(const pf_input_injector *injector)
{
    if (!injector)
        return PF_ERR_INVALID_ARGUMENT;
    return injector->epfd;
}

PF_EXPORT int pf_input_injector_dispatch(pf_input_injector *injector)
{
    if (!injector)
        return PF_ERR_INVALID_ARGUMENT;
    int total = 0;
    for (uint32_t i = 0; i < injector->n_backends; i++) {
        struct pfi_backend *b = injector->backends[i];
        if (!b->impl->dispatch)
            continue;
        int r = b->impl->dispatch(b);
        if (r < 0)
            return r;
        total += r;
    }
    return total;
}
