/*
 * test_analyzer.c - the analyzer on small fixture programs
 * (tests/unit/data/analyzer): every import form, guards and branches.
 */
#include "analyzer.h"
#include "fz_error.h"
#include "hooks.h"
#include "pyembed.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define APP FZ_TEST_DATA_DIR "/analyzer/app/main.py"

static fz_graph *graph;

static void
setup(void)
{
    cr_assert_eq(fz_pyembed_init(), 0, "%s", fz_error_message());
}

static void
teardown(void)
{
    fz_graph_free(graph);
    graph = NULL;
}

TestSuite(analyzer, .init = setup, .fini = teardown);

static void
analyze_app(const char *const *hidden, size_t nhidden,
            const char *const *excludes, size_t nexcludes)
{
    fz_analyzer_config cfg = {0};
    int rc;

    cfg.script = APP;
    cfg.hidden = hidden;
    cfg.hidden_count = nhidden;
    cfg.excludes = excludes;
    cfg.exclude_count = nexcludes;
    cfg.no_runtime_roots = 1;
    rc = fz_analyze(&graph, &cfg);
    cr_assert_eq(rc, 0, "fz_analyze: %s", fz_error_message());
}

static const fz_module *
must_have(const char *name, fz_module_kind kind)
{
    const fz_module *m = fz_graph_find(graph, name);

    cr_assert_not_null(m, "%s is not in the graph", name);
    cr_expect_eq(m->kind, kind, "%s is %s, expected %s", name,
                 fz_module_kind_name(m->kind), fz_module_kind_name(kind));
    return m;
}

static void
must_not_have(const char *name)
{
    cr_expect_null(fz_graph_find(graph, name), "%s should not be in the graph",
                   name);
}

static int
has_line(const fz_strvec *v, const char *a, const char *b)
{
    for (size_t i = 0; i < v->count; i++) {
        if (strstr(v->items[i], a) && (b == NULL || strstr(v->items[i], b))) {
            return 1;
        }
    }
    return 0;
}

Test(analyzer, script_is_the_first_app_module)
{
    const fz_module *m;

    analyze_app(NULL, 0, NULL, 0);
    m = fz_graph_main(graph);
    cr_assert_str_eq(m->name, "main");
    cr_expect(m->is_main);
    cr_expect_eq(m->kind, FZ_MOD_SOURCE);
    cr_expect_eq(m->origin, FZ_ORIGIN_APP);
    cr_expect_eq(fz_graph_module(graph, 0), m);
}

Test(analyzer, absolute_imports_and_their_parents)
{
    const fz_module *m;

    analyze_app(NULL, 0, NULL, 0);
    m = must_have("pkg", FZ_MOD_PACKAGE);
    cr_expect_eq(m->origin, FZ_ORIGIN_APP);
    must_have("pkg.sub", FZ_MOD_SOURCE);
    /* os and os.path are frozen into libpython: in the graph, never
     * bundled; sys is builtin */
    must_have("os", FZ_MOD_FROZEN);
    must_have("os.path", FZ_MOD_FROZEN);
    must_have("sys", FZ_MOD_BUILTIN);
    m = must_have("typing", FZ_MOD_SOURCE);
    cr_expect_eq(m->origin, FZ_ORIGIN_STDLIB);
}

Test(analyzer, relative_imports)
{
    analyze_app(NULL, 0, NULL, 0);
    must_have("pkg.relmod", FZ_MOD_SOURCE);
    must_have("pkg.sibling", FZ_MOD_SOURCE);
    /* `from .sibling import name_in_sibling` is an attribute */
    must_not_have("pkg.sibling.name_in_sibling");
}

Test(analyzer, from_import_submodule_vs_attribute)
{
    const fz_module *m;

    analyze_app(NULL, 0, NULL, 0);
    m = must_have("pkg.helper", FZ_MOD_SOURCE);
    cr_expect(fz_strvec_contains(&m->importers, "main"));
    /* not a submodule: an attribute, neither a node nor a warning */
    must_not_have("pkg.not_a_module");
    cr_expect_not(has_line(fz_graph_warnings(graph), "not_a_module", NULL));
}

Test(analyzer, star_import_follows_all)
{
    analyze_app(NULL, 0, NULL, 0);
    must_have("pkg2", FZ_MOD_PACKAGE);
    must_have("pkg2.starred", FZ_MOD_SOURCE);
    must_not_have("pkg2.unstarred");
    must_not_have("pkg2.value");
}

Test(analyzer, literal_dynamic_imports)
{
    analyze_app(NULL, 0, NULL, 0);
    must_have("importlib", FZ_MOD_PACKAGE);
    must_have("dyn_target", FZ_MOD_SOURCE);
    must_have("dyn_target2", FZ_MOD_SOURCE);
    must_have("pkg.rel_dyn", FZ_MOD_SOURCE);
}

