/*
 * main.c - the runtime stub inside every frozen app: finds its payload,
 * starts an isolated CPython on it and runs __main__ like `python3 app.py`.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bundle.h"
#include "child.h"
#include "elf_section.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "fz_platform.h"
#include "fastimport.h"
#include "importer.h"
#include "launch.h"

#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FZ_PY_MAGIC_LE
#error "FZ_PY_MAGIC_LE must be defined by the build"
#endif
#ifndef FZ_PY_HEXVERSION_MM
#error "FZ_PY_HEXVERSION_MM must be defined by the build"
#endif
_Static_assert(FZ_PY_HEXVERSION_MM == (PY_VERSION_HEX & 0xffff0000),
               "the runtime is built against the CPython CMake found");

/* Exit status of `python3` when Py_FinalizeEx fails (Py_RunMain). */
#define EXIT_FINALIZE 120

/* Started by fz-launcher: what its argument said (from.fd its payload
 * fd, from.name its process name) and the command line to start over with
 * (restart). from.fd is -1 otherwise. */
typedef struct launch {
    fz_launch from;
    int argc;
    char **argv;
} launch;

/*
 * The private bundle root to delete at exit. A global because atexit()
 * takes no argument and Py_ExitStatusException/exit() paths inside CPython
 * bypass main's cleanup; it is set once, before CPython starts.
 */
static fz_bundle *private_root;

static void
remove_private_root(void)
{
    fz_bundle_remove(private_root);
}

/* What `python3` prints for sys.exit(<non-int>), and the status: 1. */
static int
system_exit_status(PyObject *value)
{
    PyObject *code = NULL;
    PyObject *err;
    int status = 1;

    code = PyObject_GetAttrString(value, "code");
    if (!code || code == Py_None) {
        status = code ? 0 : 1;
        goto done;
    }
    if (PyLong_Check(code)) {
        status = (int)PyLong_AsLong(code);
        goto done;
    }
    err = PySys_GetObject("stderr"); /* borrowed */
    if (err && err != Py_None) {
        PyFile_WriteObject(code, err, Py_PRINT_RAW);
        PyFile_WriteString("\n", err);
        Py_XDECREF(PyObject_CallMethod(err, "flush", NULL));
    } else {
        PyObject_Print(code, stderr, Py_PRINT_RAW);
        fputc('\n', stderr);
        fflush(stderr);
    }
done:
    Py_XDECREF(code);
    PyErr_Clear();
    return status;
}

/*
 * Print an uncaught exception like python3: sys.excepthook when the app
 * replaced it, else the stdlib traceback module (it shows the app's source
 * lines through linecache and the importer's get_source), else the C
 * printer.
 */
static void
print_exception(PyObject *type, PyObject *value, PyObject *tb)
{
    PyObject *hook = PySys_GetObject("excepthook"); /* borrowed */
    PyObject *default_hook = PySys_GetObject("__excepthook__");
    PyObject *printer = NULL;
    PyObject *r = NULL;
    PyObject *t2 = NULL, *v2 = NULL, *tb2 = NULL;

    PySys_SetObject("last_type", type);
    PySys_SetObject("last_value", value);
    PySys_SetObject("last_traceback", tb ? tb : Py_None);
    if (hook && hook != default_hook) {
        r = PyObject_CallFunctionObjArgs(hook, type, value, tb ? tb : Py_None,
                                         NULL);
        if (!r) {
            PyErr_Fetch(&t2, &v2, &tb2);
            PyErr_NormalizeException(&t2, &v2, &tb2);
            PySys_WriteStderr("Error in sys.excepthook:\n");
            PyErr_Display(t2, v2, tb2);
            PySys_WriteStderr("\nOriginal exception was:\n");
            PyErr_Display(type, value, tb);
        }
        goto done;
    }
    printer = PyImport_ImportModule("traceback");
    if (printer) {
        r = PyObject_CallMethod(printer, "print_exception", "OOO", type, value,
                                tb ? tb : Py_None);
    }
    if (!r) {
        PyErr_Clear();
        PyErr_Display(type, value, tb);
    }
done:
    PyErr_Clear();
    Py_XDECREF(printer);
    Py_XDECREF(r);
    Py_XDECREF(t2);
    Py_XDECREF(v2);
    Py_XDECREF(tb2);
}

