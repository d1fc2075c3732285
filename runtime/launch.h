/*
 * launch.h - how fz-launcher starts the runtime of a --compress-runtime
 * app (docs/internals.md, "Compressed runtime"): the program's argv with
 * "--fz-payload-fd=N[,temp-exe][,root=PID][,name=HEX]" after argv[0].
 * Written by runtime/launcher.c, read (and written again to start over) by
 * runtime/main.c: both through here.
 */
#ifndef FZ_LAUNCH_H
#define FZ_LAUNCH_H

#include "fz_platform.h"

#include <sys/types.h>

/* N: the inherited descriptor on the launcher, whose payload is the app. */
#define FZ_LAUNCH_FD_ARG "--fz-payload-fd="
/* After N: the runtime is a private temporary file that it must remove. */
#define FZ_LAUNCH_TEMP_EXE ",temp-exe"
/* On a first run: the child still extracting the bundle root. */
#define FZ_LAUNCH_ROOT_PID ",root="
/* Last: the launcher's process name (fz_platform_process_name), two hex
 * digits per byte, since a name may hold any byte but NUL. */
#define FZ_LAUNCH_NAME ",name="
/* Room for the whole argument and its NUL. */
#define FZ_LAUNCH_ARG_MAX 96

/* What the argument says. */
typedef struct fz_launch {
    int fd;                          /* N */
    int temp_exe;                    /* 1: ",temp-exe" */
    pid_t root;                      /* the extracting child, or 0 */
    char name[FZ_PLATFORM_NAME_MAX]; /* "" when there is none */
} fz_launch;

/* An fz_launch that says nothing: fd -1, no root, no name. */
void fz_launch_clear(fz_launch *l);

/* The argument for `l` into `buf` (FZ_LAUNCH_ARG_MAX bytes): ",temp-exe"
 * when l->temp_exe, ",root=PID" when l->root > 0, ",name=HEX" when
 * l->name is not "". */
void fz_launch_arg(char *buf, const fz_launch *l);

/*
 * Read an argument fz_launch_arg wrote into *out: fd N (any number of up
 * to 9 digits: the caller checks the descriptor), root 0 and name "" when
 * absent. FZ_ENOTFOUND, the error slot untouched, when `arg` does not
 * start with FZ_LAUNCH_FD_ARG; FZ_EINVAL for anything else malformed
 * (*out then says fd -1 and nothing else).
 */
int fz_launch_parse(const char *arg, fz_launch *out);

/*
 * A new argv: `argv0`, `arg`, argv[1] .. argv[argc - 1], NULL. Free the
 * array only; NULL when out of memory.
 */
char **fz_launch_argv(const char *argv0, int argc, char **argv,
                      const char *arg);

#endif /* FZ_LAUNCH_H */
