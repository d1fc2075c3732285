/*
 * launch.c - the launcher's argument to the runtime, written and read
 * (launch.h).
 */
#include "launch.h"

#include "fz_error.h"
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest argument: an int and a pid of up to 11 characters each, and
 * a whole name. */
_Static_assert(sizeof(FZ_LAUNCH_FD_ARG) + 11 + sizeof(FZ_LAUNCH_TEMP_EXE) +
                       sizeof(FZ_LAUNCH_ROOT_PID) + 11 +
                       sizeof(FZ_LAUNCH_NAME) +
                       2 * (FZ_PLATFORM_NAME_MAX - 1) <=
                   FZ_LAUNCH_ARG_MAX,
               "FZ_LAUNCH_ARG_MAX holds every argument");

void
fz_launch_arg(char *buf, const fz_launch *l)
{
    static const char hex[] = "0123456789abcdef";
    int n = snprintf(buf, FZ_LAUNCH_ARG_MAX, FZ_LAUNCH_FD_ARG "%d%s", l->fd,
                     l->temp_exe ? FZ_LAUNCH_TEMP_EXE : "");

    if (l->root > 0 && n > 0 && n < FZ_LAUNCH_ARG_MAX) {
        n += snprintf(buf + n, FZ_LAUNCH_ARG_MAX - (size_t)n,
                      FZ_LAUNCH_ROOT_PID "%ld", (long)l->root);
    }
    if (l->name[0] != '\0' && n > 0 && n < FZ_LAUNCH_ARG_MAX) {
        size_t at = (size_t)n + strlen(FZ_LAUNCH_NAME);

        memcpy(buf + n, FZ_LAUNCH_NAME, strlen(FZ_LAUNCH_NAME));
        for (size_t i = 0; i < sizeof(l->name) - 1 && l->name[i]; i++) {
            unsigned char c = (unsigned char)l->name[i];

            buf[at++] = hex[c >> 4];
            buf[at++] = hex[c & 15];
        }
        buf[at] = '\0';
    }
}

/* 1 to 9 decimal digits at *s into *out, advancing; 0 when not so. */
static int
number(const char **s, long *out)
{
    size_t d = strspn(*s, "0123456789");

    if (d == 0 || d > 9) {
        return 0;
    }
    *out = strtol(*s, NULL, 10);
    *s += d;
    return 1;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A process name as fz_launch_arg writes it, to the end of *s, into
 * `name`: 1 to FZ_PLATFORM_NAME_MAX - 1 bytes, none of them NUL. */
static int
name_hex(const char **s, char *name)
{
    size_t d = strlen(*s);

    if (d == 0 || d % 2 != 0 || d / 2 > FZ_PLATFORM_NAME_MAX - 1) {
        return 0;
    }
    for (size_t i = 0; i < d / 2; i++) {
        int hi = hex_digit((*s)[2 * i]);
        int lo = hex_digit((*s)[2 * i + 1]);

        if (hi < 0 || lo < 0 || (hi | lo) == 0) {
            return 0;
        }
        name[i] = (char)(hi << 4 | lo);
    }
    name[d / 2] = '\0';
    *s += d;
    return 1;
}

void
fz_launch_clear(fz_launch *l)
{
    memset(l, 0, sizeof(*l));
    l->fd = -1;
}

int
fz_launch_parse(const char *arg, fz_launch *out)
{
    const char *s = arg;
    long n = 0, pid = 0;

    fz_launch_clear(out);
    if (!fz_scan_eat(&s, FZ_LAUNCH_FD_ARG)) {
        return FZ_ENOTFOUND;
    }
    if (!number(&s, &n)) {
        return fz_error_set(FZ_EINVAL, "bad %s", arg);
    }
    out->temp_exe = fz_scan_eat(&s, FZ_LAUNCH_TEMP_EXE);
    if ((fz_scan_eat(&s, FZ_LAUNCH_ROOT_PID) && !number(&s, &pid)) ||
        (fz_scan_eat(&s, FZ_LAUNCH_NAME) && !name_hex(&s, out->name)) ||
        *s != '\0') {
        fz_launch_clear(out);
        return fz_error_set(FZ_EINVAL, "bad %s", arg);
    }
    out->fd = (int)n;
    out->root = (pid_t)pid;
    return FZ_OK;
}

char **
fz_launch_argv(const char *argv0, int argc, char **argv, const char *arg)
{
    char **out = calloc((size_t)(argc > 1 ? argc : 1) + 2, sizeof(*out));
    int i;

    if (out) {
        out[0] = (char *)argv0;
        out[1] = (char *)arg;
        for (i = 1; i < argc; i++) {
            out[i + 1] = argv[i];
        }
    }
    return out;
}
