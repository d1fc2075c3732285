/*
 * tcltk.c - find and list the Tcl/Tk script libraries (tcltk.h).
 */
#define _GNU_SOURCE
#include "tcltk.h"

#include "fz_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Every regular file below `dir` (recursively, symlinks to files
 * followed, to directories not), named `prefix`/relative path. */
static int
walk(fz_strvec *paths, fz_strvec *names, const char *dir, const char *prefix,
     unsigned depth)
{
    DIR *d = NULL;
    struct dirent *de;
    int rc = 0;

    if (depth > 16) {
        return 0;
    }
    d = opendir(dir);
    if (d == NULL) {
        return fz_error_set(FZ_EIO, "%s: %s", dir, strerror(errno));
    }
    while (rc == 0 && (de = readdir(d)) != NULL) {
        char *path;
        char *name;
        struct stat lst;
        struct stat st;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        path = fz_path_join(dir, de->d_name);
        name = fz_path_join(prefix, de->d_name);
        if (path == NULL || name == NULL) {
            rc = FZ_ENOMEM;
        } else if (lstat(path, &lst) == 0 && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode) && !S_ISLNK(lst.st_mode)) {
                rc = walk(paths, names, path, name, depth + 1);
            } else if (S_ISREG(st.st_mode)) {
                rc = fz_strvec_push(paths, path);
                rc = rc ? rc : fz_strvec_push(names, name);
            }
        }
        free(path);
        free(name);
    }
    closedir(d);
    return rc;
}

/* The first line python prints for `code`, or FZ_EFAIL. */
static int
ask(fz_buf *out, const char *python, const char *code)
{
    int fds[2];
    pid_t pid;
    int status = 0;
    char chunk[512];
    ssize_t n;

    if (pipe(fds) < 0) {
        return fz_error_set(FZ_EIO, "pipe: %s", strerror(errno));
    }
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return fz_error_set(FZ_EIO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);

        dup2(fds[1], 1);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 2);
        }
        close(fds[0]);
        execl(python, python, "-I", "-c", code, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    fz_buf_clear(out);
    while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 || fz_buf_append(out, chunk, (size_t)n) < 0) {
            break;
        }
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    while (out->size > 0 && (out->data[out->size - 1] == '\n' ||
                             out->data[out->size - 1] == '\r')) {
        out->data[--out->size] = '\0';
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || out->size == 0 ||
        out->data[0] != '/' || strchr(out->data, '\n') != NULL) {
        return fz_error_set(FZ_EFAIL,
                            "%s cannot tell where Tcl's library is "
                            "(is python3-tk installed?)",
                            python);
    }
    return 0;
}

int
fz_tcltk_files(fz_strvec *paths, fz_strvec *names, const char *python)
{
    fz_buf lib = FZ_BUF_INIT;
    char *parent = NULL;
    char *tk = NULL;
    const char *base;
    int rc;

    rc = ask(&lib, python,
             "import tkinter; print(tkinter.Tcl().eval('info library'))");
    if (rc < 0) {
        goto done;
    }
    base = fz_path_basename(lib.data);
    rc = walk(paths, names, lib.data, base, 0);
    if (rc < 0) {
        goto done;
    }
    /*
     * Tcl modules (msgcat, http, ...): Debian keeps them in
     * <library>/tcl8, a path compiled into its Tcl; Tcl's own search
     * (tm.tcl) looks in <parent of library>/tcl8/8.N. Put them there.
     */
    if (strncmp(base, "tcl", 3) == 0) {
        char *mods = fz_path_join(lib.data, "tcl8");
        char *where = malloc(strlen(base) + 8);

        if (mods == NULL || where == NULL) {
            free(mods);
            free(where);
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            goto done;
        }
        sprintf(where, "tcl8/%s", base + 3);
        if (fz_is_dir(mods)) {
            rc = walk(paths, names, mods, where, 0);
        }
        free(mods);
        free(where);
        if (rc < 0) {
            goto done;
        }
    }
    /* Tk's library: the sibling "tk<version>" (Tcl searches there too) */
    parent = fz_path_dirname(lib.data);
    if (parent == NULL || strncmp(base, "tcl", 3) != 0) {
        rc = parent ? 0 : FZ_ENOMEM;
        goto done;
    }
    tk = malloc(strlen(parent) + strlen(base) + 4);
    if (tk == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    sprintf(tk, "%s/tk%s", parent, base + 3);
    if (fz_is_dir(tk)) {
        rc = walk(paths, names, tk, fz_path_basename(tk), 0);
    }
done:
    fz_buf_dispose(&lib);
    free(parent);
    free(tk);
    return rc;
}