Test(analyzer, type_checking_blocks_are_skipped)
{
    analyze_app(NULL, 0, NULL, 0);
    must_not_have("typing_only_mod");
    must_not_have("typing_only_mod2");
}

Test(analyzer, platform_branches_evaluated_for_linux)
{
    analyze_app(NULL, 0, NULL, 0);
    must_have("linux_only", FZ_MOD_SOURCE);
    must_have("linux_only2", FZ_MOD_SOURCE);
    must_not_have("win_only");
    must_not_have("nt_only");
    must_not_have("py2_only");
}

Test(analyzer, flag_bound_twice_follows_both_branches)
{
    analyze_app(NULL, 0, NULL, 0);
    must_have("flag_true_branch", FZ_MOD_SOURCE);
    must_have("flag_false_branch", FZ_MOD_SOURCE);
}

Test(analyzer, main_block_of_the_script_is_live)
{
    analyze_app(NULL, 0, NULL, 0);
    must_have("main_block_dep", FZ_MOD_SOURCE);
}

Test(analyzer, namespace_package)
{
    const fz_module *m;

    analyze_app(NULL, 0, NULL, 0);
    m = must_have("nspkg", FZ_MOD_NAMESPACE);
    cr_expect_eq(m->search.count, 1);
    must_have("nspkg.mod", FZ_MOD_SOURCE);
}

Test(analyzer, guarded_imports_are_notes)
{
    const fz_module *m;

    analyze_app(NULL, 0, NULL, 0);
    m = must_have("optional_missing", FZ_MOD_MISSING);
    cr_expect(m->optional);
    must_have("guarded_tuple_missing", FZ_MOD_MISSING);
    cr_expect(has_line(fz_graph_notes(graph), "optional_missing", "main"));
    cr_expect_not(has_line(fz_graph_warnings(graph), "optional_missing", NULL));
    cr_expect_not(
        has_line(fz_graph_warnings(graph), "guarded_tuple_missing", NULL));
}

Test(analyzer, missing_modules_are_warnings_with_importers)
{
    const fz_module *m;

    analyze_app(NULL, 0, NULL, 0);
    m = must_have("really_missing", FZ_MOD_MISSING);
    cr_expect_not(m->optional);
    cr_expect(fz_strvec_contains(&m->importers, "main"));
    cr_expect(has_line(fz_graph_warnings(graph), "'really_missing'",
                       "imported by main"));
}

Test(analyzer, hidden_import_and_extension)
{
    const char *hidden[] = {"_json", "no_such_hidden_mod"};
    const fz_module *m;

    analyze_app(hidden, 2, NULL, 0);
    m = must_have("_json", FZ_MOD_EXTENSION);
    cr_expect_not_null(strstr(m->path, FZ_PY_EXT_SUFFIX));
    cr_expect_str_eq(m->reason, "hidden import");
    cr_expect(has_line(fz_graph_warnings(graph), "no_such_hidden_mod",
                       "hidden import"));
}

Test(analyzer, exclude_module_drops_it_and_its_submodules)
{
    const char *excludes[] = {"pkg", "really_missing"};

    analyze_app(NULL, 0, excludes, 2);
    must_not_have("pkg");
    must_not_have("pkg.sub");
    must_not_have("pkg.relmod");
    must_not_have("pkg.rel_dyn");
    must_not_have("really_missing");
    cr_expect_not(has_line(fz_graph_warnings(graph), "really_missing", NULL));
}

Test(analyzer, syntax_error_in_script_is_file_line_col)
{
    fz_analyzer_config cfg = {0};
    const char *script = FZ_TEST_DATA_DIR "/analyzer/bad/main.py";
    char expected[4096];
    int rc;

    cfg.script = script;
    cfg.no_runtime_roots = 1;
    rc = fz_analyze(&graph, &cfg);
    cr_assert_eq(rc, FZ_ESYNTAX, "rc %d: %s", rc, fz_error_message());
    cr_expect_null(graph);
    snprintf(expected, sizeof(expected), "%s:2:7: invalid syntax", script);
    cr_expect_str_eq(fz_error_message(), expected);
}

Test(analyzer, syntax_error_in_app_module_is_fatal)
{
    fz_analyzer_config cfg = {0};
    int rc;

    cfg.script = FZ_TEST_DATA_DIR "/analyzer/badmod/main.py";
    cfg.no_runtime_roots = 1;
    rc = fz_analyze(&graph, &cfg);
    cr_assert_eq(rc, FZ_ESYNTAX);
    cr_expect_not_null(strstr(fz_error_message(), "broken.py:1:5: '(' was "
                                                  "never closed"),
                       "%s", fz_error_message());
}

