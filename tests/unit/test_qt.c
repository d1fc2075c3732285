/*
 * test_qt.c - the --qt-plugins parser (fz_qt_select_groups in qt.c):
 * replacing, adding to and dropping from the default groups, "all", and
 * each kind of bad input with its message.
 */
#define _GNU_SOURCE
#include "fz_error.h"
#include "qt.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* A plugin directory with these groups (as list_so would find them). */
static const char *const here[] = {"bearer", "imageformats", "platforms",
                                   "sqldrivers", "styles"};

static fz_strvec
available(void)
{
    fz_strvec v = FZ_STRVEC_INIT;

    for (size_t i = 0; i < sizeof(here) / sizeof(*here); i++) {
        cr_assert_eq(fz_strvec_push(&v, here[i]), 0);
    }
    return v;
}

/* The groups `spec` selects, comma-joined (malloc'd); asserts success. */
static char *
selected(const char *spec, const fz_strvec *avail)
{
    fz_strvec out = FZ_STRVEC_INIT;
    fz_buf b = FZ_BUF_INIT;
    int rc = fz_qt_select_groups(&out, spec, avail);

    cr_assert_eq(rc, 0, "'%s': %s", spec ? spec : "(null)", fz_error_message());
    for (size_t i = 0; i < out.count; i++) {
        cr_assert_eq(fz_buf_printf(&b, "%s%s", i ? "," : "", out.items[i]), 0);
    }
    fz_strvec_dispose(&out);
    return b.data ? fz_buf_detach(&b) : strdup("");
}

static void
expect_groups(const char *spec, const fz_strvec *avail, const char *want)
{
    char *got = selected(spec, avail);

    cr_expect_str_eq(got, want, "--qt-plugins '%s'", spec ? spec : "(null)");
    free(got);
}

/* `spec` fails with FZ_EINVAL and exactly `message`; `out` is emptied. */
static void
expect_error(const char *spec, const fz_strvec *avail, const char *message)
{
    fz_strvec out = FZ_STRVEC_INIT;

    cr_assert_eq(fz_strvec_push(&out, "left over"), 0);
    cr_expect_eq(fz_qt_select_groups(&out, spec, avail), FZ_EINVAL,
                 "--qt-plugins '%s' was accepted", spec);
    cr_expect_str_eq(fz_error_message(), message, "--qt-plugins '%s'", spec);
    cr_expect_eq(out.count, 0, "'%s' left groups behind", spec);
    fz_strvec_dispose(&out);
    fz_error_clear();
}

Test(qt_plugins, no_option_means_the_defaults)
{
    fz_strvec avail = available();

    expect_groups(NULL, NULL, FZ_QT_DEFAULT_GROUPS);
    /* defaults not installed here stay: the caller skips them */
    expect_groups(NULL, &avail, FZ_QT_DEFAULT_GROUPS);
    fz_strvec_dispose(&avail);
}

Test(qt_plugins, plain_names_replace_the_defaults)
{
    fz_strvec avail = available();

    expect_groups("platforms", NULL, "platforms");
    expect_groups("styles,platforms", &avail, "styles,platforms");
    expect_groups(" platforms , imageformats ", &avail,
                  "platforms,imageformats");
    fz_strvec_dispose(&avail);
}

Test(qt_plugins, plus_adds_and_minus_drops)
{
    fz_strvec avail = available();

    expect_groups("+sqldrivers", &avail, FZ_QT_DEFAULT_GROUPS ",sqldrivers");
    expect_groups("-styles,-xcbglintegrations,-iconengines", &avail,
                  "platforms,platformthemes,platforminputcontexts,"
                  "imageformats");
    /* the signs apply to the plain names, whatever the order */
    expect_groups("+styles,platforms", &avail, "platforms,styles");
    expect_groups("-imageformats,platforms,+styles", NULL, "platforms,styles");
    /* adding a default again is harmless */
    expect_groups("+platforms", NULL, FZ_QT_DEFAULT_GROUPS);
    fz_strvec_dispose(&avail);
}

