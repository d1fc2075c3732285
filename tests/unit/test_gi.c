/*
 * test_gi.c - the typelib header reader and the typelib closure (gi.c) on
 * the system's Gtk-3.0.typelib (skipped when gir1.2-gtk-3.0 is missing)
 * and on truncated and hostile copies of it.
 */
#define _GNU_SOURCE
#include "fz_error.h"
#include "fz_payload.h"
#include "gi.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GIR_DIR "/usr/lib/x86_64-linux-gnu/girepository-1.0"
#define GTK_TYPELIB GIR_DIR "/Gtk-3.0.typelib"

static char dir[] = "/tmp/fz-gi-test-XXXXXX";

static void
setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(gi, .init = setup, .fini = teardown);

/* The real typelib in `file`; skips the test when it is not installed. */
static void
load_gtk(fz_buf *file)
{
    if (access(GTK_TYPELIB, R_OK) != 0) {
        cr_skip_test("%s not installed", GTK_TYPELIB);
    }
    cr_assert_eq(fz_file_read(file, GTK_TYPELIB), 0, "%s", fz_error_message());
}

static void
put_u32(char *p, uint32_t v)
{
    p[0] = (char)(v & 0xff);
    p[1] = (char)(v >> 8 & 0xff);
    p[2] = (char)(v >> 16 & 0xff);
    p[3] = (char)(v >> 24 & 0xff);
}

Test(gi, reads_the_real_gtk_typelib)
{
    fz_buf file = FZ_BUF_INIT;
    fz_typelib_info t;

    load_gtk(&file);
    cr_assert_eq(fz_gi_typelib_parse(&t, file.data, file.size, "Gtk"), 0, "%s",
                 fz_error_message());
    cr_expect_str_eq(t.name_space, "Gtk");
    cr_expect_str_eq(t.version, "3.0");
    cr_expect(fz_strvec_contains(&t.dependencies, "Gdk-3.0"));
    cr_expect(fz_strvec_contains(&t.dependencies, "Atk-1.0"));
    cr_expect_eq(t.libraries.count, 1);
    cr_expect_str_eq(t.libraries.items[0], "libgtk-3.so.0");
    fz_gi_typelib_dispose(&t);
    fz_buf_dispose(&file);
}

/* Every prefix shorter than the recorded size is refused, never read
 * past: the header says how long the typelib is. */
Test(gi, truncated_copies_are_refused)
{
    static const size_t cuts[] = {0, 1, 15, 16, 40, 111, 112, 200, 4096};
    fz_buf file = FZ_BUF_INIT;

    load_gtk(&file);
    for (size_t i = 0; i < sizeof(cuts) / sizeof(*cuts); i++) {
        fz_typelib_info t;
        void *copy = malloc(cuts[i] ? cuts[i] : 1);
        int rc;

        cr_assert_not_null(copy);
        memcpy(copy, file.data, cuts[i]);
        rc = fz_gi_typelib_parse(&t, copy, cuts[i], "cut");
        cr_expect_eq(rc, FZ_EFORMAT, "%zu bytes: rc %d", cuts[i], rc);
        cr_expect(strstr(fz_error_message(), "cut:") != NULL, "%s",
                  fz_error_message());
        cr_expect_null(t.name_space);
        free(copy);
    }
    /* one byte short of the recorded size */
    {
        fz_typelib_info t;

        cr_expect_eq(fz_gi_typelib_parse(&t, file.data, file.size - 1, "short"),
                     FZ_EFORMAT);
        cr_expect(strstr(fz_error_message(), "truncated") != NULL, "%s",
                  fz_error_message());
    }
    fz_buf_dispose(&file);
}

/* A hostile header: one field changed; the reader names the problem. */
struct hostile {
    size_t offset; /* byte offset of the field */
    int width;     /* 1 or 4 */
    uint32_t value;
    char message[32]; /* expected in the error (no pointers: Criterion
                         copies parameters into another process) */
};

static struct hostile hostile_cases[] = {
    {0, 1, 'X', "bad magic"},
    {16, 1, 3, "format 3"},
    {40, 4, 0xffffffffu, "truncated"},
    {40, 4, 10, "truncated"},
    {44, 4, 0, "missing namespace"},
    {44, 4, 5, "outside the typelib"},
    {48, 4, 0xfffffff0u, "outside the typelib"},
    {36, 4, 0x7fffffffu, "outside the typelib"},
    {52, 4, 100, "outside the typelib"},
};

ParameterizedTestParameters(gi, hostile_headers)
{
    return cr_make_param_array(struct hostile, hostile_cases,
                               sizeof(hostile_cases) / sizeof(*hostile_cases));
}

ParameterizedTest(struct hostile *h, gi, hostile_headers)
{
    fz_buf file = FZ_BUF_INIT;
    fz_typelib_info t;

    load_gtk(&file);
    if (h->width == 1) {
        file.data[h->offset] = (char)h->value;
    } else {
        put_u32(file.data + h->offset, h->value);
    }
    cr_expect_eq(fz_gi_typelib_parse(&t, file.data, file.size, "bad"),
                 FZ_EFORMAT);
    cr_expect(strstr(fz_error_message(), h->message) != NULL,
              "field at %zu: '%s' lacks '%s'", h->offset, fz_error_message(),
              h->message);
    fz_buf_dispose(&file);
}

