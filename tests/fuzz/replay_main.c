/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Corpus replayer: runs every file of the given directories (or the given files) through
 * LLVMFuzzerTestOneInput with the normal compiler, so the seeds are a regression test in
 * every build and libFuzzer is needed only to find new inputs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_input.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            uint8_t *grown = realloc(buf, cap);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    fclose(f);
    if (!buf)
        return -1;
    /* An exact-size copy lets ASan catch reads past the end of the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open directory %s\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char **grown = realloc(names, (n + 1) * sizeof(*names));
        if (!grown)
            break;
        names = grown;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (run_file(path) < 0)
            r = -1;
        else
            (*count)++;
        free(names[i]);
    }
    free(names);
    return r;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int r = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "no such path %s\n", argv[i]);
            return 1;
        }
        if (S_ISDIR(st.st_mode))
            r |= run_dir(argv[i], &count);
        else if (run_file(argv[i]) == 0)
            count++;
        else
            r = -1;
    }
    printf("replayed %u inputs\n", count);
    /* An empty corpus would make the test pass without testing anything. */
    return r == 0 && count > 0 ? 0 : 1;
}
