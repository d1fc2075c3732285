/*
 * fastimport.c - importlib's _find_and_load_unlocked in C (fastimport.h).
 *
 * An import of a module that is not in sys.modules runs, in CPython 3.11,
 * about 125,000 instructions of importlib's Python code besides finding
 * and executing the module: the finders before ours, two context managers
 * per finder, ModuleSpec properties, and _init_module_attrs probing
 * attributes that a new module does not have (each miss builds an
 * AttributeError and its message). This file does the same steps in C, in
 * the same order and with the same effects on sys.modules, the spec and
 * the module, for the specs our importer makes. Everything it does not
 * recognise goes to importlib's own functions, which it keeps.
 *
 * The functions' state is one tuple (the C function's `self`), built once
 * at install: no global state.
 */
#include "fastimport.h"

#include "importer.h"

/* Slots of the state tuple. */
enum {
    S_IMPORTER,      /* our meta-path finder */
    S_BUILTIN,       /* _frozen_importlib.BuiltinImporter */
    S_FROZEN,        /* _frozen_importlib.FrozenImporter */
    S_IS_BUILTIN,    /* _imp.is_builtin */
    S_FIND_FROZEN,   /* _imp.find_frozen */
    S_SLOW,          /* the original _find_and_load_unlocked */
    S_FIND_SPEC,     /* _bootstrap._find_spec */
    S_LOAD_UNLOCKED, /* _bootstrap._load_unlocked */
    S_INIT_ATTRS,    /* _bootstrap._init_module_attrs */
    S_SPEC_TYPE,     /* _bootstrap.ModuleSpec */
    S_GET_LOCK,      /* _bootstrap._get_module_lock */
    S_LOCK_UNLOCK,   /* _bootstrap._lock_unlock_module */
    S_NEEDS_LOADING, /* a marker no module can be */
    S_SYSDICT,       /* sys.__dict__, where sys.modules is looked up */
    /* interned attribute names */
    N_PATH,
    N_SPEC,
    N_INITIALIZING,
    N_UNINITIALIZED,
    N_GETATTR,
    N_NAME,
    N_LOADER,
    N_PACKAGE,
    N_FILE,
    N_CACHED,
    N_CREATE_MODULE,
    N_EXEC_MODULE,
    N_APPEND,
    N_POP,
    N_GET,
    N_ACQUIRE,
    N_RELEASE,
    N_MODULES,
    N_META_PATH,
    S_COUNT
};

static const char *const names[] = {
    [N_PATH] = "__path__",
    [N_SPEC] = "__spec__",
    [N_INITIALIZING] = "_initializing",
    [N_UNINITIALIZED] = "_uninitialized_submodules",
    [N_GETATTR] = "__getattr__",
    [N_NAME] = "__name__",
    [N_LOADER] = "__loader__",
    [N_PACKAGE] = "__package__",
    [N_FILE] = "__file__",
    [N_CACHED] = "__cached__",
    [N_CREATE_MODULE] = "create_module",
    [N_EXEC_MODULE] = "exec_module",
    [N_APPEND] = "append",
    [N_POP] = "pop",
    [N_GET] = "get",
    [N_ACQUIRE] = "acquire",
    [N_RELEASE] = "release",
    [N_MODULES] = "modules",
    [N_META_PATH] = "meta_path",
};

#define ST(st, i) PyTuple_GET_ITEM((st), (i))

/* sys.<attr> (borrowed), NULL and maybe an exception when it is gone:
 * PySys_GetObject's lookup, with an interned name instead of a new string
 * each time. */
static PyObject *
sys_attr(PyObject *st, int attr)
{
    return PyDict_GetItemWithError(ST(st, S_SYSDICT), ST(st, attr));
}

/* sys.modules, looked up each time as importlib does (borrowed). */
static PyObject *
sys_modules(PyObject *st)
{
    PyObject *m = sys_attr(st, N_MODULES);

    if (!m && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_RuntimeError, "lost sys.modules");
    }
    return m;
}

/* `key in sys.modules`: 1, 0, or -1 with an exception. */
static int
in_modules(PyObject *st, PyObject *key)
{
    PyObject *m = sys_modules(st);

    return m ? PySequence_Contains(m, key) : -1;
}

