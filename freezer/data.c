/*
 * data.c - package data by default, --add-data, submodule listing
 * (data.h).
 */
#define _GNU_SOURCE
#include "data.h"

#include "fz_error.h"
#include "fz_payload.h"

#include <dirent.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Deepest directory nesting followed below a package (symlink loops). */
#define DATA_DEPTH_MAX 32

int
fz_filelist_add(fz_filelist *l, const char *src, const char *entry, int kind,
                const char *reason)
{
    struct stat st;
    fz_file *f;

    if (!fz_payload_name_valid(entry, strlen(entry))) {
        return fz_error_set(FZ_EINVAL, "%s: unusable bundle path '%s'", src,
                            entry);
    }
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        fz_file *items;

        if (cap > SIZE_MAX / sizeof(*items)) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        items = realloc(l->items, cap * sizeof(*items));
        if (items == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        l->items = items;
        l->cap = cap;
    }
    f = &l->items[l->count];
    memset(f, 0, sizeof(*f));
    f->src = fz_strdup(src);
    f->entry = fz_strdup(entry);
    f->reason = fz_strdup(reason ? reason : "");
    if (f->src == NULL || f->entry == NULL || f->reason == NULL) {
        free(f->src);
        free(f->entry);
        free(f->reason);
        return FZ_ENOMEM;
    }
    f->kind = kind;
    f->mode = 0644;
    if (stat(src, &st) == 0) {
        f->size = (uint64_t)st.st_size;
        if (st.st_mode & S_IXUSR) {
            f->mode = 0755;
        }
    }
    f->seq = l->count;
    l->count++;
    return 0;
}

