/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_SESSION_H
#define PFHOST_MGMT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "mgmt_limit.h"

/* The web console's login: one admin password (argon2id, libsodium crypto_pwhash_str,
 * stored in a 0600 file), browser sessions identified by a random cookie, each with its own
 * CSRF token that every mutating request must echo in X-CSRF-Token. Sessions live in memory
 * only: a restart logs everybody out. */
#define CONSOLE_COOKIE "pf_session"
#define CONSOLE_SESSIONS 16
#define CONSOLE_ID_HEX 64
#define CONSOLE_PASSWORD_MIN 8
#define CONSOLE_PASSWORD_MAX 256

typedef struct console_session {
    char id[CONSOLE_ID_HEX + 1]; /* "" = free slot */
    char csrf[CONSOLE_ID_HEX + 1];
    uint64_t created_ms, last_ms;
} console_session;

typedef struct console_auth {
    char *pass_path;
    char pass_hash[128]; /* crypto_pwhash_STRBYTES; "" = no password yet */
    uint64_t idle_ms, max_age_ms;
    console_session s[CONSOLE_SESSIONS];
    mgmt_limit login_limit; /* wrong passwords per address */
} console_auth;

/* Reads the password file at @p path (missing: no password set yet). 0 or -errno; with
 * -EINVAL (a damaged file) @p a is usable, and no password logs in until one is set again
 * with the API token. */
int console_auth_init(console_auth *a, const char *path);
void console_auth_free(console_auth *a);
int console_has_password(const console_auth *a);
/* Hashes and stores @p password (written atomically, 0600) and ends every session but
 * @p keep (may be NULL). 0, -EINVAL for a password outside CONSOLE_PASSWORD_MIN..MAX bytes,
 * or -errno. */
int console_set_password(console_auth *a, const char *password, const console_session *keep);
/* 1 when @p password is the stored one. */
int console_check_password(const console_auth *a, const char *password);
/* A new session (the oldest one makes room when all slots are used); NULL on failure. */
const console_session *console_session_new(console_auth *a, uint64_t now_ms);
/* The live session named by the Cookie header @p cookie (NULL when none or expired); using
 * it extends its idle deadline. */
const console_session *console_session_find(console_auth *a, const char *cookie,
                                            uint64_t now_ms);
void console_session_end(console_auth *a, const console_session *s);
/* 1 when @p token (the X-CSRF-Token header, may be NULL) is @p s's CSRF token. */
int console_csrf_ok(const console_session *s, const char *token);
/* The Set-Cookie value that installs (s != NULL) or clears (s == NULL) the cookie. */
void console_cookie(const console_auth *a, const console_session *s, int secure, char *out,
                    size_t cap);

#endif
