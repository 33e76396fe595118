/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"

#include "pw_util.h"

static int base_dir(char *buf, size_t size)
{
    const char *rt = getenv("XDG_RUNTIME_DIR");
    int n;

    if (!rt || !*rt)
        rt = "/tmp";
    n = snprintf(buf, size, "%s/punktfunk/vdisplay", rt);
    return n > 0 && (size_t)n < size ? 0 : PF_ERR_LIMIT;
}

static int mkdir_p(const char *path)
{
    char tmp[256];

    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int pfi_spawn_init(struct pfi_spawn *sp, const char *backend)
{
    char base[200];

    memset(sp, 0, sizeof(*sp));
    if (base_dir(base, sizeof(base)) < 0 || mkdir_p(base) < 0)
        return PF_ERR_IO;
    snprintf(sp->dir, sizeof(sp->dir), "%s/%s.%d.XXXXXX", base, backend, (int)getpid());
    if (!mkdtemp(sp->dir)) {
        sp->dir[0] = 0;
        return PF_ERR_IO;
    }
    return 0;
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
static unsigned long long start_time(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long long v = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "re");
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    p = strrchr(buf, ')');
    if (!p)
        return 0;
    /* After the command name come fields 3..; start time is the 20th of those. */
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        v = strtoull(p + 1, NULL, 10);
    return v;
}

pid_t pfi_spawn_start(struct pfi_spawn *sp, const char *log_name, const char *const argv[],
                      const char *const env[])
{
    char log[400], rec[400];
    pid_t parent = getpid(), pid;
    FILE *f;

    if (sp->n >= PFI_SPAWN_MAX)
        return PF_ERR_LIMIT;
    snprintf(log, sizeof(log), "%s/%s.log", sp->dir, log_name);
    pid = fork();
    if (pid < 0)
        return PF_ERR_IO;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        sigset_t none;

        /* The host's handlers and mask must not leak into the compositor. */
        for (int sig = 1; sig < NSIG; sig++)
            if (sig != SIGKILL && sig != SIGSTOP)
                signal(sig, SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        setsid();
        for (uint32_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    sp->pids[sp->n++] = pid;
    snprintf(rec, sizeof(rec), "%s/pids", sp->dir);
    f = fopen(rec, "ae");
    if (f) {
        /* The child may not have exec'd yet; its start time is fixed at fork already. */
        fprintf(f, "%d %llu\n", (int)pid, start_time(pid));
        fclose(f);
    }
    return pid;
}

int pfi_spawn_start_ready(struct pfi_spawn *sp, const char *log_name, const char *const argv[],
                          const char *const env[], const char *ready_path, uint32_t timeout_ms,
                          pid_t *ret_pid)
{
    pid_t pid = pfi_spawn_start(sp, log_name, argv, env);

    *ret_pid = pid;
    if (pid < 0)
        return (int)pid;
    return ready_path ? pfi_spawn_wait_path(ready_path, pid, timeout_ms) : 0;
}

int pfi_spawn_alive(pid_t pid)
{
    int status;

    if (pid <= 0)
        return 0;
    return waitpid(pid, &status, WNOHANG) == 0;
}

static void kill_wait(pid_t pid, uint32_t timeout_ms)
{
    uint64_t deadline = pfi_now_ns() + (uint64_t)timeout_ms * 1000000u;

    if (kill(pid, SIGTERM) < 0 && errno == ESRCH) {
        waitpid(pid, NULL, WNOHANG);
        return;
    }
    while (waitpid(pid, NULL, WNOHANG) == 0) {
        if (pfi_now_ns() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return;
        }
        usleep(2000);
    }
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    remove(path);
    return 0;
}

void pfi_spawn_finish(struct pfi_spawn *sp, uint32_t timeout_ms)
{
    while (sp->n > 0)
        kill_wait(sp->pids[--sp->n], timeout_ms);
    if (sp->dir[0] && !getenv("PF_VDISPLAY_KEEP_LOGS"))
        nftw(sp->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    sp->dir[0] = 0;
}

static int reap_dir(const char *dir)
{
    char rec[700];
    int pid, killed = 0;
    unsigned long long st;
    FILE *f;

    snprintf(rec, sizeof(rec), "%s/pids", dir);
    f = fopen(rec, "re");
    if (f) {
        while (fscanf(f, "%d %llu", &pid, &st) == 2) {
            if (pid > 1 && st && start_time(pid) == st && kill(pid, SIGKILL) == 0)
                killed++;
        }
        fclose(f);
    }
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return killed;
}

int pfi_spawn_reap_orphans(const char *backend)
{
    char base[200], path[500];
    size_t blen = strlen(backend);
    struct dirent *de;
    int killed = 0;
    DIR *d;

    if (base_dir(base, sizeof(base)) < 0 || !(d = opendir(base)))
        return 0;
    while ((de = readdir(d))) {
        const char *p;
        int host;

        if (strncmp(de->d_name, backend, blen) != 0 || de->d_name[blen] != '.')
            continue;
        p = de->d_name + blen + 1;
        host = atoi(p);
        /* A live host (another session of this or another process) owns its directory. */
        if (host <= 0 || (kill(host, 0) == 0 || errno == EPERM))
            continue;
        snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
        killed += reap_dir(path);
    }
    closedir(d);
    return killed;
}

int pfi_spawn_wait_path(const char *path, pid_t pid, uint32_t timeout_ms)
{
    uint64_t deadline = pfi_now_ns() + (uint64_t)timeout_ms * 1000000u;

    while (access(path, F_OK) != 0) {
        if (pid > 0 && !pfi_spawn_alive(pid))
            return PF_ERR_IO;
        if (pfi_now_ns() > deadline)
            return PF_ERR_TIMEOUT;
        usleep(2000);
    }
    return 0;
}

int pfi_spawn_have(const char *program)
{
    const char *path = getenv("PATH");
    char buf[2048], full[2400], *save = NULL;

    if (strchr(program, '/'))
        return access(program, X_OK) == 0;
    snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
    for (char *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        snprintf(full, sizeof(full), "%s/%s", dir, program);
        if (access(full, X_OK) == 0)
            return 1;
    }
    return 0;
}