/*
 * The exit status for the pending exception, printing it as python3
 * would. *sigint is set for an uncaught KeyboardInterrupt.
 */
static int
handle_exception(int *sigint)
{
    PyObject *type = NULL, *value = NULL, *tb = NULL;
    int status = 1;

    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value) {
        PyException_SetTraceback(value, tb);
    }
    if (type && PyErr_GivenExceptionMatches(type, PyExc_SystemExit)) {
        status = system_exit_status(value);
        goto done;
    }
    if (type && PyErr_GivenExceptionMatches(type, PyExc_KeyboardInterrupt)) {
        *sigint = 1;
    }
    if (type) {
        print_exception(type, value ? value : Py_None, tb);
    }
done:
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return status;
}

/* Run the payload's main script as __main__; the exit status. */
static int
run_main(PyObject *importer, int *sigint)
{
    PyObject *code = NULL;
    PyObject *file = NULL;
    PyObject *main_mod;
    PyObject *d;
    PyObject *r = NULL;
    int status = 1;

    code = fz_importer_main_code(importer, &file);
    if (!code) {
        goto fail;
    }
    main_mod = PyImport_AddModule("__main__"); /* borrowed */
    d = main_mod ? PyModule_GetDict(main_mod) : NULL;
    if (!d) {
        goto fail;
    }
    if (!PyDict_GetItemString(d, "__builtins__") &&
        PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) < 0) {
        goto fail;
    }
    if (PyDict_SetItemString(d, "__file__", file) < 0 ||
        PyDict_SetItemString(d, "__cached__", Py_None) < 0 ||
        PyDict_SetItemString(d, "__loader__", importer) < 0 ||
        PyDict_SetItemString(d, "__spec__", Py_None) < 0) {
        goto fail;
    }
    r = PyEval_EvalCode(code, d, d);
    if (!r) {
        goto fail;
    }
    status = 0;
    /* Like python3, __main__ loses __file__ once the script is done. */
    if (PyDict_DelItemString(d, "__file__") < 0 ||
        PyDict_DelItemString(d, "__cached__") < 0) {
        PyErr_Clear();
    }
    goto done;
fail:
    status = handle_exception(sigint);
done:
    Py_XDECREF(r);
    Py_XDECREF(code);
    Py_XDECREF(file);
    return status;
}

/* module.name as a new reference, or NULL with an exception set. */
static PyObject *
import_attr(const char *module, const char *name)
{
    PyObject *mod = PyImport_ImportModule(module);
    PyObject *r = NULL;

    if (mod) {
        r = PyObject_GetAttrString(mod, name);
        Py_DECREF(mod);
    }
    return r;
}

/* An int, or None for -1 (spawn_main's optional arguments). */
static PyObject *
int_or_none(int value)
{
    if (value < 0) {
        Py_RETURN_NONE;
    }
    return PyLong_FromLong(value);
}

/* ast.literal_eval of `n` bytes of argv: never eval. */
static PyObject *
literal(PyObject *literal_eval, const char *s, size_t n)
{
    PyObject *text = NULL;
    PyObject *r = NULL;

    if (n > (size_t)PY_SSIZE_T_MAX) {
        return PyErr_NoMemory();
    }
    text = PyUnicode_DecodeFSDefaultAndSize(s, (Py_ssize_t)n);
    if (text) {
        r = PyObject_CallOneArg(literal_eval, text);
        Py_DECREF(text);
    }
    return r;
}

/*
 * Run the stdlib helper that `c` names (child.h) instead of the program,
 * as `python3 -c` runs it: same call, same arguments, exceptions and
 * SystemExit handled like the program's. The exit status.
 */
