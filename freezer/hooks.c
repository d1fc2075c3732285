/*
 * hooks.c - load declarative hook files (hooks.h).
 */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include "hooks.h"

#include "fz_error.h"
#include "pyhelp.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const keys[] = {
    "hidden_imports", "collect_submodules", "collect_data", "copy_metadata",
    "excludes",       "binaries",           "datas", "excluded_imports"};
#define NKEYS (sizeof(keys) / sizeof(*keys))

static const char helper[] =
    "import tomllib\n"
    "KEYS = ('hidden_imports', 'collect_submodules', 'collect_data',\n"
    "        'copy_metadata', 'excludes', 'binaries', 'datas',\n"
    "        'excluded_imports')\n"
    "def load(path):\n"
    "    try:\n"
    "        with open(path, 'rb') as f:\n"
    "            d = tomllib.load(f)\n"
    "    except OSError as e:\n"
    "        return 'io', '%s: %s' % (path, e.strerror)\n"
    "    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:\n"
    "        return 'format', '%s: %s' % (path, e)\n"
    "    out = []\n"
    "    for k in d:\n"
    "        if k not in KEYS:\n"
    "            return 'format', \"%s: unknown key '%s' (expected one of \" "
    "\\\n"
    "                \"%s)\" % (path, k, ', '.join(KEYS))\n"
    "    for k in KEYS:\n"
    "        v = d.get(k, [])\n"
    "        if isinstance(v, str):\n"
    "            v = [v]\n"
    "        if not isinstance(v, list) or \\\n"
    "           not all(isinstance(x, str) and x and '\\0' not in x\n"
    "                   for x in v):\n"
    "            return 'format', '%s: %s must be a list of strings' % \\\n"
    "                (path, k)\n"
    "        out.append(v)\n"
    "    return 'ok', out\n";

void
fz_hook_dispose(fz_hook *h)
{
    free(h->module);
    free(h->file);
    fz_strvec_dispose(&h->hidden_imports);
    fz_strvec_dispose(&h->collect_submodules);
    fz_strvec_dispose(&h->collect_data);
    fz_strvec_dispose(&h->copy_metadata);
    fz_strvec_dispose(&h->excludes);
    fz_strvec_dispose(&h->binaries);
    fz_strvec_dispose(&h->datas);
    fz_strvec_dispose(&h->excluded_imports);
    memset(h, 0, sizeof(*h));
}

static fz_strvec *
field(fz_hook *h, size_t i)
{
    fz_strvec *f[NKEYS] = {&h->hidden_imports, &h->collect_submodules,
                           &h->collect_data,   &h->copy_metadata,
                           &h->excludes,       &h->binaries,
                           &h->datas,          &h->excluded_imports};

    return f[i];
}

int
fz_hook_parse(fz_hook *out, const char *path)
{
    const char *base = fz_path_basename(path);
    size_t n = strlen(base);
    PyObject *args = NULL;
    PyObject *r = NULL;
    const char *tag;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (n > 5 && strcmp(base + n - 5, ".toml") == 0) {
        n -= 5;
    }
    out->module = strndup(base, n);
    out->file = fz_strdup(path);
    if (out->module == NULL || out->file == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    args = Py_BuildValue("(s)", path);
    r = args ? fz_pyhelp_call("_fz_hooks", helper, "load", args) : NULL;
    if (r == NULL || !PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2) {
        rc = r ? fz_error_set(FZ_EFAIL, "%s: hook helper failed", path)
               : FZ_EFAIL;
        goto done;
    }
    tag = fz_pyhelp_str(PyTuple_GET_ITEM(r, 0));
    if (tag == NULL || strcmp(tag, "ok") != 0) {
        const char *msg = fz_pyhelp_str(PyTuple_GET_ITEM(r, 1));

        rc = fz_error_set(tag && strcmp(tag, "io") == 0 ? FZ_EIO : FZ_EFORMAT,
                          "%s", msg ? msg : path);
        goto done;
    }
    for (size_t i = 0; i < NKEYS && rc == 0; i++) {
        rc = fz_pyhelp_to_strvec(
            field(out, i),
            PyList_GetItem(PyTuple_GET_ITEM(r, 1), (Py_ssize_t)i));
    }
done:
    PyErr_Clear();
    Py_XDECREF(args);
    Py_XDECREF(r);
    if (rc < 0) {
        fz_hook_dispose(out);
    }
    return rc;
}

void
fz_hookset_free(fz_hookset *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->count; i++) {
        fz_hook_dispose(&s->items[i]);
    }
    free(s->items);
    free(s);
}

