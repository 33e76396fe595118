/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The world of one compositor test, from setup to teardown: the daemons (the compositor
 * among them), the process whose output the test checks, the injector and its one client.
 * Every compositor test sets it up and ends it the same way; a test that holds more puts this
 * first in its own fixture and ends the rest in @end. */
#ifndef PF_INPUT_TEST_SESSION_FIXTURE_H
#define PF_INPUT_TEST_SESSION_FIXTURE_H

#include "pf/input.h"

#include "harness.h"

struct t_fixture {
    struct harness h;
    struct h_proc *rec; /* the recording client (or stand-in server) the test reads */
    pf_input_injector *inj;
    pf_input_client *client;
    /* Ends what the test added to its fixture, before the injector goes; may be NULL. */
    void (*end)(struct t_fixture *f);
};

/* A new zeroed fixture of @size bytes (at least a struct t_fixture) in *state. */
struct t_fixture *t_fixture_new(void **state, size_t size);

/* cmocka teardown: ends the injector and its client, the processes, and frees the fixture. */
int t_teardown(void **state);

/* cmocka skips teardown when setup fails, so a failing setup ends the fixture itself: says
 * why, shows the daemons' logs and what the recorder printed, then tears down. -1. */
int t_setup_failed(void **state, const char *what);

/* Creates the injector for @s, trying @tries times 50 ms apart: a compositor's socket appears
 * a moment before it serves what the backend binds (globals, D-Bus names). */
int t_injector_create(const pf_input_settings *s, int tries, pf_input_injector **ret);

/* Starts pf-wl-recorder as the test user on the compositor at @display (its socket's path).
 * NULL when it cannot. */
struct h_proc *t_start_recorder(struct harness *h, const char *display);

#endif