/* raise ModuleNotFoundError(msg, name=name), `from None` when `bare`. */
static void
not_found(PyObject *msg, PyObject *name, int bare)
{
    PyObject *type, *value, *tb;

    if (!msg) {
        return;
    }
    PyErr_SetImportErrorSubclass(PyExc_ModuleNotFoundError, msg, name, NULL);
    Py_DECREF(msg);
    if (bare) {
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (value) {
            PyException_SetCause(value, NULL); /* sets __suppress_context__ */
        }
        PyErr_Restore(type, value, tb);
    }
}

/*
 * Is sys.meta_path still [BuiltinImporter, FrozenImporter, importer, ...]
 * as the runtime left it? Then a find goes to those three in that order.
 */
static int
meta_path_ours(PyObject *st)
{
    PyObject *mp = sys_attr(st, N_META_PATH);

    return mp && PyList_CheckExact(mp) && PyList_GET_SIZE(mp) >= 3 &&
           PyList_GET_ITEM(mp, 0) == ST(st, S_BUILTIN) &&
           PyList_GET_ITEM(mp, 1) == ST(st, S_FROZEN) &&
           PyList_GET_ITEM(mp, 2) == ST(st, S_IMPORTER);
}

/* Is `r` (a new reference or NULL) true? 1, 0, -1 with an exception. */
static int
truth(PyObject *r)
{
    int t = r ? PyObject_IsTrue(r) : -1;

    Py_XDECREF(r);
    return t;
}

/*
 * _find_spec(name, path) where the first three finders are ours: the
 * importer's spec when BuiltinImporter and FrozenImporter would return
 * None, with *parts filled; NULL and no exception when the Python
 * _find_spec must decide (a builtin or frozen module, or one we do not
 * have); NULL with an exception on error.
 */
static PyObject *
find_ours(PyObject *st, PyObject *name, PyObject *path, fz_spec_parts *parts)
{
    PyObject *spec;
    int t;

    /* BuiltinImporter.find_spec answers only for top-level lookups. */
    if (path == Py_None) {
        t = truth(PyObject_CallOneArg(ST(st, S_IS_BUILTIN), name));
        if (t != 0) {
            PyErr_Clear(); /* builtin, or an error the slow path repeats */
            return NULL;
        }
    }
    spec = PyObject_CallOneArg(ST(st, S_FIND_FROZEN), name);
    if (spec != Py_None) {
        Py_XDECREF(spec);
        PyErr_Clear(); /* frozen, or an error the slow path repeats */
        return NULL;
    }
    Py_DECREF(spec);
    /* importlib calls each finder holding the import lock. */
    _PyImport_AcquireLock();
    spec = fz_importer_find(ST(st, S_IMPORTER), name, parts);
    if (_PyImport_ReleaseLock() < 0 && spec) {
        Py_CLEAR(spec);
        fz_spec_parts_clear(parts);
        PyErr_SetString(PyExc_RuntimeError, "not holding the import lock");
    }
    if (spec == Py_None) {
        Py_CLEAR(spec);
        fz_spec_parts_clear(parts);
    }
    return spec;
}

/*
 * _find_spec(name, path): a new reference to a spec or None, NULL with an
 * exception. *ours says whether the spec is the importer's, made from
 * *parts (which then holds references).
 */
static PyObject *
find_spec(PyObject *st, PyObject *name, PyObject *path, fz_spec_parts *parts,
          int *ours)
{
    PyObject *spec = NULL, *module, *mspec;
    int is_reload = 0, t;

    *ours = 0;
    memset(parts, 0, sizeof(*parts));
    if (meta_path_ours(st)) {
        is_reload = in_modules(st, name);
        if (is_reload < 0) {
            return NULL;
        }
        spec = find_ours(st, name, path, parts);
        if (!spec && PyErr_Occurred()) {
            return NULL;
        }
    }
    if (!spec) {
        return PyObject_CallFunctionObjArgs(ST(st, S_FIND_SPEC), name, path,
                                            NULL);
    }
    /* The parent import may have already imported this module. */
    t = is_reload ? 0 : in_modules(st, name);
    if (t == 0) {
        *ours = 1;
        return spec;
    }
    fz_spec_parts_clear(parts);
    if (t < 0) {
        Py_DECREF(spec);
        return NULL;
    }
    module = PyObject_GetItem(sys_modules(st), name);
    if (!module) {
        Py_DECREF(spec);
        return NULL;
    }
    if (_PyObject_LookupAttr(module, ST(st, N_SPEC), &mspec) < 0) {
        Py_DECREF(module);
        Py_DECREF(spec);
        return NULL;
    }
    Py_DECREF(module);
    if (!mspec || mspec == Py_None) {
        Py_XDECREF(mspec);
        return spec;
    }
    Py_DECREF(spec);
    return mspec;
}

