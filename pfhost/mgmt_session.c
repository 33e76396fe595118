/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mgmt_session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fileio.h"

int console_auth_init(console_auth *a, const char *path)
{
    memset(a, 0, sizeof(*a));
    if (sodium_init() < 0)
        return -EIO;
    a->idle_ms = 60ull * 60 * 1000;           /* an hour without a request */
    a->max_age_ms = 12ull * 60 * 60 * 1000;   /* and half a day at most */
    a->login_limit.max_failures = 5;
    a->login_limit.lockout_ms = 60 * 1000;
    a->pass_path = strdup(path);
    if (!a->pass_path)
        return -ENOMEM;
    char *data = NULL;
    size_t len = 0;
    int r = file_read(path, 1024, &data, &len);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    data[strcspn(data, "\r\n")] = '\0';
    /* Only an argon2id string is accepted: anything else is a damaged file, not "no password"
     * (which would let anybody set one). It counts as a password that nothing matches, until
     * the API token resets it. */
    if (strncmp(data, "$argon2id$", 10) != 0 || strlen(data) >= sizeof(a->pass_hash)) {
        free(data);
        snprintf(a->pass_hash, sizeof(a->pass_hash), "!damaged");
        return -EINVAL;
    }
    snprintf(a->pass_hash, sizeof(a->pass_hash), "%s", data);
    free(data);
    return 0;
}

void console_auth_free(console_auth *a)
{
    free(a->pass_path);
    sodium_memzero(a, sizeof(*a));
}

int console_has_password(const console_auth *a)
{
    return a->pass_hash[0] != '\0';
}

int console_set_password(console_auth *a, const char *password, const console_session *keep)
{
    size_t n = password ? strlen(password) : 0;
    if (n < CONSOLE_PASSWORD_MIN || n > CONSOLE_PASSWORD_MAX)
        return -EINVAL;
    char hash[crypto_pwhash_STRBYTES];
    _Static_assert(sizeof(hash) <= sizeof(((console_auth *)0)->pass_hash), "hash fits");
    if (crypto_pwhash_str(hash, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -ENOMEM;
    char line[sizeof(hash) + 1];
    snprintf(line, sizeof(line), "%s\n", hash);
    int r = file_write_atomic(a->pass_path, line, strlen(line), 0600);
    if (r == 0) {
        snprintf(a->pass_hash, sizeof(a->pass_hash), "%s", hash);
        /* A new password ends every session made with the old one, but the changer's. */
        for (size_t i = 0; i < CONSOLE_SESSIONS; i++)
            if (&a->s[i] != keep)
                sodium_memzero(&a->s[i], sizeof(a->s[i]));
    }
    return r;
}

int console_check_password(const console_auth *a, const char *password)
{
    if (!console_has_password(a) || !password)
        return 0;
    size_t n = strlen(password);
    if (n > CONSOLE_PASSWORD_MAX)
        return 0;
    return crypto_pwhash_str_verify(a->pass_hash, password, n) == 0;
}

static void random_hex(char *out, size_t hex_len)
{
    uint8_t raw[CONSOLE_ID_HEX / 2];
    randombytes_buf(raw, hex_len / 2);
    sodium_bin2hex(out, hex_len + 1, raw, hex_len / 2);
    sodium_memzero(raw, sizeof(raw));
}

static int expired(const console_auth *a, const console_session *s, uint64_t now_ms)
{
    return now_ms - s->last_ms > a->idle_ms || now_ms - s->created_ms > a->max_age_ms;
}

const console_session *console_session_new(console_auth *a, uint64_t now_ms)
{
    console_session *slot = NULL;
    for (size_t i = 0; i < CONSOLE_SESSIONS; i++) {
        console_session *s = &a->s[i];
        if (!s->id[0] || expired(a, s, now_ms)) {
            slot = s;
            break;
        }
        if (!slot || s->last_ms < slot->last_ms)
            slot = s;
    }
    memset(slot, 0, sizeof(*slot));
    random_hex(slot->id, CONSOLE_ID_HEX);
    random_hex(slot->csrf, CONSOLE_ID_HEX);
    slot->created_ms = slot->last_ms = now_ms;
    return slot;
}

/* The value of cookie @p name in a Cookie header ("a=1; b=2"), copied to @p out. */
static int cookie_value(const char *header, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = len - nl - 1;
            if (vl >= cap)
                return -1;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return 0;
        }
        p = end;
    }
    return -1;
}

const console_session *console_session_find(console_auth *a, const char *cookie,
                                            uint64_t now_ms)
{
    char id[CONSOLE_ID_HEX + 2];
    if (!cookie || cookie_value(cookie, CONSOLE_COOKIE, id, sizeof(id)) < 0 ||
        strlen(id) != CONSOLE_ID_HEX)
        return NULL;
    for (size_t i = 0; i < CONSOLE_SESSIONS; i++) {
        console_session *s = &a->s[i];
        if (!s->id[0] || sodium_memcmp(s->id, id, CONSOLE_ID_HEX) != 0)
            continue;
        if (expired(a, s, now_ms)) {
            memset(s, 0, sizeof(*s));
            return NULL;
        }
        s->last_ms = now_ms;
        return s;
    }
    return NULL;
}

void console_session_end(console_auth *a, const console_session *s)
{
    for (size_t i = 0; i < CONSOLE_SESSIONS; i++)
        if (&a->s[i] == s)
            sodium_memzero(&a->s[i], sizeof(a->s[i]));
}

int console_csrf_ok(const console_session *s, const char *token)
{
    return s && token && strlen(token) == CONSOLE_ID_HEX &&
           sodium_memcmp(s->csrf, token, CONSOLE_ID_HEX) == 0;
}

void console_cookie(const console_auth *a, const console_session *s, int secure, char *out,
                    size_t cap)
{
    /* HttpOnly: scripts never see it; SameSite=Strict: other sites' pages never send it. */
    snprintf(out, cap, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%llu%s",
             CONSOLE_COOKIE, s ? s->id : "", s ? (unsigned long long)(a->max_age_ms / 1000) : 0ull,
             secure ? "; Secure" : "");
}