Test(qt_plugins, all_is_every_group_there_is)
{
    fz_strvec avail = available();

    expect_groups("all", &avail,
                  "bearer,imageformats,platforms,sqldrivers,styles");
    expect_groups("all,-styles,-bearer", &avail,
                  "imageformats,platforms,sqldrivers");
    expect_groups("+all", &avail, FZ_QT_DEFAULT_GROUPS ",bearer,sqldrivers");
    /* without the directory only the syntax is checked */
    expect_groups("all", NULL, "all");
    fz_strvec_dispose(&avail);
}

Test(qt_plugins, empty_lists_and_items)
{
    expect_error("", NULL,
                 "--qt-plugins: no group named (give 'a,b', '+a', '-b' or "
                 "'all')");
    expect_error("   ", NULL,
                 "--qt-plugins: no group named (give 'a,b', '+a', '-b' or "
                 "'all')");
    expect_error("platforms,,styles", NULL,
                 "--qt-plugins: an empty item in 'platforms,,styles'");
    expect_error("platforms,", NULL,
                 "--qt-plugins: an empty item in 'platforms,'");
    expect_error(",platforms", NULL,
                 "--qt-plugins: an empty item in ',platforms'");
    expect_error("platforms, ,styles", NULL,
                 "--qt-plugins: an empty item in 'platforms, ,styles'");
    expect_error("+", NULL,
                 "--qt-plugins: bad group name '+' (letters a-z, digits, "
                 "'-' and '_')");
}

Test(qt_plugins, bad_names)
{
    expect_error("Platforms", NULL,
                 "--qt-plugins: bad group name 'Platforms' (letters a-z, "
                 "digits, '-' and '_')");
    expect_error("+../lib", NULL,
                 "--qt-plugins: bad group name '+../lib' (letters a-z, "
                 "digits, '-' and '_')");
    expect_error("platforms;styles", NULL,
                 "--qt-plugins: bad group name 'platforms;styles' (letters "
                 "a-z, digits, '-' and '_')");
    expect_error("--styles", NULL,
                 "--qt-plugins: bad group name '--styles' (letters a-z, "
                 "digits, '-' and '_')");
    expect_error("-all", NULL,
                 "--qt-plugins: '-all' drops every group: name the groups "
                 "to keep");
}

Test(qt_plugins, a_group_named_twice)
{
    expect_error("platforms,platforms", NULL,
                 "--qt-plugins: group 'platforms' named twice");
    expect_error("+sqldrivers,+sqldrivers", NULL,
                 "--qt-plugins: group 'sqldrivers' named twice");
    expect_error("styles,-styles", NULL,
                 "--qt-plugins: group 'styles' named twice");
    expect_error("all,+all", NULL, "--qt-plugins: group 'all' named twice");
}

Test(qt_plugins, unknown_groups)
{
    fz_strvec avail = available();
    fz_strvec none = FZ_STRVEC_INIT;

    expect_error("+sensors", &avail,
                 "--qt-plugins: unknown Qt plugin group 'sensors' (the groups "
                 "here: bearer, imageformats, platforms, sqldrivers, styles)");
    expect_error("platforms,imagefromats", &avail,
                 "--qt-plugins: unknown Qt plugin group 'imagefromats' (the "
                 "groups here: bearer, imageformats, platforms, sqldrivers, "
                 "styles)");
    expect_error("-stlyes", &avail,
                 "--qt-plugins: unknown Qt plugin group 'stlyes' (the groups "
                 "here: bearer, imageformats, platforms, sqldrivers, styles)");
    expect_error("sensors", &none,
                 "--qt-plugins: unknown Qt plugin group 'sensors' (the groups "
                 "here: none)");
    /* syntax only: any well-formed name passes */
    expect_groups("+sensors", NULL, FZ_QT_DEFAULT_GROUPS ",sensors");
    /* a default group is known even where it is not installed */
    expect_groups("-platformthemes,-iconengines", &avail,
                  "platforms,platforminputcontexts,imageformats,styles,"
                  "xcbglintegrations");
    fz_strvec_dispose(&avail);
}