Test(analyzer, runtime_roots_are_always_added)
{
    fz_analyzer_config cfg = {0};
    int rc;

    cfg.script = FZ_TEST_DATA_DIR "/analyzer/app/dyn_target.py";
    rc = fz_analyze(&graph, &cfg);
    cr_assert_eq(rc, 0, "%s", fz_error_message());
    must_have("encodings", FZ_MOD_PACKAGE);
    must_have("encodings.utf_8", FZ_MOD_SOURCE);
    must_have("encodings.cp1252", FZ_MOD_SOURCE);
    /* CJK codecs carry extensions; only an import brings them. */
    must_not_have("encodings.gbk");
    must_not_have("_codecs_cn");
    must_not_have("encodings.bz2_codec");
    must_have("traceback", FZ_MOD_SOURCE);
    must_have("linecache", FZ_MOD_SOURCE);
}

/* With the runtime roots and the stub's fz-ext directory, as a freeze. */
static void
analyze_with_roots(const char *script)
{
    fz_analyzer_config cfg = {0};
    int rc;

    cfg.script = script;
    cfg.stub_ext_dir = FZ_TEST_STUB_EXT_DIR;
    rc = fz_analyze(&graph, &cfg);
    cr_assert_eq(rc, 0, "%s", fz_error_message());
}

Test(analyzer, unicodedata_is_an_extension_only_when_needed)
{
    /* The stub leaves unicodedata out; re reaches it only for \N{...}. */
    analyze_with_roots(FZ_TEST_DATA_DIR "/analyzer/codecs/plain.py");
    must_have("re._parser", FZ_MOD_SOURCE);
    must_not_have("unicodedata");
    must_not_have("encodings.idna");
    fz_graph_free(graph);
    graph = NULL;

    analyze_with_roots(FZ_TEST_DATA_DIR "/analyzer/codecs/named_escape.py");
    must_have("unicodedata", FZ_MOD_EXTENSION);
}

Test(analyzer, codecs_named_in_strings_are_bundled)
{
    analyze_with_roots(FZ_TEST_DATA_DIR "/analyzer/codecs/by_name.py");
    must_have("encodings.shift_jis", FZ_MOD_SOURCE);
    must_have("_codecs_jp", FZ_MOD_EXTENSION);
    must_have("encodings.idna", FZ_MOD_SOURCE);
    must_have("unicodedata", FZ_MOD_EXTENSION);
    /* Named nowhere: still left out. */
    must_not_have("encodings.gbk");
    must_not_have("encodings.bz2_codec");
}

/* `script` analyzed with the hooks of analyzer/edges/hooks. */
static void
analyze_with_hooks(const char *script)
{
    fz_strvec dirs = FZ_STRVEC_INIT;
    fz_analyzer_config cfg = {0};
    fz_hookset *hooks = NULL;
    int rc;

    cr_assert_eq(fz_strvec_push(&dirs, FZ_TEST_DATA_DIR
                                "/analyzer/edges/hooks"), 0);
    cr_assert_eq(fz_hooks_load(&hooks, &dirs), 0, "%s", fz_error_message());
    cfg.script = script;
    cfg.hooks = hooks;
    cfg.no_runtime_roots = 1;
    rc = fz_analyze(&graph, &cfg);
    fz_hookset_free(hooks);
    fz_strvec_dispose(&dirs);
    cr_assert_eq(rc, 0, "%s", fz_error_message());
}

Test(analyzer, hook_excluded_imports_drop_the_package_s_edges_only)
{
    analyze_with_hooks(FZ_TEST_DATA_DIR "/analyzer/edges/uses_pkg.py");
    must_have("pkgh.view", FZ_MOD_SOURCE);
    must_not_have("heavy");
    fz_graph_free(graph);
    graph = NULL;

    /* The program's own import still brings it. */
    analyze_with_hooks(FZ_TEST_DATA_DIR "/analyzer/edges/uses_both.py");
    must_have("heavy", FZ_MOD_SOURCE);
}

Test(analyzer, stdlib_self_tests_are_not_followed)
{
    fz_analyzer_config cfg = {0};
    int rc;

    /* pickle's and random's __main__ blocks run _test() (doctest,
     * statistics); importing them must not pull those in. */
    cfg.script = FZ_TEST_DATA_DIR "/analyzer/app/dyn_target.py";
    cfg.hidden = (const char *const[]){"pickle", "random"};
    cfg.hidden_count = 2;
    cfg.no_runtime_roots = 1;
    rc = fz_analyze(&graph, &cfg);
    cr_assert_eq(rc, 0, "%s", fz_error_message());
    must_have("pickle", FZ_MOD_SOURCE);
    must_not_have("doctest");
    must_not_have("statistics");
}

Test(analyzer, missing_script_is_an_error)
{
    fz_analyzer_config cfg = {0};

    cfg.script = FZ_TEST_DATA_DIR "/analyzer/nope.py";
    cr_expect_eq(fz_analyze(&graph, &cfg), FZ_EIO);
    cr_expect_null(graph);
}
