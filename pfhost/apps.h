/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_APPS_H
#define PFHOST_APPS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* The app catalog. The file format is Sunshine's apps.json ({"apps": [{name, cmd, detached,
 * prep-cmd: [{do, undo}], image-path, working-dir}]}) plus an optional numeric "id" per
 * app, so a Sunshine user can point pfhost at their file unchanged. */
typedef struct app_prep {
    char *do_cmd;
    char *undo_cmd;
} app_prep;

typedef struct app {
    uint32_t id;
    char *name;
    char *cmd;          /* NULL: nothing to run (desktop) */
    char *working_dir;
    char *image_path;   /* relative paths resolve against the catalog's directory */
    char **detached;
    size_t ndetached;
    app_prep *prep;
    size_t nprep;
} app;

typedef struct app_catalog {
    char *path;
    char *dir;
    app *v;
    size_t n;
    uint8_t *art;       /* last image read for /appasset */
    size_t art_len;
} app_catalog;

/* Reads @p path; a missing file gives the default catalog ("Desktop"). 0; 1 when the file
 * was damaged (reason in @p err, also logged): it is kept as PATH.bad and the last good copy
 * (PATH.good) loaded, else the default catalog; -1 + @p err on other errors. */
int apps_load(app_catalog *c, const char *path, char *err, size_t err_len);
void apps_free(app_catalog *c);
int apps_save(const app_catalog *c);
const app *apps_find(const app_catalog *c, uint32_t id);
/* Validates @p j into @p out. 0, or -1 with a message for the API caller. */
int app_from_json(json_object *j, app *out, char *err, size_t err_len);
json_object *app_to_json(const app *a);
void app_clear(app *a);
/* Adds (id 0 = next free) or replaces an app, then saves. Returns 0 or -errno. */
int apps_put(app_catalog *c, app *a);
int apps_remove(app_catalog *c, uint32_t id);
/* Puts the apps in the order of @p ids (every id exactly once), then saves. 0, -EINVAL or
 * -errno. */
int apps_reorder(app_catalog *c, const uint32_t *ids, size_t n);
/* PNG bytes for @p id (its image-path, else the default); borrowed until the next call. */
int apps_art(app_catalog *c, uint32_t id, const uint8_t **ret, size_t *ret_len);
const uint8_t *apps_default_art(size_t *ret_len);

#endif