/* getattr(module, attr, None) is None, on the module's dict `d`. */
static int
unset(PyObject *d, PyObject *attr)
{
    PyObject *v = PyDict_GetItemWithError(d, attr);

    return v == NULL ? (PyErr_Occurred() ? -1 : 1) : v == Py_None;
}

/* `if getattr(module, attr, None) is None: module.attr = value` */
static int
set_if_unset(PyObject *d, PyObject *attr, PyObject *value)
{
    int u = unset(d, attr);

    return u <= 0 ? u : PyDict_SetItem(d, attr, value);
}

/*
 * _init_module_attrs(spec, module) for a spec of ours. On a plain module
 * with no module __getattr__ (the case of every module the importer
 * creates), getattr and setattr of these names are its dict's; anything
 * else goes to importlib.
 */
static int
init_attrs(PyObject *st, PyObject *spec, PyObject *module, PyObject *name,
           const fz_spec_parts *parts)
{
    PyObject *d, *parent = NULL, *r;
    int is_pkg = parts->locations != Py_None, rc;

    d = PyModule_CheckExact(module) ? PyModule_GetDict(module) : NULL;
    rc = d ? PyDict_Contains(d, ST(st, N_GETATTR)) : 1;
    if (rc != 0) {
        if (rc < 0) {
            return -1;
        }
        r = PyObject_CallFunctionObjArgs(ST(st, S_INIT_ATTRS), spec, module,
                                         NULL);
        Py_XDECREF(r);
        return r ? 0 : -1;
    }
    /* spec.parent: the package itself, or the name up to the last dot */
    if (is_pkg) {
        parent = Py_NewRef(name);
    } else {
        Py_ssize_t dot =
            PyUnicode_FindChar(name, '.', 0, PyUnicode_GET_LENGTH(name), -1);

        parent = dot == -2   ? NULL
                 : dot == -1 ? PyUnicode_FromStringAndSize("", 0)
                             : PyUnicode_Substring(name, 0, dot);
    }
    rc = parent ? 0 : -1;
    rc = rc < 0 ? rc : set_if_unset(d, ST(st, N_NAME), name);
    rc = rc < 0 ? rc : set_if_unset(d, ST(st, N_LOADER), parts->loader);
    rc = rc < 0 ? rc : set_if_unset(d, ST(st, N_PACKAGE), parent);
    rc = rc < 0 ? rc : PyDict_SetItem(d, ST(st, N_SPEC), spec);
    if (rc >= 0 && is_pkg) {
        rc = set_if_unset(d, ST(st, N_PATH), parts->locations);
    }
    /* has_location: the importer gives a spec an origin iff it has one */
    if (rc >= 0 && parts->origin != Py_None) {
        rc = set_if_unset(d, ST(st, N_FILE), parts->origin);
        if (rc >= 0 && parts->cached != Py_None) {
            rc = set_if_unset(d, ST(st, N_CACHED), parts->cached);
        }
    }
    Py_XDECREF(parent);
    return rc < 0 ? -1 : 0;
}

/* module_from_spec(spec) for a spec of ours. */
static PyObject *
module_from_spec(PyObject *st, PyObject *spec, PyObject *name,
                 const fz_spec_parts *parts)
{
    PyObject *module;

    if (parts->loader == ST(st, S_IMPORTER)) {
        module = Py_NewRef(Py_None); /* its create_module returns None */
    } else {
        module = PyObject_CallMethodOneArg(parts->loader,
                                           ST(st, N_CREATE_MODULE), spec);
    }
    if (module == Py_None) {
        Py_DECREF(module);
        module = PyModule_NewObject(name);
    }
    if (module && init_attrs(st, spec, module, name, parts) < 0) {
        Py_CLEAR(module);
    }
    return module;
}