static int
run_child(const fz_child *c, int *sigint)
{
    PyObject *func = NULL;
    PyObject *args = NULL;
    PyObject *kwargs = NULL;
    PyObject *literal_eval = NULL;
    PyObject *preload = NULL;
    PyObject *r = NULL;
    int status = 0;

    switch (c->kind) {
    case FZ_CHILD_SPAWN:
        func = import_attr("multiprocessing.spawn", "spawn_main");
        args = PyTuple_New(0);
        kwargs = Py_BuildValue("{s:i,s:N,s:N}", "pipe_handle", c->pipe_handle,
                               "parent_pid", int_or_none(c->parent_pid),
                               "tracker_fd", int_or_none(c->tracker_fd));
        break;
    case FZ_CHILD_RESOURCE_TRACKER:
        func = import_attr("multiprocessing.resource_tracker", "main");
        args = Py_BuildValue("(i)", c->fd[0]);
        break;
    case FZ_CHILD_FORKSERVER:
        func = import_attr("multiprocessing.forkserver", "main");
        literal_eval = func ? import_attr("ast", "literal_eval") : NULL;
        preload = literal_eval
                      ? literal(literal_eval, c->preload, c->preload_size)
                      : NULL;
        kwargs = preload ? literal(literal_eval, c->kwds, c->kwds_size) : NULL;
        args =
            kwargs ? Py_BuildValue("(iiO)", c->fd[0], c->fd[1], preload) : NULL;
        if (kwargs && !PyDict_Check(kwargs)) {
            PyErr_SetString(PyExc_TypeError, "forkserver: bad arguments");
            Py_CLEAR(args);
        }
        break;
    default:
        assert(0 && "not a child command line");
        PyErr_SetString(PyExc_RuntimeError, "not a child command line");
        break;
    }
    if (func && args && (kwargs || c->kind == FZ_CHILD_RESOURCE_TRACKER)) {
        r = PyObject_Call(func, args, kwargs);
    }
    if (!r) {
        status = handle_exception(sigint);
    }
    Py_XDECREF(r);
    Py_XDECREF(preload);
    Py_XDECREF(literal_eval);
    Py_XDECREF(kwargs);
    Py_XDECREF(args);
    Py_XDECREF(func);
    return status;
}

/* Set a wide-string PyConfig field from bytes; 0 or -1 with *st. */
static int
set_str(PyConfig *config, wchar_t **field, const char *value, PyStatus *st)
{
    *st = PyConfig_SetBytesString(config, field, value);
    return PyStatus_Exception(*st) ? -1 : 0;
}

/* Append argv bytes to a PyConfig list (warnoptions, xoptions). */
static int
append_option(PyConfig *config, PyWideStringList *list, const char *value,
              PyStatus *st)
{
    wchar_t *w = NULL;

    *st = PyConfig_SetBytesString(config, &w, value);
    if (PyStatus_Exception(*st)) {
        return -1;
    }
    *st = PyWideStringList_Append(list, w);
    PyMem_RawFree(w);
    return PyStatus_Exception(*st) ? -1 : 0;
}

/*
 * A child started as `exe [flags] -c CODE ARGS...` gets the flags its
 * parent's interpreter had (what python3 would do with them) and
 * sys.argv == ['-c', ARGS...]. 0 or -1 with *st.
 */
