/*
 * test_extras.c - data globs and walks, hook files, metadata discovery and
 * the dynamic-import scan (data.c, hooks.c, metadata.c, dynscan.c).
 */
#include "data.h"
#include "dynscan.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "hooks.h"
#include "metadata.h"
#include "pyembed.h"

#include <criterion/criterion.h>
#include <string.h>

#define DIR FZ_TEST_DATA_DIR "/extras"

static void
init(void)
{
    cr_assert_eq(fz_pyembed_init(), 0, "%s", fz_error_message());
}

TestSuite(extras, .init = init);

Test(extras, glob_matches_path_and_basename)
{
    cr_expect(fz_data_glob_match("*.txt", "pkg/data/a.txt"));
    cr_expect(fz_data_glob_match("pkg/*/a.txt", "pkg/data/a.txt"));
    cr_expect(fz_data_glob_match("pkg/*", "pkg/data/a.txt"));
    cr_expect_not(fz_data_glob_match("*.json", "pkg/data/a.txt"));
    cr_expect_not(fz_data_glob_match("other/*", "pkg/data/a.txt"));
}

Test(extras, code_is_not_data)
{
    cr_expect(fz_data_is_code("m.py"));
    cr_expect(fz_data_is_code("m.pyc"));
    cr_expect(fz_data_is_code("m.pyi"));
    cr_expect(fz_data_is_code("_x.cpython-311-x86_64-linux-gnu.so"));
    cr_expect(fz_data_is_code("libfoo.so.1.2"));
    cr_expect_not(fz_data_is_code("grammar.txt"));
    cr_expect_not(fz_data_is_code("py.typed"));
    cr_expect_not(fz_data_is_code("notes.so.txt"));
}

static fz_module
demo_package(void)
{
    fz_module m;

    memset(&m, 0, sizeof(m));
    m.name = "demo";
    m.kind = FZ_MOD_PACKAGE;
    m.origin = FZ_ORIGIN_SITE;
    cr_assert_eq(fz_strvec_push(&m.search, DIR "/site/demo"), 0);
    return m;
}

static int
has_entry(const fz_filelist *l, const char *entry)
{
    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(l->items[i].entry, entry) == 0) {
            return 1;
        }
    }
    return 0;
}

Test(extras, package_data_skips_code_and_subpackages)
{
    fz_module m = demo_package();
    fz_filelist l = {0};

    cr_assert_eq(fz_data_add_package(&l, &m, NULL, 0, "data of demo"), 0);
    fz_filelist_finish(&l);
    cr_expect(has_entry(&l, "demo/assets/a.txt"));
    cr_expect(has_entry(&l, "demo/assets/b.json"));
    cr_expect(has_entry(&l, "demo/conf.ini"));
    cr_expect_not(has_entry(&l, "demo/inner/i.txt"), "a subpackage");
    cr_expect_not(has_entry(&l, "demo/types.pyi"));
    cr_expect_not(has_entry(&l, "demo/mod.py"));
    cr_expect_eq(l.items[0].kind, FZ_ENTRY_DATA);
    fz_filelist_dispose(&l);
    fz_strvec_dispose(&m.search);
}

Test(extras, collect_data_takes_subpackages_and_excludes_apply)
{
    fz_module m = demo_package();
    fz_strvec ex = FZ_STRVEC_INIT;
    fz_filelist l = {0};

    cr_assert_eq(fz_strvec_push(&ex, "*.json"), 0);
    cr_assert_eq(fz_data_add_package(&l, &m, &ex, 1, "collect_data"), 0);
    cr_expect(has_entry(&l, "demo/inner/i.txt"));
    cr_expect_not(has_entry(&l, "demo/assets/b.json"));
    fz_filelist_dispose(&l);
    fz_strvec_dispose(&ex);
    fz_strvec_dispose(&m.search);
}

