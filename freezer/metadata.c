/*
 * metadata.c - distribution metadata discovery (metadata.h). The
 * discovery itself is importlib.metadata in the embedded interpreter:
 * the same code that reads the metadata in the frozen app decides here
 * which files belong to a distribution.
 */
#define PY_SSIZE_T_CLEAN
#include "metadata.h"

#include "fz_error.h"
#include "fz_payload.h"
#include "pyhelp.h"

#include <stdlib.h>
#include <string.h>

static const char helper[] =
    "import importlib.metadata as md, os, re\n"
    "def _norm(n):\n"
    "    return re.sub(r'[-_.]+', '-', n).lower()\n"
    "def _tops(d):\n"
    "    t = d.read_text('top_level.txt')\n"
    "    if t:\n"
    "        return sorted({x.strip().split('/')[0] for x in t.splitlines()\n"
    "                       if x.strip()})\n"
    "    out = set()\n"
    "    for f in d.files or ():\n"
    "        parts = f.parts\n"
    "        if not parts or parts[0] in ('..', '__pycache__') or \\\n"
    "           parts[0].endswith(('.dist-info', '.egg-info', '.data')):\n"
    "            continue\n"
    "        top = parts[0]\n"
    "        if len(parts) == 1:\n"
    "            if top.endswith('.py'):\n"
    "                top = top[:-3]\n"
    "            elif top.endswith('.so'):\n"
    "                top = top.split('.')[0]\n"
    "            else:\n"
    "                continue\n"
    "        if top.isidentifier():\n"
    "            out.add(top)\n"
    "    return sorted(out)\n"
    "def _requires(d):\n"
    "    out = []\n"
    "    for r in d.requires or ():\n"
    "        if 'extra' in r.partition(';')[2]:\n"
    "            continue\n"
    "        m = re.match(r'\\s*([A-Za-z0-9][A-Za-z0-9._-]*)', r)\n"
    "        if m:\n"
    "            out.append(_norm(m.group(1)))\n"
    "    return out\n"
    "def discover(paths):\n"
    "    out, seen, broken = [], set(), []\n"
    "    for d in md.distributions(path=list(paths)):\n"
    "        p = getattr(d, '_path', None)\n"
    "        try:\n"
    "            name = d.metadata['Name']\n"
    "        except Exception:\n"
    "            name = None\n"
    "        if p is not None and not name:\n"
    "            broken.append(os.fspath(p))\n"
    "        if p is None or not name:\n"
    "            continue\n"
    "        p = os.fspath(p)\n"
    "        key = _norm(name)\n"
    "        if key in seen:\n"
    "            continue\n"
    "        seen.add(key)\n"
    "        base = os.path.dirname(p)\n"
    "        files = []\n"
    "        if os.path.isdir(p):\n"
    "            for r, ds, fs in os.walk(p):\n"
    "                ds[:] = sorted(x for x in ds if x != '__pycache__')\n"
    "                for f in sorted(fs):\n"
    "                    full = os.path.join(r, f)\n"
    "                    files.append((full, os.path.relpath(full, base)))\n"
    "        else:\n"
    "            files.append((p, os.path.basename(p)))\n"
    "        try:\n"
    "            eps = [(e.group, e.name, e.value) for e in d.entry_points]\n"
    "        except Exception:\n"
    "            eps = []\n"
    "        try:\n"
    "            tops = _tops(d)\n"
    "        except Exception:\n"
    "            tops = []\n"
    "        try:\n"
    "            reqs = _requires(d)\n"
    "        except Exception:\n"
    "            reqs = []\n"
    "        out.append((name, key, d.version or '0', p, files, tops, reqs,\n"
    "                    eps))\n"
    "    return out, broken\n";

char *
fz_metadata_normalize(const char *name)
{
    fz_buf b = FZ_BUF_INIT;
    int sep = 0;

    for (const char *p = name; *p != '\0'; p++) {
        char c = *p;

        if (c == '-' || c == '_' || c == '.') {
            sep = 1;
            continue;
        }
        if (sep && b.size > 0 && fz_buf_puts(&b, "-") < 0) {
            goto fail;
        }
        sep = 0;
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (fz_buf_append(&b, &c, 1) < 0) {
            goto fail;
        }
    }
    return fz_buf_detach(&b);
fail:
    fz_buf_dispose(&b);
    return NULL;
}

static void
dist_dispose(fz_dist *d)
{
    free(d->name);
    free(d->key);
    free(d->version);
    free(d->path);
    fz_strvec_dispose(&d->files);
    fz_strvec_dispose(&d->entries);
    fz_strvec_dispose(&d->top);
    fz_strvec_dispose(&d->requires);
    fz_strvec_dispose(&d->ep_group);
    fz_strvec_dispose(&d->ep_name);
    fz_strvec_dispose(&d->ep_value);
}

void
fz_distset_free(fz_distset *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->count; i++) {
        dist_dispose(&s->items[i]);
    }
    free(s->items);
    fz_strvec_dispose(&s->broken);
    free(s);
}

static char *
dup_item(PyObject *tuple, Py_ssize_t i)
{
    const char *s = fz_pyhelp_str(PyTuple_GetItem(tuple, i));

    return s ? fz_strdup(s) : NULL;
}

