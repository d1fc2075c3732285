/*
 * qt.c - bundle Qt plugins for PyQt5/PySide2 apps (qt.h). The plugins are
 * dlopened by Qt from its library paths, so no import names them.
 */
#define _GNU_SOURCE
#include "qt.h"

#include "fz_error.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

typedef struct binding {
    const char *package; /* "PyQt5" */
    const char *dest;    /* "PyQt5/Qt5/plugins" */
} binding;

static const binding bindings[] = {{"PyQt5", "PyQt5/Qt5/plugins"},
                                   {"PySide2", "PySide2/Qt/plugins"}};

static int
valid_group(const char *g)
{
    if (*g == '\0' || strcmp(g, ".") == 0 || strcmp(g, "..") == 0) {
        return 0;
    }
    for (const char *p = g; *p != '\0'; p++) {
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
            *p != '_' && *p != '-') {
            return 0;
        }
    }
    return 1;
}

/* Turn --qt-plugins into the list of groups (or "all"). */
static int
parse_groups(fz_strvec *out, const char *spec)
{
    char *copy = fz_strdup(spec ? spec : "");
    char *save = NULL;
    int replaced = 0;
    int rc = 0;

    if (copy == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    for (char *t = strtok_r(copy, ", ", &save); t != NULL && rc == 0;
         t = strtok_r(NULL, ", ", &save)) {
        int op = (*t == '+' || *t == '-') ? *t++ : 0;

        if (!valid_group(t)) {
            rc = fz_error_set(FZ_EINVAL, "--qt-plugins: bad group '%s'", t);
            break;
        }
        if (op == 0 && !replaced) {
            fz_strvec_dispose(out);
            replaced = 1;
        }
        if (op == '-') {
            for (size_t i = 0; i < out->count; i++) {
                if (strcmp(out->items[i], t) == 0) {
                    free(out->items[i]);
                    memmove(&out->items[i], &out->items[i + 1],
                            (out->count - i - 1) * sizeof(*out->items));
                    out->count--;
                    break;
                }
            }
        } else {
            rc = fz_strvec_push_unique(out, t);
        }
    }
    free(copy);
    return rc;
}

static int
wanted(const fz_strvec *groups, const char *g)
{
    return fz_strvec_contains(groups, "all") || fz_strvec_contains(groups, g);
}

/* The binding whose extensions are in the closure, or NULL. */
static int
binding_present(const fz_natives *n, const binding *b)
{
    size_t len = strlen(b->package);

    for (size_t i = 0; i < fz_natives_count(n); i++) {
        const fz_native *x = fz_natives_at(n, i);

        if (x->is_extension && strncmp(x->entry, b->package, len) == 0 &&
            strncmp(x->entry + len, "/Qt", 3) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Qt's plugin directory next to the libQt5Core the closure bundles. */
static char *
plugin_dir(const fz_natives *n)
{
    for (size_t i = 0; i < fz_natives_count(n); i++) {
        const fz_native *x = fz_natives_at(n, i);
        char *dir;
        char *cand;

        if (x->is_extension ||
            strncmp(fz_path_basename(x->entry), "libQt5Core.so", 13) != 0) {
            continue;
        }
        dir = fz_path_dirname(x->path);
        cand = dir ? fz_path_join(dir, "qt5/plugins") : NULL;
        if (cand != NULL && !fz_is_dir(cand)) {
            free(cand);
            cand = fz_path_join(dir, "../plugins");
            if (cand != NULL && !fz_is_dir(cand)) {
                free(cand);
                cand = NULL;
            }
        }
        free(dir);
        return cand;
    }
    return NULL;
}

static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every "*.so" in `dir`, sorted. A missing directory is empty. */
static int
list_so(fz_strvec *out, const char *dir, int dirs)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL && rc == 0) {
        size_t len = strlen(e->d_name);
        char *p;

        if (e->d_name[0] == '.') {
            continue;
        }
        p = fz_path_join(dir, e->d_name);
        if (p == NULL) {
            rc = fz_error_set(FZ_ENOMEM, "out of memory");
            break;
        }
        if (dirs ? fz_is_dir(p)
                 : (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0 &&
                    !fz_is_dir(p))) {
            rc = fz_strvec_push(out, e->d_name);
        }
        free(p);
    }
    closedir(d);
    qsort(out->items, out->count, sizeof(*out->items), cmp_strp);
    return rc;
}

static int
add_group(fz_natives *n, const binding *b, const char *src_dir,
          const char *group, fz_strvec *added)
{
    fz_strvec files = FZ_STRVEC_INIT;
    fz_buf entry = FZ_BUF_INIT;
    fz_buf line = FZ_BUF_INIT;
    char *dir = fz_path_join(src_dir, group);
    char *path = NULL;
    int rc = dir ? list_so(&files, dir, 0) : FZ_ENOMEM;

    for (size_t i = 0; i < files.count && rc == 0; i++) {
        free(path);
        path = fz_path_join(dir, files.items[i]);
        fz_buf_clear(&entry);
        rc = path ? fz_buf_printf(&entry, "%s/%s/%s", b->dest, group,
                                  files.items[i])
                  : fz_error_set(FZ_ENOMEM, "out of memory");
        rc = rc ? rc : fz_natives_add_library(n, path, entry.data);
    }
    if (rc == 0 && files.count > 0 && added != NULL) {
        rc = fz_buf_printf(&line, "%s/%s: %zu plugins", b->dest, group,
                           files.count);
        rc = rc ? rc : fz_strvec_push(added, line.data);
    }
    free(dir);
    free(path);
    fz_strvec_dispose(&files);
    fz_buf_dispose(&entry);
    fz_buf_dispose(&line);
    return rc;
}

int
fz_qt_add_plugins(fz_natives *n, const char *spec, fz_strvec *added)
{
    fz_strvec groups = FZ_STRVEC_INIT;
    fz_strvec found = FZ_STRVEC_INIT;
    char *src = NULL;
    int rc = 0;
    int any = 0;

    for (size_t i = 0; i < sizeof(bindings) / sizeof(*bindings); i++) {
        any |= binding_present(n, &bindings[i]);
    }
    rc = parse_groups(&groups, FZ_QT_DEFAULT_GROUPS);
    rc = rc ? rc : parse_groups(&groups, spec);
    if (rc < 0 || !any || (src = plugin_dir(n)) == NULL) {
        goto done;
    }
    rc = list_so(&found, src, 1);
    for (size_t i = 0; i < sizeof(bindings) / sizeof(*bindings) && rc == 0;
         i++) {
        if (!binding_present(n, &bindings[i])) {
            continue;
        }
        for (size_t g = 0; g < found.count && rc == 0; g++) {
            if (wanted(&groups, found.items[g])) {
                rc = add_group(n, &bindings[i], src, found.items[g], added);
            }
        }
    }
done:
    free(src);
    fz_strvec_dispose(&groups);
    fz_strvec_dispose(&found);
    return rc;
}
