/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_HELP_H
#define PFHOST_HELP_H

#include <stdio.h>

/* One documented key of pfhost.conf. The table is the only list of keys: config_load()
 * refuses a key that is not in it, `pfhost help config` prints it, the manual page is
 * generated from that output and the web console's Settings page (mgmt_settings.c) lists
 * it, so the parser, --help, pfhost(1) and the console cannot disagree. */
typedef struct help_config_key {
    const char *key;
    const char *syntax;        /* what a value looks like, e.g. "PORT" or "yes|no" */
    const char *default_value; /* the default as a config value; NULL when computed */
    const char *default_text;  /* how the default reads in the help */
    const char *doc;           /* one sentence or two; wrapped when printed */
    /* The kind of value, for the console's control and its early check: "string", "address",
     * "port", "path", "bool", "codec", "choice", "seconds" or "count". The config parser
     * (config.c) remains the judge of every value. */
    const char *type;
    const char *const *choices; /* the values a "bool", "codec" or "choice" key takes; NULL-ended */
    /* 1 when the running host applies a change at once (mgmt_console.c sets the live config):
     * only keys the host reads where it uses them, on its event loop, never at startup. */
    int live;
} help_config_key;

extern const help_config_key help_config_keys[];
extern const size_t help_config_keys_n;

/* The documented key called @p key, or NULL. */
const help_config_key *help_config_key_find(const char *key);

/* `pfhost help TOPIC` for the reference topics "config" and "files". Returns 1 when @p topic
 * is one of them (and prints it to @p f), 0 otherwise. */
int help_print_topic(const char *topic, FILE *f);

#endif