/* One tuple of the helper into `d`. FZ_EFORMAT when malformed. */
static int
load_dist(fz_dist *d, PyObject *t)
{
    PyObject *files, *eps;
    int rc = 0;

    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 8) {
        return fz_error_set(FZ_EFORMAT, "metadata helper: bad answer");
    }
    d->name = dup_item(t, 0);
    d->key = dup_item(t, 1);
    d->version = dup_item(t, 2);
    d->path = dup_item(t, 3);
    if (!d->name || !d->key || !d->version || !d->path) {
        return fz_error_set(FZ_EFORMAT, "metadata helper: bad answer");
    }
    files = PyTuple_GET_ITEM(t, 4);
    for (Py_ssize_t i = 0;
         rc == 0 && PyList_Check(files) && i < PyList_GET_SIZE(files); i++) {
        PyObject *pair = PyList_GET_ITEM(files, i);
        const char *src, *entry;

        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            continue;
        }
        src = fz_pyhelp_str(PyTuple_GET_ITEM(pair, 0));
        entry = fz_pyhelp_str(PyTuple_GET_ITEM(pair, 1));
        if (src == NULL || entry == NULL ||
            !fz_payload_name_valid(entry, strlen(entry))) {
            continue;
        }
        rc = fz_strvec_push(&d->files, src);
        rc = rc ? rc : fz_strvec_push(&d->entries, entry);
    }
    rc = rc ? rc : fz_pyhelp_to_strvec(&d->top, PyTuple_GET_ITEM(t, 5));
    rc = rc ? rc : fz_pyhelp_to_strvec(&d->requires, PyTuple_GET_ITEM(t, 6));
    eps = PyTuple_GET_ITEM(t, 7);
    for (Py_ssize_t i = 0;
         rc == 0 && PyList_Check(eps) && i < PyList_GET_SIZE(eps); i++) {
        PyObject *e = PyList_GET_ITEM(eps, i);
        const char *g, *n, *v;

        if (!PyTuple_Check(e) || PyTuple_GET_SIZE(e) != 3) {
            continue;
        }
        g = fz_pyhelp_str(PyTuple_GET_ITEM(e, 0));
        n = fz_pyhelp_str(PyTuple_GET_ITEM(e, 1));
        v = fz_pyhelp_str(PyTuple_GET_ITEM(e, 2));
        if (g && n && v) {
            rc = fz_strvec_push(&d->ep_group, g);
            rc = rc ? rc : fz_strvec_push(&d->ep_name, n);
            rc = rc ? rc : fz_strvec_push(&d->ep_value, v);
        }
    }
    return rc;
}

int
fz_metadata_discover(fz_distset **out, const fz_strvec *dirs)
{
    fz_distset *s = NULL;
    PyObject *paths = NULL;
    PyObject *args = NULL;
    PyObject *list = NULL;
    PyObject *dists, *broken; /* borrowed from list */
    int rc = 0;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    paths = fz_pyhelp_strlist(dirs);
    args = paths ? PyTuple_Pack(1, paths) : NULL;
    if (args == NULL) {
        rc = FZ_EFAIL;
        goto done;
    }
    list = fz_pyhelp_call("_fz_metadata", helper, "discover", args);
    if (list == NULL) {
        rc = FZ_EFAIL;
        goto done;
    }
    if (!PyTuple_Check(list) || PyTuple_GET_SIZE(list) != 2 ||
        !PyList_Check(PyTuple_GET_ITEM(list, 0)) ||
        !PyList_Check(PyTuple_GET_ITEM(list, 1))) {
        rc = fz_error_set(FZ_EFORMAT, "metadata helper: bad answer");
        goto done;
    }
    broken = PyTuple_GET_ITEM(list, 1);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(broken) && rc == 0; i++) {
        const char *path = fz_pyhelp_str(PyList_GET_ITEM(broken, i));

        if (path) {
            rc = fz_strvec_push(&s->broken, path);
        }
    }
    dists = PyTuple_GET_ITEM(list, 0);
    s->items = calloc((size_t)PyList_GET_SIZE(dists) + 1, sizeof(*s->items));
    if (s->items == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(dists) && rc == 0; i++) {
        rc = load_dist(&s->items[s->count], PyList_GET_ITEM(dists, i));
        s->count++;
    }
    if (rc < 0) {
        goto done;
    }
    *out = s;
    s = NULL;
done:
    PyErr_Clear();
    Py_XDECREF(paths);
    Py_XDECREF(args);
    Py_XDECREF(list);
    fz_distset_free(s);
    return rc;
}

const fz_dist *
fz_distset_find(const fz_distset *s, const char *name)
{
    char *key = fz_metadata_normalize(name);
    const fz_dist *found = NULL;

    for (size_t i = 0; key != NULL && s != NULL && i < s->count; i++) {
        if (strcmp(s->items[i].key, key) == 0) {
            found = &s->items[i];
            break;
        }
    }
    free(key);
    return found;
}

const fz_dist *
fz_distset_providing(const fz_distset *s, const char *top)
{
    for (size_t i = 0; s != NULL && i < s->count; i++) {
        if (fz_strvec_contains(&s->items[i].top, top)) {
            return &s->items[i];
        }
    }
    return NULL;
}

int
fz_metadata_add(fz_filelist *l, const fz_dist *d, const char *reason)
{
    int rc = 0;

    for (size_t i = 0; i < d->files.count && rc == 0; i++) {
        rc = fz_filelist_add(l, d->files.items[i], d->entries.items[i],
                             FZ_ENTRY_METADATA, reason);
    }
    return rc;
}