/* `finally: spec._initializing = False`, keeping the exception being
 * raised (an error here replaces it, chained as its context:
 * _PyErr_ChainExceptions restores the saved one when none is raised). */
static void
finally_set_initializing(PyObject *st, PyObject *spec)
{
    PyObject *type, *value, *tb;

    PyErr_Fetch(&type, &value, &tb);
    (void)PyObject_SetAttr(spec, ST(st, N_INITIALIZING), Py_False);
    _PyErr_ChainExceptions(type, value, tb);
}

/* _load_unlocked(spec) for a spec of ours. */
static PyObject *
load_ours(PyObject *st, PyObject *spec, PyObject *name,
          const fz_spec_parts *parts)
{
    PyObject *module, *modules, *r, *loaded;

    module = module_from_spec(st, spec, name, parts);
    if (!module) {
        return NULL;
    }
    /* Set before the module is in sys.modules: import.c relies on it. */
    if (PyObject_SetAttr(spec, ST(st, N_INITIALIZING), Py_True) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    modules = sys_modules(st);
    if (!modules || PyObject_SetItem(modules, name, module) < 0) {
        Py_DECREF(module);
        finally_set_initializing(st, spec);
        return NULL;
    }
    if (parts->loader == ST(st, S_IMPORTER)) {
        r = fz_importer_exec(ST(st, S_IMPORTER), module);
    } else {
        r = PyObject_CallMethodOneArg(parts->loader, ST(st, N_EXEC_MODULE),
                                      module);
    }
    if (!r) {
        PyObject *type, *value, *tb;

        PyErr_Fetch(&type, &value, &tb);
        modules = sys_modules(st);
        if (modules && PyObject_DelItem(modules, name) < 0 &&
            PyErr_ExceptionMatches(PyExc_KeyError)) {
            PyErr_Clear();
        }
        _PyErr_ChainExceptions(type, value, tb);
        finally_set_initializing(st, spec);
        Py_DECREF(module);
        return NULL;
    }
    Py_DECREF(r);
    /* Move the module to the end of sys.modules: the one there now, which
     * the module may have replaced itself with. */
    modules = sys_modules(st);
    loaded = modules ? PyObject_CallMethodOneArg(modules, ST(st, N_POP), name)
                     : NULL;
    if (loaded && PyObject_SetItem(modules, name, loaded) < 0) {
        Py_CLEAR(loaded);
    }
    finally_set_initializing(st, spec);
    if (loaded && PyErr_Occurred()) {
        Py_CLEAR(loaded);
    }
    Py_DECREF(module);
    return loaded;
}

/* parent_spec._uninitialized_submodules.<method>(*arg) */
static int
submodules_call(PyObject *st, PyObject *parent_spec, int method, PyObject *arg)
{
    PyObject *list = PyObject_GetAttr(parent_spec, ST(st, N_UNINITIALIZED));
    PyObject *r = NULL;

    if (list) {
        r = arg ? PyObject_CallMethodOneArg(list, ST(st, method), arg)
                : PyObject_CallMethodNoArgs(list, ST(st, method));
        Py_DECREF(list);
    }
    Py_XDECREF(r);
    return r ? 0 : -1;
}

/* The part of _find_and_load_unlocked after the parent is imported. */
static PyObject *
find_and_load(PyObject *st, PyObject *name, PyObject *path,
              PyObject *parent_spec, PyObject *child)
{
    fz_spec_parts parts;
    PyObject *spec, *module, *args[2];
    int ours, track = 0;

    spec = find_spec(st, name, path, &parts, &ours);
    if (!spec) {
        return NULL;
    }
    if (spec == Py_None) {
        Py_DECREF(spec);
        not_found(PyUnicode_FromFormat("No module named %R", name), name, 0);
        return NULL;
    }
    if (parent_spec) {
        track = PyObject_IsTrue(parent_spec);
        if (track < 0 ||
            (track && submodules_call(st, parent_spec, N_APPEND, child) < 0)) {
            fz_spec_parts_clear(&parts);
            Py_DECREF(spec);
            return NULL;
        }
    }
    if (ours && Py_IS_TYPE(spec, (PyTypeObject *)ST(st, S_SPEC_TYPE))) {
        module = load_ours(st, spec, name, &parts);
    } else {
        args[0] = spec;
        module = PyObject_Vectorcall(ST(st, S_LOAD_UNLOCKED), args, 1, NULL);
    }
    fz_spec_parts_clear(&parts);
    Py_DECREF(spec);
    if (track) {
        PyObject *type, *value, *tb;

        PyErr_Fetch(&type, &value, &tb);
        if (submodules_call(st, parent_spec, N_POP, NULL) < 0) {
            Py_CLEAR(module);
        }
        _PyErr_ChainExceptions(type, value, tb);
    }
    return module;
}

/* setattr(sys.modules[parent], child, module), an AttributeError being a
 * warning. 0, or -1 with an exception. */
static int
set_on_parent(PyObject *st, PyObject *parent, PyObject *child, PyObject *module)
{
    PyObject *modules = sys_modules(st);
    PyObject *pm = modules ? PyObject_GetItem(modules, parent) : NULL;
    int rc;

    if (!pm) {
        return -1;
    }
    rc = PyObject_SetAttr(pm, child, module);
    Py_DECREF(pm);
    if (rc < 0 && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        rc = PyErr_WarnFormat(PyExc_ImportWarning, 1,
                              "Cannot set an attribute on %R for child module "
                              "%R",
                              parent, child);
    }
    return rc;
}

/* _find_and_load_unlocked(name, import_) */
static PyObject *
find_and_load_unlocked(PyObject *st, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *name, *import_, *parent = NULL, *child = NULL;
    PyObject *path = Py_None, *parent_spec = NULL, *module = NULL, *pm;
    Py_ssize_t dot;
    int t;

    if (nargs != 2 || !PyUnicode_CheckExact(args[0])) {
        return PyObject_Vectorcall(ST(st, S_SLOW), args, (size_t)nargs, NULL);
    }
    name = args[0];
    import_ = args[1];
    dot = PyUnicode_FindChar(name, '.', 0, PyUnicode_GET_LENGTH(name), -1);
    if (dot == -2) {
        return NULL;
    }
    if (dot == -1) {
        return find_and_load(st, name, Py_None, NULL, NULL);
    }
    parent = PyUnicode_Substring(name, 0, dot);
    child = PyUnicode_Substring(name, dot + 1, PyUnicode_GET_LENGTH(name));
    if (!parent || !child) {
        goto done;
    }
    t = in_modules(st, parent);
    if (t == 0) {
        PyObject *r = PyObject_CallOneArg(import_, parent);

        t = r ? 1 : -1;
        Py_XDECREF(r);
    }
    if (t < 0) {
        goto done;
    }
    /* Crazy side-effects! (importlib's words: the parent imported us) */
    t = in_modules(st, name);
    if (t != 0) {
        module = t > 0 ? PyObject_GetItem(sys_modules(st), name) : NULL;
        goto done;
    }
    pm = PyObject_GetItem(sys_modules(st), parent);
    if (!pm) {
        goto done;
    }
    path = PyObject_GetAttr(pm, ST(st, N_PATH));
    if (!path) {
        Py_DECREF(pm);
        if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
            PyErr_Clear();
            not_found(PyUnicode_FromFormat("No module named %R; %R is not a "
                                           "package",
                                           name, parent),
                      name, 1);
        }
        goto done;
    }
    parent_spec = PyObject_GetAttr(pm, ST(st, N_SPEC));
    Py_DECREF(pm);
    if (!parent_spec) {
        goto done;
    }
    module = find_and_load(st, name, path, parent_spec, child);
    if (module && set_on_parent(st, parent, child, module) < 0) {
        Py_CLEAR(module);
    }
done:
    if (path != Py_None) {
        Py_XDECREF(path);
    }
    Py_XDECREF(parent_spec);
    Py_XDECREF(parent);
    Py_XDECREF(child);
    return module;
}

