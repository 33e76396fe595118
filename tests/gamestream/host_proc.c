/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "httpc.h"

static void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int json_int(const char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *p = strstr(text, pat);
    return p ? atoi(p + strlen(pat)) : -1;
}

static void set_env(const host_proc *h)
{
    char p[512];
    if (h->clean_env) {
        const char *path = h->path ? h->path : getenv("PATH");
        char keep[4096];
        snprintf(keep, sizeof(keep), "%s", path ? path : "/usr/bin:/bin");
        clearenv();
        setenv("PATH", keep, 1);
        snprintf(p, sizeof(p), "%s/home", h->dir);
        setenv("HOME", p, 1);
        snprintf(p, sizeof(p), "%s/run", h->dir);
        mkdir(p, 0700);
        setenv("XDG_RUNTIME_DIR", p, 1);
        for (size_t i = 0; h->env && h->env[i]; i++)
            putenv((char *)h->env[i]);
        return;
    }
    snprintf(p, sizeof(p), "%s/config", h->dir);
    setenv("XDG_CONFIG_HOME", p, 1);
    snprintf(p, sizeof(p), "%s/state", h->dir);
    setenv("XDG_STATE_HOME", p, 1);
    snprintf(p, sizeof(p), "%s/run", h->dir);
    setenv("XDG_RUNTIME_DIR", p, 1);
}

static const char *pfhost_bin(void)
{
    const char *b = getenv("PFHOST_BIN");
    return b ? b : "pfhost";
}

