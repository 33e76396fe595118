/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Processes and files a host under test left behind (proc_tree.h). */
#include "proc_tree.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int proc_alive(int pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int proc_wait_gone(int pid, uint32_t ms)
{
    for (uint64_t end = now_ms() + ms; proc_alive(pid);) {
        if (now_ms() > end)
            return -1;
        usleep(20000);
    }
    return 0;
}

/* Everything the host started below it, by walking /proc's parent links. */
int proc_descendants(int root, int *out, int max)
{
    int n = 0;
    int frontier[256], nf = 1;
    frontier[0] = root;
    while (nf > 0 && n < max) {
        int parent = frontier[--nf];
        DIR *d = opendir("/proc");
        for (struct dirent *e; d && (e = readdir(d));) {
            int pid = atoi(e->d_name);
            if (pid <= 0)
                continue;
            char path[64], buf[512];
            snprintf(path, sizeof(path), "/proc/%d/stat", pid);
            FILE *f = fopen(path, "r");
            if (!f)
                continue;
            size_t len = fread(buf, 1, sizeof(buf) - 1, f);
            fclose(f);
            buf[len] = '\0';
            const char *p = strrchr(buf, ')');
            int ppid = 0;
            if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == parent && n < max &&
                nf < 256) {
                out[n++] = pid;
                frontier[nf++] = pid;
            }
        }
        if (d)
            closedir(d);
    }
    return n;
}

/* Everything under @p dir (files, sockets, directories). */
int proc_count_files(const char *dir, char *first, size_t n)
{
    DIR *d = opendir(dir);
    int count = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) < 0)
            continue;
        if (first && !first[0])
            snprintf(first, n, "%s", path);
        count++;
        if (S_ISDIR(sb.st_mode))
            count += proc_count_files(path, first, n);
    }
    if (d)
        closedir(d);
    return count;
}