/* Strings that end at the end of the file, or name paths, are refused. */
Test(gi, hostile_strings)
{
    fz_buf file = FZ_BUF_INIT;
    fz_typelib_info t;
    uint32_t off;

    load_gtk(&file);
    /* the shared_library string: make it "../x" */
    off = (uint32_t)(unsigned char)file.data[52] |
          (uint32_t)(unsigned char)file.data[53] << 8;
    memcpy(file.data + off, "../x", 5);
    cr_expect_eq(fz_gi_typelib_parse(&t, file.data, file.size, "lib"),
                 FZ_EFORMAT);
    cr_expect(strstr(fz_error_message(), "shared_library") != NULL, "%s",
              fz_error_message());
    /* the last byte of the file is not NUL: a string there runs off */
    file.data[file.size - 1] = 'x';
    put_u32(file.data + 52, (uint32_t)file.size - 1);
    cr_expect_eq(fz_gi_typelib_parse(&t, file.data, file.size, "end"),
                 FZ_EFORMAT);
    cr_expect(strstr(fz_error_message(), "not terminated") != NULL, "%s",
              fz_error_message());
    fz_buf_dispose(&file);
}

Test(gi, read_reports_a_missing_file)
{
    fz_typelib_info t;

    cr_expect_lt(fz_gi_typelib_read(&t, "/nonexistent/X-1.0.typelib"), 0);
    cr_expect(strstr(fz_error_message(), "/nonexistent/X-1.0.typelib") != NULL);
}

/* Gtk-3.0 pulls in its dependencies transitively; a bare name takes the
 * newest version; a missing namespace is a warning, not an error. */
Test(gi, collect_follows_dependencies)
{
    fz_filelist files = {0};
    fz_strvec libs = FZ_STRVEC_INIT;
    fz_strvec warns = FZ_STRVEC_INIT;
    fz_strvec bundled = FZ_STRVEC_INIT;
    fz_strvec wanted = FZ_STRVEC_INIT;
    int found_gdk = 0;

    if (access(GTK_TYPELIB, R_OK) != 0) {
        cr_skip_test("%s not installed", GTK_TYPELIB);
    }
    cr_assert_eq(fz_strvec_push(&wanted, "Gtk-3.0"), 0);
    cr_assert_eq(fz_strvec_push(&wanted, "NoSuchNamespace"), 0);
    cr_assert_eq(
        fz_gi_collect(&files, &libs, &warns, &bundled, &wanted, GIR_DIR), 0,
        "%s", fz_error_message());
    cr_expect(fz_strvec_contains(&bundled, "Gtk-3.0"));
    cr_expect(fz_strvec_contains(&bundled, "Gdk-3.0"));
    cr_expect(fz_strvec_contains(&bundled, "GObject-2.0"));
    cr_expect(fz_strvec_contains(&bundled, "GLib-2.0"));
    cr_expect(fz_strvec_contains(&libs, "libgtk-3.so.0"));
    cr_expect(fz_strvec_contains(&libs, "libgdk-3.so.0"));
    for (size_t i = 0; i < files.count; i++) {
        cr_expect_eq(files.items[i].kind, FZ_ENTRY_DATA);
        cr_expect_eq(strncmp(files.items[i].entry, "gi_typelibs/", 12), 0);
        found_gdk |=
            strcmp(files.items[i].entry, "gi_typelibs/Gdk-3.0.typelib") == 0;
    }
    cr_expect(found_gdk);
    cr_expect_eq(warns.count, 1);
    cr_expect(strstr(warns.items[0], "NoSuchNamespace") != NULL);
    fz_filelist_dispose(&files);
    fz_strvec_dispose(&libs);
    fz_strvec_dispose(&warns);
    fz_strvec_dispose(&bundled);
    fz_strvec_dispose(&wanted);
}

/* A damaged typelib in the search path fails the collection with its
 * name. */
Test(gi, collect_reports_a_damaged_typelib)
{
    fz_filelist files = {0};
    fz_strvec libs = FZ_STRVEC_INIT;
    fz_strvec warns = FZ_STRVEC_INIT;
    fz_strvec bundled = FZ_STRVEC_INIT;
    fz_strvec wanted = FZ_STRVEC_INIT;
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/Bad-1.0.typelib", dir);
    f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs("GOBJ\nMETADATA\r\n\032", f);
    fclose(f);
    cr_assert_eq(fz_strvec_push(&wanted, "Bad"), 0);
    cr_expect_eq(fz_gi_collect(&files, &libs, &warns, &bundled, &wanted, dir),
                 FZ_EFORMAT);
    cr_expect(strstr(fz_error_message(), "Bad-1.0.typelib") != NULL, "%s",
              fz_error_message());
    fz_filelist_dispose(&files);
    fz_strvec_dispose(&libs);
    fz_strvec_dispose(&warns);
    fz_strvec_dispose(&bundled);
    fz_strvec_dispose(&wanted);
}
