/*
 * launch.h - how fz-launcher starts the runtime of a --compress-runtime
 * app (docs/internals.md, "Compressed runtime"): the program's argv with
 * "--fz-payload-fd=N[,temp-exe][,root=PID]" after argv[0]. Written by
 * runtime/launcher.c, read (and written again to start over) by
 * runtime/main.c: both through here.
 */
#ifndef FZ_LAUNCH_H
#define FZ_LAUNCH_H

#include <sys/types.h>

/* N: the inherited descriptor on the launcher, whose payload is the app. */
#define FZ_LAUNCH_FD_ARG "--fz-payload-fd="
/* After N: the runtime is a private temporary file that it must remove. */
#define FZ_LAUNCH_TEMP_EXE ",temp-exe"
/* Last, on a first run: the child still extracting the bundle root. */
#define FZ_LAUNCH_ROOT_PID ",root="
/* Room for the whole argument and its NUL. */
#define FZ_LAUNCH_ARG_MAX 64

/* The argument for descriptor `fd` into `buf` (FZ_LAUNCH_ARG_MAX bytes),
 * with ",temp-exe" when `temp_exe` and ",root=PID" when `root` > 0. */
void fz_launch_arg(char *buf, int fd, int temp_exe, pid_t root);

/*
 * Read an argument fz_launch_arg wrote: *fd (N, any number of up to 9
 * digits: the caller checks the descriptor), *temp_exe, *root (0 when
 * absent). FZ_ENOTFOUND, the error slot untouched, when `arg` does not
 * start with FZ_LAUNCH_FD_ARG; FZ_EINVAL for anything else malformed.
 */
int fz_launch_parse(const char *arg, int *fd, int *temp_exe, pid_t *root);

/*
 * A new argv: `argv0`, `arg`, argv[1] .. argv[argc - 1], NULL. Free the
 * array only; NULL when out of memory.
 */
char **fz_launch_argv(const char *argv0, int argc, char **argv,
                      const char *arg);

#endif /* FZ_LAUNCH_H */
