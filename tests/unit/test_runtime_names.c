/*
 * test_runtime_names.c - the runtime's module name rules (names.c): dotted
 * names to paths, lookups in a payload, namespaces and directory listings.
 */
#include "fz_error.h"
#include "fz_payload.h"
#include "names.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PY311 ((3u << 24) | (11u << 16))
#define MAGIC311 (3495u | (0x0a0du << 16))
#define EXT ".cpython-311-x86_64-linux-gnu.so"

static void *bytes;
static fz_payload *payload;

/* Every shape of name the importer meets. */
static const struct {
    const char *name;
    fz_entry_kind kind;
} entries[] = {
    {"app.pyc", FZ_ENTRY_MODULE},
    {"app.py", FZ_ENTRY_SOURCE},
    {"pkg/__init__.pyc", FZ_ENTRY_PACKAGE},
    {"pkg/__init__.py", FZ_ENTRY_SOURCE},
    {"pkg/mod.pyc", FZ_ENTRY_MODULE},
    {"pkg/nosrc.pyc", FZ_ENTRY_MODULE},
    {"pkg/_speed" EXT, FZ_ENTRY_EXTENSION},
    {"pkg/old.abi3.so", FZ_ENTRY_EXTENSION},
    {"pkg/data/table.txt", FZ_ENTRY_DATA},
    {"pkg/sub/__init__.pyc", FZ_ENTRY_PACKAGE},
    {"pkg/sub/deep.pyc", FZ_ENTRY_MODULE},
    {"pkg/both.pyc", FZ_ENTRY_MODULE},
    {"pkg/both" EXT, FZ_ENTRY_EXTENSION},
    {"pkg/both.data/x.txt", FZ_ENTRY_DATA},
    {"ns/inner/leaf.pyc", FZ_ENTRY_MODULE},
    {"_json" EXT, FZ_ENTRY_EXTENSION},
    {"libfoo.so", FZ_ENTRY_NATIVE_LIB},
    {"foo-1.0.dist-info/METADATA", FZ_ENTRY_METADATA},
    {"wrongkind/__init__.pyc", FZ_ENTRY_DATA},
};

static void
build(void)
{
    fz_payload_writer_options o = {.python_version = PY311,
                                   .bytecode_magic = MAGIC311,
                                   .level = 1};
    fz_payload_writer *w = NULL;
    size_t size, i;

    cr_assert_eq(fz_payload_writer_new(&w, &o), FZ_OK);
    for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
        cr_assert_eq(fz_payload_writer_add(w, entries[i].name, entries[i].kind,
                                           0, 0644, entries[i].name,
                                           strlen(entries[i].name)),
                     FZ_OK, "%s: %s", entries[i].name, fz_error_message());
    }
    cr_assert_eq(fz_payload_writer_set_main(w, "app.pyc"), FZ_OK);
    cr_assert_eq(fz_payload_writer_finish(w, &bytes, &size), FZ_OK, "%s",
                 fz_error_message());
    fz_payload_writer_free(w);
    cr_assert_eq(fz_payload_open(&payload, bytes, size, PY311, MAGIC311), FZ_OK,
                 "%s", fz_error_message());
}

static void
teardown(void)
{
    fz_payload_free(payload);
    free(bytes);
    payload = NULL;
    bytes = NULL;
}

TestSuite(names, .init = build, .fini = teardown);

/* Look up `path`; return the kind and copy __file__ into `file`. */
static fz_module_kind
lookup(const char *path, char *file, size_t cap)
{
    fz_module_info info;
    fz_module_kind kind;
    int rc = fz_names_lookup(&info, payload, path, strlen(path));

    if (rc == FZ_ENOTFOUND) {
        return FZ_MODULE_NONE;
    }
    cr_assert_eq(rc, FZ_OK);
    kind = info.kind;
    snprintf(file, cap, "%s", info.file ? info.file : "(none)");
    fz_module_info_clear(&info);
    return kind;
}

Test(names, dotted_names_become_paths)
{
    char *p;
    size_t n;

    cr_assert_eq(fz_names_dotted_to_path(&p, &n, "a.b.c", 5), FZ_OK);
    cr_assert_str_eq(p, "a/b/c");
    cr_assert_eq(n, 5);
    free(p);
    cr_assert_eq(fz_names_dotted_to_path(&p, &n, "mod", 3), FZ_OK);
    cr_assert_str_eq(p, "mod");
    free(p);
}

Test(names, bad_dotted_names_are_refused)
{
    static const char *bad[] = {"", ".", "a.", ".a", "a..b", "a/b", "a\\b"};
    char *p;
    size_t n, i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(fz_names_dotted_to_path(&p, &n, bad[i], strlen(bad[i])),
                     FZ_EINVAL, "'%s'", bad[i]);
        cr_assert_null(p);
    }
    cr_assert_eq(fz_names_dotted_to_path(&p, &n, "a\0b", 3), FZ_EINVAL);
}

Test(names, packages_modules_and_sources)
{
    char file[256];

    cr_assert_eq(lookup("pkg", file, sizeof(file)), FZ_MODULE_PACKAGE);
    cr_assert_str_eq(file, "pkg/__init__.py");
    cr_assert_eq(lookup("app", file, sizeof(file)), FZ_MODULE_PLAIN);
    cr_assert_str_eq(file, "app.py");
    /* Without a SOURCE entry __file__ is the .pyc path. */
    cr_assert_eq(lookup("pkg/nosrc", file, sizeof(file)), FZ_MODULE_PLAIN);
    cr_assert_str_eq(file, "pkg/nosrc.pyc");
    cr_assert_eq(lookup("pkg/sub", file, sizeof(file)), FZ_MODULE_PACKAGE);
    cr_assert_str_eq(file, "pkg/sub/__init__.pyc");
}

