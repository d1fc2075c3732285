/*
 * test_freezer_options.c - command-line parsing of freeze (options.c).
 */
#include "compress_runtime.h"
#include "fz_error.h"
#include "options.h"

#include <criterion/criterion.h>

static fz_options opts;

static void
teardown(void)
{
    fz_options_dispose(&opts);
}

TestSuite(options, .fini = teardown);

#define PARSE(...)                                                             \
    fz_options_parse(                                                          \
        &opts,                                                                 \
        (int)(sizeof((char *[]){"freeze", __VA_ARGS__}) / sizeof(char *)),     \
        (char *[]){"freeze", __VA_ARGS__})

Test(options, defaults)
{
    cr_assert_eq(PARSE("app.py"), 0, "%s", fz_error_message());
    cr_expect_str_eq(opts.script, "app.py");
    cr_expect_str_eq(opts.distpath, "dist");
    cr_expect_null(opts.name);
    cr_expect_null(opts.output);
    cr_expect_eq(opts.optimize, 0);
    cr_expect_eq(opts.hidden_imports.count, 0);
}

Test(options, every_option)
{
    cr_assert_eq(PARSE("--name", "tool", "--distpath=out", "-o", "x/y",
                       "--python", "/venv/bin/python", "--optimize", "2",
                       "--onefile", "-v", "--exclude-module", "tkinter",
                       "app.py"),
                 0, "%s", fz_error_message());
    cr_expect_str_eq(opts.name, "tool");
    cr_expect_str_eq(opts.distpath, "out");
    cr_expect_str_eq(opts.output, "x/y");
    cr_expect_str_eq(opts.python, "/venv/bin/python");
    cr_expect_eq(opts.optimize, 2);
    cr_expect_eq(opts.verbose, 1);
    cr_expect_eq(opts.excludes.count, 1);
    cr_expect_str_eq(opts.excludes.items[0], "tkinter");
}

/* Unsaid, the runtime is compressed when the app has files to unpack;
 * either flag decides, the last one given wins. */
Test(options, compress_runtime_modes)
{
    cr_assert_eq(PARSE("app.py"), 0);
    cr_expect_eq(opts.compress_runtime, FZ_COMPRESS_RUNTIME_AUTO);
    fz_options_dispose(&opts);
    cr_assert_eq(PARSE("--compress-runtime", "app.py"), 0);
    cr_expect_eq(opts.compress_runtime, FZ_COMPRESS_RUNTIME_ALWAYS);
    fz_options_dispose(&opts);
    cr_assert_eq(PARSE("--no-compress-runtime", "app.py"), 0);
    cr_expect_eq(opts.compress_runtime, FZ_COMPRESS_RUNTIME_NEVER);
    fz_options_dispose(&opts);
    cr_assert_eq(PARSE("--no-compress-runtime", "app.py", "--compress-runtime"),
                 0);
    cr_expect_eq(opts.compress_runtime, FZ_COMPRESS_RUNTIME_ALWAYS);
}

Test(options, repeated_hidden_import_keeps_order)
{
    cr_assert_eq(PARSE("--hidden-import", "a", "app.py", "--hidden-import=b.c",
                       "--hidden-import", "d"),
                 0);
    cr_assert_eq(opts.hidden_imports.count, 3);
    cr_expect_str_eq(opts.hidden_imports.items[0], "a");
    cr_expect_str_eq(opts.hidden_imports.items[1], "b.c");
    cr_expect_str_eq(opts.hidden_imports.items[2], "d");
}

Test(options, unknown_option_is_a_usage_error)
{
    cr_expect_eq(PARSE("--frobnicate", "app.py"), FZ_EINVAL);
    cr_expect_str_eq(fz_error_message(), "unrecognized option '--frobnicate'");
}

Test(options, missing_script_is_a_usage_error)
{
    cr_expect_eq(PARSE("-v"), FZ_EINVAL);
    cr_expect_str_eq(fz_error_message(),
                     "the following arguments are required: script");
}

Test(options, missing_value_is_a_usage_error)
{
    cr_expect_eq(PARSE("app.py", "--name"), FZ_EINVAL);
    cr_expect_str_eq(fz_error_message(),
                     "argument --name: expected one argument");
}

Test(options, bad_optimize_level)
{
    cr_expect_eq(PARSE("--optimize", "3", "app.py"), FZ_EINVAL);
    cr_expect_eq(PARSE("--optimize=", "app.py"), FZ_EINVAL);
}

Test(options, two_scripts_are_refused)
{
    cr_expect_eq(PARSE("a.py", "b.py"), FZ_EINVAL);
}

Test(options, help_and_version_need_no_script)
{
    cr_expect_eq(PARSE("--help"), 0);
    cr_expect(opts.help);
    fz_options_dispose(&opts);
    cr_expect_eq(PARSE("--version"), 0);
    cr_expect(opts.version);
}

Test(options, double_dash_ends_options)
{
    cr_assert_eq(PARSE("--", "-weird.py"), 0);
    cr_expect_str_eq(opts.script, "-weird.py");
}

Test(options, flag_with_value_is_refused)
{
    cr_expect_eq(PARSE("--verbose=yes", "app.py"), FZ_EINVAL);
}
