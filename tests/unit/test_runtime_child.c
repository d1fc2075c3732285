/*
 * test_runtime_child.c - the recognizer of the stdlib's helper-process
 * command lines (child.c): accepted templates and near misses.
 */
#include "child.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <string.h>

#define MAX_ARGS 24
#define SPAWN "from multiprocessing.spawn import spawn_main; spawn_main("
#define TRACKER "from multiprocessing.resource_tracker import main;main("
#define FORKSERVER "from multiprocessing.forkserver import main; main("

/* argv from a NULL-terminated list; argv[0] is always "app". */
static int
make_argv(char **argv, const char *const *args)
{
    int n = 0;

    argv[n++] = "app";
    while (args[n - 1]) {
        cr_assert_lt(n, MAX_ARGS);
        argv[n] = (char *)args[n - 1];
        n++;
    }
    argv[n] = NULL;
    return n;
}

static fz_child_kind
parse(fz_child *c, const char *const *args)
{
    char *argv[MAX_ARGS + 1];
    int argc = make_argv(argv, args);

    return fz_child_parse(c, argc, argv);
}

#define ARGS(...)                                                              \
    (const char *const[])                                                      \
    {                                                                          \
        __VA_ARGS__, NULL                                                      \
    }

Test(runtime_child, frozen_spawn_form)
{
    fz_child c;

    cr_assert_eq(parse(&c, ARGS("--multiprocessing-fork", "tracker_fd=5",
                                "pipe_handle=7")),
                 FZ_CHILD_SPAWN);
    cr_assert_eq(c.pipe_handle, 7);
    cr_assert_eq(c.tracker_fd, 5);
    cr_assert_eq(c.parent_pid, -1);
    cr_assert_eq(c.code_index, 0);

    cr_assert_eq(parse(&c, ARGS("--multiprocessing-fork", "pipe_handle=0",
                                "parent_pid=1234", "tracker_fd=None")),
                 FZ_CHILD_SPAWN);
    cr_assert_eq(c.pipe_handle, 0);
    cr_assert_eq(c.parent_pid, 1234);
    cr_assert_eq(c.tracker_fd, -1);
}

Test(runtime_child, source_spawn_form)
{
    fz_child c;

    cr_assert_eq(
        parse(&c, ARGS("-S", "-I", "-c", SPAWN "tracker_fd=5, pipe_handle=9)",
                       "--multiprocessing-fork")),
        FZ_CHILD_SPAWN);
    cr_assert_eq(c.pipe_handle, 9);
    cr_assert_eq(c.tracker_fd, 5);
    cr_assert_eq(c.flags_begin, 1);
    cr_assert_eq(c.flags_end, 3);
    cr_assert_eq(c.code_index, 4);

    cr_assert_eq(
        parse(&c, ARGS("-c", SPAWN "pipe_handle=3)", "--multiprocessing-fork")),
        FZ_CHILD_SPAWN);
    cr_assert_eq(c.flags_begin, c.flags_end);
}

Test(runtime_child, resource_tracker_with_flags)
{
    fz_child c;

    cr_assert_eq(parse(&c, ARGS("-S", "-I", "-c", TRACKER "5)")),
                 FZ_CHILD_RESOURCE_TRACKER);
    cr_assert_eq(c.fd[0], 5);

    cr_assert_eq(
        parse(&c, ARGS("-OO", "-d", "-B", "-S", "-vv", "-bb", "-q", "-E", "-s",
                       "-P", "-Wdefault", "-Werror::DeprecationWarning", "-X",
                       "dev", "-X", "utf8=1", "-c", TRACKER "12)")),
        FZ_CHILD_RESOURCE_TRACKER);
    cr_assert_eq(c.fd[0], 12);
    cr_assert_eq(c.optimize, 2);
    cr_assert_eq(c.debug, 1);
    cr_assert_eq(c.dont_write_bytecode, 1);
    cr_assert_eq(c.verbose, 2);
    cr_assert_eq(c.bytes_warning, 2);
    cr_assert_eq(c.quiet, 1);
    cr_assert_eq(c.flags_end, 17);
    cr_assert_eq(c.code_index, 18);
}

Test(runtime_child, forkserver_literals)
{
    static const char code[] =
        FORKSERVER "4, 6, ['__main__'], **{'sys_path': ['/r', \"it's\", "
                   "'a]b, **{c'], 'main_path': '/r/main.py'})";
    fz_child c;

    cr_assert_eq(parse(&c, ARGS("-S", "-I", "-c", code)), FZ_CHILD_FORKSERVER);
    cr_assert_eq(c.fd[0], 4);
    cr_assert_eq(c.fd[1], 6);
    cr_assert_eq(c.preload_size, strlen("['__main__']"));
    cr_assert_eq(memcmp(c.preload, "['__main__']", c.preload_size), 0);
    cr_assert_eq(c.kwds[0], '{');
    cr_assert_eq(c.kwds[c.kwds_size - 1], '}');
    cr_assert_eq(c.kwds + c.kwds_size, code + strlen(code) - 1);

    cr_assert_eq(parse(&c, ARGS("-c", FORKSERVER "3, 4, [], **{})")),
                 FZ_CHILD_FORKSERVER);
    cr_assert_eq(c.preload_size, 2);
    cr_assert_eq(c.kwds_size, 2);
}

