/*
 * names.c - module name <-> payload entry name rules (names.h), shared by
 * the runtime's meta-path finder, its path-entry finder and their tests.
 */
#include "names.h"

#include "fz_error.h"

#include <stdlib.h>
#include <string.h>

#ifndef FZ_PY_EXT_SUFFIX
#error "FZ_PY_EXT_SUFFIX must be defined by the build"
#endif

/* Extension suffixes in the order CPython's FileFinder tries them. */
static const char *const ext_suffixes[] = {FZ_PY_EXT_SUFFIX, ".abi3.so", ".so"};
#define N_EXT (sizeof(ext_suffixes) / sizeof(ext_suffixes[0]))
#define INIT_PYC "/__init__.pyc"
#define INIT_PY "/__init__.py"

/* The longest suffix fz_names_lookup appends to a module path. */
static size_t
max_suffix(void)
{
    size_t m = sizeof(INIT_PYC);
    size_t i;

    for (i = 0; i < N_EXT; i++) {
        if (strlen(ext_suffixes[i]) + 1 > m) {
            m = strlen(ext_suffixes[i]) + 1;
        }
    }
    return m;
}

int
fz_names_dotted_to_path(char **out, size_t *out_size, const char *dotted,
                        size_t size)
{
    char *path;
    size_t i, part = 0;

    *out = NULL;
    *out_size = 0;
    if (size == 0) {
        return fz_error_set(FZ_EINVAL, "empty module name");
    }
    for (i = 0; i < size; i++) {
        char c = dotted[i];

        if (c == '/' || c == '\\' || c == '\0') {
            return fz_error_set(FZ_EINVAL, "bad character in module name");
        }
        if (c == '.') {
            if (part == 0) {
                return fz_error_set(FZ_EINVAL, "empty module name component");
            }
            part = 0;
        } else {
            part++;
        }
    }
    if (part == 0) {
        return fz_error_set(FZ_EINVAL, "empty module name component");
    }
    path = malloc(size + 1);
    if (!path) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    for (i = 0; i < size; i++) {
        path[i] = dotted[i] == '.' ? '/' : dotted[i];
    }
    path[size] = '\0';
    *out = path;
    *out_size = size;
    return FZ_OK;
}

/* Find `name` (n bytes) of kind `kind`; 1 when found. */
static int
find_kind(const fz_payload *p, const char *name, size_t n, fz_entry_kind kind,
          fz_entry *e)
{
    return fz_payload_find(p, name, n, e) == FZ_OK && e->kind == kind;
}

/* Does some entry name start with `prefix`? */
static int
has_prefix(const fz_payload *p, const char *prefix, size_t n)
{
    uint64_t i = fz_payload_lower_bound(p, prefix, n);
    fz_entry e;

    if (i >= fz_payload_entry_count(p)) {
        return 0;
    }
    fz_payload_entry_at(p, i, &e);
    return e.name_size >= n && memcmp(e.name, prefix, n) == 0;
}

/* Set out->file to a NUL-terminated copy of buf[0, n). */
static int
set_file(fz_module_info *out, const char *buf, size_t n)
{
    out->file = malloc(n + 1);
    if (!out->file) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    memcpy(out->file, buf, n);
    out->file[n] = '\0';
    out->file_size = n;
    return FZ_OK;
}

int
fz_names_lookup(fz_module_info *out, const fz_payload *p, const char *path,
                size_t size)
{
    char *buf = NULL;
    size_t i, n;
    fz_entry src;
    int rc = FZ_ENOTFOUND;

    memset(out, 0, sizeof(*out));
    if (size == 0 || size > FZ_PAYLOAD_NAME_MAX) {
        return FZ_ENOTFOUND;
    }
    buf = malloc(size + max_suffix() + 1);
    if (!buf) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    memcpy(buf, path, size);

    memcpy(buf + size, INIT_PYC, sizeof(INIT_PYC));
    n = size + strlen(INIT_PYC);
    if (find_kind(p, buf, n, FZ_ENTRY_PACKAGE, &out->entry)) {
        out->kind = FZ_MODULE_PACKAGE;
        goto code;
    }
    memcpy(buf + size, ".pyc", sizeof(".pyc"));
    n = size + strlen(".pyc");
    if (find_kind(p, buf, n, FZ_ENTRY_MODULE, &out->entry)) {
        out->kind = FZ_MODULE_PLAIN;
        goto code;
    }
    for (i = 0; i < N_EXT; i++) {
        size_t ns = strlen(ext_suffixes[i]);

        memcpy(buf + size, ext_suffixes[i], ns + 1);
        n = size + ns;
        if (find_kind(p, buf, n, FZ_ENTRY_EXTENSION, &out->entry)) {
            out->kind = FZ_MODULE_EXTENSION;
            rc = set_file(out, buf, n);
            goto done;
        }
    }
    buf[size] = '/';
    if (has_prefix(p, buf, size + 1)) {
        out->kind = FZ_MODULE_NAMESPACE;
        rc = FZ_OK;
    }
    goto done;

code:
    /* The SOURCE entry is the code entry's name minus its final 'c'. */
    out->has_source = find_kind(p, buf, n - 1, FZ_ENTRY_SOURCE, &src);
    rc = set_file(out, buf, out->has_source ? n - 1 : n);
done:
    free(buf);
    if (rc < 0) {
        fz_module_info_clear(out);
    }
    return rc;
}

