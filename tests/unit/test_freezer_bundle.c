/*
 * test_freezer_bundle.c - a whole freeze into a copy of a real executable,
 * then the payload read back: entry names, kinds, main entry, sources,
 * co_filename; and the entry-name rules of the collector.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bundle.h"
#include "collect.h"
#include "compress_runtime.h"
#include "elf_attach.h"
#include "fz_codeimage.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "pyembed.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/fz-bundle-test-XXXXXX";
static fz_freeze_result *result;
static unsigned char *file;
static fz_payload *payload;

static void
setup(void)
{
    cr_assert_eq(fz_pyembed_init(), 0, "%s", fz_error_message());
    cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
    char cmd[128];

    fz_payload_free(payload);
    free(file);
    fz_freeze_result_free(result);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(bundle, .init = setup, .fini = teardown, .timeout = 60);

/* Freeze the analyzer fixture app and open the payload it carries. */
static void
freeze_fixture(int optimize)
{
    fz_freeze_config cfg = {0};
    char out[256];
    uint64_t off;
    uint64_t size;
    FILE *f;

    snprintf(out, sizeof(out), "%s/app", dir);
    cfg.script = FZ_TEST_DATA_DIR "/analyzer/app/main.py";
    cfg.output = out;
    cfg.stub = "/bin/true";
    cfg.python = FZ_PYTHON;
    cfg.optimize = optimize;
    cr_assert_eq(fz_freeze(&result, &cfg), 0, "%s", fz_error_message());
    cr_assert_eq(fz_elf_find_payload(out, &off, &size), 0);
    file = malloc(result->size);
    f = fopen(out, "rb");
    cr_assert_not_null(f);
    cr_assert_eq(fread(file, 1, result->size, f), result->size);
    fclose(f);
    cr_assert_eq(size, result->payload_size);
    cr_assert_eq(fz_payload_open(&payload, file + off, size,
                                 FZ_PY_HEXVERSION_MM, FZ_PY_MAGIC_LE),
                 0, "%s", fz_error_message());
}

static fz_entry
entry(const char *name)
{
    fz_entry e;

    cr_assert_eq(fz_payload_find(payload, name, strlen(name), &e), 0,
                 "no entry %s", name);
    return e;
}

static void
no_entry(const char *name)
{
    fz_entry e;

    cr_expect_eq(fz_payload_find(payload, name, strlen(name), &e), FZ_ENOTFOUND,
                 "unexpected entry %s", name);
}

Test(bundle, payload_names_follow_the_contract)
{
    fz_entry e;

    freeze_fixture(0);
    cr_assert_eq(fz_payload_main(payload, &e), 0);
    cr_expect_eq(e.name_size, strlen("main.pyc"));
    cr_expect_eq(memcmp(e.name, "main.pyc", e.name_size), 0);
    cr_expect_eq(e.kind, FZ_ENTRY_MODULE);
    cr_expect_eq(entry("main.py").kind, FZ_ENTRY_SOURCE);
    cr_expect_eq(entry("pkg/__init__.pyc").kind, FZ_ENTRY_PACKAGE);
    cr_expect_eq(entry("pkg/__init__.py").kind, FZ_ENTRY_SOURCE);
    cr_expect_eq(entry("pkg/sub.pyc").kind, FZ_ENTRY_MODULE);
    cr_expect(entry("pkg/sub.pyc").flags & FZ_ENTRY_F_APP);
    cr_expect_eq(entry("nspkg/mod.pyc").kind, FZ_ENTRY_MODULE);
    /* stdlib: bytecode only; the runtime roots always there */
    cr_expect_eq(entry("typing.pyc").kind, FZ_ENTRY_MODULE);
    no_entry("typing.py");
    cr_expect_eq(entry("encodings/__init__.pyc").kind, FZ_ENTRY_PACKAGE);
    cr_expect_eq(entry("encodings/utf_8.pyc").kind, FZ_ENTRY_MODULE);
    cr_expect_eq(entry("traceback.pyc").kind, FZ_ENTRY_MODULE);
    /* frozen in libpython: never bundled */
    no_entry("os.pyc");
    no_entry("codecs.pyc");
    no_entry("nspkg/__init__.pyc");
}