static int
configure_child(PyConfig *config, const fz_child *c, int argc, char **argv,
                PyStatus *st)
{
    char **pyargv = NULL;
    size_t n;
    int i, rc = -1;

    config->optimization_level = c->optimize;
    config->parser_debug = c->debug;
    config->write_bytecode = !c->dont_write_bytecode;
    config->verbose = c->verbose;
    config->bytes_warning = c->bytes_warning;
    config->quiet = c->quiet;
    for (i = c->flags_begin; i < c->flags_end; i++) {
        if (strncmp(argv[i], "-W", 2) == 0) {
            if (append_option(config, &config->warnoptions, argv[i] + 2, st) <
                0) {
                goto done;
            }
        } else if (strcmp(argv[i], "-X") == 0) {
            i++;
            if (append_option(config, &config->xoptions, argv[i], st) < 0) {
                goto done;
            }
        }
    }
    /* argv[code_index] is the code: "-c" and what follows it remain. */
    assert(c->code_index > 0 && c->code_index < argc);
    n = (size_t)(argc - c->code_index);
    pyargv = malloc(sizeof(*pyargv) * n);
    if (!pyargv) {
        *st = PyStatus_NoMemory();
        goto done;
    }
    pyargv[0] = "-c";
    for (i = c->code_index + 1; i < argc; i++) {
        pyargv[i - c->code_index] = argv[i];
    }
    *st = PyConfig_SetBytesArgv(config, (Py_ssize_t)n, pyargv);
    if (PyStatus_Exception(*st)) {
        goto done;
    }
    rc = 0;
done:
    free(pyargv);
    return rc;
}

/* The sys attributes of a frozen app (docs/internals.md). */
static int
set_sys_attrs(const fz_bundle *b, const char *exe)
{
    PyObject *root = NULL;
    PyObject *path = NULL;
    PyObject *executable = NULL;
    int rc = -1;

    root = PyUnicode_DecodeFSDefaultAndSize(b->root, (Py_ssize_t)b->root_size);
    executable = PyUnicode_DecodeFSDefault(exe);
    path = root ? PyList_New(1) : NULL;
    if (!path || !executable) {
        goto done;
    }
    Py_INCREF(root);
    PyList_SET_ITEM(path, 0, root);
    if (PySys_SetObject("frozen", Py_True) < 0 ||
        PySys_SetObject("_MEIPASS", root) < 0 ||
        PySys_SetObject("path", path) < 0 ||
        PySys_SetObject("executable", executable) < 0) {
        goto done;
    }
    rc = 0;
done:
    Py_XDECREF(root);
    Py_XDECREF(path);
    Py_XDECREF(executable);
    return rc;
}

/*
 * Print what fz_bundle_open or fz_bundle_settle said: the warning, then
 * the error if `rc` is one. 0 when the program may run, else -1.
 */
static int
report_bundle(const char *argv0, int rc, const char *warning,
              const fz_payload *p)
{
    if (warning) {
        fprintf(stderr, "%s: warning: %s\n", argv0, warning);
    }
    if (rc == FZ_EHASH || rc == FZ_EFORMAT) {
        fprintf(stderr, "%s: this executable is damaged (%s)\n", argv0,
                fz_error_message());
    } else if (rc == FZ_PLATFORM_EUNSAFE &&
               (fz_payload_flags(p) & FZ_PAYLOAD_F_ONEDIR)) {
        fprintf(stderr, "%s: refusing to run (%s)\n", argv0,
                fz_error_message());
    } else if (rc < 0) {
        fprintf(stderr, "%s: cannot extract the bundled files (%s)\n", argv0,
                fz_error_message());
    }
    return rc < 0 ? -1 : 0;
}

/*
 * exec this runtime again as fz-launcher did, minus ",root=": the root
 * CPython was started with cannot be used, and nothing of the program has
 * run yet. Returns only on failure, with errno set.
 */
static void
restart(const launch *self)
{
    char arg[FZ_LAUNCH_ARG_MAX];
    fz_launch l = self->from;
    char **argv;
    int flags = fcntl(l.fd, F_GETFD);
    int err;

    l.temp_exe = 0; /* removed as this runtime started */
    l.root = 0;
    fz_launch_arg(arg, &l);
    argv = fz_launch_argv(self->argv[0], self->argc, self->argv, arg);
    if (!argv || flags < 0) {
        err = argv ? errno : ENOMEM;
        free(argv);
        errno = err;
        return;
    }
    fcntl(l.fd, F_SETFD, flags & ~FD_CLOEXEC);
    execv("/proc/self/exe", argv);
    err = errno;
    fcntl(l.fd, F_SETFD, flags);
    free(argv);
    errno = err;
}