static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add (or replace) `h` in `s`; takes what `h` holds. */
static int
set_put(fz_hookset *s, fz_hook *h)
{
    fz_hook *items;

    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->items[i].module, h->module) == 0) {
            fz_hook_dispose(&s->items[i]);
            s->items[i] = *h;
            return 0;
        }
    }
    items = realloc(s->items, (s->count + 1) * sizeof(*items));
    if (items == NULL) {
        fz_hook_dispose(h);
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    s->items = items;
    s->items[s->count++] = *h;
    return 0;
}

int
fz_hooks_load(fz_hookset **out, const fz_strvec *dirs)
{
    fz_hookset *s = calloc(1, sizeof(*s));
    fz_strvec names = FZ_STRVEC_INIT;
    char *path = NULL;
    int rc = 0;

    *out = NULL;
    if (s == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    for (size_t d = 0; d < dirs->count && rc == 0; d++) {
        DIR *dir = opendir(dirs->items[d]);
        struct dirent *e;

        if (dir == NULL) {
            continue;
        }
        fz_strvec_dispose(&names);
        while ((e = readdir(dir)) != NULL && rc == 0) {
            size_t n = strlen(e->d_name);

            if (n > 5 && strcmp(e->d_name + n - 5, ".toml") == 0) {
                rc = fz_strvec_push(&names, e->d_name);
            }
        }
        closedir(dir);
        qsort(names.items, names.count, sizeof(*names.items), cmp_strp);
        for (size_t i = 0; i < names.count && rc == 0; i++) {
            fz_hook h;

            free(path);
            path = fz_path_join(dirs->items[d], names.items[i]);
            if (path == NULL) {
                rc = FZ_ENOMEM;
                break;
            }
            rc = fz_hook_parse(&h, path);
            if (rc == 0) {
                rc = set_put(s, &h);
            }
        }
    }
    free(path);
    fz_strvec_dispose(&names);
    if (rc < 0) {
        fz_hookset_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

const fz_hook *
fz_hooks_find(const fz_hookset *s, const char *module)
{
    for (size_t i = 0; s != NULL && i < s->count; i++) {
        if (strcmp(s->items[i].module, module) == 0) {
            return &s->items[i];
        }
    }
    return NULL;
}

char *
fz_hooks_default_dir(void)
{
    char *cand = fz_path_beside_self("../share/freeze/hooks");

    if (cand != NULL && fz_is_dir(cand)) {
        return cand;
    }
    free(cand);
    if (fz_is_dir(FZ_HOOKS_SOURCE_DIR)) {
        return fz_strdup(FZ_HOOKS_SOURCE_DIR);
    }
    fz_error_set(FZ_ENOTFOUND, "no hook directory (looked next to freeze "
                               "and in " FZ_HOOKS_SOURCE_DIR ")");
    return NULL;
}

/* Is `name` `prefix` itself or a module inside it? */
static int
within(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(name, prefix, n) == 0 &&
           (name[n] == '\0' || name[n] == '.');
}

int
fz_hooks_edge_excluded(const fz_hookset *s, const char *importer,
                       const char *name)
{
    for (size_t i = 0; s != NULL && i < s->count; i++) {
        const fz_hook *h = &s->items[i];

        if (h->excluded_imports.count == 0 || !within(importer, h->module)) {
            continue;
        }
        for (size_t j = 0; j < h->excluded_imports.count; j++) {
            if (within(name, h->excluded_imports.items[j])) {
                return 1;
            }
        }
    }
    return 0;
}