Test(bundle, a_build_times_the_stages_it_runs)
{
    static const fz_stage ran[] = {FZ_STAGE_QUERY,       FZ_STAGE_ANALYSIS,
                                   FZ_STAGE_COLLECT,     FZ_STAGE_COMPILE,
                                   FZ_STAGE_COMPRESSION, FZ_STAGE_ATTACH,
                                   FZ_STAGE_REPORTS};
    unsigned want = 0;
    double sum = 0;

    freeze_fixture(0);
    for (size_t i = 0; i < sizeof(ran) / sizeof(ran[0]); i++) {
        want |= 1u << ran[i];
    }
    /* No package was asked for; whether a build cache was checked
     * depends on the machine's cache directory. */
    cr_expect_eq(result->times.ran & ~(1u << FZ_STAGE_CHECK), want,
                 "stages that ran: %#x", result->times.ran);
    for (int s = 0; s < FZ_STAGE_COUNT; s++) {
        cr_expect_geq(result->times.seconds[s], 0.0, "%s",
                      fz_stage_name((fz_stage)s));
        sum += result->times.seconds[s];
    }
    /* Disjoint intervals of one build: never more than its total. */
    cr_expect_leq(sum, result->total_seconds + 1e-9);
}

Test(bundle, the_time_line_lists_the_stages_that_ran_in_order)
{
    fz_stage_times t = {0};
    fz_buf line = FZ_BUF_INIT;

    fz_stage_add(&t, FZ_STAGE_ATTACH, 0.25);
    fz_stage_add(&t, FZ_STAGE_QUERY, 0.0); /* ran, took no time */
    fz_stage_add(&t, FZ_STAGE_COMPILE, 0.125);
    fz_stage_add(&t, FZ_STAGE_COMPILE, 0.125); /* in pieces */
    cr_assert_eq(fz_stage_format(&line, &t, 1.5), 0);
    cr_expect_str_eq(line.data, "query 0.000 s, compile 0.250 s, "
                                "attach 0.250 s, total 1.500 s");
    fz_buf_dispose(&line);
    cr_expect_str_eq(fz_stage_name(FZ_STAGE_COLLECT), "collect");
    cr_expect_str_eq(fz_stage_name(FZ_STAGE_COUNT), "?");
}

Test(bundle, code_entries_are_code_images_with_relative_filenames)
{
    fz_entry e = {0};
    void *raw = NULL;
    size_t size = 0;
    PyObject *code;
    PyObject *fname;

    freeze_fixture(0);
    e = entry("pkg/sub.pyc");
    cr_assert_eq(fz_payload_read_alloc(payload, &e, &raw, &size), 0);
    cr_assert(size > 4 && memcmp(raw, FZ_CODEIMAGE_MAGIC, 4) == 0);
    code = fz_codeimage_load(raw, size);
    if (!code) {
        PyErr_Print();
    }
    cr_assert_not_null(code);
    cr_assert(PyCode_Check(code));
    fname = PyObject_GetAttrString(code, "co_filename");
    cr_expect_str_eq(PyUnicode_AsUTF8(fname), "pkg/sub.py");
    Py_XDECREF(fname);
    Py_DECREF(code);
    free(raw);
}