Test(extras, add_data_specs)
{
    fz_filelist l = {0};

    cr_assert_eq(fz_data_add_spec(&l, DIR "/site/demo/conf.ini:etc/cfg", NULL,
                                  FZ_ENTRY_DATA, "--add-data"),
                 0, "%s", fz_error_message());
    cr_assert_eq(fz_data_add_spec(&l, DIR "/site/demo/assets:.", NULL,
                                  FZ_ENTRY_DATA, "--add-data"),
                 0);
    cr_assert_eq(fz_data_add_spec(&l, DIR "/site/demo/assets/*.txt:g", NULL,
                                  FZ_ENTRY_DATA, "--add-data"),
                 0);
    fz_filelist_finish(&l);
    cr_expect(has_entry(&l, "etc/cfg/conf.ini"));
    cr_expect(has_entry(&l, "a.txt"));
    cr_expect(has_entry(&l, "b.json"));
    cr_expect(has_entry(&l, "g/a.txt"));
    cr_expect_eq(fz_data_add_spec(&l, "x:../up", NULL, FZ_ENTRY_DATA, ""),
                 FZ_EINVAL);
    cr_expect_eq(fz_data_add_spec(&l, "nodest", NULL, FZ_ENTRY_DATA, ""),
                 FZ_EINVAL);
    cr_expect_eq(
        fz_data_add_spec(&l, DIR "/nothing-here:.", NULL, FZ_ENTRY_DATA, ""),
        FZ_ENOTFOUND);
    fz_filelist_dispose(&l);
}

Test(extras, filelist_keeps_first_of_duplicates)
{
    fz_filelist l = {0};

    cr_assert_eq(fz_filelist_add(&l, "/a", "x/y", FZ_ENTRY_DATA, "first"), 0);
    cr_assert_eq(fz_filelist_add(&l, "/b", "x/y", FZ_ENTRY_DATA, "second"), 0);
    cr_assert_eq(fz_filelist_add(&l, "/c", "a", FZ_ENTRY_DATA, "other"), 0);
    cr_expect_eq(fz_filelist_add(&l, "/d", "../x", FZ_ENTRY_DATA, ""),
                 FZ_EINVAL);
    fz_filelist_finish(&l);
    cr_assert_eq(l.count, 2);
    cr_expect_str_eq(l.items[0].entry, "a");
    cr_expect_str_eq(l.items[1].reason, "first");
    fz_filelist_dispose(&l);
}

Test(extras, submodules_listed_from_disk)
{
    fz_module m = demo_package();
    fz_strvec subs = FZ_STRVEC_INIT;

    cr_assert_eq(fz_data_list_submodules(&subs, &m), 0);
    cr_expect(fz_strvec_contains(&subs, "demo.mod"));
    cr_expect(fz_strvec_contains(&subs, "demo.inner"));
    cr_expect_not(fz_strvec_contains(&subs, "demo.assets"));
    fz_strvec_dispose(&subs);
    fz_strvec_dispose(&m.search);
}

Test(extras, hook_file_parsed)
{
    fz_hook h;

    cr_assert_eq(fz_hook_parse(&h, DIR "/hooks/demo.toml"), 0, "%s",
                 fz_error_message());
    cr_expect_str_eq(h.module, "demo");
    cr_assert_eq(h.hidden_imports.count, 1);
    cr_expect_str_eq(h.hidden_imports.items[0], "demo.mod");
    cr_assert_eq(h.collect_data.count, 1, "a single string is a list");
    cr_expect_str_eq(h.copy_metadata.items[0], "Demo-Pkg");
    cr_expect_eq(h.excludes.count, 0);
    fz_hook_dispose(&h);
}

Test(extras, hook_unknown_key_refused)
{
    fz_hook h;

    cr_expect_eq(fz_hook_parse(&h, DIR "/badhooks/demo.toml"), FZ_EFORMAT);
    cr_expect(strstr(fz_error_message(), "unknown key 'frobnicate'") != NULL,
              "%s", fz_error_message());
}

Test(extras, later_hook_dir_overrides)
{
    fz_strvec dirs = FZ_STRVEC_INIT;
    fz_hookset *s = NULL;

    cr_assert_eq(fz_strvec_push(&dirs, DIR "/hooks"), 0);
    cr_assert_eq(fz_strvec_push(&dirs, DIR "/does-not-exist"), 0);
    cr_assert_eq(fz_hooks_load(&s, &dirs), 0, "%s", fz_error_message());
    cr_assert_not_null(fz_hooks_find(s, "demo"));
    cr_expect_null(fz_hooks_find(s, "other"));
    fz_hookset_free(s);
    fz_strvec_dispose(&dirs);
}

