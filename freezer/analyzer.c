/*
 * analyzer.c - build the module graph by walking CPython's AST of each
 * reachable module (analyzer.h). Nothing of the program is executed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "analyzer.h"

#include "fz_error.h"
#include "hooks.h"
#include "pyembed.h"
#include "resolver.h"

#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Deepest statement/expression nesting the walker follows (the parser
 * already refuses much deeper input; this bounds the C stack). */
#define WALK_DEPTH_MAX 400
/* Longest string literal taken for a codec name ("iso2022_jp_ext" is 14). */
#define CODEC_NAME_MAX 40

struct star {
    char *base;
    char *importer;
    int optional;
};

struct fz_graph {
    fz_module **mods;
    size_t count;
    size_t cap;
    size_t *slots; /* open addressing: module index + 1, 0 = empty */
    size_t nslots;
    fz_strvec warnings;
    fz_strvec notes;
    fz_strvec top;     /* search path of top-level modules */
    fz_strvec stdlib;  /* FZ_PY_STDLIB only: where frozen sources live */
    size_t app_dirs;   /* top[0, app_dirs) belongs to the application */
    size_t stdlib_end; /* top[app_dirs, stdlib_end) is the stdlib */
    fz_strvec excludes;
    struct star *stars;
    size_t nstars;
    size_t capstars;
    size_t main_index;
    size_t next;       /* worklist: first module not analyzed yet */
    size_t done_stars; /* worklist: star imports already expanded */
    /* Codecs not always bundled (they need extension modules): normalized
     * codec name or alias (str) -> "encodings.<module>" (str). */
    PyObject *lazy_codecs;
    const fz_hookset *hooks; /* borrowed from the config */
};

/* Modules whose C code imports Python modules the AST cannot show. */
static const char *const implicit_imports[][2] = {
    {"_decimal", "collections,contextvars,numbers"},
    {"_pickle", "copyreg,_compat_pickle"},
    {"_datetime", "time,math"},
    {"_elementtree", "copy,xml.etree.ElementPath"},
    {"_asyncio", "asyncio.events,asyncio.base_futures,asyncio.exceptions,"
                 "asyncio.base_tasks,asyncio.coroutines"},
    {"_ctypes", "struct"},
};

/*
 * Modules that exist only on other platforms (or other Pythons): imports
 * of them sit in branches the analyzer cannot decide, so a miss is a note.
 */
static const char *const foreign_modules[] = {
    "nt",          "_winapi", "winreg",          "_winreg",     "msvcrt",
    "_overlapped", "_msi",    "winsound",        "_wmi",        "java",
    "org",         "vms_lib", "_scproxy",        "riscos",      "riscosenviron",
    "ce",          "os2",     "_emx_link",       "__builtin__", "EasyDialogs",
    "MacOS",       "macpath", "_dummy_threading"};

/*
 * Import edges inside the standard library that only its own test suite
 * uses (PyInstaller's hooks drop the same ones).
 */
static const char *const ignored_edges[][2] = {
    {"multiprocessing.util", "test"},
    {"asyncio.__main__", "test"},
};

/*
 * Import edges that serve one rare feature, followed only when the source
 * of an app or third-party module shows it: re._parser imports unicodedata
 * (1.1 MB, not in the stub) only to resolve \N{NAME} in patterns, and the
 * C codecs import it for "\N{...}" escapes and the "namereplace" handler.
 */
static const struct {
    const char *importer; /* the edge dropped ... */
    const char *name;
    const char *marker; /* ... unless a bundled source has this text */
} feature_edges[] = {
    {"re._parser", "unicodedata", "\\N{"},
    {"re._parser", "unicodedata", "namereplace"},
};

/*
 * Packages whose submodules are made at run time, never found on disk:
 * importing "gi.repository.Gtk" imports "gi.repository", and PyGObject's
 * importer builds Gtk from its typelib (extras.c bundles the typelibs).
 */
static const char *const dynamic_packages[] = {"gi.repository"};

/* Handlers whose presence makes the imports of a try body optional. */
static const char *const import_guards[] = {
    "ImportError", "ModuleNotFoundError", "Exception", "BaseException"};

/* ------------------------------------------------------------ AST types */

static struct {
    int ready;
    PyObject *AST, *Import, *ImportFrom, *If, *Try, *TryStar, *Call, *Name,
        *Attribute, *Constant, *Compare, *BoolOp, *UnaryOp, *Not, *And, *Or,
        *Eq, *NotEq, *In, *NotIn, *Lt, *LtE, *Gt, *GtE, *Tuple, *List, *Set,
        *Assign, *AugAssign, *Add, *Subscript, *Slice, *FunctionDef,
        *AsyncFunctionDef, *ClassDef, *Lambda;
} T;

static struct {
    PyObject *body, *orelse, *finalbody, *handlers, *cases, *names, *name,
        *module, *level, *test, *type, *id, *attr, *value, *func, *args, *left,
        *ops, *comparators, *op, *values, *operand, *targets, *target, *elts,
        *fields, *slice, *lower, *upper, *step;
} S;

static int
load_ast_types(void)
{
    PyObject *mod = NULL;
    int rc = 0;
    struct {
        PyObject **slot;
        const char *name;
    } types[] = {
        {&T.AST, "AST"},
        {&T.Import, "Import"},
        {&T.ImportFrom, "ImportFrom"},
        {&T.If, "If"},
        {&T.Try, "Try"},
        {&T.TryStar, "TryStar"},
        {&T.Call, "Call"},
        {&T.Name, "Name"},
        {&T.Attribute, "Attribute"},
        {&T.Constant, "Constant"},
        {&T.Compare, "Compare"},
        {&T.BoolOp, "BoolOp"},
        {&T.UnaryOp, "UnaryOp"},
        {&T.Not, "Not"},
        {&T.And, "And"},
        {&T.Or, "Or"},
        {&T.Eq, "Eq"},
        {&T.NotEq, "NotEq"},
        {&T.In, "In"},
        {&T.NotIn, "NotIn"},
        {&T.Lt, "Lt"},
        {&T.LtE, "LtE"},
        {&T.Gt, "Gt"},
        {&T.GtE, "GtE"},
        {&T.Tuple, "Tuple"},
        {&T.List, "List"},
        {&T.Set, "Set"},
        {&T.Assign, "Assign"},
        {&T.AugAssign, "AugAssign"},
        {&T.Add, "Add"},
        {&T.Subscript, "Subscript"},
        {&T.Slice, "Slice"},
        {&T.FunctionDef, "FunctionDef"},
        {&T.AsyncFunctionDef, "AsyncFunctionDef"},
        {&T.ClassDef, "ClassDef"},
        {&T.Lambda, "Lambda"},
    };
    struct {
        PyObject **slot;
        const char *name;
    } strs[] = {
        {&S.body, "body"},
        {&S.orelse, "orelse"},
        {&S.finalbody, "finalbody"},
        {&S.handlers, "handlers"},
        {&S.cases, "cases"},
        {&S.names, "names"},
        {&S.name, "name"},
        {&S.module, "module"},
        {&S.level, "level"},
        {&S.test, "test"},
        {&S.type, "type"},
        {&S.id, "id"},
        {&S.attr, "attr"},
        {&S.value, "value"},
        {&S.func, "func"},
        {&S.args, "args"},
        {&S.left, "left"},
        {&S.ops, "ops"},
        {&S.comparators, "comparators"},
        {&S.op, "op"},
        {&S.values, "values"},
        {&S.operand, "operand"},
        {&S.targets, "targets"},
        {&S.target, "target"},
        {&S.elts, "elts"},
        {&S.fields, "_fields"},
        {&S.slice, "slice"},
        {&S.lower, "lower"},
        {&S.upper, "upper"},
        {&S.step, "step"},
    };

    if (T.ready) {
        return 0;
    }
    mod = PyImport_ImportModule("_ast");
    if (mod == NULL) {
        rc = fz_pyembed_error(NULL, "import _ast");
        goto done;
    }
    for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
        *types[i].slot = PyObject_GetAttrString(mod, types[i].name);
        if (*types[i].slot == NULL) {
            rc = fz_pyembed_error(NULL, "_ast");
            goto done;
        }
    }
    for (size_t i = 0; i < sizeof(strs) / sizeof(*strs); i++) {
        *strs[i].slot = PyUnicode_InternFromString(strs[i].name);
        if (*strs[i].slot == NULL) {
            rc = fz_pyembed_error(NULL, "intern");
            goto done;
        }
    }
    T.ready = 1;
done:
    Py_XDECREF(mod);
    return rc;
}

/* New reference to node.<name>, NULL (no exception) when absent. */
static PyObject *
get(PyObject *node, PyObject *name)
{
    PyObject *v = PyObject_GetAttr(node, name);

    if (v == NULL) {
        PyErr_Clear();
    }
    return v;
}

static int
is_type(PyObject *o, PyObject *type)
{
    return o != NULL && (PyObject *)Py_TYPE(o) == type;
}

/* UTF-8 of a str attribute; the str is kept alive by `node`. */
static const char *
str_attr(PyObject *node, PyObject *name)
{
    PyObject *v = get(node, name);
    const char *s = NULL;

    if (v != NULL && PyUnicode_Check(v)) {
        s = PyUnicode_AsUTF8(v);
        if (s == NULL) {
            PyErr_Clear();
        }
    }
    /* AST nodes hold their fields, so the borrowed UTF-8 stays valid. */
    Py_XDECREF(v);
    return s;
}

/* The str of a Constant node, or NULL. */
static const char *
const_str(PyObject *node)
{
    if (!is_type(node, T.Constant)) {
        return NULL;
    }
    return str_attr(node, S.value);
}

/* ------------------------------------------------------------ the graph */

static uint64_t
hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return h;
}

static fz_module *
graph_lookup(const fz_graph *g, const char *name)
{
    if (g->nslots == 0) {
        return NULL;
    }
    for (size_t i = hash_name(name) & (g->nslots - 1);;
         i = (i + 1) & (g->nslots - 1)) {
        size_t v = g->slots[i];

        if (v == 0) {
            return NULL;
        }
        if (strcmp(g->mods[v - 1]->name, name) == 0) {
            return g->mods[v - 1];
        }
    }
}

