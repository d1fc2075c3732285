/*
 * pyenv.c - ask the target interpreter for its version and third-party
 * sys.path entries (pyenv.h).
 */
#define _GNU_SOURCE
#include "pyenv.h"

#include "fz_error.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * Printed NUL-separated: "X.Y", sys.prefix, then every sys.path entry that
 * is an existing directory and not part of the standard library (stdlib,
 * platstdlib, lib-dynload, the zip).
 */
static const char query_code[] =
    "import os, sys, sysconfig\n"
    "p = sysconfig.get_paths()\n"
    "x = set()\n"
    "for k in ('stdlib', 'platstdlib'):\n"
    "    d = os.path.realpath(p[k])\n"
    "    x.add(d)\n"
    "    x.add(os.path.join(d, 'lib-dynload'))\n"
    "d = sysconfig.get_config_var('DESTSHARED')\n"
    "if d:\n"
    "    x.add(os.path.realpath(d))\n"
    "out = ['%d.%d' % sys.version_info[:2], sys.prefix]\n"
    "for e in sys.path:\n"
    "    if not e or not os.path.isdir(e):\n"
    "        continue\n"
    "    r = os.path.realpath(e)\n"
    "    if r not in x and r not in out[2:]:\n"
    "        out.append(r)\n"
    "sys.stdout.write('\\0'.join(out) + '\\0')\n";

char *
fz_pyenv_pick(const char *python)
{
    const char *venv;

    if (python != NULL) {
        return fz_strdup(python);
    }
    venv = getenv("VIRTUAL_ENV");
    if (venv != NULL && venv[0] != '\0') {
        return fz_path_join(venv, "bin/python");
    }
    return fz_strdup(FZ_PYTHON);
}

void
fz_pyenv_free(fz_pyenv *env)
{
    if (env == NULL) {
        return;
    }
    free(env->python);
    free(env->version);
    free(env->prefix);
    fz_strvec_dispose(&env->site_dirs);
    free(env);
}

/* Run python with the query and collect its stdout into `out`. */
static int
run_query(fz_buf *out, const char *python)
{
    posix_spawn_file_actions_t fa;
    int fa_ready = 0;
    int pipefd[2] = {-1, -1};
    pid_t pid = -1;
    char *argv[5];
    char chunk[4096];
    int status;
    int rc = 0;

    argv[0] = (char *)python;
    argv[1] = "-I";
    argv[2] = "-c";
    argv[3] = (char *)query_code;
    argv[4] = NULL;
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        rc = fz_error_set(FZ_EIO, "pipe: %s", strerror(errno));
        goto done;
    }
    if (posix_spawn_file_actions_init(&fa) != 0) {
        rc = fz_error_set(FZ_ENOMEM, "posix_spawn_file_actions_init failed");
        goto done;
    }
    fa_ready = 1;
    if (posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) !=
            0) {
        rc = fz_error_set(FZ_ENOMEM, "posix_spawn_file_actions failed");
        goto done;
    }
    rc = posix_spawnp(&pid, python, &fa, NULL, argv, environ);
    if (rc != 0) {
        rc = fz_error_set(FZ_EIO, "cannot run target Python %s: %s", python,
                          strerror(rc));
        pid = -1;
        goto done;
    }
    close(pipefd[1]);
    pipefd[1] = -1;
    for (;;) {
        ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (out->size > (1u << 24)) {
            rc = fz_error_set(FZ_EFORMAT, "target Python %s printed too much",
                              python);
            goto done;
        }
        rc = fz_buf_append(out, chunk, (size_t)n);
        if (rc < 0) {
            goto done;
        }
    }
done:
    if (pipefd[0] >= 0) {
        close(pipefd[0]);
    }
    if (pipefd[1] >= 0) {
        close(pipefd[1]);
    }
    if (pid > 0) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
            rc = fz_error_set(FZ_EIO,
                              "target Python %s failed to report its "
                              "sys.path (status %d)",
                              python, status);
        }
    }
    if (fa_ready) {
        posix_spawn_file_actions_destroy(&fa);
    }
    return rc;
}

int
fz_pyenv_query(fz_pyenv **out, const char *python)
{
    fz_buf text = FZ_BUF_INIT;
    fz_pyenv *env = NULL;
    size_t pos = 0;
    size_t field = 0;
    int rc = 0;

    *out = NULL;
    env = calloc(1, sizeof(*env));
    if (env == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    env->python = fz_strdup(python);
    if (env->python == NULL) {
        rc = FZ_ENOMEM;
        goto done;
    }
    rc = run_query(&text, python);
    if (rc < 0) {
        goto done;
    }
    while (pos < text.size) {
        const char *s = text.data + pos;
        const char *end = memchr(s, '\0', text.size - pos);

        if (end == NULL) {
            rc = fz_error_set(FZ_EFORMAT, "target Python %s: truncated answer",
                              python);
            goto done;
        }
        if (field == 0) {
            env->version = fz_strdup(s);
        } else if (field == 1) {
            env->prefix = fz_strdup(s);
        } else {
            rc = fz_strvec_push(&env->site_dirs, s);
        }
        if (rc < 0 || (field == 0 && env->version == NULL) ||
            (field == 1 && env->prefix == NULL)) {
            rc = FZ_ENOMEM;
            goto done;
        }
        field++;
        pos = (size_t)(end - text.data) + 1;
    }
    if (field < 2) {
        rc = fz_error_set(FZ_EFORMAT, "target Python %s: unexpected answer",
                          python);
        goto done;
    }
    if (strcmp(env->version, FZ_PY_VERSION) != 0) {
        rc = fz_error_set(FZ_EPYVERSION,
                          "target Python is %s (%s), freeze was built for %s",
                          env->version, python, FZ_PY_VERSION);
        goto done;
    }
    *out = env;
    env = NULL;
done:
    fz_buf_dispose(&text);
    fz_pyenv_free(env);
    return rc;
}