Test(names, extensions_in_suffix_order)
{
    char file[256];

    cr_assert_eq(lookup("_json", file, sizeof(file)), FZ_MODULE_EXTENSION);
    cr_assert_str_eq(file, "_json" EXT);
    cr_assert_eq(lookup("pkg/_speed", file, sizeof(file)), FZ_MODULE_EXTENSION);
    cr_assert_eq(lookup("pkg/old", file, sizeof(file)), FZ_MODULE_EXTENSION);
    cr_assert_str_eq(file, "pkg/old.abi3.so");
    /* A module beats an extension of the same name (docs/internals.md). */
    cr_assert_eq(lookup("pkg/both", file, sizeof(file)), FZ_MODULE_PLAIN);
}

Test(names, namespace_packages_and_misses)
{
    char file[256];

    cr_assert_eq(lookup("ns", file, sizeof(file)), FZ_MODULE_NAMESPACE);
    cr_assert_str_eq(file, "(none)");
    cr_assert_eq(lookup("ns/inner", file, sizeof(file)), FZ_MODULE_NAMESPACE);
    cr_assert_eq(lookup("ns/inner/leaf", file, sizeof(file)), FZ_MODULE_PLAIN);
    /* A data directory is importable as a namespace, as on disk. */
    cr_assert_eq(lookup("pkg/data", file, sizeof(file)), FZ_MODULE_NAMESPACE);
    cr_assert_eq(lookup("nothere", file, sizeof(file)), FZ_MODULE_NONE);
    cr_assert_eq(lookup("pkg/mo", file, sizeof(file)), FZ_MODULE_NONE);
    cr_assert_eq(lookup("", file, sizeof(file)), FZ_MODULE_NONE);
    /* Native libraries and metadata are never modules. */
    cr_assert_eq(lookup("libfoo", file, sizeof(file)), FZ_MODULE_NONE);
    /* An __init__.pyc of the wrong kind is not a package. */
    cr_assert_eq(lookup("wrongkind", file, sizeof(file)), FZ_MODULE_NAMESPACE);
}

Test(names, is_dir)
{
    cr_assert(fz_names_is_dir(payload, "", 0));
    cr_assert(fz_names_is_dir(payload, "pkg", 3));
    cr_assert(fz_names_is_dir(payload, "pkg/data", 8));
    cr_assert(fz_names_is_dir(payload, "ns/inner", 8));
    cr_assert_not(fz_names_is_dir(payload, "pk", 2));
    cr_assert_not(fz_names_is_dir(payload, "app", 3));
    cr_assert_not(fz_names_is_dir(payload, "pkg/mod", 7));
}

Test(names, module_stems)
{
    size_t stem;

    cr_assert_eq(fz_names_module_stem("mod.pyc", 7, &stem), FZ_MODULE_PLAIN);
    cr_assert_eq(stem, 3);
    cr_assert_eq(fz_names_module_stem("_json" EXT, strlen("_json" EXT), &stem),
                 FZ_MODULE_EXTENSION);
    cr_assert_eq(stem, 5);
    cr_assert_eq(fz_names_module_stem("x.abi3.so", 9, &stem),
                 FZ_MODULE_EXTENSION);
    cr_assert_eq(stem, 1);
    cr_assert_eq(fz_names_module_stem("mod.py", 6, &stem), FZ_MODULE_NONE);
    cr_assert_eq(fz_names_module_stem(".pyc", 4, &stem), FZ_MODULE_NONE);
    cr_assert_eq(fz_names_module_stem("a.b.pyc", 7, &stem), FZ_MODULE_NONE);
    cr_assert_eq(fz_names_module_stem("table.txt", 9, &stem), FZ_MODULE_NONE);
    cr_assert_eq(stem, 0);
}

/* Collects "name:ispkg," into a string. */
static int
collect(void *ctx, const char *name, size_t size, int is_pkg)
{
    char *out = ctx;
    size_t n = strlen(out);

    snprintf(out + n, 512 - n, "%.*s:%d,", (int)size, name, is_pkg);
    return 0;
}

static int
stop_at_first(void *ctx, const char *name, size_t size, int is_pkg)
{
    (*(int *)ctx)++;
    return 7;
}

Test(names, lists_children_like_pkgutil)
{
    char out[512] = "";
    int calls = 0;

    cr_assert_eq(fz_names_list(payload, "pkg", 3, collect, out), 0);
    /* Sorted entry order; "both" twice (module and extension), callers
     * dedupe; data/ and both.data/ are no packages; __init__ is skipped. */
    cr_assert_str_eq(out, "_speed:0,both:0,both:0,mod:0,nosrc:0,old:0,"
                          "sub:1,");
    out[0] = '\0';
    cr_assert_eq(fz_names_list(payload, "", 0, collect, out), 0);
    cr_assert_str_eq(out, "_json:0,app:0,pkg:1,");
    out[0] = '\0';
    cr_assert_eq(fz_names_list(payload, "ns", 2, collect, out), 0);
    cr_assert_str_eq(out, "");
    cr_assert_eq(fz_names_list(payload, "nothere", 7, collect, out), 0);
    cr_assert_str_eq(out, "");
    cr_assert_eq(fz_names_list(payload, "pkg", 3, stop_at_first, &calls), 7);
    cr_assert_eq(calls, 1);
}