static void
slots_insert(size_t *slots, size_t nslots, const char *name, size_t value)
{
    size_t i = hash_name(name) & (nslots - 1);

    while (slots[i] != 0) {
        i = (i + 1) & (nslots - 1);
    }
    slots[i] = value;
}

static void
module_free(fz_module *m)
{
    if (m == NULL) {
        return;
    }
    free(m->name);
    free(m->path);
    free(m->reason);
    fz_strvec_dispose(&m->search);
    fz_strvec_dispose(&m->importers);
    fz_strvec_dispose(&m->all);
    fz_buf_dispose(&m->source);
    free(m);
}

/* Take `m` into the graph (on failure it is freed). */
static int
graph_add(fz_graph *g, fz_module *m)
{
    if (g->count == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        fz_module **mods = realloc(g->mods, cap * sizeof(*mods));

        if (mods == NULL) {
            module_free(m);
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        g->mods = mods;
        g->cap = cap;
    }
    if ((g->count + 1) * 2 > g->nslots) {
        size_t nslots = g->nslots ? g->nslots * 2 : 128;
        size_t *slots = calloc(nslots, sizeof(*slots));

        if (slots == NULL) {
            module_free(m);
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < g->count; i++) {
            slots_insert(slots, nslots, g->mods[i]->name, i + 1);
        }
        free(g->slots);
        g->slots = slots;
        g->nslots = nslots;
    }
    g->mods[g->count] = m;
    slots_insert(g->slots, g->nslots, m->name, g->count + 1);
    g->count++;
    return 0;
}

static int
is_excluded(const fz_graph *g, const char *name)
{
    for (size_t i = 0; i < g->excludes.count; i++) {
        const char *x = g->excludes.items[i];
        size_t n = strlen(x);

        if (strncmp(name, x, n) == 0 && (name[n] == '\0' || name[n] == '.')) {
            return 1;
        }
    }
    return 0;
}

/* Dotted names made of non-empty components without path characters. */
static int
valid_module_name(const char *name)
{
    size_t len = 0;

    if (name[0] == '\0') {
        return 0;
    }
    for (const char *p = name;; p++) {
        if (*p == '.' || *p == '\0') {
            if (len == 0) {
                return 0;
            }
            if (*p == '\0') {
                return 1;
            }
            len = 0;
            continue;
        }
        if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20 || *p == ' ') {
            return 0;
        }
        len++;
    }
}

static fz_module_origin
origin_of_dir(const fz_graph *g, size_t index)
{
    if (index < g->app_dirs) {
        return FZ_ORIGIN_APP;
    }
    if (index < g->stdlib_end) {
        return FZ_ORIGIN_STDLIB;
    }
    return FZ_ORIGIN_SITE;
}

static char *
make_reason(const char *reason, const char *importer, int optional)
{
    fz_buf b = FZ_BUF_INIT;

    if (reason != NULL) {
        return fz_strdup(reason);
    }
    if (fz_buf_printf(&b, "imported by %s%s", importer ? importer : "?",
                      optional ? " (optional)" : "") < 0) {
        fz_buf_dispose(&b);
        return NULL;
    }
    return fz_buf_detach(&b);
}

/*
 * Resolve `name` (not yet in the graph) below `parent` (NULL for a
 * top-level name) and add it. With `create_missing` 0 a miss adds nothing
 * and *out is NULL.
 */
static int
resolve_new(fz_graph *g, const char *name, fz_module *parent,
            int create_missing, fz_module **out)
{
    const char *dot = strrchr(name, '.');
    const char *tail = dot ? dot + 1 : name;
    fz_found found = {0};
    fz_module *m = NULL;
    int rc = 0;

    *out = NULL;
    m = calloc(1, sizeof(*m));
    if (m == NULL || (m->name = fz_strdup(name)) == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    m->kind = FZ_MOD_MISSING;
    if (fz_pyembed_is_builtin(name)) {
        m->kind = FZ_MOD_BUILTIN;
    } else if (strcmp(name, "importlib._bootstrap") == 0 ||
               strcmp(name, "importlib._bootstrap_external") == 0) {
        /* importlib/__init__.py aliases these to the frozen
         * _frozen_importlib(_external); their source never runs. */
        m->kind = FZ_MOD_FROZEN;
    } else if (fz_pyembed_is_frozen(name)) {
        /* Not bundled, but its stdlib source tells what it imports. */
        m->kind = FZ_MOD_FROZEN;
        rc = fz_resolve_find(&found, tail,
                             parent ? &parent->search : &g->stdlib);
        if (rc < 0) {
            goto done;
        }
        if (found.kind == FZ_FOUND_SOURCE || found.kind == FZ_FOUND_PACKAGE) {
            m->path = found.path;
            m->search = found.search;
            memset(&found, 0, sizeof(found));
            m->origin = FZ_ORIGIN_STDLIB;
        }
    } else if (parent == NULL || parent->search.count > 0) {
        rc = fz_resolve_find(&found, tail, parent ? &parent->search : &g->top);
        if (rc < 0) {
            goto done;
        }
        switch (found.kind) {
        case FZ_FOUND_SOURCE:
            m->kind = FZ_MOD_SOURCE;
            break;
        case FZ_FOUND_PACKAGE:
            m->kind = FZ_MOD_PACKAGE;
            break;
        case FZ_FOUND_EXTENSION:
            m->kind = FZ_MOD_EXTENSION;
            break;
        case FZ_FOUND_NAMESPACE:
            m->kind = FZ_MOD_NAMESPACE;
            break;
        case FZ_FOUND_NONE:
            break;
        }
        if (found.kind != FZ_FOUND_NONE) {
            m->origin =
                parent ? parent->origin : origin_of_dir(g, found.dir_index);
            m->path = found.path;
            m->search = found.search;
            memset(&found, 0, sizeof(found));
        }
    }
    if (m->kind == FZ_MOD_MISSING && !create_missing) {
        goto done;
    }
    rc = graph_add(g, m);
    if (rc == 0) {
        *out = m;
    }
    m = NULL;
done:
    fz_found_dispose(&found);
    module_free(m);
    return rc;
}

/*
 * Put `name` and its parent packages in the graph (importing a.b.c imports
 * a and a.b), recording `importer`. *out is the module, or NULL when it is
 * excluded, below a missing parent, or (create_missing 0) not found.
 */
static int
require(fz_graph *g, const char *name, const char *importer, int optional,
        const char *reason, int create_missing, fz_module **out)
{
    fz_buf prefix = FZ_BUF_INIT;
    fz_module *parent = NULL;
    fz_module *m = NULL;
    const char *p = name;
    int rc = 0;

    *out = NULL;
    if (!valid_module_name(name) || strcmp(name, "__main__") == 0) {
        /* __main__ is the running script, always there at run time */
        goto done;
    }
    if (importer != NULL && fz_hooks_edge_excluded(g->hooks, importer, name)) {
        goto done;
    }
    for (size_t i = 0; importer != NULL &&
                       i < sizeof(feature_edges) / sizeof(*feature_edges);
         i++) {
        if (strcmp(importer, feature_edges[i].importer) == 0 &&
            strcmp(name, feature_edges[i].name) == 0) {
            goto done;
        }
    }
    for (size_t i = 0;
         importer != NULL && i < sizeof(ignored_edges) / sizeof(*ignored_edges);
         i++) {
        size_t n = strlen(ignored_edges[i][1]);

        if (strcmp(importer, ignored_edges[i][0]) == 0 &&
            strncmp(name, ignored_edges[i][1], n) == 0 &&
            (name[n] == '\0' || name[n] == '.')) {
            goto done;
        }
    }
    for (size_t i = 0; i < sizeof(dynamic_packages) / sizeof(*dynamic_packages);
         i++) {
        size_t n = strlen(dynamic_packages[i]);

        if (strncmp(name, dynamic_packages[i], n) == 0 && name[n] == '.') {
            rc = require(g, dynamic_packages[i], importer, optional, reason,
                         create_missing, out);
            goto done;
        }
    }
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        int last = dot == NULL;

        if (prefix.size > 0 && (rc = fz_buf_puts(&prefix, ".")) < 0) {
            goto done;
        }
        if ((rc = fz_buf_append(&prefix, p, n)) < 0) {
            goto done;
        }
        if (is_excluded(g, prefix.data)) {
            goto done;
        }
        m = graph_lookup(g, prefix.data);
        if (m == NULL) {
            if (parent != NULL && parent->kind == FZ_MOD_MISSING) {
                goto done;
            }
            rc = resolve_new(g, prefix.data, parent, last ? create_missing : 1,
                             &m);
            if (rc < 0 || m == NULL) {
                goto done;
            }
            m->optional = optional;
            m->reason = make_reason(reason, importer, optional);
            if (m->reason == NULL) {
                rc = FZ_ENOMEM;
                goto done;
            }
        } else if (!optional) {
            m->optional = 0;
        }
        if (importer != NULL && strcmp(importer, m->name) != 0) {
            rc = fz_strvec_push_unique(&m->importers, importer);
            if (rc < 0) {
                goto done;
            }
        }
        parent = m;
        if (last) {
            break;
        }
        p = dot + 1;
    }
    *out = m;
done:
    fz_buf_dispose(&prefix);
    return rc;
}

/* ------------------------------------------------------------ the walker */

struct walk {
    fz_graph *g;
    fz_module *m;
    int scan_calls;      /* the source mentions __import__ / import_module */
    int scope;           /* > 0 inside a function or class */
    PyObject *consts;    /* module-level names bound to known booleans */
    PyObject *main_only; /* stdlib: functions only the dead __main__ block
                            calls (self-tests, demo CLIs); not followed */
};

static int walk_node(struct walk *w, PyObject *node, int optional, int depth);
static int scan_codec_names(fz_graph *g, fz_module *m);
static int scan_feature_markers(fz_graph *g, fz_module *m);