static int
cmp_file(const void *a, const void *b)
{
    const fz_file *x = a;
    const fz_file *y = b;
    int c = strcmp(x->entry, y->entry);

    if (c != 0) {
        return c;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
file_dispose(fz_file *f)
{
    free(f->src);
    free(f->entry);
    free(f->reason);
}

void
fz_filelist_finish(fz_filelist *l)
{
    size_t out = 0;

    if (l->count == 0) {
        return;
    }
    qsort(l->items, l->count, sizeof(*l->items), cmp_file);
    for (size_t i = 0; i < l->count; i++) {
        if (out > 0 &&
            strcmp(l->items[out - 1].entry, l->items[i].entry) == 0) {
            file_dispose(&l->items[i]);
            continue;
        }
        l->items[out++] = l->items[i];
    }
    l->count = out;
}

void
fz_filelist_dispose(fz_filelist *l)
{
    for (size_t i = 0; i < l->count; i++) {
        file_dispose(&l->items[i]);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

int
fz_data_glob_match(const char *pattern, const char *name)
{
    if (fnmatch(pattern, name, 0) == 0) {
        return 1;
    }
    return fnmatch(pattern, fz_path_basename(name), 0) == 0;
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int
fz_data_is_code(const char *base)
{
    const char *so;

    if (ends_with(base, ".py") || ends_with(base, ".pyc") ||
        ends_with(base, ".pyo") || ends_with(base, ".pyi") ||
        ends_with(base, ".so")) {
        return 1;
    }
    /* libfoo.so.1, libfoo.so.1.2 */
    so = strstr(base, ".so.");
    if (so != NULL) {
        for (so += 4; *so != '\0'; so++) {
            if ((*so < '0' || *so > '9') && *so != '.') {
                return 0;
            }
        }
        return 1;
    }
    return 0;
}

static int
excluded(const fz_strvec *exclude, const char *entry)
{
    for (size_t i = 0; exclude != NULL && i < exclude->count; i++) {
        if (fz_data_glob_match(exclude->items[i], entry)) {
            return 1;
        }
    }
    return 0;
}

static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory `dir`, sorted, without "." and "..". A directory
 * that cannot be read is empty. */
static int
list_dir(fz_strvec *out, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL && rc == 0) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        rc = fz_strvec_push(out, e->d_name);
    }
    closedir(d);
    if (rc == 0 && out->count > 1) {
        qsort(out->items, out->count, sizeof(*out->items), cmp_strp);
    }
    return rc;
}

struct walk {
    fz_filelist *l;
    const fz_strvec *exclude;
    int all;
    int stdlib;
    int kind;
    const char *reason;
};

static int
is_test_dir(const char *base)
{
    return strcmp(base, "test") == 0 || strcmp(base, "tests") == 0 ||
           strcmp(base, "idle_test") == 0;
}

/* Add the data below `dir` as entries "<prefix>/<relative path>". */
static int
walk_dir(struct walk *w, const char *dir, const char *prefix, int depth)
{
    fz_strvec names = FZ_STRVEC_INIT;
    char *path = NULL;
    char *init = NULL;
    fz_buf entry = FZ_BUF_INIT;
    int rc = 0;

    if (depth > DATA_DEPTH_MAX) {
        return 0;
    }
    rc = list_dir(&names, dir);
    for (size_t i = 0; i < names.count && rc == 0; i++) {
        const char *base = names.items[i];

        free(path);
        path = fz_path_join(dir, base);
        fz_buf_clear(&entry);
        if (path == NULL ||
            (prefix[0] != '\0' && fz_buf_printf(&entry, "%s/", prefix) < 0) ||
            fz_buf_puts(&entry, base) < 0) {
            rc = FZ_ENOMEM;
            break;
        }
        if (!fz_payload_name_valid(entry.data, entry.size)) {
            continue; /* a name the payload cannot hold ("\\", ...) */
        }
        if (fz_is_dir(path)) {
            if (strcmp(base, "__pycache__") == 0 ||
                (w->stdlib && !w->all && is_test_dir(base))) {
                continue;
            }
            free(init);
            init = fz_path_join(path, "__init__.py");
            if (init == NULL) {
                rc = FZ_ENOMEM;
                break;
            }
            if (!w->all && fz_is_file(init)) {
                continue; /* a subpackage: collected on its own */
            }
            rc = walk_dir(w, path, entry.data, depth + 1);
            continue;
        }
        if (!fz_is_file(path) || fz_data_is_code(base) ||
            excluded(w->exclude, entry.data)) {
            continue;
        }
        rc = fz_filelist_add(w->l, path, entry.data, w->kind, w->reason);
    }
    free(path);
    free(init);
    fz_buf_dispose(&entry);
    fz_strvec_dispose(&names);
    return rc;
}

/* "a.b" -> "a/b" */
static char *
dotted_to_path(const char *name)
{
    char *s = fz_strdup(name);

    for (char *p = s; p != NULL && *p != '\0'; p++) {
        if (*p == '.') {
            *p = '/';
        }
    }
    return s;
}

static int
stdlib_skipped(const char *name)
{
    static const char *const skip[] = {"ensurepip", "idlelib", "test"};
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);

    for (size_t i = 0; i < sizeof(skip) / sizeof(*skip); i++) {
        if (strlen(skip[i]) == n && strncmp(skip[i], name, n) == 0) {
            return 1;
        }
    }
    return 0;
}

int
fz_data_add_package(fz_filelist *l, const fz_module *m,
                    const fz_strvec *exclude, int all, const char *reason)
{
    struct walk w = {
        l, exclude, all, m->origin == FZ_ORIGIN_STDLIB, FZ_ENTRY_DATA, reason};
    char *prefix = NULL;
    int rc = 0;

    if (m->kind != FZ_MOD_PACKAGE && m->kind != FZ_MOD_NAMESPACE) {
        return 0;
    }
    if (w.stdlib && !all && stdlib_skipped(m->name)) {
        return 0;
    }
    prefix = dotted_to_path(m->name);
    if (prefix == NULL) {
        return FZ_ENOMEM;
    }
    /* A regular package is its first directory; a namespace package is
     * every portion. */
    for (size_t i = 0; i < m->search.count && rc == 0; i++) {
        rc = walk_dir(&w, m->search.items[i], prefix, 0);
        if (m->kind == FZ_MOD_PACKAGE) {
            break;
        }
    }
    free(prefix);
    return rc;
}

/* DEST of a spec made a clean entry prefix: "" for the root. */
static int
clean_dest(fz_buf *out, const char *dest, const char *spec)
{
    const char *p = dest;

    fz_buf_clear(out);
    if (dest[0] == '/') {
        return fz_error_set(FZ_EINVAL,
                            "--add-data %s: DEST must be relative to the "
                            "bundle root",
                            spec);
    }
    while (*p != '\0') {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        if (n == 2 && strncmp(p, "..", 2) == 0) {
            return fz_error_set(FZ_EINVAL,
                                "--add-data %s: DEST leaves the bundle", spec);
        }
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if ((out->size > 0 && fz_buf_puts(out, "/") < 0) ||
                fz_buf_append(out, p, n) < 0) {
                return FZ_ENOMEM;
            }
        }
        p += n;
        if (*p == '/') {
            p++;
        }
    }
    if (out->data == NULL && fz_buf_puts(out, "") < 0) {
        return FZ_ENOMEM;
    }
    return 0;
}

/* One SRC path (file or directory) into DEST. */
static int
add_path(fz_filelist *l, const char *src, const char *dest, int kind,
         const char *reason)
{
    fz_buf entry = FZ_BUF_INIT;
    int rc;

    if (fz_is_dir(src)) {
        struct walk w = {l, NULL, 1, 0, kind, reason};

        /* PyInstaller's rule: a directory's contents go into DEST. */
        return walk_dir(&w, src, dest, 0);
    }
    rc = fz_buf_printf(&entry, "%s%s%s", dest, dest[0] ? "/" : "",
                       fz_path_basename(src));
    if (rc == 0) {
        rc = fz_filelist_add(l, src, entry.data, kind, reason);
    }
    fz_buf_dispose(&entry);
    return rc;
}

int
fz_data_add_spec(fz_filelist *l, const char *spec, const char *base_dir,
                 int kind, const char *reason)
{
    const char *colon = strrchr(spec, ':');
    fz_buf src = FZ_BUF_INIT;
    fz_buf dest = FZ_BUF_INIT;
    glob_t gl;
    int have_glob = 0;
    int rc = 0;

    if (colon == NULL || colon == spec) {
        return fz_error_set(FZ_EINVAL,
                            "--add-data %s: expected SRC:DEST (DEST '.' for "
                            "the bundle root)",
                            spec);
    }
    if (spec[0] != '/' && base_dir != NULL) {
        rc = fz_buf_printf(&src, "%s/", base_dir);
    }
    if (rc == 0) {
        rc = fz_buf_append(&src, spec, (size_t)(colon - spec));
    }
    if (rc == 0) {
        rc = clean_dest(&dest, colon + 1, spec);
    }
    if (rc < 0) {
        goto done;
    }
    if (glob(src.data, 0, NULL, &gl) != 0 || gl.gl_pathc == 0) {
        if (gl.gl_pathc == 0) {
            globfree(&gl);
        }
        rc = fz_error_set(FZ_ENOTFOUND, "--add-data %s: %s: no such file", spec,
                          src.data);
        goto done;
    }
    have_glob = 1;
    for (size_t i = 0; i < gl.gl_pathc && rc == 0; i++) {
        rc = add_path(l, gl.gl_pathv[i], dest.data, kind, reason);
    }
done:
    if (have_glob) {
        globfree(&gl);
    }
    fz_buf_dispose(&src);
    fz_buf_dispose(&dest);
    return rc;
}

/* Is `s` (n bytes) a Python identifier made of ASCII? */
static int
identifier(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9')) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_')) {
            return 0;
        }
    }
    return 1;
}

