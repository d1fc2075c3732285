/*
 * natives.c - the shared-library closure and glibc floor (natives.h).
 * Libraries are found the way glibc's ld.so finds them (elf/dl-load.c):
 * DT_RPATH of the object and its loaders (only while none has DT_RUNPATH),
 * LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, then the default
 * directories; a candidate of another ELF class or machine is skipped.
 */
#define _GNU_SOURCE
#include "natives.h"

#include "fz_error.h"
#include "fz_payload.h"
#include "gi.h"
#include "ldcache.h"
#include "qt.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#define PLATFORM "x86_64"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#define PLATFORM "aarch64"
#else
#define MULTIARCH "unknown-linux-gnu"
#define PLATFORM "unknown"
#endif

#define NONE SIZE_MAX

/* The documented list (natives.h, docs/internals.md). */
static const char *const system_libs[] = {
    /* glibc and its loader: always the target machine's */
    "libc.so*", "libm.so*", "libdl.so*", "libpthread.so*", "librt.so*",
    "libutil.so*", "libresolv.so*", "libanl.so*", "libnsl.so*", "libnss_*",
    "libBrokenLocale.so*", "libmvec.so*", "libthread_db.so*",
    "libc_malloc_debug.so*", "ld-linux*", "ld64.so*",
    /* GPU and driver libraries: must match the target's hardware */
    "libGL*", "libEGL*", "libGLX*", "libGLES*", "libGLdispatch*", "libOpenGL*",
    "libvulkan*", "libcuda*", "libnvidia-*", "libdrm*"};

typedef struct node {
    fz_native pub;
    char *found;   /* the path as ld.so would open it ($ORIGIN is its dir) */
    char *root;    /* the sys.path dir of the extension that pulled it in */
    size_t loader; /* the object whose DT_NEEDED found it first */
    int state;     /* 0 new, 1 visiting, 2 done */
} node;

struct fz_natives {
    fz_natives_config cfg_copy; /* the strings it points to are borrowed */
    const fz_natives_config *cfg;
    fz_ldcache *cache;
    fz_strvec ldlp;
    fz_strvec defaults;
    node **nodes;
    size_t count;
    size_t cap;
    fz_strvec warnings;
    fz_strvec notes;
    fz_strvec stack_files;
    char *glibc;
    char *glibcxx;
    char *cxxabi;
};