static int
walk_value(struct walk *w, PyObject *v, int optional, int depth)
{
    int rc = 0;

    if (v == NULL) {
        return 0;
    }
    if (PyList_Check(v)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v) && rc == 0; i++) {
            rc = walk_node(w, PyList_GET_ITEM(v, i), optional, depth);
        }
    } else if (PyObject_TypeCheck(v, (PyTypeObject *)T.AST)) {
        rc = walk_node(w, v, optional, depth);
    }
    return rc;
}

static int
walk_field(struct walk *w, PyObject *node, PyObject *field, int optional,
           int depth)
{
    PyObject *v = get(node, field);
    int rc = walk_value(w, v, optional, depth);

    Py_XDECREF(v);
    return rc;
}

/* The package that relative imports of the current module start from. */
static int
relative_base(fz_buf *out, struct walk *w, long level, const char *module)
{
    const fz_module *m = w->m;
    size_t len;

    fz_buf_clear(out);
    if (fz_buf_puts(out, m->name) < 0) {
        return FZ_ENOMEM;
    }
    len = out->size;
    if (m->kind != FZ_MOD_PACKAGE) {
        /* a module's package is its parent */
        level++;
    }
    for (long i = 1; i < level; i++) {
        char *dot = NULL;

        for (size_t k = len; k > 0; k--) {
            if (out->data[k - 1] == '.') {
                dot = out->data + k - 1;
                break;
            }
        }
        if (dot == NULL || m->is_main) {
            return 1; /* beyond the top-level package */
        }
        len = (size_t)(dot - out->data);
    }
    out->size = len;
    out->data[len] = '\0';
    if (module != NULL && module[0] != '\0') {
        if (fz_buf_puts(out, ".") < 0 || fz_buf_puts(out, module) < 0) {
            return FZ_ENOMEM;
        }
    }
    return 0;
}

static int
note_relative_miss(struct walk *w, long level, const char *module)
{
    fz_buf b = FZ_BUF_INIT;
    int rc;

    rc = fz_buf_printf(&b,
                       "%s: relative import '%.*s%s' beyond the top-level "
                       "package",
                       w->m->name, (int)(level > 8 ? 8 : level), "........",
                       module ? module : "");
    if (rc == 0) {
        rc = fz_strvec_push(&w->g->notes, b.data);
    }
    fz_buf_dispose(&b);
    return rc;
}

static int
add_star(struct walk *w, const char *base, int optional)
{
    fz_graph *g = w->g;
    struct star *s;

    if (g->nstars == g->capstars) {
        size_t cap = g->capstars ? g->capstars * 2 : 16;
        struct star *stars = realloc(g->stars, cap * sizeof(*stars));

        if (stars == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        g->stars = stars;
        g->capstars = cap;
    }
    s = &g->stars[g->nstars];
    s->base = fz_strdup(base);
    s->importer = fz_strdup(w->m->name);
    s->optional = optional;
    if (s->base == NULL || s->importer == NULL) {
        free(s->base);
        free(s->importer);
        return FZ_ENOMEM;
    }
    g->nstars++;
    return 0;
}

/* `from <base> import <name>`: a submodule when one exists. */
static int
add_from_name(struct walk *w, const fz_module *base, const char *name,
              int optional)
{
    fz_buf sub = FZ_BUF_INIT;
    fz_module *m;
    int rc;

    rc = fz_buf_printf(&sub, "%s.%s", base->name, name);
    if (rc == 0) {
        rc = require(w->g, sub.data, w->m->name, optional, NULL, 0, &m);
    }
    fz_buf_dispose(&sub);
    return rc;
}

static int
handle_import_from(struct walk *w, PyObject *node, int optional)
{
    PyObject *lv = get(node, S.level);
    PyObject *names = NULL;
    const char *module = str_attr(node, S.module);
    long level = lv && PyLong_Check(lv) ? PyLong_AsLong(lv) : 0;
    fz_buf base = FZ_BUF_INIT;
    fz_module *bm = NULL;
    int rc = 0;

    Py_XDECREF(lv);
    PyErr_Clear();
    if (level > 0) {
        rc = relative_base(&base, w, level, module);
        if (rc == 1) {
            rc = note_relative_miss(w, level, module);
            goto done;
        }
    } else if (module != NULL) {
        rc = fz_buf_puts(&base, module);
    } else {
        goto done;
    }
    if (rc < 0) {
        goto done;
    }
    if (base.size == 0) {
        goto done;
    }
    rc = require(w->g, base.data, w->m->name, optional, NULL, 1, &bm);
    if (rc < 0 || bm == NULL || bm->kind == FZ_MOD_MISSING) {
        goto done;
    }
    names = get(node, S.names);
    if (names == NULL || !PyList_Check(names)) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names); i++) {
        const char *n = str_attr(PyList_GET_ITEM(names, i), S.name);

        if (n == NULL) {
            continue;
        }
        if (strcmp(n, "*") == 0) {
            rc = add_star(w, bm->name, optional);
        } else {
            rc = add_from_name(w, bm, n, optional);
        }
        if (rc < 0) {
            goto done;
        }
    }
done:
    Py_XDECREF(names);
    fz_buf_dispose(&base);
    return rc;
}

static int
handle_import(struct walk *w, PyObject *node, int optional)
{
    PyObject *names = get(node, S.names);
    fz_module *m;
    int rc = 0;

    if (names == NULL || !PyList_Check(names)) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names) && rc == 0; i++) {
        const char *n = str_attr(PyList_GET_ITEM(names, i), S.name);

        if (n != NULL) {
            rc = require(w->g, n, w->m->name, optional, NULL, 1, &m);
        }
    }
done:
    Py_XDECREF(names);
    return rc;
}

/* __import__("x"), importlib.import_module("x"), import_module(".x", "p") */
static int
handle_call(struct walk *w, PyObject *node, int optional)
{
    PyObject *func = get(node, S.func);
    PyObject *args = NULL;
    const char *fname = NULL;
    const char *target;
    fz_buf name = FZ_BUF_INIT;
    fz_module *m;
    int rc = 0;

    if (is_type(func, T.Name)) {
        fname = str_attr(func, S.id);
    } else if (is_type(func, T.Attribute)) {
        fname = str_attr(func, S.attr);
    }
    if (fname == NULL || (strcmp(fname, "__import__") != 0 &&
                          strcmp(fname, "import_module") != 0)) {
        goto done;
    }
    args = get(node, S.args);
    if (args == NULL || !PyList_Check(args) || PyList_GET_SIZE(args) < 1) {
        goto done;
    }
    target = const_str(PyList_GET_ITEM(args, 0));
    if (target == NULL || target[0] == '\0') {
        goto done;
    }
    if (target[0] == '.') {
        const char *package = NULL;
        size_t level = 0;

        if (strcmp(fname, "import_module") == 0 && PyList_GET_SIZE(args) >= 2) {
            package = const_str(PyList_GET_ITEM(args, 1));
        }
        if (package == NULL) {
            goto done;
        }
        while (target[level] == '.') {
            level++;
        }
        rc = fz_buf_puts(&name, package);
        for (size_t i = 1; i < level && rc == 0; i++) {
            char *dot = strrchr(name.data, '.');

            if (dot == NULL) {
                goto done;
            }
            *dot = '\0';
            name.size = (size_t)(dot - name.data);
        }
        if (rc == 0 && target[level] != '\0') {
            rc = fz_buf_printf(&name, ".%s", target + level);
        }
    } else {
        rc = fz_buf_puts(&name, target);
    }
    if (rc == 0) {
        rc = require(w->g, name.data, w->m->name, optional, NULL, 1, &m);
    }
done:
    Py_XDECREF(func);
    Py_XDECREF(args);
    fz_buf_dispose(&name);
    return rc;
}

/* ------------------------------------------------ static condition values */

enum { UNKNOWN = -1 };

static int
is_attr_of(PyObject *node, const char *base1, const char *base2,
           const char *attr)
{
    PyObject *value;
    const char *a;
    const char *id;
    int match = 0;

    if (!is_type(node, T.Attribute)) {
        return 0;
    }
    a = str_attr(node, S.attr);
    if (a == NULL || strcmp(a, attr) != 0) {
        return 0;
    }
    value = get(node, S.value);
    if (is_type(value, T.Name)) {
        id = str_attr(value, S.id);
        match =
            id != NULL && (strcmp(id, base1) == 0 || strcmp(id, base2) == 0);
    }
    Py_XDECREF(value);
    return match;
}

/* The string an expression has on Linux: constants, sys.platform, os.name */
static const char *
known_str(PyObject *node)
{
    if (is_attr_of(node, "sys", "_sys", "platform")) {
        return "linux";
    }
    if (is_attr_of(node, "os", "_os", "name")) {
        return "posix";
    }
    return const_str(node);
}

/* sys.version_info or sys.version_info[:n]: its length, else 0. */
static int
version_expr(PyObject *node)
{
    PyObject *slice = NULL;
    PyObject *value = NULL;
    PyObject *up = NULL;
    PyObject *low = NULL;
    int n = 0;

    if (is_attr_of(node, "sys", "_sys", "version_info")) {
        return 5;
    }
    if (!is_type(node, T.Subscript)) {
        return 0;
    }
    value = get(node, S.value);
    slice = get(node, S.slice);
    if (is_attr_of(value, "sys", "_sys", "version_info") &&
        is_type(slice, T.Slice)) {
        low = get(slice, S.lower);
        up = get(slice, S.upper);
        if ((low == NULL || low == Py_None) && is_type(up, T.Constant)) {
            PyObject *c = get(up, S.value);

            if (c != NULL && PyLong_Check(c)) {
                long v = PyLong_AsLong(c);

                n = v >= 1 && v <= 3 ? (int)v : 0;
            }
            Py_XDECREF(c);
        }
    }
    PyErr_Clear();
    Py_XDECREF(value);
    Py_XDECREF(slice);
    Py_XDECREF(low);
    Py_XDECREF(up);
    return n;
}

