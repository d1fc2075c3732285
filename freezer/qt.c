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

/* A group name: a-z, 0-9, '-' and '_', not starting with '-' or '_'. */
static int
valid_group(const char *g)
{
    if (!(*g >= 'a' && *g <= 'z') && !(*g >= '0' && *g <= '9')) {
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

/* Split `list` at commas into `out`, items trimmed of spaces. */
static int
split_list(fz_strvec *out, const char *list)
{
    const char *p = list;
    int rc = 0;

    for (;;) {
        size_t len = strcspn(p, ",");
        const char *b = p;
        const char *e = p + len;
        char *item;

        while (b < e && *b == ' ') {
            b++;
        }
        while (e > b && e[-1] == ' ') {
            e--;
        }
        item = strndup(b, (size_t)(e - b));
        if (item == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        rc = fz_strvec_push(out, item);
        free(item);
        if (rc < 0 || p[len] == '\0') {
            return rc;
        }
        p += len + 1;
    }
}

/* "a, b, c" into `b`. */
static int
join(fz_buf *b, const fz_strvec *v)
{
    int rc = 0;

    for (size_t i = 0; i < v->count && rc == 0; i++) {
        rc = fz_buf_printf(b, "%s%s", i ? ", " : "", v->items[i]);
    }
    return rc;
}

/* Check one --qt-plugins item (its name without the sign in `name`). */
static int
check_item(const char *spec, const char *item, int op, const char *name,
           const fz_strvec *named, const fz_strvec *defaults,
           const fz_strvec *available)
{
    fz_buf there = FZ_BUF_INIT;
    int rc;

    if (*item == '\0') {
        return fz_error_set(FZ_EINVAL, "--qt-plugins: an empty item in '%s'",
                            spec);
    }
    if (!valid_group(name)) {
        return fz_error_set(FZ_EINVAL,
                            "--qt-plugins: bad group name '%s' (letters "
                            "a-z, digits, '-' and '_')",
                            item);
    }
    if (op == '-' && strcmp(name, "all") == 0) {
        return fz_error_set(FZ_EINVAL, "--qt-plugins: '-all' drops every "
                                       "group: name the groups to keep");
    }
    if (fz_strvec_contains(named, name)) {
        return fz_error_set(FZ_EINVAL, "--qt-plugins: group '%s' named twice",
                            name);
    }
    if (available == NULL || strcmp(name, "all") == 0 ||
        fz_strvec_contains(available, name) ||
        fz_strvec_contains(defaults, name)) {
        return 0;
    }
    rc = join(&there, available);
    rc = rc ? rc
            : fz_error_set(FZ_EINVAL,
                           "--qt-plugins: unknown Qt plugin group '%s' (the "
                           "groups here: %s)",
                           name, there.size ? there.data : "none");
    fz_buf_dispose(&there);
    return rc;
}

/* Append `name` to `out`, or every available group for "all". */
static int
push_group(fz_strvec *out, const char *name, const fz_strvec *available)
{
    int rc = 0;

    if (available == NULL || strcmp(name, "all") != 0) {
        return fz_strvec_push_unique(out, name);
    }
    for (size_t i = 0; i < available->count && rc == 0; i++) {
        rc = fz_strvec_push_unique(out, available->items[i]);
    }
    return rc;
}

static void
remove_group(fz_strvec *v, const char *name)
{
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(v->items[i], name) == 0) {
            free(v->items[i]);
            memmove(&v->items[i], &v->items[i + 1],
                    (v->count - i - 1) * sizeof(*v->items));
            v->count--;
            return;
        }
    }
}

int
fz_qt_select_groups(fz_strvec *out, const char *spec,
                    const fz_strvec *available)
{
    fz_strvec defaults = FZ_STRVEC_INIT;
    fz_strvec items = FZ_STRVEC_INIT;
    fz_strvec named = FZ_STRVEC_INIT; /* the names, without signs */
    fz_strvec plain = FZ_STRVEC_INIT; /* "a": replace the defaults */
    fz_strvec add = FZ_STRVEC_INIT;   /* "+a" */
    fz_strvec drop = FZ_STRVEC_INIT;  /* "-a" */
    int rc;

    fz_strvec_dispose(out);
    rc = split_list(&defaults, FZ_QT_DEFAULT_GROUPS);
    if (rc == 0 && spec != NULL && spec[strspn(spec, " ")] == '\0') {
        rc = fz_error_set(FZ_EINVAL, "--qt-plugins: no group named (give "
                                     "'a,b', '+a', '-b' or 'all')");
    }
    rc = rc ? rc : split_list(&items, spec ? spec : "");
    for (size_t i = 0; spec != NULL && i < items.count && rc == 0; i++) {
        const char *item = items.items[i];
        int op = (*item == '+' || *item == '-') ? *item : 0;
        const char *name = item + (op != 0);
        fz_strvec *to = op == '+' ? &add : op == '-' ? &drop : &plain;

        rc = check_item(spec, item, op, name, &named, &defaults, available);
        rc = rc ? rc : fz_strvec_push(&named, name);
        rc = rc ? rc : fz_strvec_push(to, name);
    }
    for (size_t i = 0; plain.count == 0 && i < defaults.count && rc == 0; i++) {
        rc = push_group(out, defaults.items[i], available);
    }
    for (size_t i = 0; i < plain.count && rc == 0; i++) {
        rc = push_group(out, plain.items[i], available);
    }
    for (size_t i = 0; i < add.count && rc == 0; i++) {
        rc = push_group(out, add.items[i], available);
    }
    for (size_t i = 0; i < drop.count && rc == 0; i++) {
        remove_group(out, drop.items[i]);
    }
    if (rc < 0) {
        fz_strvec_dispose(out);
    }
    fz_strvec_dispose(&defaults);
    fz_strvec_dispose(&items);
    fz_strvec_dispose(&named);
    fz_strvec_dispose(&plain);
    fz_strvec_dispose(&add);
    fz_strvec_dispose(&drop);
    return rc;
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
        fz_buf_clear(&line);
        rc = rc ? rc : fz_buf_printf(&line, "stack Qt: plugin group %s", group);
        rc = rc ? rc : fz_natives_add_library(n, path, entry.data, line.data);
    }
    fz_buf_clear(&line);
    if (rc == 0 && files.count > 0 && added != NULL) {
        rc = fz_buf_printf(&line, "Qt: %s/%s: %zu plugins", b->dest, group,
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
    /* the syntax, even when the app has no Qt; then the names */
    rc = fz_qt_select_groups(&groups, spec, NULL);
    if (rc < 0 || !any || (src = plugin_dir(n)) == NULL) {
        goto done;
    }
    rc = list_so(&found, src, 1);
    rc = rc ? rc : fz_qt_select_groups(&groups, spec, &found);
    for (size_t i = 0; i < sizeof(bindings) / sizeof(*bindings) && rc == 0;
         i++) {
        if (!binding_present(n, &bindings[i])) {
            continue;
        }
        for (size_t g = 0; g < found.count && rc == 0; g++) {
            if (fz_strvec_contains(&groups, found.items[g])) {
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