/* sys.modules.get(name, marker): a new reference, NULL with an exception. */
static PyObject *
modules_get(PyObject *st, PyObject *name)
{
    PyObject *modules = sys_modules(st), *m;

    if (!modules) {
        return NULL;
    }
    if (PyDict_CheckExact(modules)) {
        m = PyDict_GetItemWithError(modules, name);
        if (!m && PyErr_Occurred()) {
            return NULL;
        }
        return Py_NewRef(m ? m : ST(st, S_NEEDS_LOADING));
    }
    return PyObject_CallMethodObjArgs(modules, ST(st, N_GET), name,
                                      ST(st, S_NEEDS_LOADING), NULL);
}

/* getattr(getattr(module, "__spec__", None), "_initializing", False) is
 * true: 1, 0, -1 with an exception. */
static int
initializing(PyObject *st, PyObject *module)
{
    PyObject *spec, *v = NULL;
    int t;

    if (_PyObject_LookupAttr(module, ST(st, N_SPEC), &spec) < 0) {
        return -1;
    }
    if (!spec) {
        spec = Py_NewRef(Py_None);
    }
    t = _PyObject_LookupAttr(spec, ST(st, N_INITIALIZING), &v);
    Py_DECREF(spec);
    if (t < 0) {
        return -1;
    }
    return v ? truth(v) : 0;
}