/* Compare version_info[:vlen] with a tuple of int constants: -1/0/1 or
 * 2 when unknown. */
static int
version_cmp(int vlen, PyObject *tuple)
{
    const long version[3] = {PY_MAJOR_VERSION, PY_MINOR_VERSION,
                             PY_MICRO_VERSION};
    PyObject *elts = NULL;
    Py_ssize_t n;
    int result = 2;

    if (!is_type(tuple, T.Tuple)) {
        return 2;
    }
    elts = get(tuple, S.elts);
    if (elts == NULL || !PyList_Check(elts)) {
        goto done;
    }
    n = PyList_GET_SIZE(elts);
    if (n > 3) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = get(PyList_GET_ITEM(elts, i), S.value);
        long v;

        if (!is_type(PyList_GET_ITEM(elts, i), T.Constant) || c == NULL ||
            !PyLong_Check(c)) {
            Py_XDECREF(c);
            goto done;
        }
        v = PyLong_AsLong(c);
        Py_DECREF(c);
        if (i >= vlen) {
            result = -1; /* the version tuple is shorter */
            goto done;
        }
        if (version[i] != v) {
            result = version[i] < v ? -1 : 1;
            goto done;
        }
    }
    result = vlen > n ? 1 : 0;
done:
    PyErr_Clear();
    Py_XDECREF(elts);
    return result;
}

static int
str_in_seq(const char *s, PyObject *seq)
{
    PyObject *elts;
    int result = 0;

    if (!is_type(seq, T.Tuple) && !is_type(seq, T.List) &&
        !is_type(seq, T.Set)) {
        const char *hay = known_str(seq);

        if (hay == NULL) {
            return UNKNOWN;
        }
        return strstr(hay, s) != NULL;
    }
    elts = get(seq, S.elts);
    if (elts == NULL || !PyList_Check(elts)) {
        Py_XDECREF(elts);
        return UNKNOWN;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(elts); i++) {
        const char *e = known_str(PyList_GET_ITEM(elts, i));

        if (e == NULL) {
            result = UNKNOWN;
            break;
        }
        if (strcmp(e, s) == 0) {
            result = 1;
            break;
        }
    }
    Py_DECREF(elts);
    return result;
}

static int eval_test(struct walk *w, PyObject *node, int depth);

static int
eval_compare(struct walk *w, PyObject *node)
{
    PyObject *left = get(node, S.left);
    PyObject *ops = get(node, S.ops);
    PyObject *comps = get(node, S.comparators);
    PyObject *op;
    PyObject *right;
    const char *ls;
    const char *rs;
    int vlen;
    int result = UNKNOWN;

    if (ops == NULL || comps == NULL || !PyList_Check(ops) ||
        !PyList_Check(comps) || PyList_GET_SIZE(ops) != 1 ||
        PyList_GET_SIZE(comps) != 1) {
        goto done;
    }
    op = PyList_GET_ITEM(ops, 0);
    right = PyList_GET_ITEM(comps, 0);
    vlen = version_expr(left);
    if (vlen > 0) {
        int c = version_cmp(vlen, right);

        if (c == 2) {
            goto done;
        }
        if (is_type(op, T.Lt)) {
            result = c < 0;
        } else if (is_type(op, T.LtE)) {
            result = c <= 0;
        } else if (is_type(op, T.Gt)) {
            result = c > 0;
        } else if (is_type(op, T.GtE)) {
            result = c >= 0;
        } else if (is_type(op, T.Eq)) {
            result = c == 0;
        } else if (is_type(op, T.NotEq)) {
            result = c != 0;
        }
        goto done;
    }
    ls = known_str(left);
    if (ls == NULL && is_type(left, T.Name)) {
        /* if __name__ == "__main__": only the script runs its block */
        const char *id = str_attr(left, S.id);

        if (id != NULL && strcmp(id, "__name__") == 0) {
            ls = w->m->is_main ? "__main__" : w->m->name;
        }
    }
    if (ls == NULL) {
        goto done;
    }
    if (is_type(op, T.In) || is_type(op, T.NotIn)) {
        result = str_in_seq(ls, right);
        if (result != UNKNOWN && is_type(op, T.NotIn)) {
            result = !result;
        }
        goto done;
    }
    rs = known_str(right);
    /* Only platform facts count: "a" == "a" alone says nothing useful,
     * but it is still a constant, so evaluate it. */
    if (rs == NULL) {
        goto done;
    }
    if (is_type(op, T.Eq)) {
        result = strcmp(ls, rs) == 0;
    } else if (is_type(op, T.NotEq)) {
        result = strcmp(ls, rs) != 0;
    }
done:
    Py_XDECREF(left);
    Py_XDECREF(ops);
    Py_XDECREF(comps);
    return result;
}

/* sys.platform.startswith("win") / (("linux", "darwin")) */
static int
eval_call(PyObject *node)
{
    PyObject *func = get(node, S.func);
    PyObject *args = NULL;
    PyObject *owner = NULL;
    const char *attr;
    const char *s;
    int result = UNKNOWN;

    if (!is_type(func, T.Attribute)) {
        goto done;
    }
    attr = str_attr(func, S.attr);
    owner = get(func, S.value);
    s = owner ? known_str(owner) : NULL;
    if (attr == NULL || s == NULL || strcmp(attr, "startswith") != 0 ||
        is_type(owner, T.Constant)) {
        goto done;
    }
    args = get(node, S.args);
    if (args == NULL || !PyList_Check(args) || PyList_GET_SIZE(args) != 1) {
        goto done;
    }
    {
        PyObject *a = PyList_GET_ITEM(args, 0);
        const char *prefix = const_str(a);

        if (prefix != NULL) {
            result = strncmp(s, prefix, strlen(prefix)) == 0;
        } else if (is_type(a, T.Tuple)) {
            PyObject *elts = get(a, S.elts);

            result = 0;
            for (Py_ssize_t i = 0;
                 elts && PyList_Check(elts) && i < PyList_GET_SIZE(elts); i++) {
                prefix = const_str(PyList_GET_ITEM(elts, i));
                if (prefix == NULL) {
                    result = UNKNOWN;
                    break;
                }
                if (strncmp(s, prefix, strlen(prefix)) == 0) {
                    result = 1;
                    break;
                }
            }
            Py_XDECREF(elts);
        }
    }
done:
    Py_XDECREF(func);
    Py_XDECREF(owner);
    Py_XDECREF(args);
    return result;
}

/* 1 true, 0 false, UNKNOWN: a test as evaluated on Linux at run time. */
static int
eval_test(struct walk *w, PyObject *node, int depth)
{
    int result = UNKNOWN;

    if (depth > 50) {
        return UNKNOWN;
    }
    if (is_type(node, T.Name)) {
        PyObject *id = get(node, S.id);
        const char *s = id && PyUnicode_Check(id) ? PyUnicode_AsUTF8(id) : NULL;

        if (s != NULL && strcmp(s, "TYPE_CHECKING") == 0) {
            result = 0;
        } else if (s != NULL && w->consts != NULL) {
            PyObject *v = PyDict_GetItemWithError(w->consts, id);

            /* Py_None marks a name bound to different values. */
            if (v == Py_True || v == Py_False) {
                result = v == Py_True;
            }
        }
        PyErr_Clear();
        Py_XDECREF(id);
        return result;
    }
    if (is_type(node, T.Attribute)) {
        const char *a = str_attr(node, S.attr);

        return a != NULL && strcmp(a, "TYPE_CHECKING") == 0 ? 0 : UNKNOWN;
    }
    if (is_type(node, T.Constant)) {
        PyObject *c = get(node, S.value);

        if (c != NULL && (PyBool_Check(c) || PyLong_Check(c) || c == Py_None)) {
            result = PyObject_IsTrue(c);
        }
        Py_XDECREF(c);
        PyErr_Clear();
        return result < 0 ? UNKNOWN : result;
    }
    if (is_type(node, T.UnaryOp)) {
        PyObject *op = get(node, S.op);
        PyObject *operand = get(node, S.operand);

        if (is_type(op, T.Not) && operand != NULL) {
            result = eval_test(w, operand, depth + 1);
            if (result != UNKNOWN) {
                result = !result;
            }
        }
        Py_XDECREF(op);
        Py_XDECREF(operand);
        return result;
    }
    if (is_type(node, T.BoolOp)) {
        PyObject *op = get(node, S.op);
        PyObject *values = get(node, S.values);
        int is_and = is_type(op, T.And);

        if (values != NULL && PyList_Check(values)) {
            /* and: any false decides; or: any true decides */
            result = is_and ? 1 : 0;
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(values); i++) {
                int v = eval_test(w, PyList_GET_ITEM(values, i), depth + 1);

                if (v == (is_and ? 0 : 1)) {
                    result = v;
                    break;
                }
                if (v == UNKNOWN) {
                    result = UNKNOWN;
                }
            }
        }
        Py_XDECREF(op);
        Py_XDECREF(values);
        return result;
    }
    if (is_type(node, T.Compare)) {
        return eval_compare(w, node);
    }
    if (is_type(node, T.Call)) {
        return eval_call(node);
    }
    return UNKNOWN;
}

/* A try statement whose handlers catch a failed import. */
static int
guards_import(PyObject *try_node)
{
    PyObject *handlers = get(try_node, S.handlers);
    int guarded = 0;

    for (Py_ssize_t i = 0; handlers && PyList_Check(handlers) &&
                           i < PyList_GET_SIZE(handlers) && !guarded;
         i++) {
        PyObject *type = get(PyList_GET_ITEM(handlers, i), S.type);
        PyObject *elts = NULL;

        if (type == NULL || type == Py_None) {
            guarded = 1; /* bare except */
        } else if (is_type(type, T.Tuple)) {
            elts = get(type, S.elts);
        }
        for (size_t k = 0;
             !guarded && k < sizeof(import_guards) / sizeof(*import_guards);
             k++) {
            if (is_type(type, T.Name)) {
                const char *id = str_attr(type, S.id);

                guarded = id != NULL && strcmp(id, import_guards[k]) == 0;
            }
            for (Py_ssize_t j = 0; !guarded && elts && PyList_Check(elts) &&
                                   j < PyList_GET_SIZE(elts);
                 j++) {
                PyObject *e = PyList_GET_ITEM(elts, j);
                const char *id = is_type(e, T.Name) ? str_attr(e, S.id) : NULL;

                guarded = id != NULL && strcmp(id, import_guards[k]) == 0;
            }
        }
        Py_XDECREF(type);
        Py_XDECREF(elts);
    }
    Py_XDECREF(handlers);
    return guarded;
}

