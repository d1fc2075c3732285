/*
 * test_runtime_launch.c - the argument fz-launcher hands the runtime
 * (launch.h): what fz_launch_arg writes, fz_launch_parse reads back, and
 * nothing else is accepted.
 */
#include "fz_error.h"
#include "launch.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write the argument for these fields into `arg`; what was written. */
static fz_launch
write_arg(char *arg, int fd, int temp_exe, pid_t root, const char *name)
{
    fz_launch l = {fd, temp_exe, root, ""};

    snprintf(l.name, sizeof(l.name), "%s", name);
    fz_launch_arg(arg, &l);
    return l;
}

static void
round_trip(int fd, int temp_exe, pid_t root, const char *name)
{
    char arg[FZ_LAUNCH_ARG_MAX];
    fz_launch l = write_arg(arg, fd, temp_exe, root, name);
    fz_launch got;

    cr_assert_lt(strlen(arg), sizeof(arg));
    cr_assert_eq(fz_launch_parse(arg, &got), FZ_OK, "%s: %s", arg,
                 fz_error_message());
    cr_assert_eq(got.fd, fd, "%s", arg);
    cr_assert_eq(got.temp_exe, temp_exe, "%s", arg);
    cr_assert_eq(got.root, root, "%s", arg);
    cr_assert_str_eq(got.name, l.name, "%s", arg);
}

Test(launch, what_is_written_is_read_back)
{
    char arg[FZ_LAUNCH_ARG_MAX];

    write_arg(arg, 3, 0, 0, "");
    cr_assert_str_eq(arg, "--fz-payload-fd=3");
    write_arg(arg, 5, 1, 0, "");
    cr_assert_str_eq(arg, "--fz-payload-fd=5,temp-exe");
    write_arg(arg, 3, 0, 4242, "");
    cr_assert_str_eq(arg, "--fz-payload-fd=3,root=4242");
    write_arg(arg, 3, 0, 0, "app");
    cr_assert_str_eq(arg, "--fz-payload-fd=3,name=617070");
    write_arg(arg, 123456789, 1, 999999999, "a,b=c");
    cr_assert_str_eq(arg, "--fz-payload-fd=123456789,temp-exe,root=999999999"
                          ",name=612c623d63");
    round_trip(3, 0, 0, "");
    round_trip(7, 1, 0, "");
    round_trip(3, 0, 1, "");
    round_trip(123456789, 1, 999999999, "");
    round_trip(3, 0, 0, "x");
    /* The longest that reads back: 15 bytes of name, any byte but NUL. */
    round_trip(123456789, 1, 999999999, "\xff\x01 ,=name-is-lo");
    /* Longer numbers than a launcher writes still fit in the buffer. */
    write_arg(arg, -2147483647, 1, 2147483647, "\xff\x01 ,=name-is-lo");
    cr_assert_lt(strlen(arg), sizeof(arg));
    cr_assert_str_eq(arg + strlen(arg) - 30, "ff01202c3d6e616d652d69732d6c6f");
    round_trip(3, 1, 77, "my app (beta)");
}

Test(launch, anything_else_is_refused)
{
    static const char *const bad[] = {
        "--fz-payload-fd=",
        "--fz-payload-fd=x",
        "--fz-payload-fd=1234567890",
        "--fz-payload-fd=3,",
        "--fz-payload-fd=3,root=",
        "--fz-payload-fd=3,root=x",
        "--fz-payload-fd=3,root=1234567890",
        "--fz-payload-fd=3,root=5,temp-exe",
        "--fz-payload-fd=3,temp-exe,temp-exe",
        "--fz-payload-fd=3 ",
        "--fz-payload-fd=-3",
        "--fz-payload-fd=3,name=",
        "--fz-payload-fd=3,name=6",
        "--fz-payload-fd=3,name=61x",
        "--fz-payload-fd=3,name=6100",
        "--fz-payload-fd=3,name=61AA",
        "--fz-payload-fd=3,name=61,root=5",
        "--fz-payload-fd=3,name=61616161616161616161616161616161",
    };
    fz_launch l;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(fz_launch_parse(bad[i], &l), FZ_EINVAL, "%s", bad[i]);
        cr_assert_eq(l.fd, -1, "%s", bad[i]);
        cr_assert_eq(l.temp_exe, 0, "%s", bad[i]);
        cr_assert_eq(l.root, 0, "%s", bad[i]);
        cr_assert_str_eq(l.name, "", "%s", bad[i]);
        cr_assert(strstr(fz_error_message(), bad[i]) != NULL, "%s",
                  fz_error_message());
    }
    fz_error_clear();
    cr_assert_eq(fz_launch_parse("--fz-payload", &l), FZ_ENOTFOUND);
    cr_assert_eq(fz_launch_parse("x", &l), FZ_ENOTFOUND);
    cr_assert_str_eq(fz_error_message(), "", "not an error to report");
}

Test(launch, the_argument_goes_after_argv0)
{
    char *argv[] = {"app", "one", "two", NULL};
    char **out = fz_launch_argv("app", 3, argv, "--fz-payload-fd=3");

    cr_assert_not_null(out);
    cr_assert_str_eq(out[0], "app");
    cr_assert_str_eq(out[1], "--fz-payload-fd=3");
    cr_assert_str_eq(out[2], "one");
    cr_assert_str_eq(out[3], "two");
    cr_assert_null(out[4]);
    free(out);
    out = fz_launch_argv("fz-launcher", 0, argv, "--fz-payload-fd=3");
    cr_assert_not_null(out);
    cr_assert_str_eq(out[0], "fz-launcher");
    cr_assert_str_eq(out[1], "--fz-payload-fd=3");
    cr_assert_null(out[2]);
    free(out);
}
