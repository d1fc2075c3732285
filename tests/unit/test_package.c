/*
 * test_package.c - the pieces of what users receive: app ids, desktop
 * entries, Info.plist, md5 (package.c, desktop.c, appbundle.c,
 * md5.c) and the onedir payload split (onedir.c). Icons: test_icon.c.
 */
#include "appbundle.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "md5.h"
#include "onedir.h"
#include "package.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

Test(package, app_id_rules)
{
    cr_expect(fz_desktop_app_id_valid("org.example.App"));
    cr_expect(fz_desktop_app_id_valid("io.github.some_user.my-app"));
    cr_expect_not(fz_desktop_app_id_valid("app"));
    cr_expect_not(fz_desktop_app_id_valid("org..app"));
    cr_expect_not(fz_desktop_app_id_valid(".org.app"));
    cr_expect_not(fz_desktop_app_id_valid("org.app."));
    cr_expect_not(fz_desktop_app_id_valid("org.1app"));
    cr_expect_not(fz_desktop_app_id_valid("org.my app"));
    cr_expect_not(fz_desktop_app_id_valid(""));
}

Test(package, plist_fields)
{
    fz_package_config pc = {0};
    fz_buf out = FZ_BUF_INIT;

    pc.app_id = "org.example.A";
    pc.app_version = "2.0";
    cr_assert_eq(fz_appbundle_plist(&out, &pc, "a<b", 1), 0);
    cr_expect_not_null(strstr(out.data, "<key>CFBundleIdentifier</key>\n"
                                        "\t<string>org.example.A</string>"));
    cr_expect_not_null(strstr(out.data, "<string>2.0</string>"));
    cr_expect_not_null(strstr(out.data, "<string>a&lt;b</string>"));
    cr_expect_not_null(strstr(out.data, "<string>org.example.A.icns</string>"));
    fz_buf_dispose(&out);
}

Test(package, md5)
{
    char hex[33];

    fz_md5_hex(hex, "", 0);
    cr_expect_str_eq(hex, "d41d8cd98f00b204e9800998ecf8427e");
    fz_md5_hex(hex, "abc", 3);
    cr_expect_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
}

Test(package, desktop_entry_quotes_exec)
{
    char dir[] = "/tmp/fz-desktop-XXXXXX";
    fz_package_config pc = {0};
    fz_buf text = FZ_BUF_INIT;
    fz_buf path = FZ_BUF_INIT;

    cr_assert_not_null(mkdtemp(dir));
    pc.windowed = 1;
    pc.description = "two\nlines";
    cr_assert_eq(fz_desktop_write(dir, &pc, "demo", "/opt/my \"app\"/demo"), 0,
                 "%s", fz_error_message());
    fz_buf_printf(&path, "%s/applications/demo.desktop", dir);
    cr_assert_eq(fz_file_read(&text, path.data), 0);
    cr_expect_not_null(
        strstr(text.data, "Exec=\"/opt/my \\\\\"app\\\\\"/demo\"\n"));
    cr_expect_not_null(strstr(text.data, "Comment=two\\nlines\n"));
    cr_expect_not_null(strstr(text.data, "Terminal=false\n"));
    cr_expect_not_null(strstr(text.data, "Categories=Utility;\n"));
    cr_expect_null(strstr(text.data, "Icon="));
    fz_buf_dispose(&text);
    fz_buf_dispose(&path);
    fz_buf_printf(&path, "rm -rf %s", dir);
    cr_expect_eq(system(path.data), 0);
    fz_buf_dispose(&path);
}

/* Compressible file contents: stored zstd, hash of stored != raw. */
static const char *
long_text(size_t *size)
{
    static char text[4096];

    for (size_t i = 0; i < sizeof(text); i++) {
        text[i] = "onedir "[i % 7];
    }
    *size = sizeof(text);
    return text;
}

/* A payload with a module, two data files and the needs table. */
static void *
small_payload(size_t *size)
{
    fz_payload_writer_options o = {0};
    fz_payload_writer *w = NULL;
    void *out = NULL;
    const char *text;
    size_t text_size;

    o.python_version = 0x030b0000;
    o.bytecode_magic = 1;
    o.threads = 1;
    cr_assert_eq(fz_payload_writer_new(&w, &o), 0);
    cr_assert_eq(
        fz_payload_writer_add(w, "m.pyc", FZ_ENTRY_MODULE, 0, 0644, "code", 4),
        0);
    cr_assert_eq(fz_payload_writer_add(w, "pkg/data.txt", FZ_ENTRY_DATA, 0,
                                       0644, "hello data", 10),
                 0);
    text = long_text(&text_size);
    cr_assert_eq(fz_payload_writer_add(w, "pkg/long.txt", FZ_ENTRY_DATA, 0,
                                       0644, text, text_size),
                 0);
    cr_assert_eq(fz_payload_writer_add(w, ".freeze/needs", FZ_ENTRY_DATA, 0,
                                       0644, "a\tb\n", 4),
                 0);
    cr_assert_eq(fz_payload_writer_set_main(w, "m.pyc"), 0);
    cr_assert_eq(fz_payload_writer_finish(w, &out, size), 0);
    fz_payload_writer_free(w);
    return out;
}