static int
list_submodules(fz_strvec *out, const char *dir, const char *prefix, int depth)
{
    fz_strvec names = FZ_STRVEC_INIT;
    fz_buf sub = FZ_BUF_INIT;
    char *path = NULL;
    char *init = NULL;
    int rc = 0;

    if (depth > DATA_DEPTH_MAX) {
        return 0;
    }
    rc = list_dir(&names, dir);
    for (size_t i = 0; i < names.count && rc == 0; i++) {
        const char *base = names.items[i];
        size_t n = strcspn(base, ".");

        free(path);
        free(init);
        init = NULL;
        path = fz_path_join(dir, base);
        if (path == NULL) {
            rc = FZ_ENOMEM;
            break;
        }
        if (!identifier(base, n) || strcmp(base, "__pycache__") == 0) {
            continue;
        }
        fz_buf_clear(&sub);
        rc = fz_buf_printf(&sub, "%s.%.*s", prefix, (int)n, base);
        if (rc < 0) {
            break;
        }
        if (fz_is_dir(path)) {
            init = fz_path_join(path, "__init__.py");
            if (init == NULL) {
                rc = FZ_ENOMEM;
            } else if (base[n] == '\0' && fz_is_file(init)) {
                rc = fz_strvec_push_unique(out, sub.data);
                if (rc == 0) {
                    rc = list_submodules(out, path, sub.data, depth + 1);
                }
            }
            continue;
        }
        if (strcmp(base, "__init__.py") == 0) {
            continue;
        }
        if ((base[n] != '\0' && strcmp(base + n, ".py") == 0) ||
            (base[n] != '\0' && ends_with(base, ".so") &&
             strchr(base + n + 1, '.') != NULL)) {
            rc = fz_strvec_push_unique(out, sub.data);
        }
    }
    free(path);
    free(init);
    fz_buf_dispose(&sub);
    fz_strvec_dispose(&names);
    return rc;
}

int
fz_data_list_submodules(fz_strvec *out, const fz_module *m)
{
    int rc = 0;

    if (m->kind != FZ_MOD_PACKAGE && m->kind != FZ_MOD_NAMESPACE) {
        return 0;
    }
    for (size_t i = 0; i < m->search.count && rc == 0; i++) {
        rc = list_submodules(out, m->search.items[i], m->name, 0);
    }
    return rc;
}
