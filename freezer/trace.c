/*
 * trace.c - run the program under an audit hook (trace.h).
 */
#define _GNU_SOURCE
#include "trace.h"

#include "fz_error.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* argv: -c CODE RECORD SCRIPT ARGS... */
static const char tracer[] =
    "import sys, os, atexit, runpy\n"
    "_before = set(sys.modules)\n"
    "_rec, _script = sys.argv[1], sys.argv[2]\n"
    "sys.argv = sys.argv[2:]\n"
    "_opened, _imported = set(), set()\n"
    "def _hook(ev, args, _o=_opened, _i=_imported):\n"
    "    if ev == 'import':\n"
    "        _i.add(args[0])\n"
    "    elif ev == 'open' and args and isinstance(args[0], (str, bytes)):\n"
    "        m = args[1] if len(args) > 1 else 'r'\n"
    "        if m is None or not any(c in str(m) for c in 'wax+'):\n"
    "            _o.add(os.fsdecode(args[0]))\n"
    "sys.addaudithook(_hook)\n"
    "def _dump():\n"
    "    names = (set(sys.modules) - _before) | _imported\n"
    "    files = sorted({os.path.abspath(p) for p in _opened})\n"
    "    with open(_rec, 'w', encoding='utf-8', errors='surrogateescape') "
    "as f:\n"
    "        f.write('\\0'.join(['M' + n for n in sorted(names)] +\n"
    "                          ['F' + p for p in files]))\n"
    "atexit.register(_dump)\n"
    "sys.path.insert(0, os.path.dirname(os.path.abspath(_script)))\n"
    "runpy.run_path(_script, run_name='__main__')\n";

void
fz_trace_dispose(fz_trace *t)
{
    fz_strvec_dispose(&t->modules);
    fz_strvec_dispose(&t->opened);
}

static int
spawn_wait(const char *python, char **argv, int *status)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    if (posix_spawn_file_actions_init(&fa) != 0) {
        return fz_error_set(FZ_ENOMEM, "posix_spawn_file_actions_init");
    }
    if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) !=
            0 ||
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) !=
            0) {
        posix_spawn_file_actions_destroy(&fa);
        return fz_error_set(FZ_ENOMEM, "posix_spawn_file_actions");
    }
    rc = posix_spawnp(&pid, python, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        return fz_error_set(FZ_EIO, "--trace: cannot run %s: %s", python,
                            strerror(rc));
    }
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) {
            return fz_error_set(FZ_EIO, "--trace: waitpid: %s",
                                strerror(errno));
        }
    }
    return 0;
}

int
fz_trace_run(fz_trace *out, const char *python, const char *script,
             const char *const *argv, size_t argc)
{
    char rec[] = "/tmp/freeze-trace-XXXXXX";
    char **args = NULL;
    fz_buf text = FZ_BUF_INIT;
    int fd = -1;
    int status = 0;
    size_t pos = 0;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    fd = mkstemp(rec);
    if (fd < 0) {
        return fz_error_set(FZ_EIO, "--trace: temporary file: %s",
                            strerror(errno));
    }
    close(fd);
    if (argc > 1u << 20) {
        rc = fz_error_set(FZ_EINVAL, "--trace: too many arguments");
        goto done;
    }
    args = calloc(argc + 7, sizeof(*args));
    if (args == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    args[0] = (char *)python;
    args[1] = "-I";
    args[2] = "-c";
    args[3] = (char *)tracer;
    args[4] = rec;
    args[5] = (char *)script;
    for (size_t i = 0; i < argc; i++) {
        args[6 + i] = (char *)argv[i];
    }
    rc = spawn_wait(python, args, &status);
    if (rc < 0) {
        goto done;
    }
    out->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    rc = fz_file_read(&text, rec);
    if (rc < 0 || text.size == 0) {
        rc = fz_error_set(FZ_EIO,
                          "--trace: %s %s left no record (exit status %d)",
                          python, script, out->status);
        goto done;
    }
    while (pos < text.size && rc == 0) {
        const char *s = text.data + pos;
        const char *end = memchr(s, '\0', text.size - pos);
        size_t n = end ? (size_t)(end - s) : text.size - pos;

        if (n > 1 && s[0] == 'M') {
            fz_buf one = FZ_BUF_INIT;

            rc = fz_buf_append(&one, s + 1, n - 1);
            rc = rc ? rc : fz_strvec_push(&out->modules, one.data);
            fz_buf_dispose(&one);
        } else if (n > 1 && s[0] == 'F' && s[1] == '/') {
            fz_buf one = FZ_BUF_INIT;

            rc = fz_buf_append(&one, s + 1, n - 1);
            rc = rc ? rc : fz_strvec_push(&out->opened, one.data);
            fz_buf_dispose(&one);
        }
        pos += n + 1;
    }
done:
    unlink(rec);
    free(args);
    fz_buf_dispose(&text);
    if (rc < 0) {
        fz_trace_dispose(out);
    }
    return rc;
}