/*
 * `with _ModuleLockManager(name): <body>` around find_and_load_unlocked,
 * with importlib's own lock objects (so threads importing the same module
 * wait, and deadlocks are detected, exactly as importlib does). *module
 * receives sys.modules' entry when another thread loaded it meanwhile.
 * Returns the loaded module, or NULL: with an exception, or without one
 * and *module set (nothing was loaded here).
 */
static PyObject *
locked_load(PyObject *st, PyObject *const *args, PyObject **module)
{
    PyObject *name = args[0], *lock, *r, *loaded = NULL;
    PyObject *type, *value, *tb;

    *module = NULL;
    lock = PyObject_CallOneArg(ST(st, S_GET_LOCK), name);
    if (!lock) {
        return NULL;
    }
    r = PyObject_CallMethodNoArgs(lock, ST(st, N_ACQUIRE));
    if (!r) {
        Py_DECREF(lock);
        return NULL;
    }
    Py_DECREF(r);
    *module = modules_get(st, name);
    if (*module == ST(st, S_NEEDS_LOADING)) {
        Py_CLEAR(*module);
        loaded = find_and_load_unlocked(st, args, 2);
    }
    /* __exit__: release, whatever happened */
    PyErr_Fetch(&type, &value, &tb);
    r = PyObject_CallMethodNoArgs(lock, ST(st, N_RELEASE));
    Py_DECREF(lock);
    if (!r) {
        Py_CLEAR(loaded);
        Py_CLEAR(*module);
    }
    Py_XDECREF(r);
    _PyErr_ChainExceptions(type, value, tb);
    return loaded;
}

/* _find_and_load(name, import_) */
static PyObject *
find_and_load_locked(PyObject *st, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *module, *loaded, *r;
    int t;

    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError,
                     "_find_and_load() takes 2 arguments (%zd given)", nargs);
        return NULL;
    }
    module = modules_get(st, args[0]);
    if (!module) {
        return NULL;
    }
    t = module == ST(st, S_NEEDS_LOADING) ? 1 : initializing(st, module);
    if (t < 0) {
        Py_DECREF(module);
        return NULL;
    }
    if (t) {
        Py_DECREF(module);
        loaded = locked_load(st, args, &module);
        if (!module) {
            return loaded; /* loaded here, or an error */
        }
        r = PyObject_CallOneArg(ST(st, S_LOCK_UNLOCK), args[0]);
        if (!r) {
            Py_DECREF(module);
            return NULL;
        }
        Py_DECREF(r);
    }
    if (module == Py_None) {
        PyObject *msg = PyUnicode_FromFormat("import of %U halted; None in "
                                             "sys.modules",
                                             args[0]);

        Py_DECREF(module);
        if (msg) {
            PyErr_SetImportErrorSubclass(PyExc_ModuleNotFoundError, msg,
                                         args[0], NULL);
            Py_DECREF(msg);
        }
        return NULL;
    }
    return module;
}

