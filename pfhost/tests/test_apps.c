/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* App catalog: Sunshine's apps.json read as is, ids, validation, persistence, box art. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apps.h"
#include "fileio.h"

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/pfhost-apps-unit-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *write_file(const char *name, const char *text)
{
    char *p = path_join(dir, name);
    assert_int_equal(file_write_atomic(p, text, strlen(text), 0644), 0);
    return p;
}

/* A file as Sunshine writes it, with fields pfhost does not use. */
static const char sunshine_apps[] =
    "{\n  \"env\": {\"PATH\": \"$(PATH):$(HOME)/.local/bin\"},\n  \"apps\": [\n"
    "    {\"name\": \"Desktop\", \"image-path\": \"desktop.png\"},\n"
    "    {\"name\": \"Low Res Desktop\", \"image-path\": \"desktop.png\",\n"
    "     \"prep-cmd\": [{\"do\": \"xrandr --output HDMI-1 --mode 1920x1080\",\n"
    "                   \"undo\": \"xrandr --output HDMI-1 --mode 1920x1200\"}]},\n"
    "    {\"name\": \"Steam Big Picture\", \"detached\": [\"setsid steam steam://open/bigpicture\"],\n"
    "     \"prep-cmd\": [{\"do\": \"\", \"undo\": \"setsid steam steam://close/bigpicture\"}],\n"
    "     \"image-path\": \"steam.png\", \"auto-detach\": \"true\", \"wait-all\": \"true\",\n"
    "     \"exclude-global-prep-cmd\": \"false\", \"elevated\": \"false\", \"output\": \"\",\n"
    "     \"working-dir\": \"/home/u\"}\n  ]\n}\n";

static void reads_sunshine_file(void **state)
{
    char *path = write_file("apps.json", sunshine_apps);
    app_catalog c;
    char err[256] = "";
    assert_int_equal(apps_load(&c, path, err, sizeof(err)), 0);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.v[0].id, 1);
    assert_string_equal(c.v[0].name, "Desktop");
    assert_null(c.v[0].cmd);
    assert_int_equal(c.v[1].id, 2);
    assert_int_equal(c.v[1].nprep, 1);
    assert_string_equal(c.v[1].prep[0].undo_cmd, "xrandr --output HDMI-1 --mode 1920x1200");
    const app *steam = apps_find(&c, 3);
    assert_non_null(steam);
    assert_int_equal(steam->ndetached, 1);
    assert_string_equal(steam->detached[0], "setsid steam steam://open/bigpicture");
    assert_null(steam->prep[0].do_cmd); /* empty "do" means nothing to run */
    assert_string_equal(steam->working_dir, "/home/u");
    apps_free(&c);
    free(path);
}

static void ids_survive_edits(void **state)
{
    char *path = write_file("apps.json", sunshine_apps);
    app_catalog c;
    char err[256] = "";
    assert_int_equal(apps_load(&c, path, err, sizeof(err)), 0);
    assert_int_equal(apps_remove(&c, 2), 0);
    assert_int_equal(apps_remove(&c, 2), -ENOENT);
    json_object *j = json_tokener_parse("{\"name\": \"Emulator\", \"cmd\": \"retroarch\"}");
    app a;
    assert_int_equal(app_from_json(j, &a, err, sizeof(err)), 0);
    json_object_put(j);
    assert_int_equal(apps_put(&c, &a), 0);
    assert_int_equal(c.v[c.n - 1].id, 4); /* never reuses a removed id while others exist */
    apps_free(&c);
    assert_int_equal(apps_load(&c, path, err, sizeof(err)), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(apps_find(&c, 4)->name, "Emulator");
    assert_string_equal(apps_find(&c, 3)->name, "Steam Big Picture");
    assert_null(apps_find(&c, 2));
    apps_free(&c);
    free(path);
}

static void default_and_errors(void **state)
{
    app_catalog c;
    char err[256] = "";
    char *missing = path_join(dir, "none.json");
    assert_int_equal(apps_load(&c, missing, err, sizeof(err)), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.v[0].name, "Desktop");
    apps_free(&c);
    free(missing);
    static const char *const bad[] = {
        "not json", "{\"apps\": 5}", "{\"apps\": [{\"cmd\": \"x\"}]}",
        "{\"apps\": [{\"name\": 7}]}", "{\"apps\": [{\"name\": \"a\", \"prep-cmd\": [1]}]}",
        "{\"apps\": [{\"name\": \"a\", \"detached\": \"x\"}]}",
        "{\"apps\": [{\"name\": \"a\", \"id\": -3}]}",
    };
    /* Audit finding 6: each is reported with the file and a reason; the host starts with the
     * default catalog (no good copy yet), and the damaged file is kept as bad.json.bad. */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *p = write_file("bad.json", bad[i]);
        err[0] = '\0';
        assert_int_equal(apps_load(&c, p, err, sizeof(err)), 1);
        assert_non_null(strstr(err, "bad.json"));
        assert_int_equal(c.n, 1);
        assert_string_equal(c.v[0].name, "Desktop");
        apps_free(&c);
        free(p);
    }
    /* With a good copy from an earlier load, that copy. */
    char *p = write_file("bad.json", "{\"apps\": [{\"name\": \"Steam\", \"id\": 2147483647}]}");
    assert_int_equal(apps_load(&c, p, err, sizeof(err)), 0);
    apps_free(&c);
    p = (free(p), write_file("bad.json", "{\"apps\": [{\"name\": null}]}"));
    assert_int_equal(apps_load(&c, p, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "last good copy"));
    assert_int_equal(c.n, 1);
    assert_string_equal(c.v[0].name, "Steam");
    /* Audit finding 7: ids past the highest did wrap to 0; the next id is the lowest free. */
    app a = {.name = strdup("Next")};
    assert_int_equal(apps_put(&c, &a), 0);
    assert_int_equal(c.v[1].id, 1);
    assert_non_null(apps_find(&c, 2147483647u));
    apps_free(&c);
    free(p);
    p = write_file("bad.json", "{\"apps\": [{\"name\": \"a\", \"id\": 2147483648}]}");
    assert_int_equal(apps_load(&c, p, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "2147483647"));
    apps_free(&c);
    free(p);
}

static void box_art(void **state)
{
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3};
    char *p = path_join(dir, "art.png");
    assert_int_equal(file_write_atomic(p, png, sizeof(png), 0644), 0);
    free(p);
    char *path = write_file("apps.json", "{\"apps\": [{\"name\": \"A\", \"image-path\": \"art.png\"},"
                                         " {\"name\": \"B\", \"image-path\": \"apps.json\"}]}");
    app_catalog c;
    char err[256];
    assert_int_equal(apps_load(&c, path, err, sizeof(err)), 0);
    const uint8_t *img;
    size_t len;
    assert_int_equal(apps_art(&c, 1, &img, &len), 0);
    assert_int_equal(len, sizeof(png));
    assert_memory_equal(img, png, len);
    /* Not a PNG: the default art, never the file's bytes. */
    assert_int_equal(apps_art(&c, 2, &img, &len), 0);
    size_t dl;
    const uint8_t *def = apps_default_art(&dl);
    assert_int_equal(len, dl);
    assert_memory_equal(img, def, dl);
    assert_memory_equal(def, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(apps_art(&c, 9, &img, &len), -ENOENT);
    apps_free(&c);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_sunshine_file, setup, teardown),
        cmocka_unit_test_setup_teardown(ids_survive_edits, setup, teardown),
        cmocka_unit_test_setup_teardown(default_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(box_art, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