int
fz_natives_excluded(const char *name)
{
    const char *base = fz_path_basename(name);

    for (size_t i = 0; i < sizeof(system_libs) / sizeof(*system_libs); i++) {
        if (fnmatch(system_libs[i], base, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

static int
user_excluded(const fz_natives *n, const char *name)
{
    const char *base = fz_path_basename(name);

    for (size_t i = 0; i < n->cfg->exclude_count; i++) {
        const char *g = n->cfg->exclude_globs[i];

        if (fnmatch(g, base, 0) == 0 || fnmatch(g, name, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

static void
node_free(node *d)
{
    if (d == NULL) {
        return;
    }
    free(d->pub.entry);
    free(d->pub.path);
    free(d->pub.reason);
    free(d->pub.deps);
    fz_elf_info_dispose(&d->pub.info);
    free(d->found);
    free(d->root);
    free(d);
}

void
fz_natives_free(fz_natives *n)
{
    if (n == NULL) {
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        node_free(n->nodes[i]);
    }
    free(n->nodes);
    fz_ldcache_free(n->cache);
    fz_strvec_dispose(&n->ldlp);
    fz_strvec_dispose(&n->defaults);
    fz_strvec_dispose(&n->warnings);
    fz_strvec_dispose(&n->notes);
    fz_strvec_dispose(&n->stack_files);
    free(n->glibc);
    free(n->glibcxx);
    free(n->cxxabi);
    free(n);
}

/* Append the absolute ':'-separated parts of `s` to `v`. */
static int
push_dirs(fz_strvec *v, const char *s)
{
    while (s != NULL && *s != '\0') {
        const char *colon = strchr(s, ':');
        size_t len = colon ? (size_t)(colon - s) : strlen(s);

        if (len > 0 && s[0] == '/' && memchr(s, '$', len) == NULL) {
            char *d = strndup(s, len);
            int rc;

            if (d == NULL) {
                return fz_error_set(FZ_ENOMEM, "out of memory");
            }
            rc = fz_strvec_push(v, d);
            free(d);
            if (rc < 0) {
                return rc;
            }
        }
        s += len;
        s += *s == ':';
    }
    return 0;
}

int
fz_natives_new(fz_natives **out, const fz_natives_config *cfg)
{
    fz_natives *n;
    const char *ldlp = cfg->ld_library_path;
    int rc;

    *out = NULL;
    n = calloc(1, sizeof(*n));
    if (n == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    n->cfg_copy = *cfg;
    n->cfg = &n->cfg_copy;
    rc = fz_ldcache_load(&n->cache, cfg->ldcache);
    if (rc < 0) {
        goto done;
    }
    if (ldlp == NULL) {
        ldlp = getenv("LD_LIBRARY_PATH");
    }
    rc = push_dirs(&n->ldlp, ldlp);
    rc = rc ? rc
            : push_dirs(&n->defaults, cfg->default_dirs ? cfg->default_dirs
                                                        : "/lib/" MULTIARCH
                                                          ":/usr/lib/" MULTIARCH
                                                          ":/lib:/usr/lib");
done:
    if (rc < 0) {
        fz_natives_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

size_t
fz_natives_count(const fz_natives *n)
{
    return n->count;
}

const fz_native *
fz_natives_at(const fz_natives *n, size_t i)
{
    return &n->nodes[i]->pub;
}

const char *
fz_natives_glibc_floor(const fz_natives *n)
{
    return n->glibc;
}

const char *
fz_natives_glibcxx_floor(const fz_natives *n)
{
    return n->glibcxx;
}

const fz_strvec *
fz_natives_warnings(const fz_natives *n)
{
    return &n->warnings;
}

int
fz_natives_warn(fz_natives *n, const char *msg)
{
    return fz_strvec_push_unique(&n->warnings, msg);
}

const fz_strvec *
fz_natives_notes(const fz_natives *n)
{
    return &n->notes;
}

const fz_strvec *
fz_natives_stack_files(const fz_natives *n)
{
    return &n->stack_files;
}

/* `path` with its directory part canonical (symlinks and ".." resolved)
 * and its last component kept: "/a/b/../c/libx.so.1" -> "/a/c/libx.so.1".
 * malloc'd, NULL when the directory does not exist. */
static char *
canonical_dir(const char *path)
{
    char *dir = fz_path_dirname(path);
    char *real = dir ? realpath(dir, NULL) : NULL;
    char *r = NULL;

    if (real != NULL) {
        r = fz_path_join(real, fz_path_basename(path));
    }
    free(dir);
    free(real);
    return r;
}

/* `rel` below `root` (both canonical), or NULL. Borrowed from path. */
static const char *
below(const char *path, const char *root)
{
    size_t n;

    if (root == NULL) {
        return NULL;
    }
    n = strlen(root);
    if (strncmp(path, root, n) == 0 && path[n] == '/' && path[n + 1] != '\0') {
        return path + n + 1;
    }
    return NULL;
}

static size_t
find_by_path(const fz_natives *n, const char *real)
{
    for (size_t i = 0; i < n->count; i++) {
        if (strcmp(n->nodes[i]->pub.path, real) == 0) {
            return i;
        }
    }
    return NONE;
}

static size_t
find_by_entry(const fz_natives *n, const char *entry)
{
    for (size_t i = 0; i < n->count; i++) {
        if (strcmp(n->nodes[i]->pub.entry, entry) == 0) {
            return i;
        }
    }
    return NONE;
}

/*
 * Add the object at `found` (already read into *info, taken over) as
 * `entry`. *idx receives its index.
 */
static int
add_node(fz_natives *n, size_t *idx, const char *found, const char *real,
         const char *entry, const char *root, size_t loader, fz_elf_info *info,
         int is_ext)
{
    node *d = calloc(1, sizeof(*d));

    if (d == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    if (n->count == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 32;
        node **nodes = realloc(n->nodes, cap * sizeof(*nodes));

        if (nodes == NULL) {
            free(d);
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        n->nodes = nodes;
        n->cap = cap;
    }
    d->pub.entry = fz_strdup(entry);
    d->pub.path = fz_strdup(real);
    d->found = fz_strdup(found);
    d->root = root ? fz_strdup(root) : NULL;
    if (!d->pub.entry || !d->pub.path || !d->found || (root && !d->root)) {
        node_free(d);
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    d->pub.is_extension = is_ext;
    d->pub.info = *info;
    memset(info, 0, sizeof(*info));
    d->loader = loader;
    n->nodes[n->count] = d;
    *idx = n->count++;
    return 0;
}

/* Expand $ORIGIN, $LIB and $PLATFORM in an RPATH/RUNPATH entry of `obj`
 * into `out`. 0, or 1 when the result is not an absolute path. */
static int
expand(fz_buf *out, const char *dir, const node *obj)
{
    static const struct {
        const char *name;
        size_t len;
    } vars[] = {{"ORIGIN", 6}, {"LIB", 3}, {"PLATFORM", 8}};
    int rc = 0;

    fz_buf_clear(out);
    for (const char *p = dir; *p != '\0' && rc == 0;) {
        size_t k;
        size_t skip = 0;

        if (*p != '$') {
            rc = fz_buf_append(out, p++, 1);
            continue;
        }
        for (k = 0; k < 3; k++) {
            if (strncmp(p + 1, vars[k].name, vars[k].len) == 0) {
                skip = 1 + vars[k].len;
                break;
            }
            if (p[1] == '{' && strncmp(p + 2, vars[k].name, vars[k].len) == 0 &&
                p[2 + vars[k].len] == '}') {
                skip = 3 + vars[k].len;
                break;
            }
        }
        if (skip == 0) {
            return 1; /* an unknown token: ld.so ignores the entry */
        }
        if (k == 0) {
            char *origin = fz_path_dirname(obj->found);

            if (origin == NULL) {
                return FZ_ENOMEM;
            }
            rc = fz_buf_puts(out, origin);
            free(origin);
        } else if (k == 1) {
            rc = fz_buf_puts(out, "lib/" MULTIARCH);
        } else {
            rc = fz_buf_puts(out, PLATFORM);
        }
        p += skip;
    }
    if (rc < 0) {
        return rc;
    }
    return out->size > 0 && out->data[0] == '/' ? 0 : 1;
}

/*
 * Try `path` as the library `name` needed by node `from`. *idx receives
 * the node (found or new) or NONE when ld.so would pass over it.
 */
static int
try_path(fz_natives *n, size_t *idx, const char *path, const char *name,
         size_t from)
{
    fz_elf_info info;
    char *found = NULL;
    char *real = NULL;
    fz_buf entry = FZ_BUF_INIT;
    const node *src = n->nodes[from];
    const char *rel;
    size_t at;
    int rc = 0;

    *idx = NONE;
    memset(&info, 0, sizeof(info));
    if (!fz_is_file(path)) {
        return 0;
    }
    found = canonical_dir(path);
    real = realpath(path, NULL);
    if (found == NULL || real == NULL) {
        goto done;
    }
    at = find_by_path(n, real);
    if (at != NONE) {
        *idx = at;
        goto done;
    }
    rc = fz_elf_read(&info, real);
    if (rc == FZ_EFORMAT) {
        /* ld.so skips a file of another class or machine, so do we */
        rc = fz_strvec_push(&n->notes, fz_error_message());
        goto done;
    }
    if (rc < 0) {
        goto done;
    }
    /* vendored next to the packages (numpy.libs/): keep its place */
    rel = below(found, src->root);
    rc = fz_buf_puts(&entry, rel ? rel : fz_path_basename(name));
    if (rc < 0) {
        goto done;
    }
    at = find_by_entry(n, entry.data);
    if (at != NONE) {
        fz_buf msg = FZ_BUF_INIT;

        rc = fz_buf_printf(&msg,
                           "%s: %s and %s both want the name %s; keeping "
                           "the first",
                           name, n->nodes[at]->pub.path, real, entry.data);
        rc = rc ? rc : fz_strvec_push_unique(&n->warnings, msg.data);
        fz_buf_dispose(&msg);
        *idx = at;
        goto done;
    }
    if (!fz_payload_name_valid(entry.data, entry.size) ||
        strpbrk(entry.data, "\t\n") != NULL) {
        rc = fz_error_set(FZ_EFORMAT, "%s: cannot be named %s in the payload",
                          real, entry.data);
        goto done;
    }
    rc = add_node(n, idx, found, real, entry.data, src->root, from, &info, 0);
done:
    fz_elf_info_dispose(&info);
    fz_buf_dispose(&entry);
    free(found);
    free(real);
    return rc;
}

/* Try `name` in each directory of `dirs` (expanded for `owner`). */
static int
try_dirs(fz_natives *n, size_t *idx, const fz_strvec *dirs, const char *name,
         size_t from, const node *owner)
{
    fz_buf dir = FZ_BUF_INIT;
    int rc = 0;

    for (size_t i = 0; i < dirs->count && *idx == NONE; i++) {
        char *cand;

        if (owner != NULL) {
            rc = expand(&dir, dirs->items[i], owner);
            if (rc < 0) {
                break;
            }
            if (rc > 0) {
                rc = 0;
                continue;
            }
        } else {
            fz_buf_clear(&dir);
            rc = fz_buf_puts(&dir, dirs->items[i]);
            if (rc < 0) {
                break;
            }
        }
        cand = fz_path_join(dir.data, name);
        if (cand == NULL) {
            rc = FZ_ENOMEM;
            break;
        }
        rc = try_path(n, idx, cand, name, from);
        free(cand);
        if (rc < 0) {
            break;
        }
    }
    fz_buf_dispose(&dir);
    return rc;
}

/* Where ld.so would find `name` needed by node `from`; NONE if nowhere. */
static int
resolve(fz_natives *n, size_t *idx, const char *name, size_t from)
{
    const node *obj = n->nodes[from];
    int rc = 0;

    *idx = NONE;
    if (strchr(name, '/') != NULL) {
        return name[0] == '/' ? try_path(n, idx, name, name, from) : 0;
    }
    if (!obj->pub.info.has_runpath) {
        for (size_t k = from; k != NONE && *idx == NONE;
             k = n->nodes[k]->loader) {
            const node *o = n->nodes[k];

            if (o->pub.info.has_runpath) {
                continue;
            }
            rc = try_dirs(n, idx, &o->pub.info.rpath, name, from, o);
            if (rc < 0) {
                return rc;
            }
        }
    }
    if (*idx == NONE) {
        rc = try_dirs(n, idx, &n->ldlp, name, from, NULL);
    }
    if (rc == 0 && *idx == NONE) {
        rc = try_dirs(n, idx, &obj->pub.info.runpath, name, from, obj);
    }
    if (rc == 0 && *idx == NONE && !obj->pub.info.nodeflib) {
        const char *p = fz_ldcache_lookup(n->cache, name);

        if (p != NULL) {
            rc = try_path(n, idx, p, name, from);
        }
    }
    if (rc == 0 && *idx == NONE && !obj->pub.info.nodeflib) {
        rc = try_dirs(n, idx, &n->defaults, name, from, NULL);
    }
    return rc;
}

/* Append j to the dependency list of d unless it is there. */
static int
push_dep(node *d, size_t j)
{
    size_t *deps;

    for (size_t k = 0; k < d->pub.dep_count; k++) {
        if (d->pub.deps[k] == j) {
            return 0;
        }
    }
    deps = realloc(d->pub.deps, (d->pub.dep_count + 1) * sizeof(*deps));
    if (deps == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    d->pub.deps = deps;
    d->pub.deps[d->pub.dep_count++] = j;
    return 0;
}

/* Depth first: resolve the needs of node i, then list its closure with
 * every library after the libraries it needs. */
static int
visit(fz_natives *n, size_t i, unsigned depth)
{
    int rc = 0;

    if (n->nodes[i]->state != 0) {
        return 0; /* done, or a cycle: ld.so copes, so do we */
    }
    if (depth > 256) {
        return fz_error_set(FZ_EFORMAT, "%s: library chain too deep",
                            n->nodes[i]->pub.path);
    }
    n->nodes[i]->state = 1;
    for (size_t k = 0; k < n->nodes[i]->pub.info.needed.count; k++) {
        const char *name = n->nodes[i]->pub.info.needed.items[k];
        size_t j;

        if (fz_natives_excluded(name) || user_excluded(n, name)) {
            continue;
        }
        rc = resolve(n, &j, name, i);
        if (rc < 0) {
            return rc;
        }
        if (j == NONE) {
            fz_buf msg = FZ_BUF_INIT;

            rc = fz_buf_printf(
                &msg, "library %s (needed by %s) not found", name,
                n->nodes[i]->pub.is_group ? n->nodes[i]->pub.entry
                                          : n->nodes[i]->pub.path);
            rc = rc ? rc : fz_strvec_push_unique(&n->warnings, msg.data);
            fz_buf_dispose(&msg);
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        if (user_excluded(n, n->nodes[j]->pub.entry)) {
            continue;
        }
        rc = visit(n, j, depth + 1);
        if (rc < 0) {
            return rc;
        }
        for (size_t m = 0; m < n->nodes[j]->pub.dep_count; m++) {
            rc = push_dep(n->nodes[i], n->nodes[j]->pub.deps[m]);
            if (rc < 0) {
                return rc;
            }
        }
        rc = push_dep(n->nodes[i], j);
        if (rc < 0) {
            return rc;
        }
    }
    n->nodes[i]->state = 2;
    return 0;
}

/* Add a root object (extension or --add-binary) and its closure.
 * `reason`: why it is bundled, for the report (NULL for extensions). */
static int
add_root(fz_natives *n, const char *path, const char *entry, const char *root,
         int is_ext, const char *reason)
{
    fz_elf_info info;
    char *real = NULL;
    char *found = NULL;
    size_t idx;
    int rc;

    memset(&info, 0, sizeof(info));
    real = realpath(path, NULL);
    found = canonical_dir(path);
    if (real == NULL || found == NULL) {
        rc = fz_error_set(FZ_EIO, "%s: cannot resolve the path", path);
        goto done;
    }
    idx = find_by_entry(n, entry);
    if (idx != NONE) {
        rc = 0;
        goto done;
    }
    rc = fz_elf_read(&info, real);
    if (rc < 0) {
        goto done;
    }
    rc = add_node(n, &idx, found, real, entry, root, NONE, &info, is_ext);
    if (rc == 0 && reason != NULL &&
        (n->nodes[idx]->pub.reason = fz_strdup(reason)) == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
    }
    rc = rc ? rc : visit(n, idx, 0);
done:
    fz_elf_info_dispose(&info);
    free(real);
    free(found);
    return rc;
}

int
fz_natives_add_extension(fz_natives *n, const char *path, const char *entry)
{
    size_t plen = strlen(path);
    size_t elen = strlen(entry);
    char *root = NULL;
    char *real_root = NULL;
    int rc;

    /* the sys.path directory: path minus "/<entry>" */
    if (plen > elen && path[plen - elen - 1] == '/' &&
        strcmp(path + plen - elen, entry) == 0) {
        root = strndup(path, plen - elen - 1);
    } else {
        root = fz_path_dirname(path);
    }
    if (root == NULL) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    real_root = realpath(root, NULL);
    rc = add_root(n, path, entry, real_root, 1, NULL);
    free(root);
    free(real_root);
    return rc;
}

int
fz_natives_add_library(fz_natives *n, const char *path, const char *entry,
                       const char *reason)
{
    if (strpbrk(entry, "\t\n") != NULL ||
        !fz_payload_name_valid(entry, strlen(entry))) {
        return fz_error_set(FZ_EINVAL, "%s: bad entry name '%s'", path, entry);
    }
    return add_root(n, path, entry, NULL, 0, reason);
}

/*
 * A node without a file whose "needed" list is `names`: libraries a
 * program loads with dlopen (GI's typelibs name them), resolved from the
 * default search path and listed in the needs table as `entry`.
 */
static int
add_group(fz_natives *n, const char *entry, const fz_strvec *names,
          const char *what)
{
    fz_elf_info info;
    fz_buf line = FZ_BUF_INIT;
    size_t idx = find_by_entry(n, entry);
    int rc = 0;

    memset(&info, 0, sizeof(info));
    if (names == NULL || names->count == 0 || idx != NONE) {
        return 0;
    }
    for (size_t i = 0; i < names->count && rc == 0; i++) {
        rc = fz_strvec_push_unique(&info.needed, names->items[i]);
    }
    rc = rc ? rc : add_node(n, &idx, "", "", entry, NULL, NONE, &info, 0);
    if (rc < 0) {
        goto done;
    }
    n->nodes[idx]->pub.is_group = 1;
    rc = visit(n, idx, 0);
    rc = rc ? rc
            : fz_buf_printf(
                  &line, "GI: %s: %zu %s, %zu libraries in the closure", entry,
                  names->count, what, n->nodes[idx]->pub.dep_count);
    rc = rc ? rc : fz_strvec_push(&n->stack_files, line.data);
done:
    fz_elf_info_dispose(&info);
    fz_buf_dispose(&line);
    return rc;
}

static int
keep_max(char **slot, const char *v)
{
    char *copy;

    if (v == NULL || (*slot && fz_elf_version_cmp(*slot, v) >= 0)) {
        return 0;
    }
    copy = fz_strdup(v);
    if (copy == NULL) {
        return FZ_ENOMEM;
    }
    free(*slot);
    *slot = copy;
    return 0;
}

static int
add_binaries(fz_natives *n)
{
    int rc = 0;

    for (size_t i = 0; i < n->cfg->add_count && rc == 0; i++) {
        const char *spec = n->cfg->add_binaries[i];
        const char *colon = strrchr(spec, ':');
        char *src = NULL;
        fz_buf entry = FZ_BUF_INIT;
        const char *dest;

        if (colon == NULL || colon == spec) {
            return fz_error_set(FZ_EINVAL, "--add-binary %s: expected SRC:DEST",
                                spec);
        }
        src = strndup(spec, (size_t)(colon - spec));
        dest = colon + 1;
        while (dest[0] == '.' && dest[1] == '/') {
            dest += 2;
        }
        if (src == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        if (dest[0] != '\0' && strcmp(dest, ".") != 0) {
            rc = fz_buf_puts(&entry, dest);
            while (rc == 0 && entry.size > 0 &&
                   entry.data[entry.size - 1] == '/') {
                entry.data[--entry.size] = '\0';
            }
            rc = rc ? rc : fz_buf_puts(&entry, "/");
        }
        rc = rc ? rc : fz_buf_puts(&entry, fz_path_basename(src));
        if (rc == 0 && (!fz_payload_name_valid(entry.data, entry.size) ||
                        strpbrk(entry.data, "\t\n") != NULL)) {
            rc = fz_error_set(FZ_EINVAL, "--add-binary %s: bad destination",
                              spec);
        }
        rc = rc ? rc : add_root(n, src, entry.data, NULL, 0, "--add-binary");
        free(src);
        fz_buf_dispose(&entry);
    }
    return rc;
}

/*
 * OpenSSL 3 loads providers (the "legacy" one, which cryptography asks
 * for) with dlopen from its compiled-in MODULESDIR, the "ossl-modules"
 * directory next to libcrypto: bundle them as "ossl-modules/<name>"; the
 * runtime points OpenSSL there (OSSL_PROVIDER_set_default_search_path).
 */
static int
add_openssl_modules(fz_natives *n)
{
    int rc = 0;

    for (size_t i = 0; i < n->count && rc == 0; i++) {
        const node *d = n->nodes[i];
        char *mods;
        DIR *dh;
        struct dirent *de;

        if (strncmp(d->pub.entry, "libcrypto.so.3", 14) != 0) {
            continue;
        }
        mods = fz_path_sibling(d->pub.path, "ossl-modules");
        if (mods == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        dh = opendir(mods);
        while (dh != NULL && rc == 0 && (de = readdir(dh)) != NULL) {
            size_t len = strlen(de->d_name);
            char *src;
            char *entry;

            if (len < 4 || strcmp(de->d_name + len - 3, ".so") != 0) {
                continue;
            }
            src = fz_path_join(mods, de->d_name);
            entry = fz_path_join("ossl-modules", de->d_name);
            rc = src && entry ? add_root(n, src, entry, NULL, 0,
                                         "stack OpenSSL: provider module")
                              : fz_error_set(FZ_ENOMEM, "out of memory");
            free(src);
            free(entry);
        }
        if (dh != NULL) {
            closedir(dh);
        }
        free(mods);
        break;
    }
    return rc;
}

int
fz_natives_finish(fz_natives *n)
{
    fz_elf_info stub;
    fz_buf over = FZ_BUF_INIT;
    int rc = 0;

    memset(&stub, 0, sizeof(stub));
    rc = add_openssl_modules(n);
    rc = rc ? rc : fz_qt_add_plugins(n, n->cfg->qt_plugins, &n->stack_files);
    rc = rc ? rc
            : add_group(n, FZ_GI_TYPELIB_DIR, n->cfg->gi_libraries,
                        "typelib libraries");
    rc = rc ? rc : add_binaries(n);
    if (rc < 0) {
        goto done;
    }
    if (n->cfg->stub != NULL) {
        rc = fz_elf_read(&stub, n->cfg->stub);
        if (rc < 0) {
            goto done;
        }
        rc = keep_max(&n->glibc, stub.glibc);
        if (rc == 0 && n->cfg->max_glibc &&
            fz_elf_version_cmp(stub.glibc, n->cfg->max_glibc) > 0) {
            rc = fz_buf_printf(&over, " %s (runtime stub, %s)", n->cfg->stub,
                               stub.glibc);
        }
    }
    for (size_t i = 0; i < n->count && rc == 0; i++) {
        const fz_elf_info *info = &n->nodes[i]->pub.info;

        rc = keep_max(&n->glibc, info->glibc);
        rc = rc ? rc : keep_max(&n->glibcxx, info->glibcxx);
        rc = rc ? rc : keep_max(&n->cxxabi, info->cxxabi);
        if (rc == 0 && n->cfg->max_glibc &&
            fz_elf_version_cmp(info->glibc, n->cfg->max_glibc) > 0) {
            rc = fz_buf_printf(&over, "%s %s (%s)", over.size ? "," : "",
                               n->nodes[i]->pub.path, info->glibc);
        }
    }
    if (rc == 0 && over.size > 0) {
        rc = fz_error_set(FZ_EFAIL,
                          "--max-glibc %s: these files need a newer glibc:%s",
                          n->cfg->max_glibc, over.data);
    }
done:
    fz_elf_info_dispose(&stub);
    fz_buf_dispose(&over);
    return rc;
}

int
fz_natives_needs_text(const fz_natives *n, fz_buf *out)
{
    int rc = 0;

    fz_buf_clear(out);
    for (size_t i = 0; i < n->count && rc == 0; i++) {
        const fz_native *d = &n->nodes[i]->pub;

        if (d->dep_count == 0) {
            continue;
        }
        rc = fz_buf_puts(out, d->entry);
        for (size_t k = 0; k < d->dep_count && rc == 0; k++) {
            rc = fz_buf_printf(out, "\t%s", n->nodes[d->deps[k]]->pub.entry);
        }
        rc = rc ? rc : fz_buf_puts(out, "\n");
    }
    return rc;
}
