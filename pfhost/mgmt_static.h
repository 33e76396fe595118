/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_STATIC_H
#define PFHOST_MGMT_STATIC_H

#include <stddef.h>

#include <microhttpd.h>

/* The web console's built files, served at / on the management port. Before login only the
 * login page and the files it needs (public.txt, written by the console build) are served;
 * every other path of the console answers with the login page or 401. */
typedef struct console_files {
    char *dir;        /* NULL: no console installed */
    char **pub;       /* file names (relative to dir) served before login */
    size_t npub;
} console_files;

/* @p dir may be missing (a host built without the console): then / says so. 0 or -ENOMEM. */
int console_files_init(console_files *f, const char *dir);
void console_files_free(console_files *f);
/* Serves @p url (a path that is not under /api/) for GET and HEAD. */
enum MHD_Result console_files_serve(const console_files *f, struct MHD_Connection *c,
                                    const char *method, const char *url, int logged_in);
/* 1 for a relative file name made only of plain segments (no "..", no hidden files). */
int console_safe_path(const char *p);
/* The headers every management response carries (CSP, nosniff, framing, referrer). */
void console_security_headers(struct MHD_Response *r);

#endif
