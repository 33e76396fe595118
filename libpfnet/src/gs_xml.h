/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_GS_XML_H
#define PF_NET_GS_XML_H

#include <stddef.h>
#include <stdint.h>

/* The GameStream reply document: one <root status_code=…> with flat text children (§2.1).
 * A failed allocation poisons the builder; pfi_xml_finish then reports PF_ERR_NOMEM. */
typedef struct pfi_xml {
    char *buf;
    size_t len, cap;
    int failed;
} pfi_xml;

void pfi_xml_begin(pfi_xml *x, int status_code, const char *status_message);
/* <tag>escaped text</tag> */
void pfi_xml_text(pfi_xml *x, const char *tag, const char *text);
void pfi_xml_uint(pfi_xml *x, const char *tag, uint64_t v);
void pfi_xml_open(pfi_xml *x, const char *tag);
void pfi_xml_close(pfi_xml *x, const char *tag);
/* Closes the root; on success hands the NUL-terminated document to the caller. */
int pfi_xml_finish(pfi_xml *x, char **ret_doc, size_t *ret_len);
void pfi_xml_clear(pfi_xml *x);

#endif