/*
 * Before anything reads the bundle root: wait for the launcher's
 * extractor and check the root (fz_bundle_settle). When the root had to
 * go elsewhere, start over (restart), since CPython and the importer were
 * handed the path. 0, or -1 once the reason the program cannot run is
 * printed.
 */
static int
settle(fz_bundle *b, fz_payload *p, const launch *self)
{
    const char *argv0 = self->argv[0] ? self->argv[0] : "fz-runtime";
    char *warning = NULL;
    int rc = fz_bundle_settle(b, &warning, p);

    if (rc == FZ_BUNDLE_MOVED && self->from.fd >= 0) {
        free(warning); /* the new start says it again */
        restart(self);
        fprintf(stderr, "%s: cannot restart the runtime (%s)\n", argv0,
                strerror(errno));
        return -1;
    }
    rc = report_bundle(argv0, rc, warning, p);
    free(warning);
    return rc;
}

/*
 * Start CPython isolated from the machine, install the importer between
 * the core and the main phase, run __main__, finalize. Returns the exit
 * status; *sigint when the process must die of SIGINT.
 */
static int
run_python(int argc, char **argv, const char *exe, fz_payload *p, fz_bundle *b,
           const fz_child *child, const launch *self, int *sigint)
{
    PyPreConfig pre;
    PyConfig config;
    PyStatus st;
    PyObject *importer = NULL;
    int status = 1;
    int i;
    wchar_t **prefixes[5];

    PyPreConfig_InitPythonConfig(&pre);
    /* Locale, UTF-8 mode and C locale coercion as python3 decides them,
     * minus the PYTHON* variables. */
    pre.use_environment = 0;
    pre.parse_argv = 0;
    st = Py_PreInitialize(&pre);
    if (PyStatus_Exception(st)) {
        goto init_failed;
    }

    PyConfig_InitIsolatedConfig(&config);
    config.use_environment = 0;
    config.user_site_directory = 0;
    config.site_import = 0;
    config.install_signal_handlers = 1;
    config.configure_c_stdio = 1;
    config.buffered_stdio = 1;
    config.parse_argv = 0;
    config.pathconfig_warnings = 0;
    config.module_search_paths_set = 1; /* and empty: no directory scans */
    config._init_main = 0;
    if (child->code_index > 0) {
        if (configure_child(&config, child, argc, argv, &st) < 0) {
            goto config_failed;
        }
    } else {
        st = PyConfig_SetBytesArgv(&config, argc, argv);
        if (PyStatus_Exception(st)) {
            goto config_failed;
        }
    }
    prefixes[0] = &config.prefix;
    prefixes[1] = &config.exec_prefix;
    prefixes[2] = &config.base_prefix;
    prefixes[3] = &config.base_exec_prefix;
    prefixes[4] = &config.home;
    for (i = 0; i < 5; i++) {
        if (set_str(&config, prefixes[i], b->root, &st) < 0) {
            goto config_failed;
        }
    }
    if (set_str(&config, &config.program_name,
                argc > 0 && argv[0] ? argv[0] : exe, &st) < 0 ||
        set_str(&config, &config.executable, exe, &st) < 0 ||
        set_str(&config, &config.base_executable, exe, &st) < 0) {
        goto config_failed;
    }
    st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        goto init_failed;
    }

    importer = fz_importer_install(p, b, argc > 0 && argv[0] ? argv[0] : exe);
    if (!importer || fz_fastimport_install(importer) < 0) {
        goto py_failed;
    }
    st = _Py_InitializeMain();
    if (PyStatus_Exception(st)) {
        goto init_failed;
    }
    if (b->pending > 0 && settle(b, p, self) < 0) {
        status = 1;
        goto finalize;
    }
    if (fz_importer_install_path_hook(importer) < 0 ||
        fz_importer_install_open_code(importer) < 0 ||
        set_sys_attrs(b, exe) < 0) {
        goto py_failed;
    }
    if (child->kind != FZ_CHILD_NONE) {
        status = run_child(child, sigint);
    } else {
        status = run_main(importer, sigint);
    }
    goto finalize;