/* Ordinary program arguments: each must leave kind NONE. */
static const char *const *const rejected[] = {
    ARGS("-c", "print(1)"),
    ARGS("-c", "import os; print(\"pwned\")"),
    ARGS("-m", "multiprocessing.resource_tracker"),
    ARGS("--multiprocessing-fork"),
    ARGS("--multiprocessing-fork", "tracker_fd=5"),
    ARGS("--multiprocessing-fork", "pipe_handle=7", "extra"),
    ARGS("--multiprocessing-fork", "pipe_handle=7", "pipe_handle=8"),
    ARGS("--multiprocessing-fork", "pipe_handle=x"),
    ARGS("--multiprocessing-fork", "pipe_handle=-1"),
    ARGS("--multiprocessing-fork", "pipe_handle=07"),
    ARGS("--multiprocessing-fork", "pipe_handle=99999999999"),
    ARGS("--multiprocessing-fork", "pipe_handle=None"),
    ARGS("--multiprocessing-fork", "pipe_handle=7", "authkey=1"),
    ARGS("--multiprocessing-fork", "pipe_handle =7"),
    ARGS("-S", "--multiprocessing-fork", "pipe_handle=7"),
    ARGS("-c", TRACKER "5)", "extra"),
    ARGS("-c", TRACKER "5); import os"),
    ARGS("-c", TRACKER "5);import os"),
    ARGS("-c", TRACKER "fd)"),
    ARGS("-c", TRACKER "5 )"),
    ARGS("-c", TRACKER "0x5)"),
    ARGS("-c", TRACKER "5"),
    ARGS("-c", TRACKER ")"),
    ARGS("-c", "from multiprocessing.resource_tracke import main;main(5)"),
    ARGS("-c", "from os import main;main(5)"),
    ARGS("-c", "from multiprocessing.resource_tracker import main; main(5)"),
    ARGS("-c", SPAWN "pipe_handle=7)"),
    ARGS("-c", SPAWN "pipe_handle=7)", "--multiprocessing-fork", "x"),
    ARGS("-c", SPAWN "pipe_handle=7); import os", "--multiprocessing-fork"),
    ARGS("-c", SPAWN "pipe_handle=7,tracker_fd=5)", "--multiprocessing-fork"),
    ARGS("-c", SPAWN "pipe_handle=os.system('x'))", "--multiprocessing-fork"),
    ARGS("-c", SPAWN ")", "--multiprocessing-fork"),
    ARGS("-c", FORKSERVER "3, 4, [], **{'x': 1})"),
    ARGS("-c", FORKSERVER "3, 4, [__import__('os')], **{})"),
    ARGS("-c", FORKSERVER "3, 4, ['a'] + ['b'], **{})"),
    ARGS("-c", FORKSERVER "3, 4, ['a\\'], **{})"),
    ARGS("-c", FORKSERVER "3, 4, ['a'], **{}); import os"),
    ARGS("-c", FORKSERVER "3, 4, ['a'], **{'main_path': 'a', "
                          "'main_path': 'b'})"),
    ARGS("-c", FORKSERVER "3, 4, ['a'], **{'sys_path': '/x'})"),
    ARGS("-c", FORKSERVER "3, 4, ['a'], {})"),
    ARGS("-c", FORKSERVER "3, 4, ['a\n'], **{})"),
    ARGS("-X", "dev", "-S", "-c", TRACKER "5)"),
    ARGS("-I", "-S", "-c", TRACKER "5)"),
    ARGS("-I", "-E", "-c", TRACKER "5)"),
    ARGS("-S", "-S", "-c", TRACKER "5)"),
    ARGS("-OOO", "-c", TRACKER "5)"),
    ARGS("-i", "-c", TRACKER "5)"),
    ARGS("-m", "x", "-c", TRACKER "5)"),
    ARGS("-W", "-c", TRACKER "5)"),
    ARGS("-X", "importtime", "-Wdefault", "-c", TRACKER "5)"),
    ARGS("-X", "frozen_modules=off", "-c", TRACKER "5)"),
    ARGS("-X", "-c", TRACKER "5)"),
    ARGS("-S"),
    ARGS("-c"),
    ARGS(""),
};

ParameterizedTestParameters(runtime_child, near_misses)
{
    static int idx[sizeof(rejected) / sizeof(rejected[0])];
    size_t i;

    for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
        idx[i] = (int)i;
    }
    return cr_make_param_array(int, idx, sizeof(idx) / sizeof(idx[0]));
}

ParameterizedTest(int *i, runtime_child, near_misses)
{
    fz_child c;

    cr_assert_eq(parse(&c, rejected[*i]), FZ_CHILD_NONE, "case %d: %s %s", *i,
                 rejected[*i][0], rejected[*i][1] ? rejected[*i][1] : "");
    cr_assert_eq(c.kind, FZ_CHILD_NONE);
    cr_assert_eq(c.code_index, 0);
}

Test(runtime_child, no_arguments)
{
    char *argv[] = {"app", NULL};
    fz_child c;

    cr_assert_eq(fz_child_parse(&c, 1, argv), FZ_CHILD_NONE);
    cr_assert_eq(fz_child_parse(&c, 0, argv), FZ_CHILD_NONE);
}
