/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_LIMIT_H
#define PFHOST_MGMT_LIMIT_H

#include <stdint.h>

/* Failure counting per peer address (wrong bearer tokens, wrong console passwords): after
 * max_failures failures an address is refused for lockout_ms, and only that address, so a
 * stranger cannot lock the administrator out. The table is bounded; when it is full the
 * least recently failing unlocked entry makes room (an attacker who floods it with
 * addresses only forgets its own old failures, never unlocks a locked address before its
 * time unless every slot is locked). */
#define MGMT_LIMIT_SLOTS 64
#define MGMT_LIMIT_ADDR 48

typedef struct mgmt_limit_entry {
    char addr[MGMT_LIMIT_ADDR];
    uint32_t failures;
    uint64_t locked_until_ms;
    uint64_t last_ms;
} mgmt_limit_entry;

typedef struct mgmt_limit {
    uint32_t max_failures; /* 0 counts as 1 */
    uint64_t lockout_ms;
    mgmt_limit_entry v[MGMT_LIMIT_SLOTS];
} mgmt_limit;

/* Milliseconds @p addr stays locked out, 0 when it may try. */
uint64_t mgmt_limit_locked(mgmt_limit *l, const char *addr, uint64_t now_ms);
/* Counts a failure; returns 1 when this failure started a lock-out. */
int mgmt_limit_fail(mgmt_limit *l, const char *addr, uint64_t now_ms);
/* A success forgets the address's failures. */
void mgmt_limit_success(mgmt_limit *l, const char *addr);

#endif