config_failed:
    PyConfig_Clear(&config);
init_failed:
    if (PyStatus_IsExit(st)) {
        return st.exitcode;
    }
    Py_ExitStatusException(st); /* prints "Fatal Python error", exits 1 */
py_failed:
    status = handle_exception(sigint);
finalize:
    Py_XDECREF(importer);
    if (Py_FinalizeEx() < 0) {
        status = EXIT_FINALIZE;
    }
    return status;
}

/* Die of SIGINT like python3 after an uncaught KeyboardInterrupt. */
static int
exit_sigint(void)
{
    signal(SIGINT, SIG_DFL);
    kill(getpid(), SIGINT);
    return 128 + SIGINT; /* if the signal did not kill us */
}

/*
 * The payload is read with pread, never mapped: a program reads only the
 * entries it imports, while a mapping of the whole payload was found
 * resident whole after start (large page-cache folios), counting megabytes
 * the program never touched. The file is reopened when the program closed
 * our descriptor, or reused its number for another file (daemons close
 * every descriptor): the identity is checked before each read.
 */
typedef struct payload_file {
    int fd;
    const char *path; /* where to reopen it */
    uint64_t offset;  /* of the section in the file */
    dev_t dev;
    ino_t ino;
} payload_file;

static int
payload_file_check(payload_file *f)
{
    struct stat st;
    int fd;

    if (fstat(f->fd, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino) {
        return FZ_OK;
    }
    /* Not ours any more; the number may belong to the program now. */
    fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != f->dev ||
        st.st_ino != f->ino) {
        if (fd >= 0) {
            close(fd);
        }
        return fz_error_set(FZ_EIO, "cannot reopen %s", f->path);
    }
    f->fd = fd;
    return FZ_OK;
}

static int
payload_fetch(void *ctx, uint64_t offset, void *buf, size_t size)
{
    payload_file *f = ctx;
    char *p = buf;
    int rc;

    rc = payload_file_check(f);
    if (rc < 0) {
        return rc;
    }
    while (size > 0) {
        ssize_t n = pread(f->fd, p, size, (off_t)(f->offset + offset));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fz_error_set(FZ_EIO, "cannot read the payload: %s",
                                strerror(errno));
        }
        if (n == 0) {
            return fz_error_set(FZ_EFORMAT, "payload truncated at %llu",
                                (unsigned long long)offset);
        }
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return FZ_OK;
}

/*
 * Take argv[1] out of the command line the kernel shows for this process
 * (/proc/self/cmdline: ps, top, systemd, pgrep -f), as it is taken out of
 * sys.argv: the strings lie end to end where the exec put them, so
 * argv[2..] move over argv[1] and the bytes freed at the end become NULs,
 * which ps shows as nothing. argv[2..] are repointed to where their
 * strings went. Nothing moves when the strings are not laid out so.
 */
static void
cmdline_drop_first_arg(int argc, char **argv)
{
    size_t gone, tail;
    char *end;
    int i;

    if (argc < 2) {
        return;
    }
    for (i = 1; i < argc; i++) {
        if (argv[i] != argv[i - 1] + strlen(argv[i - 1]) + 1) {
            return;
        }
    }
    gone = strlen(argv[1]) + 1;
    end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    tail = (size_t)(end - argv[1]) - gone;
    memmove(argv[1], argv[1] + gone, tail);
    memset(argv[1] + tail, 0, gone);
    for (i = 2; i < argc; i++) {
        argv[i] -= gone;
    }
}

/*
 * Started by fz-launcher (a --compress-runtime app, docs/internals.md):
 * this runtime has no payload of its own and argv[1] is
 * "--fz-payload-fd=N[,temp-exe][,root=PID][,name=HEX]" (launch.h), N an
 * inherited descriptor on the launcher, whose payload is the app. Only
 * honoured when this executable holds no payload, so an app's own command
 * line never means it; whoever sets argv controls the process anyway. On
 * success argv[1] is removed, *l says what it said (l->fd N, now
 * close-on-exec: children re-run the launcher by name; l->temp_exe 1 when
 * this runtime is a private temporary file to remove; l->root the child
 * still extracting the bundle root, fz_bundle_open_pending), and *exe is
 * the launcher's path (sys.executable). FZ_ENOTFOUND when not so started.
 */
