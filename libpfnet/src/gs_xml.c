/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gs_xml.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

static void put(pfi_xml *x, const char *s, size_t n)
{
    if (x->failed)
        return;
    if (x->len + n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 512;
        while (cap < x->len + n + 1)
            cap *= 2;
        char *b = realloc(x->buf, cap);
        if (!b) {
            x->failed = 1;
            return;
        }
        x->buf = b;
        x->cap = cap;
    }
    memcpy(x->buf + x->len, s, n);
    x->len += n;
    x->buf[x->len] = '\0';
}

static void puts_(pfi_xml *x, const char *s)
{
    put(x, s, strlen(s));
}

/* Host names, app titles and messages come from users and config files: escape the five
 * XML specials and drop control characters XML 1.0 cannot carry. */
static void put_escaped(pfi_xml *x, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '<': puts_(x, "&lt;"); break;
        case '>': puts_(x, "&gt;"); break;
        case '&': puts_(x, "&amp;"); break;
        case '"': puts_(x, "&quot;"); break;
        case '\'': puts_(x, "&apos;"); break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                break;
            put(x, (const char *)&c, 1);
        }
    }
}

void pfi_xml_begin(pfi_xml *x, int status_code, const char *status_message)
{
    memset(x, 0, sizeof(*x));
    char num[24];
    snprintf(num, sizeof(num), "%d", status_code);
    puts_(x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<root status_code=\"");
    puts_(x, num);
    puts_(x, "\"");
    if (status_message) {
        puts_(x, " status_message=\"");
        put_escaped(x, status_message);
        puts_(x, "\"");
    }
    puts_(x, ">");
}

void pfi_xml_open(pfi_xml *x, const char *tag)
{
    puts_(x, "<");
    puts_(x, tag);
    puts_(x, ">");
}

void pfi_xml_close(pfi_xml *x, const char *tag)
{
    puts_(x, "</");
    puts_(x, tag);
    puts_(x, ">");
}

void pfi_xml_text(pfi_xml *x, const char *tag, const char *text)
{
    pfi_xml_open(x, tag);
    put_escaped(x, text ? text : "");
    pfi_xml_close(x, tag);
}

void pfi_xml_uint(pfi_xml *x, const char *tag, uint64_t v)
{
    char num[24];
    snprintf(num, sizeof(num), "%" PRIu64, v);
    pfi_xml_text(x, tag, num);
}

int pfi_xml_finish(pfi_xml *x, char **ret_doc, size_t *ret_len)
{
    puts_(x, "</root>");
    if (x->failed) {
        pfi_xml_clear(x);
        return PF_ERR_NOMEM;
    }
    *ret_doc = x->buf;
    *ret_len = x->len;
    memset(x, 0, sizeof(*x));
    return 0;
}

void pfi_xml_clear(pfi_xml *x)
{
    free(x->buf);
    memset(x, 0, sizeof(*x));
}
