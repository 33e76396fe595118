/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "session_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "session_util.h"

struct t_fixture *t_fixture_new(void **state, size_t size)
{
    struct t_fixture *f = calloc(1, size);
    assert_non_null(f);
    *state = f;
    return f;
}

int t_teardown(void **state)
{
    struct t_fixture *f = *state;
    if (!f)
        return 0;
    if (f->end)
        f->end(f);
    pf_input_injector_destroy(f->inj);
    h_finish(&f->h);
    free(f);
    *state = NULL;
    return 0;
}

int t_setup_failed(void **state, const char *what)
{
    struct t_fixture *f = *state;
    print_message("# setup failed: %s\n", what);
    if (f)
        t_dump(&f->h, f->rec);
    t_teardown(state);
    return -1;
}

int t_injector_create(const pf_input_settings *s, int tries, pf_input_injector **ret)
{
    int r = PF_ERR_UNSUPPORTED;
    for (int i = 0; i < tries && r < 0; i++) {
        r = pf_input_injector_create(s, ret);
        if (r < 0)
            usleep(50000);
    }
    return r;
}

struct h_proc *t_start_recorder(struct harness *h, const char *display)
{
    char env_display[400];
    snprintf(env_display, sizeof(env_display), "WAYLAND_DISPLAY=%s", display);
    char *envs[] = { env_display, NULL };
    char *rec[] = { (char *)h_helper(h, "pf-wl-recorder"), NULL };
    if (!rec[0]) {
        print_message("# cannot place the recorder where the test user can run it\n");
        return NULL;
    }
    return h_spawn(h, rec, envs, 1);
}