static PyMethodDef unlocked_def = {
    "_find_and_load_unlocked",
    (PyCFunction)(void (*)(void))find_and_load_unlocked, METH_FASTCALL,
    "importlib's _find_and_load_unlocked, in C for the bundled modules."};

static PyMethodDef locked_def = {
    "_find_and_load", (PyCFunction)(void (*)(void))find_and_load_locked,
    METH_FASTCALL, "importlib's _find_and_load, in C."};

/* module.<name> = a C function bound to `st`; 0 or -1. */
static int
replace(PyObject *module, PyMethodDef *def, PyObject *st)
{
    PyObject *fn = PyCFunction_New(def, st);
    int rc = fn ? PyObject_SetAttrString(module, def->ml_name, fn) : -1;

    Py_XDECREF(fn);
    return rc;
}

/* getattr(module, name) as a new reference into st[i]. */
static int
take(PyObject *st, int i, PyObject *module, const char *name)
{
    PyObject *v = PyObject_GetAttrString(module, name);

    if (!v) {
        return -1;
    }
    PyTuple_SET_ITEM(st, i, v);
    return 0;
}

int
fz_fastimport_install(PyObject *importer)
{
    PyObject *bootstrap = NULL, *imp = NULL, *st = NULL, *sys = NULL;
    PyObject *flags, *verbose;
    long v;
    int i, rc = -1;

    flags = PySys_GetObject("flags"); /* borrowed */
    verbose = flags ? PyObject_GetAttrString(flags, "verbose") : NULL;
    v = verbose ? PyLong_AsLong(verbose) : -1;
    Py_XDECREF(verbose);
    if (v != 0) {
        return PyErr_Occurred() ? -1 : 0;
    }
    bootstrap = PyImport_ImportModule("_frozen_importlib");
    imp = bootstrap ? PyImport_ImportModule("_imp") : NULL;
    st = imp ? PyTuple_New(S_COUNT) : NULL;
    if (!st) {
        goto done;
    }
    PyTuple_SET_ITEM(st, S_IMPORTER, Py_NewRef(importer));
    if (take(st, S_BUILTIN, bootstrap, "BuiltinImporter") < 0 ||
        take(st, S_FROZEN, bootstrap, "FrozenImporter") < 0 ||
        take(st, S_IS_BUILTIN, imp, "is_builtin") < 0 ||
        take(st, S_FIND_FROZEN, imp, "find_frozen") < 0 ||
        take(st, S_SLOW, bootstrap, "_find_and_load_unlocked") < 0 ||
        take(st, S_FIND_SPEC, bootstrap, "_find_spec") < 0 ||
        take(st, S_LOAD_UNLOCKED, bootstrap, "_load_unlocked") < 0 ||
        take(st, S_INIT_ATTRS, bootstrap, "_init_module_attrs") < 0 ||
        take(st, S_SPEC_TYPE, bootstrap, "ModuleSpec") < 0 ||
        take(st, S_GET_LOCK, bootstrap, "_get_module_lock") < 0 ||
        take(st, S_LOCK_UNLOCK, bootstrap, "_lock_unlock_module") < 0) {
        goto done;
    }
    for (i = N_PATH; i < S_COUNT; i++) {
        PyObject *s = PyUnicode_InternFromString(names[i]);

        if (!s) {
            goto done;
        }
        PyTuple_SET_ITEM(st, i, s);
    }
    PyTuple_SET_ITEM(st, S_NEEDS_LOADING,
                     PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type));
    sys = PyImport_ImportModule("sys");
    if (!PyTuple_GET_ITEM(st, S_NEEDS_LOADING) || !sys) {
        goto done;
    }
    /* The interpreter's sysdict, which PySys_GetObject reads: a module's
     * __dict__ cannot be replaced. */
    PyTuple_SET_ITEM(st, S_SYSDICT, Py_NewRef(PyModule_GetDict(sys)));
    if (replace(bootstrap, &unlocked_def, st) == 0 &&
        replace(bootstrap, &locked_def, st) == 0) {
        rc = 0;
    }
done:
    Py_XDECREF(sys);
    Py_XDECREF(st);
    Py_XDECREF(imp);
    Py_XDECREF(bootstrap);
    return rc;
}