void
fz_module_info_clear(fz_module_info *m)
{
    free(m->file);
    memset(m, 0, sizeof(*m));
}

int
fz_names_is_dir(const fz_payload *p, const char *dir, size_t size)
{
    char *buf;
    int found;

    if (size == 0) {
        return 1;
    }
    buf = malloc(size + 1);
    if (!buf) {
        return 0;
    }
    memcpy(buf, dir, size);
    buf[size] = '/';
    found = has_prefix(p, buf, size + 1);
    free(buf);
    return found;
}

/* Does `s` (n bytes) end with the NUL-terminated `suffix`? */
static int
ends_with(const char *s, size_t n, const char *suffix)
{
    size_t ns = strlen(suffix);

    return n >= ns && memcmp(s + n - ns, suffix, ns) == 0;
}

fz_module_kind
fz_names_module_stem(const char *base, size_t size, size_t *stem)
{
    fz_module_kind kind = FZ_MODULE_NONE;
    size_t i;

    *stem = 0;
    if (ends_with(base, size, ".pyc")) {
        *stem = size - 4;
        kind = FZ_MODULE_PLAIN;
    } else {
        for (i = 0; i < N_EXT; i++) {
            if (ends_with(base, size, ext_suffixes[i])) {
                *stem = size - strlen(ext_suffixes[i]);
                kind = FZ_MODULE_EXTENSION;
                break;
            }
        }
    }
    /* A module name has no dot; "a.b.pyc" is not importable as such. */
    if (kind == FZ_MODULE_NONE || *stem == 0 ||
        memchr(base, '.', *stem) != NULL || memchr(base, '/', size)) {
        *stem = 0;
        return FZ_MODULE_NONE;
    }
    return kind;
}

int
fz_names_list(const fz_payload *p, const char *dir, size_t size,
              fz_names_child_fn fn, void *ctx)
{
    uint64_t count = fz_payload_entry_count(p);
    size_t plen = size ? size + 1 : 0;
    char *buf = NULL;
    uint64_t i;
    int rc = FZ_OK;

    buf = malloc(plen + FZ_PAYLOAD_NAME_MAX + sizeof(INIT_PYC) + 1);
    if (!buf) {
        return fz_error_set(FZ_ENOMEM, "out of memory");
    }
    memcpy(buf, dir, size);
    if (size) {
        buf[size] = '/';
    }
    i = fz_payload_lower_bound(p, buf, plen);
    while (i < count) {
        fz_entry e;
        const char *rest;
        const char *slash;
        size_t rlen, stem;
        fz_entry init;

        fz_payload_entry_at(p, i, &e);
        if (e.name_size < plen || memcmp(e.name, buf, plen) != 0) {
            break;
        }
        rest = e.name + plen;
        rlen = e.name_size - plen;
        slash = memchr(rest, '/', rlen);
        if (slash) {
            size_t dlen = (size_t)(slash - rest);

            /* A subdirectory: a package if it holds __init__.pyc. */
            memcpy(buf + plen, rest, dlen);
            memcpy(buf + plen + dlen, INIT_PYC, strlen(INIT_PYC));
            if (!memchr(rest, '.', dlen) &&
                find_kind(p, buf, plen + dlen + strlen(INIT_PYC),
                          FZ_ENTRY_PACKAGE, &init)) {
                rc = fn(ctx, rest, dlen, 1);
                if (rc != 0) {
                    goto done;
                }
            }
            /* Skip the subtree: '0' is the byte after '/'. */
            buf[plen + dlen] = '0';
            i = fz_payload_lower_bound(p, buf, plen + dlen + 1);
            continue;
        }
        switch (fz_names_module_stem(rest, rlen, &stem)) {
        case FZ_MODULE_PLAIN:
            if (e.kind == FZ_ENTRY_MODULE &&
                !(stem == 8 && memcmp(rest, "__init__", 8) == 0)) {
                rc = fn(ctx, rest, stem, 0);
            }
            break;
        case FZ_MODULE_EXTENSION:
            if (e.kind == FZ_ENTRY_EXTENSION) {
                rc = fn(ctx, rest, stem, 0);
            }
            break;
        default:
            break;
        }
        if (rc != 0) {
            goto done;
        }
        i++;
    }
done:
    free(buf);
    return rc;
}
