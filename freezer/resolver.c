/*
 * resolver.c - the file-system half of import resolution (resolver.h).
 */
#include "resolver.h"

#include "fz_error.h"

#include <stdlib.h>
#include <string.h>

/* Extension suffixes in FileFinder's order (importlib.machinery). */
static const char *const ext_suffixes[] = {FZ_PY_EXT_SUFFIX, ".abi3.so", ".so"};

void
fz_found_dispose(fz_found *found)
{
    free(found->path);
    fz_strvec_dispose(&found->search);
    memset(found, 0, sizeof(*found));
}

/* Set `found` to a hit at `path` (taken over) of `kind`. */
static int
hit(fz_found *found, fz_found_kind kind, char *path, const char *pkgdir,
    size_t index)
{
    fz_found_dispose(found);
    found->kind = kind;
    found->path = path;
    found->dir_index = index;
    if (pkgdir != NULL) {
        return fz_strvec_push(&found->search, pkgdir);
    }
    return 0;
}

/* Try "<dir>/<tail><suffix>"; 1 when it is a file (then *out owns it). */
static int
try_file(char **out, const char *dir, const char *tail, const char *suffix,
         int *rc)
{
    fz_buf b = FZ_BUF_INIT;

    *out = NULL;
    if (fz_buf_puts(&b, dir) < 0 ||
        (b.size > 0 && b.data[b.size - 1] != '/' && fz_buf_puts(&b, "/") < 0) ||
        fz_buf_puts(&b, tail) < 0 || fz_buf_puts(&b, suffix) < 0) {
        fz_buf_dispose(&b);
        *rc = FZ_ENOMEM;
        return 0;
    }
    if (fz_is_file(b.data)) {
        *out = fz_buf_detach(&b);
        return 1;
    }
    fz_buf_dispose(&b);
    return 0;
}

int
fz_resolve_find(fz_found *out, const char *tail, const fz_strvec *paths)
{
    fz_strvec portions = FZ_STRVEC_INIT;
    size_t first_portion = 0;
    char *file = NULL;
    char *pkgdir = NULL;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < paths->count; i++) {
        const char *dir = paths->items[i];

        pkgdir = fz_path_join(dir, tail);
        if (pkgdir == NULL) {
            rc = FZ_ENOMEM;
            goto done;
        }
        if (fz_is_dir(pkgdir)) {
            if (try_file(&file, pkgdir, "__init__", ".py", &rc)) {
                rc = hit(out, FZ_FOUND_PACKAGE, file, pkgdir, i);
                file = NULL;
                goto done;
            }
            if (rc < 0) {
                goto done;
            }
        }
        for (size_t s = 0; s < sizeof(ext_suffixes) / sizeof(*ext_suffixes);
             s++) {
            if (try_file(&file, dir, tail, ext_suffixes[s], &rc)) {
                rc = hit(out, FZ_FOUND_EXTENSION, file, NULL, i);
                file = NULL;
                goto done;
            }
            if (rc < 0) {
                goto done;
            }
        }
        if (try_file(&file, dir, tail, ".py", &rc)) {
            rc = hit(out, FZ_FOUND_SOURCE, file, NULL, i);
            file = NULL;
            goto done;
        }
        if (rc < 0) {
            goto done;
        }
        if (fz_is_dir(pkgdir)) {
            if (portions.count == 0) {
                first_portion = i;
            }
            rc = fz_strvec_push(&portions, pkgdir);
            if (rc < 0) {
                goto done;
            }
        }
        free(pkgdir);
        pkgdir = NULL;
    }
    if (portions.count > 0) {
        out->kind = FZ_FOUND_NAMESPACE;
        out->path = fz_strdup(portions.items[0]);
        out->dir_index = first_portion;
        out->search = portions;
        memset(&portions, 0, sizeof(portions));
        if (out->path == NULL) {
            rc = FZ_ENOMEM;
        }
    }
done:
    free(pkgdir);
    free(file);
    fz_strvec_dispose(&portions);
    if (rc < 0) {
        fz_found_dispose(out);
    }
    return rc;
}
