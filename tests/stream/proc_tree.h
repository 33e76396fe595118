/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_PROC_TREE_H
#define PF_TEST_PROC_TREE_H

#include <stddef.h>
#include <stdint.h>

/* What a host under test left running or lying around, for the "nothing left behind" checks
 * of the end-to-end tests. */

/* 1 while process @p pid exists. */
int proc_alive(int pid);
/* Waits up to @p ms for @p pid to end: 0, or -1 when it still runs. */
int proc_wait_gone(int pid, uint32_t ms);
/* Every process below @p root (by /proc's parent links), up to @p max into @p out. */
int proc_descendants(int root, int *out, int max);
/* Everything under @p dir (files, sockets, directories); the first path found goes to
 * @p first when it is empty. */
int proc_count_files(const char *dir, char *first, size_t n);

#endif