/* 1 when `name` is in the graph and not missing. */
static int
present(struct walk *w, const char *name)
{
    const fz_module *m = graph_lookup(w->g, name);

    return m != NULL && m->kind != FZ_MOD_MISSING;
}

/* An import statement whose modules are all present in the graph. */
static int
import_present(struct walk *w, PyObject *stmt)
{
    int ok = 1;

    if (is_type(stmt, T.Import)) {
        PyObject *names = get(stmt, S.names);

        for (Py_ssize_t i = 0;
             ok && names && PyList_Check(names) && i < PyList_GET_SIZE(names);
             i++) {
            const char *n = str_attr(PyList_GET_ITEM(names, i), S.name);

            ok = n != NULL && present(w, n);
        }
        Py_XDECREF(names);
        return ok && !PyErr_Occurred();
    }
    if (is_type(stmt, T.ImportFrom)) {
        PyObject *lv = get(stmt, S.level);
        const char *module = str_attr(stmt, S.module);
        long level = lv && PyLong_Check(lv) ? PyLong_AsLong(lv) : 0;
        fz_buf base = FZ_BUF_INIT;

        Py_XDECREF(lv);
        PyErr_Clear();
        if (level > 0) {
            ok = relative_base(&base, w, level, module) == 0;
        } else {
            ok = module != NULL && fz_buf_puts(&base, module) == 0;
        }
        ok = ok && base.size > 0 && present(w, base.data);
        fz_buf_dispose(&base);
        return ok;
    }
    return 0;
}

/*
 * `try: import fast / except ImportError: import slow`: when the try body
 * is only imports and every module it names is bundled (or builtin or
 * frozen), the fallback cannot run in the frozen app; its imports are not
 * followed. Only for handlers that catch ImportError/ModuleNotFoundError
 * and nothing else, so real error handling is always followed.
 */
static int
fallback_is_dead(struct walk *w, PyObject *try_node)
{
    PyObject *handlers = get(try_node, S.handlers);
    PyObject *body = NULL;
    int dead = handlers != NULL && PyList_Check(handlers) &&
               PyList_GET_SIZE(handlers) > 0;

    for (Py_ssize_t i = 0; dead && i < PyList_GET_SIZE(handlers); i++) {
        PyObject *type = get(PyList_GET_ITEM(handlers, i), S.type);
        const char *id = is_type(type, T.Name) ? str_attr(type, S.id) : NULL;

        dead = id != NULL && (strcmp(id, "ImportError") == 0 ||
                              strcmp(id, "ModuleNotFoundError") == 0);
        Py_XDECREF(type);
    }
    if (dead) {
        body = get(try_node, S.body);
        dead = body != NULL && PyList_Check(body) && PyList_GET_SIZE(body) > 0;
        for (Py_ssize_t i = 0; dead && i < PyList_GET_SIZE(body); i++) {
            dead = import_present(w, PyList_GET_ITEM(body, i));
        }
    }
    Py_XDECREF(handlers);
    Py_XDECREF(body);
    return dead;
}

/* A literal list/tuple of strings into `out` (appended). */
static int
collect_strings(fz_strvec *out, PyObject *seq)
{
    PyObject *elts;
    int rc = 0;

    if (!is_type(seq, T.List) && !is_type(seq, T.Tuple)) {
        return 0;
    }
    elts = get(seq, S.elts);
    for (Py_ssize_t i = 0;
         elts && PyList_Check(elts) && i < PyList_GET_SIZE(elts) && rc == 0;
         i++) {
        const char *s = const_str(PyList_GET_ITEM(elts, i));

        if (s != NULL) {
            rc = fz_strvec_push_unique(out, s);
        }
    }
    Py_XDECREF(elts);
    return rc;
}

/* Module-level `__all__ = [...]`, `__all__ += [...]` and `NAME = <test>`
 * with a value known on Linux. */
static int
handle_assign(struct walk *w, PyObject *node)
{
    PyObject *targets = NULL;
    PyObject *target = NULL;
    PyObject *value = get(node, S.value);
    PyObject *id = NULL;
    const char *name;
    int rc = 0;

    if (is_type(node, T.Assign)) {
        targets = get(node, S.targets);
        if (targets == NULL || !PyList_Check(targets) ||
            PyList_GET_SIZE(targets) != 1) {
            goto done;
        }
        target = PyList_GET_ITEM(targets, 0);
        Py_INCREF(target);
    } else {
        PyObject *op = get(node, S.op);
        int add = is_type(op, T.Add);

        Py_XDECREF(op);
        if (!add) {
            goto done;
        }
        target = get(node, S.target);
    }
    if (!is_type(target, T.Name)) {
        goto done;
    }
    id = get(target, S.id);
    name = id && PyUnicode_Check(id) ? PyUnicode_AsUTF8(id) : NULL;
    if (name == NULL) {
        goto done;
    }
    if (strcmp(name, "__all__") == 0) {
        if (is_type(node, T.Assign)) {
            fz_strvec_dispose(&w->m->all);
        }
        rc = collect_strings(&w->m->all, value);
    } else if (is_type(node, T.Assign) && w->consts != NULL) {
        /*
         * A name bound twice to different values (`try: import msvcrt`
         * / `except: X = False` / `else: X = True`) is unknown for good:
         * which binding wins depends on control flow this walk does not
         * follow, and guessing wrong drops live imports.
         */
        int v = eval_test(w, value, 0);
        PyObject *known = v == UNKNOWN ? Py_None : v ? Py_True : Py_False;
        PyObject *old = PyDict_GetItemWithError(w->consts, id);

        if (old != NULL && old != known) {
            known = Py_None;
        }
        if (PyDict_SetItem(w->consts, id, known) < 0) {
            rc = fz_pyembed_error(NULL, "analyzer");
        }
    }
done:
    PyErr_Clear();
    Py_XDECREF(targets);
    Py_XDECREF(target);
    Py_XDECREF(value);
    Py_XDECREF(id);
    return rc;
}

static int
walk_node(struct walk *w, PyObject *node, int optional, int depth)
{
    PyTypeObject *t = Py_TYPE(node);
    PyObject *fields = NULL;
    int rc = 0;

    if (depth > WALK_DEPTH_MAX) {
        return 0;
    }
    if ((PyObject *)t == T.Import) {
        return handle_import(w, node, optional);
    }
    if ((PyObject *)t == T.ImportFrom) {
        return handle_import_from(w, node, optional);
    }
    if ((PyObject *)t == T.If) {
        int v = UNKNOWN;
        PyObject *test = get(node, S.test);

        if (test != NULL) {
            v = eval_test(w, test, 0);
            if (w->scan_calls) {
                rc = walk_value(w, test, optional, depth + 1);
            }
        }
        Py_XDECREF(test);
        if (rc == 0 && v != 0) {
            rc = walk_field(w, node, S.body, optional, depth + 1);
        }
        if (rc == 0 && v != 1) {
            rc = walk_field(w, node, S.orelse, optional, depth + 1);
        }
        return rc;
    }
    if ((PyObject *)t == T.Try || (PyObject *)t == T.TryStar) {
        int guarded = optional || guards_import(node);

        rc = walk_field(w, node, S.body, guarded, depth + 1);
        if (rc == 0 && !fallback_is_dead(w, node)) {
            rc = walk_field(w, node, S.handlers, optional, depth + 1);
        }
        if (rc == 0) {
            rc = walk_field(w, node, S.orelse, optional, depth + 1);
        }
        if (rc == 0) {
            rc = walk_field(w, node, S.finalbody, optional, depth + 1);
        }
        return rc;
    }
    if (((PyObject *)t == T.Assign || (PyObject *)t == T.AugAssign) &&
        w->scope == 0) {
        rc = handle_assign(w, node);
        if (rc < 0) {
            return rc;
        }
    }
    if (w->scope == 0 && w->main_only != NULL &&
        ((PyObject *)t == T.FunctionDef ||
         (PyObject *)t == T.AsyncFunctionDef)) {
        PyObject *name = get(node, S.name);
        int skip = name != NULL && PySet_Contains(w->main_only, name) == 1;

        PyErr_Clear();
        Py_XDECREF(name);
        if (skip) {
            return 0;
        }
    }
    if ((PyObject *)t == T.Call && w->scan_calls) {
        rc = handle_call(w, node, optional);
        if (rc < 0) {
            return rc;
        }
    }
    if ((PyObject *)t == T.FunctionDef || (PyObject *)t == T.AsyncFunctionDef ||
        (PyObject *)t == T.ClassDef || (PyObject *)t == T.Lambda) {
        w->scope++;
    }
    if (!w->scan_calls) {
        /* Statements only: imports cannot hide inside expressions. */
        rc = walk_field(w, node, S.body, optional, depth + 1);
        if (rc == 0) {
            rc = walk_field(w, node, S.orelse, optional, depth + 1);
        }
        if (rc == 0) {
            rc = walk_field(w, node, S.finalbody, optional, depth + 1);
        }
        if (rc == 0) {
            rc = walk_field(w, node, S.handlers, optional, depth + 1);
        }
        if (rc == 0) {
            rc = walk_field(w, node, S.cases, optional, depth + 1);
        }
    } else {
        fields = get((PyObject *)t, S.fields);
        for (Py_ssize_t i = 0; fields && PyTuple_Check(fields) &&
                               i < PyTuple_GET_SIZE(fields) && rc == 0;
             i++) {
            rc = walk_field(w, node, PyTuple_GET_ITEM(fields, i), optional,
                            depth + 1);
        }
        Py_XDECREF(fields);
    }
    if ((PyObject *)t == T.FunctionDef || (PyObject *)t == T.AsyncFunctionDef ||
        (PyObject *)t == T.ClassDef || (PyObject *)t == T.Lambda) {
        w->scope--;
    }
    return rc;
}