Test(package, onedir_split)
{
    char dir[] = "/tmp/fz-onedir-XXXXXX";
    size_t size, split_size;
    void *payload = small_payload(&size);
    void *split = NULL;
    fz_payload *p = NULL;
    fz_entry e;
    fz_buf text = FZ_BUF_INIT;
    fz_buf path = FZ_BUF_INIT;
    char buf[16];

    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(fz_onedir_split(&split, &split_size, payload, size, dir), 0,
                 "%s", fz_error_message());
    cr_assert_eq(fz_payload_open(&p, split, split_size, 0, 0), 0, "%s",
                 fz_error_message());
    cr_expect_eq(fz_payload_flags(p), FZ_PAYLOAD_F_ONEDIR);
    cr_assert_eq(fz_payload_find(p, "pkg/data.txt", 12, &e), 0);
    cr_expect(e.flags & FZ_ENTRY_F_EXTERNAL);
    cr_expect_eq(e.stored_size, 0);
    cr_expect_eq(e.raw_size, 10);
    cr_expect_eq(e.hash, XXH3_64bits("hello data", 10));
    /* An external entry's hash is the file's, not the stored bytes'. */
    {
        fz_payload *onefile = NULL;
        size_t text_size;
        const char *want = long_text(&text_size);

        cr_assert_eq(fz_payload_open(&onefile, payload, size, 0, 0), 0);
        cr_assert_eq(fz_payload_find(onefile, "pkg/long.txt", 12, &e), 0);
        cr_assert_lt(e.stored_size, text_size);
        cr_expect_neq(e.hash, XXH3_64bits(want, text_size));
        fz_payload_free(onefile);
        cr_assert_eq(fz_payload_find(p, "pkg/long.txt", 12, &e), 0);
        cr_expect(e.flags & FZ_ENTRY_F_EXTERNAL);
        cr_expect_eq(e.hash, XXH3_64bits(want, text_size));
    }
    cr_expect_eq(fz_payload_read(p, &e, buf, sizeof(buf)), FZ_EINVAL);
    /* the needs table stays readable from the payload */
    cr_assert_eq(fz_payload_find(p, ".freeze/needs", 13, &e), 0);
    cr_expect_not(e.flags & FZ_ENTRY_F_EXTERNAL);
    cr_expect_eq(fz_payload_read(p, &e, buf, sizeof(buf)), 0);
    cr_assert_eq(fz_payload_find(p, "m.pyc", 5, &e), 0);
    cr_expect_eq(fz_payload_read(p, &e, buf, sizeof(buf)), 0);
    cr_expect_eq(memcmp(buf, "code", 4), 0);
    /* the files */
    fz_buf_printf(&path, "%s/pkg/data.txt", dir);
    cr_assert_eq(fz_file_read(&text, path.data), 0);
    cr_expect_eq(text.size, 10);
    fz_payload_free(p);
    /* EXTERNAL in a payload without the onedir flag is an unknown bit */
    {
        uint8_t *b = split;
        uint64_t data_offset = 0, h;
        XXH3_state_t st;

        for (int i = 7; i >= 0; i--) {
            data_offset = (data_offset << 8) | b[72 + i];
        }
        b[12] = 0;
        XXH3_64bits_reset(&st);
        XXH3_64bits_update(&st, b, 104);
        XXH3_64bits_update(&st, b + 112, (size_t)(data_offset - 112));
        h = XXH3_64bits_digest(&st);
        for (int i = 0; i < 8; i++) {
            b[104 + i] = (uint8_t)(h >> (8 * i));
        }
    }
    cr_expect_eq(fz_payload_open(&p, split, split_size, 0, 0), FZ_EFORMAT);
    cr_expect_not_null(strstr(fz_error_message(), "unknown flags 0x2"), "%s",
                       fz_error_message());
    fz_buf_clear(&path);
    fz_buf_printf(&path, "rm -rf %s", dir);
    cr_expect_eq(system(path.data), 0);
    fz_buf_dispose(&path);
    fz_buf_dispose(&text);
    free(split);
    free(payload);
}
