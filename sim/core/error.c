#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *sim_strerror(int code)
{
    switch (code) {
    case SIM_OK: return "success";
    case SIM_ENOMEM: return "out of memory";
    case SIM_EINVAL: return "invalid argument";
    case SIM_EIO: return "input/output error";
    case SIM_EINPUT: return "bad input";
    case SIM_EMISMATCH: return "files do not match";
    case SIM_ESTATE: return "invalid state";
    case SIM_EINTR: return "interrupted";
    default: return "unknown error";
    }
}

void sim_error_clear(struct sim_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int sim_error_set(struct sim_error *err, int code, const char *file, int line, int column,
                  const char *key, const char *fmt, ...)
{
    if (!err)
        return code;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    snprintf(err->key, sizeof err->key, "%s", key ? key : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

size_t sim_error_format(const struct sim_error *err, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    size_t used = 0;
    int n = 0;
    buf[0] = '\0';
    if (err->file[0]) {
        if (err->line > 0 && err->column > 0)
            n = snprintf(buf, size, "%s:%d:%d: ", err->file, err->line, err->column);
        else if (err->line > 0)
            n = snprintf(buf, size, "%s:%d: ", err->file, err->line);
        else
            n = snprintf(buf, size, "%s: ", err->file);
        used = n < 0 ? 0 : ((size_t)n < size ? (size_t)n : size - 1);
    }
    if (err->key[0] && used < size) {
        n = snprintf(buf + used, size - used, "%s: ", err->key);
        used += n < 0 ? 0 : ((size_t)n < size - used ? (size_t)n : size - used - 1);
    }
    if (used < size) {
        n = snprintf(buf + used, size - used, "%s", err->message);
        used += n < 0 ? 0 : ((size_t)n < size - used ? (size_t)n : size - used - 1);
    }
    return used;
}
