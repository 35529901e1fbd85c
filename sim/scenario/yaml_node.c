/*
 * sim/scenario/yaml_node.c: what the loader (yaml_load.c), the readers (yaml_read.c) and the
 * editor (yaml_edit.c) share about nodes: key paths, how a value is described in a message,
 * and the errors that name a node's file, line, column and key path.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "yaml_internal.h"

char *sim__path_key(const char *parent, const char *key)
{
    size_t lp = parent ? strlen(parent) : 0, lk = strlen(key);
    char *p = malloc(lp + lk + 2);
    if (!p)
        return NULL;
    if (lp) {
        memcpy(p, parent, lp);
        p[lp] = '.';
        memcpy(p + lp + 1, key, lk + 1);
    } else {
        memcpy(p, key, lk + 1);
    }
    return p;
}

int sim__nomem(struct sim_error *err)
{
    return sim_error_set(err, SIM_ENOMEM, NULL, 0, 0, NULL, "out of memory");
}

void sim__describe(const sim_node *node, bool string_if_quoted, char *buf, size_t size)
{
    if (node->kind == SIM_NODE_MAP) {
        snprintf(buf, size, "a map");
        return;
    }
    if (node->kind == SIM_NODE_SEQ) {
        snprintf(buf, size, "a sequence");
        return;
    }
    if (!node->quoted && node->text[0] == '\0') {
        snprintf(buf, size, "nothing");
        return;
    }
    char q[300];
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)node->text;
    size_t i = 0;
    for (; s[i] && n < sizeof q - 8; i++) {
        if (i >= 60) {
            /* Cut at a character boundary, not inside a UTF-8 sequence. */
            if ((s[i] & 0xC0) != 0x80)
                break;
        }
        if (s[i] == '"' || s[i] == '\\') {
            q[n++] = '\\';
            q[n++] = (char)s[i];
        } else if (s[i] == '\n') {
            q[n++] = '\\';
            q[n++] = 'n';
        } else if (s[i] == '\t') {
            q[n++] = '\\';
            q[n++] = 't';
        } else if (s[i] < 0x20 || s[i] == 0x7F) {
            n += (size_t)snprintf(q + n, sizeof q - n, "\\x%02X", s[i]);
        } else {
            q[n++] = (char)s[i];
        }
    }
    q[n] = '\0';
    snprintf(buf, size, "%s\"%s%s\"", node->quoted && string_if_quoted ? "the string " : "", q,
             s[i] ? "..." : "");
}

int sim_node_error(const sim_node *node, struct sim_error *err, const char *fmt, ...)
{
    if (!err)
        return SIM_EINPUT;
    char msg[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sim_error_set(err, SIM_EINPUT, node->file, node->line, node->column, node->path,
                         "%s", msg);
}