/* -------------------------------------------------------- per module */

/* "<name> is not bundled: <message>" into `list`. */
static int
add_unusable(fz_strvec *list, const char *name, const char *message)
{
    fz_buf line = FZ_BUF_INIT;
    int rc = fz_buf_printf(&line, "%s is not bundled: %s", name, message);

    if (rc == 0) {
        rc = fz_strvec_push(list, line.data);
    }
    fz_buf_dispose(&line);
    return rc;
}

/*
 * Generic walk below `node`: add the names of called functions to `calls`
 * (a set) and count every Name reference in `refs` (a dict name -> int).
 * Either may be NULL.
 */
static int
scan_names(PyObject *node, PyObject *calls, PyObject *refs, int depth)
{
    PyObject *fields;
    int rc = 0;

    if (depth > WALK_DEPTH_MAX) {
        return 0;
    }
    if (calls != NULL && is_type(node, T.Call)) {
        PyObject *func = get(node, S.func);

        if (is_type(func, T.Name)) {
            PyObject *id = get(func, S.id);

            if (id != NULL && PySet_Add(calls, id) < 0) {
                rc = -1;
            }
            Py_XDECREF(id);
        }
        Py_XDECREF(func);
    }
    if (refs != NULL && is_type(node, T.Name)) {
        PyObject *id = get(node, S.id);
        PyObject *old = id ? PyDict_GetItemWithError(refs, id) : NULL;
        long n = old ? PyLong_AsLong(old) : 0;
        PyObject *v = PyLong_FromLong(n + 1);

        if (id == NULL || v == NULL || PyDict_SetItem(refs, id, v) < 0) {
            rc = -1;
        }
        Py_XDECREF(id);
        Py_XDECREF(v);
    }
    fields = get((PyObject *)Py_TYPE(node), S.fields);
    for (Py_ssize_t i = 0; rc == 0 && fields && PyTuple_Check(fields) &&
                           i < PyTuple_GET_SIZE(fields);
         i++) {
        PyObject *v = get(node, PyTuple_GET_ITEM(fields, i));

        if (v != NULL && PyList_Check(v)) {
            for (Py_ssize_t k = 0; k < PyList_GET_SIZE(v) && rc == 0; k++) {
                if (PyObject_TypeCheck(PyList_GET_ITEM(v, k),
                                       (PyTypeObject *)T.AST)) {
                    rc = scan_names(PyList_GET_ITEM(v, k), calls, refs,
                                    depth + 1);
                }
            }
        } else if (v != NULL && PyObject_TypeCheck(v, (PyTypeObject *)T.AST)) {
            rc = scan_names(v, calls, refs, depth + 1);
        }
        Py_XDECREF(v);
    }
    Py_XDECREF(fields);
    return rc;
}

/* 1 for `if __name__ == "__main__":` (dead in an imported module). */
static int
is_main_block(struct walk *w, PyObject *stmt)
{
    PyObject *test;
    PyObject *left = NULL;
    const char *id = NULL;
    int yes = 0;

    if (!is_type(stmt, T.If)) {
        return 0;
    }
    test = get(stmt, S.test);
    if (test != NULL && is_type(test, T.Compare) &&
        eval_test(w, test, 0) == 0) {
        left = get(test, S.left);
        id = is_type(left, T.Name) ? str_attr(left, S.id) : NULL;
        yes = id != NULL && strcmp(id, "__name__") == 0;
    }
    Py_XDECREF(left);
    Py_XDECREF(test);
    return yes;
}

/* The top-level function definition named `name`, borrowed, or NULL. */
static PyObject *
find_def(PyObject *body, PyObject *name)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(body); i++) {
        PyObject *stmt = PyList_GET_ITEM(body, i);
        PyObject *n;
        int eq;

        if (!is_type(stmt, T.FunctionDef)) {
            continue;
        }
        n = get(stmt, S.name);
        eq = n != NULL && PyUnicode_Compare(n, name) == 0;
        Py_XDECREF(n);
        if (eq) {
            return stmt;
        }
    }
    return NULL;
}

/*
 * The functions that only a module's `if __name__ == "__main__":` block
 * uses (the stdlib's `_test()` / `main()` self-tests and demo CLIs, and the
 * helpers only they call); their imports (doctest, argparse, statistics)
 * are never needed by an importer. A function referenced anywhere else in
 * the module is kept.
 */
static PyObject *
main_block_calls(struct walk *w, PyObject *body)
{
    PyObject *set = NULL;
    PyObject *all_refs = NULL;
    PyObject *main_refs = NULL;
    PyObject *result = NULL;
    int grew = 1;
    int rounds = 0;

    if (body == NULL || !PyList_Check(body)) {
        return NULL;
    }
    set = PySet_New(NULL);
    main_refs = PyDict_New();
    if (set == NULL || main_refs == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(body); i++) {
        PyObject *stmt = PyList_GET_ITEM(body, i);

        if (is_main_block(w, stmt) && scan_names(stmt, set, main_refs, 0) < 0) {
            goto done;
        }
    }
    if (PySet_GET_SIZE(set) == 0) {
        goto done;
    }
    all_refs = PyDict_New();
    if (all_refs == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(body); i++) {
        if (scan_names(PyList_GET_ITEM(body, i), NULL, all_refs, 0) < 0) {
            goto done;
        }
    }
    /* Keep only functions whose every reference is in main-only code;
     * grow through the helpers those call. */
    for (;;) {
        PyObject *keep = PySet_New(NULL);
        PyObject *it;
        PyObject *name;

        if (keep == NULL) {
            goto done;
        }
        it = PyObject_GetIter(set);
        while (it != NULL && (name = PyIter_Next(it)) != NULL) {
            PyObject *a = PyDict_GetItemWithError(all_refs, name);
            PyObject *m = PyDict_GetItemWithError(main_refs, name);
            PyObject *def = find_def(body, name);

            if (def != NULL && a != NULL && m != NULL &&
                PyLong_AsLong(a) <= PyLong_AsLong(m)) {
                PySet_Add(keep, name);
            }
            Py_DECREF(name);
        }
        Py_XDECREF(it);
        PyErr_Clear();
        Py_DECREF(set);
        set = keep;
        if (!grew || ++rounds > 8) {
            break;
        }
        grew = 0;
        /* References from kept functions count as main-only too. */
        Py_DECREF(main_refs);
        main_refs = PyDict_New();
        if (main_refs == NULL) {
            goto done;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(body); i++) {
            PyObject *stmt = PyList_GET_ITEM(body, i);
            PyObject *n = NULL;
            int in = 0;

            if (is_type(stmt, T.FunctionDef)) {
                n = get(stmt, S.name);
                in = n != NULL && PySet_Contains(set, n) == 1;
            }
            Py_XDECREF(n);
            if (in || is_main_block(w, stmt)) {
                Py_ssize_t before = PySet_GET_SIZE(set);

                if (scan_names(stmt, in ? set : NULL, main_refs, 0) < 0) {
                    goto done;
                }
                /* a def's own name is not a reference to it */
                grew |= PySet_GET_SIZE(set) != before;
            }
        }
    }
    if (PySet_GET_SIZE(set) > 0) {
        result = set;
        set = NULL;
    }
done:
    PyErr_Clear();
    Py_XDECREF(set);
    Py_XDECREF(all_refs);
    Py_XDECREF(main_refs);
    return result;
}

static int
analyze_source(fz_graph *g, fz_module *m, const char *display)
{
    PyCompilerFlags cf = _PyCompilerFlags_INIT;
    PyObject *filename = NULL;
    PyObject *tree = NULL;
    PyObject *body = NULL;
    struct walk w = {g, m, 0, 0, NULL, NULL};
    int rc = 0;

    if (m->source.data == NULL) {
        rc = fz_file_read(&m->source, m->path);
        if (rc < 0) {
            goto done;
        }
    }
    if (memchr(m->source.data, '\0', m->source.size) != NULL) {
        rc = fz_error_set(FZ_ESYNTAX,
                          "%s:1:1: source code cannot contain null bytes",
                          display);
        goto done;
    }
    filename = PyUnicode_DecodeFSDefault(display);
    if (filename == NULL) {
        rc = fz_pyembed_error(NULL, display);
        goto done;
    }
    cf.cf_flags = PyCF_ONLY_AST;
    tree = Py_CompileStringObject(m->source.data, filename, Py_file_input, &cf,
                                  -1);
    if (tree == NULL) {
        rc = fz_pyembed_error(display, display);
        goto done;
    }
    /* The standard library's own mentions are tables and docs (email's
     * charsets, encodings.aliases, re._parser); the hooks cover its real
     * uses (socket: idna). */
    if (m->origin != FZ_ORIGIN_STDLIB) {
        rc = scan_codec_names(g, m);
        if (rc == 0) {
            rc = scan_feature_markers(g, m);
        }
        if (rc < 0) {
            goto done;
        }
    }
    w.scan_calls = strstr(m->source.data, "__import__") != NULL ||
                   strstr(m->source.data, "import_module") != NULL;
    w.consts = PyDict_New();
    if (w.consts == NULL) {
        rc = fz_pyembed_error(NULL, "analyzer");
        goto done;
    }
    body = get(tree, S.body);
    if (m->origin == FZ_ORIGIN_STDLIB) {
        w.main_only = main_block_calls(&w, body);
    }
    rc = walk_value(&w, body, 0, 0);
done:
    Py_XDECREF(filename);
    Py_XDECREF(tree);
    Py_XDECREF(body);
    Py_XDECREF(w.consts);
    Py_XDECREF(w.main_only);
    return rc;
}

