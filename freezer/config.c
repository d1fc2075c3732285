/*
 * config.c - [tool.freeze] from pyproject.toml (config.h). The TOML is
 * parsed by tomllib in the embedded interpreter; the checks are here.
 */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include "config.h"

#include "fz_error.h"
#include "options.h"
#include "pyembed.h"
#include "pyhelp.h"

#include <stdlib.h>
#include <string.h>

/* load(path) -> ('ok', table or None) | ('io'|'format', message) */
static const char helper[] =
    "import tomllib\n"
    "def load(path):\n"
    "    try:\n"
    "        with open(path, 'rb') as f:\n"
    "            d = tomllib.load(f)\n"
    "    except FileNotFoundError:\n"
    "        return 'missing', path\n"
    "    except OSError as e:\n"
    "        return 'io', '%s: %s' % (path, e.strerror)\n"
    "    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:\n"
    "        return 'format', '%s: %s' % (path, e)\n"
    "    t = d.get('tool', {})\n"
    "    t = t.get('freeze') if isinstance(t, dict) else None\n"
    "    if t is None:\n"
    "        return 'ok', []\n"
    "    if not isinstance(t, dict):\n"
    "        return 'format', '%s: [tool.freeze] is not a table' % path\n"
    "    return 'ok', list(t.items())\n";

char *
fz_config_default_path(const char *script)
{
    return fz_path_sibling(script, "pyproject.toml");
}

size_t
fz_config_distance(const char *a, const char *b)
{
    size_t n = strlen(b);
    size_t *row = calloc(n + 1, sizeof(*row));
    size_t d;

    if (row == NULL) {
        return (size_t)-1;
    }
    for (size_t j = 0; j <= n; j++) {
        row[j] = j;
    }
    for (size_t i = 1; a[i - 1] != '\0'; i++) {
        size_t diag = row[0];

        row[0] = i;
        for (size_t j = 1; j <= n; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    d = row[n];
    free(row);
    return d;
}

/* The valid key closest to `key` (borrowed), or NULL when there is none. */
static const char *
closest_key(const char *key)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    const char *k;
    int takes_value;

    for (size_t i = 0; (k = fz_options_config_key(i, &takes_value)); i++) {
        size_t d = fz_config_distance(key, k);

        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best;
}

/* 1 and *takes_value when `key` names an option, else 0. */
static int
known_key(const char *key, int *takes_value)
{
    const char *k;

    for (size_t i = 0; (k = fz_options_config_key(i, takes_value)); i++) {
        if (strcmp(k, key) == 0) {
            return 1;
        }
    }
    return 0;
}

/* One value of an option that takes one: a string, or an integer. */
static int
push_value(fz_strvec *out, const char *path, const char *key, PyObject *v)
{
    fz_buf tok = FZ_BUF_INIT;
    const char *s = fz_pyhelp_str(v);
    int rc;

    if (s != NULL && s[0] != '\0') {
        rc = fz_buf_printf(&tok, "--%s=%s", key, s);
    } else if (PyLong_Check(v) && !PyBool_Check(v)) {
        rc = fz_buf_printf(&tok, "--%s=%ld", key, PyLong_AsLong(v));
    } else {
        rc = fz_error_set(FZ_EINVAL,
                          "%s: [tool.freeze] %s: expected a non-empty string "
                          "or a list of them",
                          path, key);
    }
    rc = rc ? rc : fz_strvec_push(out, tok.data);
    fz_buf_dispose(&tok);
    return rc;
}

/* One key = value of the table. */
static int
add_setting(fz_strvec *out, const char *path, const char *key, PyObject *v)
{
    fz_buf tok = FZ_BUF_INIT;
    const char *hint;
    int takes_value = 0;
    int rc = 0;

    if (!known_key(key, &takes_value)) {
        hint = closest_key(key);
        return fz_error_set(FZ_EINVAL,
                            "%s: unknown key '%s' in [tool.freeze]%s%s%s", path,
                            key, hint ? " (did you mean '" : "",
                            hint ? hint : "", hint ? "'?)" : "");
    }
    if (!takes_value) {
        long times;

        if (PyBool_Check(v)) {
            times = v == Py_True;
        } else if (PyLong_Check(v) && strcmp(key, "verbose") == 0) {
            times = PyLong_AsLong(v);
            times = times < 0 ? 0 : times > 2 ? 2 : times;
        } else {
            return fz_error_set(FZ_EINVAL,
                                "%s: [tool.freeze] %s: expected true or "
                                "false",
                                path, key);
        }
        rc = fz_buf_printf(&tok, "--%s", key);
        for (long i = 0; i < times && rc == 0; i++) {
            rc = fz_strvec_push(out, tok.data);
        }
        fz_buf_dispose(&tok);
        return rc;
    }
    if (PyList_Check(v)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v) && rc == 0; i++) {
            rc = push_value(out, path, key, PyList_GET_ITEM(v, i));
        }
        return rc;
    }
    return push_value(out, path, key, v);
}

int
fz_config_load(fz_strvec *out, const char *path, int must_exist)
{
    PyObject *args = NULL;
    PyObject *r = NULL;
    PyObject *items;
    const char *tag;
    int rc;

    rc = fz_pyembed_init();
    if (rc < 0) {
        goto done;
    }
    args = Py_BuildValue("(s)", path);
    r = args ? fz_pyhelp_call("_fz_config", helper, "load", args) : NULL;
    if (r == NULL || !PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2) {
        rc = r ? fz_error_set(FZ_EFAIL, "%s: config helper failed", path)
               : FZ_EFAIL;
        goto done;
    }
    tag = fz_pyhelp_str(PyTuple_GET_ITEM(r, 0));
    items = PyTuple_GET_ITEM(r, 1);
    if (tag != NULL && strcmp(tag, "missing") == 0) {
        if (must_exist) {
            rc = fz_error_set(FZ_ENOTFOUND, "%s: no such file", path);
        }
        goto done;
    }
    if (tag == NULL || strcmp(tag, "ok") != 0) {
        const char *msg = fz_pyhelp_str(items);

        rc = fz_error_set(tag && strcmp(tag, "io") == 0 ? FZ_EIO : FZ_EFORMAT,
                          "%s", msg ? msg : path);
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items) && rc == 0; i++) {
        PyObject *kv = PyList_GET_ITEM(items, i);
        const char *key = fz_pyhelp_str(PyTuple_GET_ITEM(kv, 0));

        rc = key ? add_setting(out, path, key, PyTuple_GET_ITEM(kv, 1))
                 : fz_error_set(FZ_EINVAL, "%s: bad key", path);
    }
done:
    PyErr_Clear();
    Py_XDECREF(args);
    Py_XDECREF(r);
    return rc;
}
