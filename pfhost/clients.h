/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_CLIENTS_H
#define PFHOST_CLIENTS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Paired clients, persisted atomically as JSON in the state directory. A client is known by
 * its certificate, never by a name or id it sends: a Moonlight client by pf_net_cert_id (16
 * hex digits), a punktfunk/1 ("native") client by the SHA-256 of its certificate's DER (64
 * hex digits, native-protocol.md §1.2). */
typedef enum client_kind { CLIENT_MOONLIGHT = 0, CLIENT_NATIVE = 1 } client_kind;

#define CLIENT_ID_MAX 64

typedef struct paired_client {
    char id[CLIENT_ID_MAX + 1];
    client_kind kind;
    uint32_t grants;    /* native: punktfunk/1 access grants (§3.6) */
    char *name;
    char *cert_pem;     /* Moonlight only; NULL for native clients */
    int64_t first_seen; /* Unix seconds */
    int64_t last_seen;
} paired_client;

typedef struct client_store {
    char *path;
    paired_client *v;
    size_t n;
} client_store;

/* Returns 0; 1 when the file was damaged (a malformed value, with the file and reason in
 * @p err, also logged): the damaged file is kept as PATH.bad and the last good copy
 * (PATH.good) loaded, or none; -1 on errors that leave nothing to start with. */
int clients_load(client_store *s, const char *path, char *err, size_t err_len);
void clients_free(client_store *s);
/* Adds or refreshes a client and saves. Returns 0 or -errno. */
int clients_add(client_store *s, const char *id, const char *name, const char *cert_pem,
                int64_t now);
/* Adds or refreshes a native client by its certificate fingerprint (64 hex digits) and saves.
 * Returns 0 or -errno. */
int clients_add_native(client_store *s, const char *fp_hex, const char *name, uint32_t grants,
                       int64_t now);
const char *client_kind_name(client_kind k);
/* Removes and saves. Returns 0, -ENOENT or -errno. */
int clients_remove(client_store *s, const char *id);
void clients_touch(client_store *s, const char *id, int64_t now);
/* Renames and saves (the name shown in the console and the API). 0, -ENOENT or -errno. */
int clients_rename(client_store *s, const char *id, const char *name);
/* Sets a native client's grants (§3.6) and saves. 0, -ENOENT, -EINVAL (a Moonlight client:
 * GameStream has no grants) or -errno. */
int clients_set_grants(client_store *s, const char *id, uint32_t grants);
const paired_client *clients_find(const client_store *s, const char *id);
/* A JSON array of {id, kind, name, first_seen, last_seen[, grants]} (grants, as names, for
 * native clients); caller owns it. */
json_object *clients_to_json(const client_store *s);

#endif
