/*
 * error.c - the per-thread error slot (fz_error.h).
 */
#include "fz_error.h"

#include <stdio.h>
#include <string.h>

/*
 * One message per thread. A fixed buffer keeps error reporting free of
 * allocation (it must work when malloc failed); longer messages are cut.
 */
#define MESSAGE_MAX 1024

static _Thread_local char message[MESSAGE_MAX];
static _Thread_local int last_status;

int
fz_error_vset(int status, const char *fmt, va_list ap)
{
    vsnprintf(message, sizeof(message), fmt, ap);
    /* One line: a newline in a path or a foreign message would split it. */
    for (char *p = message; *p; p++) {
        if (*p == '\n' || *p == '\r') {
            *p = ' ';
        }
    }
    last_status = status;
    return status;
}

int
fz_error_set(int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fz_error_vset(status, fmt, ap);
    va_end(ap);
    return status;
}

int
fz_error_wrap(int status, const char *fmt, ...)
{
    char prefix[MESSAGE_MAX];
    char old[MESSAGE_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, message, sizeof(old));
    if (old[0] != '\0') {
        return fz_error_set(status, "%s: %s", prefix, old);
    }
    return fz_error_set(status, "%s", prefix);
}

const char *
fz_error_message(void)
{
    return message;
}

int
fz_error_status(void)
{
    return message[0] ? last_status : FZ_OK;
}

void
fz_error_clear(void)
{
    message[0] = '\0';
    last_status = FZ_OK;
}