/* Parse one module of the worklist and add what it imports. */
static int
analyze_module(fz_graph *g, fz_module *m, const char *script_display)
{
    fz_module *dep;
    int rc = 0;

    if (m->kind == FZ_MOD_BUILTIN || m->kind == FZ_MOD_EXTENSION) {
        for (size_t i = 0;
             i < sizeof(implicit_imports) / sizeof(*implicit_imports); i++) {
            char *list;
            char *save = NULL;

            if (strcmp(m->name, implicit_imports[i][0]) != 0) {
                continue;
            }
            list = fz_strdup(implicit_imports[i][1]);
            if (list == NULL) {
                return FZ_ENOMEM;
            }
            for (char *n = strtok_r(list, ",", &save); n && rc == 0;
                 n = strtok_r(NULL, ",", &save)) {
                rc = require(g, n, m->name, m->optional, NULL, 1, &dep);
            }
            free(list);
        }
        return rc;
    }
    if (m->path == NULL ||
        (m->kind != FZ_MOD_SOURCE && m->kind != FZ_MOD_PACKAGE &&
         m->kind != FZ_MOD_FROZEN)) {
        return 0;
    }
    rc = analyze_source(g, m, m->is_main ? script_display : m->path);
    if (rc == FZ_ESYNTAX && m->origin != FZ_ORIGIN_APP) {
        /* Third-party or stdlib code that does not parse (Python 2 files,
         * test data): leave it out, say so, go on. */
        rc = add_unusable(&g->warnings, m->name, fz_error_message());
        fz_error_clear();
        m->kind = FZ_MOD_MISSING;
        m->optional = 1;
        free(m->reason);
        m->reason = fz_strdup("does not parse (not bundled)");
        if (m->reason == NULL) {
            rc = FZ_ENOMEM;
        }
        free(m->path);
        m->path = NULL;
        fz_buf_dispose(&m->source);
    }
    return rc;
}

/* Star imports: `from pkg import *` imports the submodules in __all__. */
static int
process_stars(fz_graph *g, size_t *done_stars)
{
    int rc = 0;

    for (; *done_stars < g->nstars && rc == 0; (*done_stars)++) {
        struct star *s = &g->stars[*done_stars];
        fz_module *base = graph_lookup(g, s->base);
        fz_module *dep;

        if (base == NULL || base->search.count == 0) {
            continue;
        }
        for (size_t i = 0; i < base->all.count && rc == 0; i++) {
            fz_buf sub = FZ_BUF_INIT;

            rc = fz_buf_printf(&sub, "%s.%s", base->name, base->all.items[i]);
            if (rc == 0) {
                rc = require(g, sub.data, s->importer, s->optional, NULL, 0,
                             &dep);
            }
            fz_buf_dispose(&sub);
        }
    }
    return rc;
}

static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Does the codec encodings/<file> need an extension module? The CJK ones
 * import _multibytecodec and a _codecs_* extension (430 kB compressed, 40%
 * of a hello payload), bz2_codec imports bz2 (_bz2 and libbz2, and an
 * extraction on first run), idna imports unicodedata (1.1 MB, left out of
 * the stub: cmake/FindFzPython.cmake). They are bundled only when an import reaches
 * them (or --hidden-import encodings.gbk); every other codec is pure Python
 * and always bundled.
 */
static int
needs_extension(const char *dir, const char *file)
{
    fz_buf text = FZ_BUF_INIT;
    char *path = fz_path_join(dir, file);
    int found = 0;

    if (path != NULL && fz_file_read(&text, path) == 0) {
        for (size_t i = 0; i + 15 <= text.size && !found; i++) {
            found = memcmp(text.data + i, "_multibytecodec", 15) == 0 ||
                    memcmp(text.data + i, "\nimport bz2", 11) == 0 ||
                    memcmp(text.data + i, "unicodedata", 11) == 0;
        }
    }
    fz_buf_dispose(&text);
    free(path);
    return found;
}

/*
 * A codec name as the encodings search function sees it: lower case, every
 * run of other characters than letters, digits and '.' one '_', none at the
 * ends. Empty when `s` is not a plausible codec name (too long, not ASCII).
 */
static void
normalize_codec(fz_buf *out, const char *s, size_t n)
{
    int gap = 0;

    fz_buf_clear(out);
    if (n > CODEC_NAME_MAX) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80) {
            fz_buf_clear(out);
            return;
        }
        if (isalnum(c) || c == '.') {
            char lower = (char)tolower(c);

            if ((gap && out->size > 0 && fz_buf_append(out, "_", 1) < 0) ||
                fz_buf_append(out, &lower, 1) < 0) {
                fz_buf_clear(out);
                return;
            }
            gap = 0;
        } else {
            gap = 1;
        }
    }
}

/* lazy_codecs[name] = "encodings.<module>". */
static int
set_lazy_codec(fz_graph *g, const char *name, const char *module)
{
    PyObject *value = PyUnicode_FromFormat("encodings.%s", module);
    int rc = 0;

    if (g->lazy_codecs == NULL) {
        g->lazy_codecs = PyDict_New();
    }
    if (value == NULL || g->lazy_codecs == NULL ||
        PyDict_SetItemString(g->lazy_codecs, name, value) < 0) {
        rc = fz_pyembed_error(NULL, "codec table");
    }
    Py_XDECREF(value);
    return rc;
}

/* The codec encodings/<file, n chars>.py is not always bundled. */
static int
add_lazy_codec(fz_graph *g, const char *file, size_t n)
{
    char *module = strndup(file, n);
    int rc = module ? set_lazy_codec(g, module, module)
                    : fz_error_set(FZ_ENOMEM, "out of memory");

    free(module);
    return rc;
}

/* The aliases (encodings.aliases) of the codecs not always bundled. */
static int
add_lazy_codec_aliases(fz_graph *g)
{
    PyObject *mod = NULL;
    PyObject *aliases = NULL;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    int rc = 0;

    if (g->lazy_codecs == NULL) {
        return 0;
    }
    mod = PyImport_ImportModule("encodings.aliases");
    aliases = mod ? PyObject_GetAttrString(mod, "aliases") : NULL;
    if (aliases == NULL || !PyDict_Check(aliases)) {
        rc = fz_pyembed_error(NULL, "encodings.aliases");
        goto done;
    }
    while (rc == 0 && PyDict_Next(aliases, &pos, &key, &value)) {
        const char *alias = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        const char *target =
            PyUnicode_Check(value) ? PyUnicode_AsUTF8(value) : NULL;

        if (alias == NULL || target == NULL) {
            PyErr_Clear();
            continue;
        }
        if (PyDict_GetItemString(g->lazy_codecs, target) != NULL) {
            rc = set_lazy_codec(g, alias, target);
        }
    }
done:
    Py_XDECREF(mod);
    Py_XDECREF(aliases);
    return rc;
}

/*
 * Codecs looked up by name: a string literal in `m` that names a codec not
 * always bundled ("idna", 'shift-jis') bundles it, as if imported. Quoted
 * runs in comments count too, which costs at most an unused codec.
 */
static int
scan_codec_names(fz_graph *g, fz_module *m)
{
    const char *p = m->source.data;
    const char *end = p + m->source.size;
    const char *dq = memchr(p, '"', m->source.size);  /* next '"' */
    const char *sq = memchr(p, '\'', m->source.size); /* next '\'' */
    fz_buf name = FZ_BUF_INIT;
    fz_module *dep;
    int rc = 0;

    if (g->lazy_codecs == NULL) {
        return 0;
    }
    while (rc == 0) {
        const char *q;
        const char *close;
        PyObject *module;

        /* A quote kind is searched for again only once p has passed the
         * last one found: one pass over the source whatever its quotes. */
        if (dq != NULL && dq < p) {
            dq = memchr(p, '"', (size_t)(end - p));
        }
        if (sq != NULL && sq < p) {
            sq = memchr(p, '\'', (size_t)(end - p));
        }
        q = dq == NULL || (sq != NULL && sq < dq) ? sq : dq;
        if (q == NULL) {
            break;
        }
        close = q + 1;
        while (close < end && close - q <= CODEC_NAME_MAX + 1 &&
               *close != *q && *close != '\n') {
            close++;
        }
        if (close >= end || *close != *q) {
            p = q + 1;
            continue;
        }
        normalize_codec(&name, q + 1, (size_t)(close - q - 1));
        module = name.size > 0 ? PyDict_GetItemString(g->lazy_codecs,
                                                      name.data)
                               : NULL;
        if (module != NULL && PyUnicode_AsUTF8(module) != NULL) {
            rc = require(g, PyUnicode_AsUTF8(module), m->name, 1,
                         NULL, 1, &dep);
        }
        PyErr_Clear();
        p = close + 1;
    }
    fz_buf_dispose(&name);
    return rc;
}

/* The feature_edges whose marker the source of `m` shows. */
static int
scan_feature_markers(fz_graph *g, fz_module *m)
{
    fz_module *dep;
    int rc = 0;

    for (size_t i = 0;
         rc == 0 && i < sizeof(feature_edges) / sizeof(*feature_edges); i++) {
        const char *marker = feature_edges[i].marker;

        if (memmem(m->source.data, m->source.size, marker, strlen(marker))) {
            rc = require(g, feature_edges[i].name, m->name, 1, NULL, 1, &dep);
        }
    }
    return rc;
}