Test(extras, bundled_hooks_parse)
{
    fz_strvec dirs = FZ_STRVEC_INIT;
    fz_hookset *s = NULL;
    char *def = fz_hooks_default_dir();

    cr_assert_not_null(def, "%s", fz_error_message());
    cr_assert_eq(fz_strvec_push(&dirs, def), 0);
    cr_assert_eq(fz_hooks_load(&s, &dirs), 0, "%s", fz_error_message());
    cr_expect_not_null(fz_hooks_find(s, "pygments"));
    cr_expect_not_null(fz_hooks_find(s, "pkg_resources"));
    fz_hookset_free(s);
    fz_strvec_dispose(&dirs);
    free(def);
}

Test(extras, metadata_discovered)
{
    fz_strvec dirs = FZ_STRVEC_INIT;
    fz_distset *s = NULL;
    const fz_dist *d;
    char *key = fz_metadata_normalize("Demo_Pkg..x");

    cr_expect_str_eq(key, "demo-pkg-x");
    free(key);
    cr_assert_eq(fz_strvec_push(&dirs, DIR "/site"), 0);
    cr_assert_eq(fz_metadata_discover(&s, &dirs), 0, "%s", fz_error_message());
    d = fz_distset_find(s, "demo.pkg");
    cr_assert_not_null(d);
    cr_expect_str_eq(d->version, "2.0");
    cr_expect(fz_strvec_contains(&d->top, "demo"), "top level from RECORD");
    cr_expect_eq(fz_distset_providing(s, "demo"), d);
    cr_assert_eq(d->requires.count, 1, "extras are not followed");
    cr_expect_str_eq(d->requires.items[0], "other");
    cr_assert_eq(d->ep_group.count, 1);
    cr_expect_str_eq(d->ep_value.items[0], "demo.mod:f");
    cr_expect(fz_strvec_contains(&d->entries, "demo-2.0.dist-info/METADATA"));
    fz_distset_free(s);
    fz_strvec_dispose(&dirs);
}

Test(extras, dynamic_imports_found)
{
    static const char src[] =
        "import importlib\n"
        "from importlib.metadata import entry_points\n"
        "KINDS = ['a', 'b']\n"
        "BASE = 'plugins'\n"
        "for k in ['x', 'y']:\n"
        "    importlib.import_module(f'plugins.{k}')\n"
        "mods = [importlib.import_module(BASE + '.' + n) for n in KINDS]\n"
        "importlib.import_module('.rel', __package__)\n"
        "importlib.import_module(input())\n"
        "entry_points(group='app.plugins')\n"
        "importlib.resources.files('app.data')\n";
    fz_dynscan s = {0};

    cr_assert_eq(fz_dynscan_wanted(src, sizeof(src) - 1), 1);
    cr_assert_eq(fz_dynscan_source(&s, src, sizeof(src) - 1, "app.main", "app"),
                 0, "%s", fz_error_message());
    cr_expect(fz_strvec_contains(&s.imports, "plugins.x"));
    cr_expect(fz_strvec_contains(&s.imports, "plugins.y"));
    cr_expect(fz_strvec_contains(&s.imports, "plugins.a"));
    cr_expect(fz_strvec_contains(&s.imports, "plugins.b"));
    cr_expect(fz_strvec_contains(&s.imports, "app.rel"));
    cr_expect_eq(s.imports.count, 5);
    cr_expect(fz_strvec_contains(&s.groups, "app.plugins"));
    cr_expect(fz_strvec_contains(&s.resources, "app.data"));
    fz_dynscan_dispose(&s);
}

Test(extras, dynamic_scan_survives_bad_source)
{
    static const char src[] = "import_module(f'{' +\n";
    fz_dynscan s = {0};

    cr_assert_eq(fz_dynscan_source(&s, src, sizeof(src) - 1, "m", ""), 0);
    cr_expect_eq(s.imports.count, 0);
    fz_dynscan_dispose(&s);
}
