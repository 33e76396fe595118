/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CAPTURE_TEST_HARNESS_H
#define PF_CAPTURE_TEST_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

/* A private desktop-less session for one test program: its own XDG_RUNTIME_DIR, session bus,
 * PipeWire and WirePlumber, plus whatever compositors the test spawns. Every process is
 * started with a parent-death signal and recorded by PID; pfh_env_stop() (also run at exit
 * and on fatal signals) kills them by PID and removes the directory. */

#define PFH_MAX_PROCS 16

struct pfh_env {
    char dir[256];
    char bus[300];
    pid_t pids[PFH_MAX_PROCS];
    char names[PFH_MAX_PROCS][32];
    uint32_t n;
    pid_t pipewire, wireplumber;
};

/* 0, or -1 with a message on stderr (the test should then skip). */
int pfh_env_start(struct pfh_env *env);
void pfh_env_stop(struct pfh_env *env);

/* Starts argv[0] (from PATH) with stdout/stderr in DIR/NAME.log. The pid, or -1. */
pid_t pfh_spawn(struct pfh_env *env, const char *name, char *const argv[]);
/* Kills one recorded process by PID (SIGTERM, then SIGKILL after 2 s) and reaps it. */
void pfh_kill(struct pfh_env *env, pid_t pid);

int pfh_start_pipewire(struct pfh_env *env);
void pfh_stop_pipewire(struct pfh_env *env);

/* Waits until DIR/NAME exists, at most timeout_ms. 0 or -1. */
int pfh_wait_file(struct pfh_env *env, const char *name, uint32_t timeout_ms);

/* 1 when the program is on PATH. */
int pfh_have(const char *program);

uint64_t pfh_now_ms(void);

#endif
