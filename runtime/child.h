/*
 * child.h - recognizes the command lines the standard library uses to start
 * helper processes from sys.executable (multiprocessing spawn, forkserver,
 * resource tracker), so a frozen app runs them without freeze_support().
 */
#ifndef FZ_CHILD_H
#define FZ_CHILD_H

#include <stddef.h>

typedef enum fz_child_kind {
    FZ_CHILD_NONE = 0,         /* an ordinary run of the program */
    FZ_CHILD_SPAWN,            /* multiprocessing.spawn.spawn_main(...) */
    FZ_CHILD_RESOURCE_TRACKER, /* multiprocessing.resource_tracker.main(fd) */
    FZ_CHILD_FORKSERVER        /* multiprocessing.forkserver.main(...) */
} fz_child_kind;

typedef struct fz_child {
    fz_child_kind kind;
    /*
     * The `-c` forms: argv[flags_begin..flags_end) are interpreter flags as
     * subprocess._args_from_interpreter_flags() writes them (each one valid:
     * "-O", "-OO", "-d", "-B", "-S", "-v", "-b", "-q" and repeats, "-I",
     * "-E", "-s", "-P", "-W<opt>", "-X" <opt>), argv[code_index] the code.
     * code_index is 0 for spawn's frozen form `exe --multiprocessing-fork`.
     */
    int flags_begin;
    int flags_end;
    int code_index;
    /* The flags counted: what -O, -d, -B, -v, -b, -q ask for. */
    int optimize;
    int debug;
    int dont_write_bytecode;
    int verbose;
    int bytes_warning;
    int quiet;
    /* SPAWN: spawn_main's arguments; -1 stands for None. */
    int pipe_handle;
    int parent_pid;
    int tracker_fd;
    /* RESOURCE_TRACKER: fd[0]; FORKSERVER: listener_fd, alive_r. */
    int fd[2];
    /*
     * FORKSERVER: the repr() of the preload list (list of str) and of the
     * keyword dict ('main_path': str or None, 'sys_path': list of str or
     * None), pointing into argv[code_index], not NUL-terminated. Their
     * grammar is checked; decode them with ast.literal_eval only.
     */
    const char *preload;
    size_t preload_size;
    const char *kwds;
    size_t kwds_size;
} fz_child;

/*
 * Recognize argv (hostile: anyone can start the app with any arguments).
 * Fills *out and returns its kind; FZ_CHILD_NONE unless argv is exactly one
 * of the stdlib's templates (CPython 3.11) with valid integers, in which
 * case the program must get argv as ordinary arguments. Pure: no
 * allocation, no CPython, *out points into argv.
 */
fz_child_kind fz_child_parse(fz_child *out, int argc, char *const *argv);

#endif /* FZ_CHILD_H */
