/*
 * test_runtime_launch.c - the argument fz-launcher hands the runtime
 * (launch.h): what fz_launch_arg writes, fz_launch_parse reads back, and
 * nothing else is accepted.
 */
#include "fz_error.h"
#include "launch.h"

#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

static void
round_trip(int fd, int temp_exe, pid_t root)
{
    char arg[FZ_LAUNCH_ARG_MAX];
    int got_fd, got_temp;
    pid_t got_root;

    fz_launch_arg(arg, fd, temp_exe, root);
    cr_assert_eq(fz_launch_parse(arg, &got_fd, &got_temp, &got_root), FZ_OK,
                 "%s: %s", arg, fz_error_message());
    cr_assert_eq(got_fd, fd, "%s", arg);
    cr_assert_eq(got_temp, temp_exe, "%s", arg);
    cr_assert_eq(got_root, root, "%s", arg);
}

Test(launch, what_is_written_is_read_back)
{
    char arg[FZ_LAUNCH_ARG_MAX];

    fz_launch_arg(arg, 3, 0, 0);
    cr_assert_str_eq(arg, "--fz-payload-fd=3");
    fz_launch_arg(arg, 5, 1, 0);
    cr_assert_str_eq(arg, "--fz-payload-fd=5,temp-exe");
    fz_launch_arg(arg, 3, 0, 4242);
    cr_assert_str_eq(arg, "--fz-payload-fd=3,root=4242");
    fz_launch_arg(arg, 123456789, 1, 999999999);
    cr_assert_str_eq(arg, "--fz-payload-fd=123456789,temp-exe,root=999999999");
    round_trip(3, 0, 0);
    round_trip(7, 1, 0);
    round_trip(3, 0, 1);
    round_trip(123456789, 1, 999999999);
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
    };
    int fd, temp;
    pid_t root;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(fz_launch_parse(bad[i], &fd, &temp, &root), FZ_EINVAL,
                     "%s", bad[i]);
        cr_assert_eq(fd, -1, "%s", bad[i]);
        cr_assert_eq(temp, 0, "%s", bad[i]);
        cr_assert_eq(root, 0, "%s", bad[i]);
        cr_assert(strstr(fz_error_message(), bad[i]) != NULL, "%s",
                  fz_error_message());
    }
    fz_error_clear();
    cr_assert_eq(fz_launch_parse("--fz-payload", &fd, &temp, &root),
                 FZ_ENOTFOUND);
    cr_assert_eq(fz_launch_parse("x", &fd, &temp, &root), FZ_ENOTFOUND);
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
