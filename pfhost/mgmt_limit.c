/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mgmt_limit.h"

#include <stdio.h>
#include <string.h>

static mgmt_limit_entry *find(mgmt_limit *l, const char *addr)
{
    for (size_t i = 0; i < MGMT_LIMIT_SLOTS; i++)
        if (l->v[i].addr[0] && strcmp(l->v[i].addr, addr) == 0)
            return &l->v[i];
    return NULL;
}

uint64_t mgmt_limit_locked(mgmt_limit *l, const char *addr, uint64_t now_ms)
{
    mgmt_limit_entry *e = find(l, addr ? addr : "");
    if (!e || !e->locked_until_ms)
        return 0;
    if (now_ms < e->locked_until_ms)
        return e->locked_until_ms - now_ms;
    memset(e, 0, sizeof(*e)); /* the lock-out is over: a fresh start */
    return 0;
}

/* A free slot, else the least recently used unlocked one, else the one unlocking first. */
static mgmt_limit_entry *make_room(mgmt_limit *l, uint64_t now_ms)
{
    mgmt_limit_entry *lru = NULL, *soonest = NULL;
    for (size_t i = 0; i < MGMT_LIMIT_SLOTS; i++) {
        mgmt_limit_entry *e = &l->v[i];
        if (!e->addr[0])
            return e;
        int locked = e->locked_until_ms && now_ms < e->locked_until_ms;
        if (!locked && (!lru || e->last_ms < lru->last_ms))
            lru = e;
        if (locked && (!soonest || e->locked_until_ms < soonest->locked_until_ms))
            soonest = e;
    }
    return lru ? lru : soonest;
}

int mgmt_limit_fail(mgmt_limit *l, const char *addr, uint64_t now_ms)
{
    if (!addr)
        addr = "";
    mgmt_limit_entry *e = find(l, addr);
    if (!e) {
        e = make_room(l, now_ms);
        memset(e, 0, sizeof(*e));
        snprintf(e->addr, sizeof(e->addr), "%s", addr[0] ? addr : "?");
    }
    e->last_ms = now_ms;
    uint32_t max = l->max_failures ? l->max_failures : 1;
    if (++e->failures >= max) {
        e->failures = 0;
        e->locked_until_ms = now_ms + l->lockout_ms;
        return 1;
    }
    return 0;
}

void mgmt_limit_success(mgmt_limit *l, const char *addr)
{
    mgmt_limit_entry *e = find(l, addr ? addr : "");
    if (e)
        memset(e, 0, sizeof(*e));
}