static int
launcher_payload(int *argc, char **argv, fz_launch *l, char **exe)
{
    char link[64];
    int i, n, flags, rc;

    *exe = NULL;
    fz_launch_clear(l);
    if (*argc < 2) {
        return FZ_ENOTFOUND;
    }
    rc = fz_launch_parse(argv[1], l);
    if (rc < 0) {
        return rc;
    }
    n = l->fd;
    l->fd = -1;
    flags = fcntl(n, F_GETFD);
    if (n < 3 || flags < 0 || fcntl(n, F_SETFD, flags | FD_CLOEXEC) < 0) {
        return fz_error_set(FZ_EINVAL, "bad %s", argv[1]);
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", n);
    *exe = realpath(link, NULL);
    if (!*exe) {
        return fz_error_set(FZ_EIO, "%s: %s", link, strerror(errno));
    }
    l->fd = n;
    cmdline_drop_first_arg(*argc, argv);
    for (i = 1; i < *argc; i++) {
        argv[i] = argv[i + 1];
    }
    (*argc)--;
    return FZ_OK;
}

/*
 * fz-launcher wrote this runtime to <tmp>/fz-runtime-XXXXXX/fz-runtime
 * because the kernel forbids executable memfds: remove the file and its
 * directory now. The process keeps the mapped inode, and nothing later
 * opens this executable by path: `self` is an fd on it, and
 * sys.executable and children are the launcher. Removed only when `path`
 * (the kernel's name for this executable) is still this very file, in a
 * private directory of ours named fz-runtime-*, never through a symlink.
 */
static int
remove_temp_exe(const char *path, int self)
{
    char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    const char *base;
    struct stat me, st;
    int dfd = -1, rc = FZ_OK;

    if (!dir) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    if (!slash || slash == dir) {
        rc = fz_error_set(FZ_EINVAL, "%s: not in a directory of its own", path);
        goto done;
    }
    *slash = '\0';
    base = strrchr(dir, '/') + 1;
    if (strncmp(base, "fz-runtime-", 11) != 0) {
        rc = fz_error_set(FZ_EINVAL, "%s: not in a fz-runtime-* directory",
                          path);
        goto done;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 || fstat(dfd, &st) < 0 || fstat(self, &me) < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", dir, strerror(errno));
        goto done;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        rc = fz_error_set(FZ_EINVAL, "%s: not a private directory", dir);
        goto done;
    }
    if (fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        !S_ISREG(st.st_mode) || st.st_dev != me.st_dev ||
        st.st_ino != me.st_ino) {
        rc = fz_error_set(FZ_EINVAL, "%s: not this executable", path);
        goto done;
    }
    if (unlinkat(dfd, slash + 1, 0) < 0 || rmdir(dir) < 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
done:
    if (dfd >= 0) {
        close(dfd);
    }
    free(dir);
    return rc;
}

int
main(int argc, char **argv)
{
    const char *argv0 = argc > 0 && argv[0] ? argv[0] : "fz-runtime";
    char *exe = NULL;
    char *warning = NULL;
    int fd = -1;
    struct stat st;
    uint64_t off, size;
    payload_file file = {-1, "/proc/self/exe", 0, 0, 0};
    fz_payload *payload = NULL;
    fz_bundle *bundle = NULL;
    fz_child child;
    launch self = {{-1, 0, 0, ""}, 0, NULL};
    int status = 1;
    int sigint = 0;
    int rc;

    rc = fz_platform_self_exe(&exe);
    if (rc < 0) {
        fprintf(stderr, "%s: cannot find this executable (%s)\n", argv0,
                fz_error_message());
        goto done;
    }
    /* The magic link, not the path: a runtime that fz-launcher runs from
     * a memfd or from a cache file replaced since has no path. */
    fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "%s: cannot open this executable (%s: %s)\n", argv0,
                exe, strerror(errno));
        goto done;
    }
    rc = fz_elf_find_section(fd, (uint64_t)st.st_size, FZ_PAYLOAD_SECTION, &off,
                             &size);
    if (rc == FZ_ENOTFOUND) {
        char *lexe = NULL;

        rc = launcher_payload(&argc, argv, &self.from, &lexe);
        /* First, before any thread is made: the app's name, not the
         * runtime file's, in ps and pgrep. */
        if (rc == FZ_OK && fz_platform_set_process_name(self.from.name) < 0) {
            fz_error_clear(); /* a name is not worth failing for */
        }
        if (rc == FZ_OK && self.from.temp_exe && remove_temp_exe(exe, fd) < 0) {
            fprintf(stderr,
                    "%s: warning: cannot remove the temporary runtime (%s)\n",
                    argv0, fz_error_message());
            fz_error_clear();
        }
        if (rc == FZ_OK) {
            close(fd);
            fd = self.from.fd;
            free(exe);
            exe = lexe;
            file.path = exe;
            if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                rc = fz_error_set(FZ_EINVAL, "the payload is not a file");
            }
        }
        if (rc == FZ_OK) {
            rc = fz_elf_find_section(fd, (uint64_t)st.st_size,
                                     FZ_PAYLOAD_SECTION, &off, &size);
        }
        if (rc < 0 && rc != FZ_ENOTFOUND) {
            fprintf(stderr, "%s: cannot read the launcher (%s)\n", argv0,
                    fz_error_message());
            goto done;
        }
    }
    if (rc == FZ_ENOTFOUND) {
        fprintf(stderr,
                "%s: this is the freeze runtime stub; it holds no program "
                "(freeze builds apps from it)\n",
                argv0);
        goto done;
    }
    if (rc == FZ_OK && size > SIZE_MAX) {
        rc = fz_error_set(FZ_EFORMAT, "payload too large");
    }
    if (rc == FZ_OK) {
        file.fd = fd;
        file.offset = off;
        file.dev = st.st_dev;
        file.ino = st.st_ino;
        fd = -1; /* file owns it now */
        rc = fz_payload_open_fetch(&payload, size, payload_fetch, &file,
                                   FZ_PY_HEXVERSION_MM, FZ_PY_MAGIC_LE);
    }
    if (rc < 0) {
        fprintf(stderr, "%s: this executable is damaged (%s)\n", argv0,
                fz_error_message());
        goto done;
    }

    /* A first run of a --compress-runtime app: the launcher's child is
     * still extracting the root; wait for it only before the program
     * runs (run_python). */
    rc = self.from.root > 0
             ? fz_bundle_open_pending(&bundle, payload, self.from.root)
             : FZ_ENOTFOUND;
    if (rc < 0) {
        fz_error_clear();
        rc = fz_bundle_open(&bundle, &warning, payload);
    }
    if (report_bundle(argv0, rc, warning, payload) < 0) {
        goto done;
    }
    if (bundle->is_private) {
        private_root = bundle;
        atexit(remove_private_root);
    }
    /* Helper processes the stdlib starts from sys.executable. */
    fz_child_parse(&child, argc, argv);
    self.argc = argc;
    self.argv = argv;
    status =
        run_python(argc, argv, exe, payload, bundle, &child, &self, &sigint);
done:
    fz_bundle_remove(bundle);
    private_root = NULL;
    fz_bundle_free(bundle);
    fz_payload_free(payload);
    /* Only while it is still ours: the program may have closed it. */
    if (file.fd >= 0 && fstat(file.fd, &st) == 0 && st.st_dev == file.dev &&
        st.st_ino == file.ino) {
        close(file.fd);
    }
    if (fd >= 0) {
        close(fd);
    }
    free(exe);
    free(warning);
    if (sigint) {
        status = exit_sigint();
    }
    return status;
}