int host_start(host_proc *h, const char *extra_conf)
{
    char path[512];
    if (!h->dir[0]) {
        snprintf(h->dir, sizeof(h->dir), "/tmp/pfhost-test-XXXXXX");
        if (!mkdtemp(h->dir))
            return -1;
        snprintf(path, sizeof(path), "%s/config", h->dir);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/config/pfhost", h->dir);
        mkdir(path, 0700);
        if (h->clean_env) {
            char link[512];
            snprintf(path, sizeof(path), "%s/home", h->dir);
            mkdir(path, 0700);
            snprintf(path, sizeof(path), "%s/home/.local", h->dir);
            mkdir(path, 0700);
            snprintf(path, sizeof(path), "%s/state", h->dir);
            mkdir(path, 0700);
            snprintf(link, sizeof(link), "%s/home/.config", h->dir);
            snprintf(path, sizeof(path), "%s/config", h->dir);
            if (symlink(path, link) < 0)
                return -1;
            snprintf(link, sizeof(link), "%s/home/.local/state", h->dir);
            snprintf(path, sizeof(path), "%s/state", h->dir);
            if (symlink(path, link) < 0)
                return -1;
        }
        snprintf(path, sizeof(path), "%s/config/pfhost/pfhost.conf", h->dir);
        FILE *f = fopen(path, "w");
        if (!f)
            return -1;
        /* Every port free-chosen: the GameStream defaults may be taken on a test machine. */
        fprintf(f, "hostname = pf-test\nhttp_port = 0\nhttps_port = 0\napi_port = 0\n"
                   "rtsp_port = 0\n"
                   "mdns = no\n%s",
                extra_conf ? extra_conf : "");
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/run/pfhost/runtime.json", h->dir);
    unlink(path);
    pid_t pid = fork();
    if (pid == 0) {
        const char *bin = strdup(pfhost_bin());
        set_env(h);
        char log[512];
        snprintf(log, sizeof(log), "%s/host.log", h->dir);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        const char *argv[40] = {"pfhost", "--verbose", "serve"};
        size_t n = 3;
        for (size_t i = 0; h->serve_args && h->serve_args[i] && n + 1 < 40; i++)
            argv[n++] = h->serve_args[i];
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    h->pid = pid;
    /* Up to 30 s: a first start generates an RSA identity, slow when both cores are busy. */
    for (int i = 0; i < 600; i++) {
        char *rt = read_text_file(path);
        if (rt) {
            h->http = (uint16_t)json_int(rt, "http_port");
            h->https = (uint16_t)json_int(rt, "https_port");
            /* "api_url":"http(s)://ADDR:PORT" */
            const char *u = strstr(rt, "\"api_url\":\"");
            const char *end = u ? strchr(u + 11, '"') : NULL;
            const char *colon = end ? memrchr(u, ':', (size_t)(end - u)) : NULL;
            h->api = colon ? (uint16_t)atoi(colon + 1) : 0;
            h->api_tls = u && strncmp(u + 11, "https:", 6) == 0;
            free(rt);
            snprintf(path, sizeof(path), "%s/config/pfhost/api-token", h->dir);
            char *tok = read_text_file(path);
            if (!tok)
                return -1;
            tok[strcspn(tok, "\n")] = '\0';
            snprintf(h->token, sizeof(h->token), "%s", tok);
            free(tok);
            return h->http && h->https && h->api ? 0 : -1;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            h->pid = 0;
            return -1;
        }
        msleep(50);
    }
    return -1;
}

int host_stop(host_proc *h)
{
    if (h->pid <= 0)
        return -1;
    kill(h->pid, SIGTERM);
    int st = 0;
    /* Up to 30 s: stopping sessions joins their threads and compositors, slow on busy cores. */
    for (int i = 0; i < 600; i++) {
        if (waitpid(h->pid, &st, WNOHANG) == h->pid) {
            h->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        msleep(50);
    }
    kill(h->pid, SIGKILL);
    waitpid(h->pid, &st, 0);
    h->pid = 0;
    return -1;
}

void host_remove_dir(host_proc *h)
{
    if (!h->dir[0] || strncmp(h->dir, "/tmp/pfhost-test-", 17) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", h->dir, (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
}

char *gs_get(const host_proc *h, int https, const gsc_identity *id, const char *path,
             uint8_t **ret_server_der, size_t *ret_der_len)
{
    httpc_tls tls = {0};
    if (id) {
        tls.client_cert_pem = id->cert_pem;
        tls.client_key_pem = id->key_pem;
    }
    httpc_response r;
    int rc = httpc_request("127.0.0.1", https ? h->https : h->http, https ? &tls : NULL, "GET",
                           path, NULL, NULL, 0, 20000, &r);
    if (ret_server_der) {
        *ret_server_der = tls.server_der;
        *ret_der_len = tls.server_der_len;
    } else {
        free(tls.server_der);
    }
    if (rc < 0)
        return NULL;
    if (r.status != 200) {
        /* GameStream always answers 200 (§2.1); anything else is reported as such. */
        char *s = malloc(64);
        snprintf(s, 64, "HTTP %d", r.status);
        free(r.body);
        return s;
    }
    return r.body;
}

int api_call(const host_proc *h, const char *method, const char *path, const char *body,
             const char *extra_headers, char **ret_body)
{
    char headers[512];
    snprintf(headers, sizeof(headers), "Authorization: Bearer %s\r\n%s", h->token,
             extra_headers ? extra_headers : "");
    httpc_response r;
    int rc = httpc_request("127.0.0.1", h->api, NULL, method, path, headers, body,
                           body ? strlen(body) : 0, 10000, &r);
    if (rc < 0)
        return -1;
    if (ret_body)
        *ret_body = r.body;
    else
        free(r.body);
    return r.status;
}

int run_cli(const host_proc *h, char **ret_out, const char *const *args)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        const char *bin = strdup(pfhost_bin());
        set_env(h);
        dup2(fds[1], 1);
        close(fds[0]);
        const char *argv[16] = {"pfhost"};
        int n = 1;
        for (int i = 0; args[i] && n < 15; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    char *out = calloc(1, 65536);
    size_t len = 0;
    ssize_t k;
    while ((k = read(fds[0], out + len, 65535 - len)) > 0)
        len += (size_t)k;
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    if (ret_out)
        *ret_out = out;
    else
        free(out);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int api_count_clients(const host_proc *h)
{
    char *body = NULL;
    int n = 0;
    if (api_call(h, "GET", "/api/v1/clients", NULL, NULL, &body) == 200)
        for (const char *p = body; (p = strstr(p, "\"id\":")); p++)
            n++;
    free(body);
    return n;
}

int api_count_sessions(const host_proc *h)
{
    char *body = NULL;
    int n = -1;
    if (api_call(h, "GET", "/api/v1/sessions", NULL, NULL, &body) == 200 && body) {
        n = 0;
        for (const char *p = body; (p = strstr(p, "\"id\":")); p++)
            n++;
    }
    free(body);
    return n;
}

int api_pairing_waiting(const host_proc *h)
{
    char *body = NULL;
    int st = api_call(h, "GET", "/api/v1/status", NULL, NULL, &body);
    int n = st == 200 && body ? json_int(body, "pairing_waiting") : -1;
    free(body);
    return n;
}

static void *phase1_thread(void *arg)
{
    pair_run *j = arg;
    char *path = gsc_pair_phase1(&j->p);
    j->reply = gs_get(j->h, 0, NULL, path, NULL, NULL);
    free(path);
    return NULL;
}

static char *step(const host_proc *h, int https, const gsc_identity *id, char *path)
{
    char *r = gs_get(h, https, id, path, NULL, NULL);
    free(path);
    return r;
}

int pair_start(const host_proc *h, pair_run *run, const gsc_identity *id, const char *pin,
               const char *uniqueid)
{
    memset(run, 0, sizeof(*run));
    run->h = h;
    run->id = id;
    gsc_pair_init(&run->p, id, pin, uniqueid);
    return pthread_create(&run->thread, NULL, phase1_thread, run) == 0 ? 0 : -1;
}

int wait_pairing_waiting(const host_proc *h, int n)
{
    for (int i = 0; i < 400; i++) {
        if (api_pairing_waiting(h) >= n)
            return 0;
        msleep(25);
    }
    return -1;
}

int enter_pin(const host_proc *h, const char *pin, int via_cli)
{
    if (via_cli) {
        const char *args[] = {"pin", pin, NULL};
        return run_cli(h, NULL, args) == 0 ? 0 : -1;
    }
    char body[64];
    snprintf(body, sizeof(body), "{\"pin\":\"%s\"}", pin);
    return api_call(h, "POST", "/api/v1/pin", body, NULL, NULL) == 200 ? 0 : -1;
}

int api_attempt_id(const host_proc *h, int index, char *out, size_t cap)
{
    char *body = NULL;
    int r = -1;
    if (api_call(h, "GET", "/api/v1/pairing", NULL, NULL, &body) == 200 && body) {
        const char *p = body;
        for (int i = 0; i <= index && p; i++)
            if ((p = strstr(p, "\"id\":")))
                p += 5;
        if (p) {
            while (*p == ' ' || *p == '"')
                p++;
            size_t n = strcspn(p, "\"");
            if (n > 0 && n < cap) {
                memcpy(out, p, n);
                out[n] = '\0';
                r = 0;
            }
        }
    }
    free(body);
    return r;
}

int enter_pin_for(const host_proc *h, const char *pin, const char *attempt, int via_cli)
{
    if (via_cli) {
        const char *args[] = {"pin", "--attempt", attempt, pin, NULL};
        return run_cli(h, NULL, args) == 0 ? 0 : -1;
    }
    char body[128];
    snprintf(body, sizeof(body), "{\"pin\":\"%s\",\"attempt\":\"%s\"}", pin, attempt);
    return api_call(h, "POST", "/api/v1/pin", body, NULL, NULL) == 200 ? 0 : -1;
}

int pair_finish(pair_run *run, int *ret_check, char **ret_server_pem)
{
    const host_proc *h = run->h;
    gsc_pair *p = &run->p;
    pthread_join(run->thread, NULL);
    int r = -1;
    *ret_check = GSC_BAD_REPLY;
    if (!run->reply || gsc_pair_phase1_reply(p, run->reply) != GSC_OK)
        goto out;
    char *doc = step(h, 0, NULL, gsc_pair_phase2(p));
    if (doc && gsc_pair_phase2_reply(p, doc) == GSC_OK) {
        free(doc);
        doc = step(h, 0, NULL, gsc_pair_phase3(p));
        *ret_check = doc ? gsc_pair_phase3_reply(p, doc) : GSC_BAD_REPLY;
        free(doc);
        /* Phase 4 is sent even after a failed check: a hostile client would. */
        doc = step(h, 0, NULL, gsc_pair_phase4(p));
        char *paired = gsc_xml_get(doc, "paired");
        r = paired && !strcmp(paired, "1") ? 1 : 0;
        free(paired);
        if (r == 1) {
            free(doc);
            doc = step(h, 1, run->id, strdup("/pair?uniqueid=x&uuid=y&phrase=pairchallenge"));
            paired = gsc_xml_get(doc, "paired");
            r = paired && !strcmp(paired, "1") ? 1 : -1;
            free(paired);
        }
    }
    free(doc);
    if (ret_server_pem) {
        *ret_server_pem = p->server_cert_pem;
        p->server_cert_pem = NULL;
    }
out:
    free(run->reply);
    run->reply = NULL;
    gsc_pair_free(p);
    return r;
}

int pair_client(const host_proc *h, const gsc_identity *id, const char *client_pin,
                const char *host_pin, const char *uniqueid, int via_cli, int *ret_check,
                char **ret_server_pem)
{
    int before = api_pairing_waiting(h);
    pair_run run;
    if (pair_start(h, &run, id, client_pin, uniqueid) < 0)
        return -1;
    /* Phase 1 is answered only after the user typed the PIN on the host (§2.4). */
    if (wait_pairing_waiting(h, before + 1) < 0 || enter_pin(h, host_pin, via_cli) < 0) {
        pthread_join(run.thread, NULL);
        free(run.reply);
        gsc_pair_free(&run.p);
        return -1;
    }
    return pair_finish(&run, ret_check, ret_server_pem);
}