Test(bundle, extension_entries_are_executable)
{
    fz_freeze_config cfg = {0};
    char out[256];
    const char *hidden[] = {"_json"};
    fz_entry e;
    FILE *f;
    uint64_t off;
    uint64_t size;

    snprintf(out, sizeof(out), "%s/ext", dir);
    cfg.script = FZ_TEST_DATA_DIR "/analyzer/app/dyn_target.py";
    cfg.output = out;
    cfg.stub = "/bin/true";
    cfg.python = FZ_PYTHON;
    cfg.hidden = hidden;
    cfg.hidden_count = 1;
    /* the payload as the runtime reads it: /bin/true has no launcher */
    cfg.compress_runtime = FZ_COMPRESS_RUNTIME_NEVER;
    cr_assert_eq(fz_freeze(&result, &cfg), 0, "%s", fz_error_message());
    cr_assert_eq(fz_elf_find_payload(out, &off, &size), 0);
    file = malloc(result->size);
    f = fopen(out, "rb");
    cr_assert_eq(fread(file, 1, result->size, f), result->size);
    fclose(f);
    cr_assert_eq(fz_payload_open(&payload, file + off, size, 0, 0), 0);
    e = entry("_json" FZ_PY_EXT_SUFFIX);
    cr_expect_eq(e.kind, FZ_ENTRY_EXTENSION);
    cr_expect_eq(e.mode, 0755);
}

Test(bundle, missing_stub_is_reported)
{
    fz_freeze_config cfg = {0};
    char out[256];

    snprintf(out, sizeof(out), "%s/x", dir);
    cfg.script = FZ_TEST_DATA_DIR "/analyzer/app/dyn_target.py";
    cfg.output = out;
    cfg.stub = "/nonexistent/fz-runtime";
    cfg.python = FZ_PYTHON;
    cr_expect_eq(fz_freeze(&result, &cfg), FZ_EIO);
    cr_expect_null(result);
    cr_expect_eq(access(out, F_OK), -1);
}

Test(bundle, wrong_target_python_version)
{
    fz_freeze_config cfg = {0};
    char fake[256];
    char out[256];
    FILE *f;

    /* a "python" that answers like a 3.99 */
    snprintf(fake, sizeof(fake), "%s/python", dir);
    snprintf(out, sizeof(out), "%s/x", dir);
    f = fopen(fake, "w");
    cr_assert_not_null(f);
    fputs("#!/bin/sh\nprintf '3.99\\0/opt\\0'\n", f);
    fclose(f);
    cr_assert_eq(chmod(fake, 0755), 0);
    cfg.script = FZ_TEST_DATA_DIR "/analyzer/app/dyn_target.py";
    cfg.output = out;
    cfg.stub = "/bin/true";
    cfg.python = fake;
    cr_expect_eq(fz_freeze(&result, &cfg), FZ_EPYVERSION);
    cr_expect_not_null(strstr(fz_error_message(), "target Python is 3.99"),
                       "%s", fz_error_message());
    cr_expect_not_null(
        strstr(fz_error_message(), "freeze was built for " FZ_PY_VERSION));
}

Test(bundle, entry_names)
{
    fz_module m = {0};
    char *n;

    m.name = "a.b";
    m.kind = FZ_MOD_SOURCE;
    n = fz_collect_entry_name(&m);
    cr_expect_str_eq(n, "a/b.pyc");
    free(n);
    m.kind = FZ_MOD_PACKAGE;
    n = fz_collect_entry_name(&m);
    cr_expect_str_eq(n, "a/b/__init__.pyc");
    free(n);
    m.kind = FZ_MOD_EXTENSION;
    m.path = "/site/a/b.cpython-311-x86_64-linux-gnu.so";
    n = fz_collect_entry_name(&m);
    cr_expect_str_eq(n, "a/b.cpython-311-x86_64-linux-gnu.so");
    free(n);
    m.name = "_json";
    m.path = "/usr/lib/python3.11/lib-dynload/_json.abi3.so";
    n = fz_collect_entry_name(&m);
    cr_expect_str_eq(n, "_json.abi3.so");
    free(n);
    m.kind = FZ_MOD_BUILTIN;
    cr_expect_null(fz_collect_entry_name(&m));
}
