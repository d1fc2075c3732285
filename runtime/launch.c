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

void
fz_launch_arg(char *buf, int fd, int temp_exe, pid_t root)
{
    int n = snprintf(buf, FZ_LAUNCH_ARG_MAX, FZ_LAUNCH_FD_ARG "%d%s", fd,
                     temp_exe ? FZ_LAUNCH_TEMP_EXE : "");

    if (root > 0 && n > 0 && n < FZ_LAUNCH_ARG_MAX) {
        snprintf(buf + n, FZ_LAUNCH_ARG_MAX - (size_t)n,
                 FZ_LAUNCH_ROOT_PID "%ld", (long)root);
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

int
fz_launch_parse(const char *arg, int *fd, int *temp_exe, pid_t *root)
{
    const char *s = arg;
    long n = 0, pid = 0;

    *fd = -1;
    *temp_exe = 0;
    *root = 0;
    if (!fz_scan_eat(&s, FZ_LAUNCH_FD_ARG)) {
        return FZ_ENOTFOUND;
    }
    if (!number(&s, &n)) {
        return fz_error_set(FZ_EINVAL, "bad %s", arg);
    }
    *temp_exe = fz_scan_eat(&s, FZ_LAUNCH_TEMP_EXE);
    if ((fz_scan_eat(&s, FZ_LAUNCH_ROOT_PID) && !number(&s, &pid)) ||
        *s != '\0') {
        *temp_exe = 0;
        return fz_error_set(FZ_EINVAL, "bad %s", arg);
    }
    *fd = (int)n;
    *root = (pid_t)pid;
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