static int
add_encodings(fz_graph *g, const char *stdlib)
{
    fz_strvec names = FZ_STRVEC_INIT;
    char *dir = fz_path_join(stdlib, "encodings");
    DIR *d = NULL;
    struct dirent *e;
    fz_module *m;
    int rc = 0;

    if (dir == NULL) {
        return FZ_ENOMEM;
    }
    rc = require(g, "encodings", NULL, 0,
                 "always included (the runtime "
                 "imports it at start)",
                 1, &m);
    if (rc < 0) {
        goto done;
    }
    d = opendir(dir);
    if (d == NULL) {
        goto done;
    }
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);

        if (n > 3 && strcmp(e->d_name + n - 3, ".py") == 0 &&
            strcmp(e->d_name, "__init__.py") != 0) {
            fz_buf name = FZ_BUF_INIT;

            if (needs_extension(dir, e->d_name)) {
                rc = add_lazy_codec(g, e->d_name, n - 3);
                if (rc < 0) {
                    goto done;
                }
                continue;
            }
            rc =
                fz_buf_printf(&name, "encodings.%.*s", (int)(n - 3), e->d_name);
            if (rc == 0) {
                rc = fz_strvec_push(&names, name.data);
            }
            fz_buf_dispose(&name);
            if (rc < 0) {
                goto done;
            }
        }
    }
    qsort(names.items, names.count, sizeof(*names.items), cmp_strp);
    for (size_t i = 0; i < names.count && rc == 0; i++) {
        rc = require(g, names.items[i], NULL, 0,
                     "always included (every codec of encodings)", 1, &m);
    }
    if (rc == 0) {
        rc = add_lazy_codec_aliases(g);
    }
done:
    if (d != NULL) {
        closedir(d);
    }
    free(dir);
    fz_strvec_dispose(&names);
    return rc;
}

static int
is_foreign(const char *name)
{
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);

    for (size_t i = 0; i < sizeof(foreign_modules) / sizeof(*foreign_modules);
         i++) {
        if (strlen(foreign_modules[i]) == n &&
            strncmp(foreign_modules[i], name, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
make_warnings(fz_graph *g)
{
    int rc = 0;

    for (size_t i = 0; i < g->count && rc == 0; i++) {
        const fz_module *m = g->mods[i];
        fz_buf line = FZ_BUF_INIT;
        int optional;

        if (m->kind != FZ_MOD_MISSING || m->path != NULL ||
            (m->optional && m->reason && strstr(m->reason, "not bundled"))) {
            continue;
        }
        optional = m->optional || is_foreign(m->name);
        rc = fz_buf_printf(&line, "%smodule '%s' not found (",
                           optional ? "optional " : "", m->name);
        if (m->importers.count == 0) {
            rc = rc ? rc : fz_buf_puts(&line, m->reason ? m->reason : "root");
        } else {
            rc = rc ? rc : fz_buf_puts(&line, "imported by ");
        }
        for (size_t k = 0; k < m->importers.count && k < 5 && rc == 0; k++) {
            rc = fz_buf_printf(&line, "%s%s", k ? ", " : "",
                               m->importers.items[k]);
        }
        if (rc == 0 && m->importers.count > 5) {
            rc = fz_buf_printf(&line, " and %zu more", m->importers.count - 5);
        }
        if (rc == 0) {
            rc = fz_buf_puts(&line, ")");
        }
        if (rc == 0) {
            /* push_unique: fz_graph_add_roots runs this again */
            rc = fz_strvec_push_unique(optional ? &g->notes : &g->warnings,
                                       line.data);
        }
        fz_buf_dispose(&line);
    }
    return rc;
}

/* The worklist is the graph itself: analyze nodes in order until no star
 * import adds more. */
static int
run_worklist(fz_graph *g, const char *script_display)
{
    int rc = 0;

    for (;;) {
        for (; g->next < g->count; g->next++) {
            rc = analyze_module(g, g->mods[g->next], script_display);
            if (rc < 0) {
                return rc;
            }
        }
        rc = process_stars(g, &g->done_stars);
        if (rc < 0) {
            return rc;
        }
        if (g->next == g->count) {
            return 0;
        }
    }
}

int
fz_graph_add_roots(fz_graph *g, const char *const *names, size_t count,
                   const char *reason, int optional)
{
    fz_module *m;
    int rc = 0;

    for (size_t i = 0; i < count && rc == 0; i++) {
        rc = require(g, names[i], NULL, optional, reason, optional ? 0 : 1, &m);
    }
    if (rc == 0) {
        rc = run_worklist(g, fz_graph_main(g)->path);
    }
    if (rc == 0) {
        rc = make_warnings(g);
    }
    return rc;
}

int
fz_graph_exclude(fz_graph *g, const char *name)
{
    return fz_strvec_push_unique(&g->excludes, name);
}

int
fz_graph_is_excluded(const fz_graph *g, const char *name)
{
    return is_excluded(g, name);
}

const fz_strvec *
fz_graph_search_path(const fz_graph *g)
{
    return &g->top;
}

/* The script's module name: its file name without ".py". */
static char *
script_module_name(const char *script)
{
    const char *base = fz_path_basename(script);
    size_t n = strlen(base);
    fz_buf b = FZ_BUF_INIT;

    if (n > 3 && strcmp(base + n - 3, ".py") == 0) {
        n -= 3;
    }
    if (fz_buf_append(&b, base, n) < 0) {
        return NULL;
    }
    return fz_buf_detach(&b);
}

int
fz_analyze(fz_graph **out, const fz_analyzer_config *cfg)
{
    const char *stdlib = cfg->stdlib_dir ? cfg->stdlib_dir : FZ_PY_STDLIB;
    const char *dynload = cfg->dynload_dir ? cfg->dynload_dir : FZ_PY_DYNLOAD;
    fz_graph *g = NULL;
    fz_module *m = NULL;
    char *real = NULL;
    char *appdir = NULL;
    int rc = 0;

    *out = NULL;
    rc = load_ast_types();
    if (rc < 0) {
        goto done;
    }
    g = calloc(1, sizeof(*g));
    if (g == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    real = realpath(cfg->script, NULL);
    if (real == NULL || !fz_is_file(real)) {
        rc = fz_error_set(FZ_EIO, "%s: no such file", cfg->script);
        goto done;
    }
    appdir = fz_path_dirname(real);
    if (appdir == NULL) {
        rc = FZ_ENOMEM;
        goto done;
    }
    if ((rc = fz_strvec_push(&g->top, appdir)) < 0 ||
        (rc = fz_strvec_push(&g->top, stdlib)) < 0 ||
        (rc = fz_strvec_push(&g->top, dynload)) < 0 ||
        (rc = fz_strvec_push(&g->stdlib, stdlib)) < 0) {
        goto done;
    }
    g->hooks = cfg->hooks;
    g->app_dirs = 1;
    g->stdlib_end = 3;
    if (cfg->stub_ext_dir != NULL) {
        rc = fz_strvec_push(&g->top, cfg->stub_ext_dir);
        if (rc < 0) {
            goto done;
        }
        g->stdlib_end = 4;
    }
    for (size_t i = 0; i < cfg->site_count; i++) {
        rc = fz_strvec_push_unique(&g->top, cfg->site_dirs[i]);
        if (rc < 0) {
            goto done;
        }
    }
    for (size_t i = 0; i < cfg->exclude_count; i++) {
        rc = fz_strvec_push(&g->excludes, cfg->excludes[i]);
        if (rc < 0) {
            goto done;
        }
    }

    /* The script is the first node. */
    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    m->name = script_module_name(cfg->script);
    m->path = real;
    real = NULL;
    m->reason = fz_strdup("the script");
    if (m->name == NULL || m->reason == NULL) {
        module_free(m);
        rc = FZ_ENOMEM;
        goto done;
    }
    m->kind = FZ_MOD_SOURCE;
    m->origin = FZ_ORIGIN_APP;
    m->is_main = 1;
    rc = graph_add(g, m);
    if (rc < 0) {
        goto done;
    }
    g->main_index = 0;

    for (size_t i = 0; i < cfg->hidden_count; i++) {
        rc = require(g, cfg->hidden[i], NULL, 0, "hidden import", 1, &m);
        if (rc < 0) {
            goto done;
        }
    }
    if (!cfg->no_runtime_roots) {
        rc = add_encodings(g, stdlib);
        if (rc == 0) {
            rc = require(g, "traceback", NULL, 0,
                         "always included (the runtime prints uncaught "
                         "exceptions with it)",
                         1, &m);
        }
        if (rc < 0) {
            goto done;
        }
    }

    rc = run_worklist(g, cfg->script);
    if (rc < 0) {
        goto done;
    }
    rc = make_warnings(g);
    if (rc < 0) {
        goto done;
    }
    *out = g;
    g = NULL;
done:
    free(real);
    free(appdir);
    fz_graph_free(g);
    return rc;
}

void
fz_graph_free(fz_graph *g)
{
    if (g == NULL) {
        return;
    }
    for (size_t i = 0; i < g->count; i++) {
        module_free(g->mods[i]);
    }
    for (size_t i = 0; i < g->nstars; i++) {
        free(g->stars[i].base);
        free(g->stars[i].importer);
    }
    free(g->stars);
    free(g->mods);
    free(g->slots);
    fz_strvec_dispose(&g->warnings);
    fz_strvec_dispose(&g->notes);
    fz_strvec_dispose(&g->top);
    fz_strvec_dispose(&g->stdlib);
    fz_strvec_dispose(&g->excludes);
    Py_XDECREF(g->lazy_codecs);
    free(g);
}

size_t
fz_graph_count(const fz_graph *g)
{
    return g->count;
}

const fz_module *
fz_graph_module(const fz_graph *g, size_t i)
{
    return i < g->count ? g->mods[i] : NULL;
}

const fz_module *
fz_graph_find(const fz_graph *g, const char *name)
{
    return graph_lookup(g, name);
}

const fz_module *
fz_graph_main(const fz_graph *g)
{
    return g->mods[g->main_index];
}

const fz_strvec *
fz_graph_warnings(const fz_graph *g)
{
    return &g->warnings;
}

const fz_strvec *
fz_graph_notes(const fz_graph *g)
{
    return &g->notes;
}

const char *
fz_module_kind_name(fz_module_kind kind)
{
    switch (kind) {
    case FZ_MOD_SOURCE:
        return "source";
    case FZ_MOD_PACKAGE:
        return "package";
    case FZ_MOD_EXTENSION:
        return "extension";
    case FZ_MOD_BUILTIN:
        return "builtin";
    case FZ_MOD_FROZEN:
        return "frozen";
    case FZ_MOD_NAMESPACE:
        return "namespace";
    case FZ_MOD_MISSING:
        return "missing";
    }
    return "unknown";
}
