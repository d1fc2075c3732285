/*
 * gi.c - typelibs for PyGObject apps (gi.h): a bounds-checked reader of
 * the typelib header and the dependency closure of the namespaces a
 * program imports from gi.repository.
 */
#define _GNU_SOURCE
#include "gi.h"
#include "fz_bytes.h"

#include "fz_error.h"
#include "fz_payload.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#else
#define MULTIARCH "unknown-linux-gnu"
#endif

#define DEFAULT_DIRS                                                           \
    "/usr/lib/" MULTIARCH "/girepository-1.0:/usr/lib/girepository-1.0"

static const char magic[16] = "GOBJ\nMETADATA\r\n\032";

/* Header field offsets (gi.h). */
enum {
    OFF_MAJOR = 16,
    OFF_DEPENDENCIES = 36,
    OFF_SIZE = 40,
    OFF_NAMESPACE = 44,
    OFF_NSVERSION = 48,
    OFF_SHARED_LIBRARY = 52
};

_Static_assert(OFF_SHARED_LIBRARY + 4 <= FZ_GI_HEADER_SIZE,
               "the fields read are inside the header");

/* Longest string read from a typelib. */
#define MAX_STRING 65536

/* A namespace, version or library name: printable, no '/', not "."/".." */
static int
plain_name(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.') {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= ' ' || c >= 0x7f || c == '/' || c == '\\' || c == '|' ||
            c == ',') {
            return 0;
        }
    }
    return 1;
}

/*
 * The string at the offset stored in header field `field`: *out points
 * into data, NULL when the offset is 0 (none).
 */
static int
string_at(const char **out, size_t *len, const unsigned char *data, size_t size,
          size_t field, const char *what)
{
    uint32_t off = fz_get_u32(data + field);
    const char *s;
    const char *nul;
    size_t room;

    *out = NULL;
    *len = 0;
    if (off == 0) {
        return 0;
    }
    if (off < FZ_GI_HEADER_SIZE || off >= size) {
        return fz_error_set(FZ_EFORMAT,
                            "%s: string offset %u (header field at %zu) "
                            "outside the typelib (%zu bytes)",
                            what, off, field, size);
    }
    s = (const char *)data + off;
    room = size - off < MAX_STRING ? size - off : MAX_STRING;
    nul = memchr(s, '\0', room);
    if (nul == NULL) {
        return fz_error_set(
            FZ_EFORMAT, "%s: string at offset %u is not terminated", what, off);
    }
    *out = s;
    *len = (size_t)(nul - s);
    return 0;
}

/* Split "a<sep>b<sep>c" into plain names appended to `v`. */
static int
split_names(fz_strvec *v, const char *s, size_t len, char sep, const char *what,
            const char *field)
{
    const char *end = s + len;
    int rc = 0;

    while (s < end && rc == 0) {
        const char *p = memchr(s, sep, (size_t)(end - s));
        size_t n = p ? (size_t)(p - s) : (size_t)(end - s);
        char *item;

        if (!plain_name(s, n)) {
            return fz_error_set(FZ_EFORMAT, "%s: bad %s entry '%.*s'", what,
                                field, (int)(n > 200 ? 200 : n), s);
        }
        item = strndup(s, n);
        if (item == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        rc = fz_strvec_push_unique(v, item);
        free(item);
        s += n + (p != NULL);
    }
    return rc;
}

void
fz_gi_typelib_dispose(fz_typelib_info *t)
{
    if (t == NULL) {
        return;
    }
    free(t->name_space);
    free(t->version);
    fz_strvec_dispose(&t->dependencies);
    fz_strvec_dispose(&t->libraries);
    memset(t, 0, sizeof(*t));
}

int
fz_gi_typelib_parse(fz_typelib_info *out, const void *data, size_t size,
                    const char *what)
{
    const unsigned char *d = data;
    const char *s;
    size_t n;
    uint32_t recorded;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (size < FZ_GI_HEADER_SIZE) {
        return fz_error_set(FZ_EFORMAT,
                            "%s: not a typelib (%zu bytes, shorter than "
                            "the %d-byte header)",
                            what, size, FZ_GI_HEADER_SIZE);
    }
    if (memcmp(d, magic, sizeof(magic)) != 0) {
        return fz_error_set(FZ_EFORMAT, "%s: not a typelib (bad magic)", what);
    }
    if (d[OFF_MAJOR] != 4) {
        return fz_error_set(FZ_EFORMAT,
                            "%s: typelib format %u.%u, expected 4.x", what,
                            d[OFF_MAJOR], d[OFF_MAJOR + 1]);
    }
    recorded = fz_get_u32(d + OFF_SIZE);
    if (recorded < FZ_GI_HEADER_SIZE || recorded > size) {
        return fz_error_set(FZ_EFORMAT,
                            "%s: truncated typelib (header says %u bytes, "
                            "file has %zu)",
                            what, recorded, size);
    }
    size = recorded;
    rc = string_at(&s, &n, d, size, OFF_NAMESPACE, what);
    if (rc == 0 && (s == NULL || !plain_name(s, n))) {
        rc = fz_error_set(FZ_EFORMAT, "%s: bad or missing namespace", what);
    }
    if (rc == 0 && (out->name_space = strndup(s, n)) == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
    }
    rc = rc ? rc : string_at(&s, &n, d, size, OFF_NSVERSION, what);
    if (rc == 0 && (s == NULL || !plain_name(s, n))) {
        rc = fz_error_set(FZ_EFORMAT, "%s: bad or missing version", what);
    }
    if (rc == 0 && (out->version = strndup(s, n)) == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
    }
    rc = rc ? rc : string_at(&s, &n, d, size, OFF_DEPENDENCIES, what);
    if (rc == 0 && s != NULL) {
        rc = split_names(&out->dependencies, s, n, '|', what, "dependencies");
    }
    for (size_t i = 0; rc == 0 && i < out->dependencies.count; i++) {
        const char *dash = strrchr(out->dependencies.items[i], '-');

        if (dash == NULL || dash == out->dependencies.items[i] ||
            dash[1] == '\0') {
            rc = fz_error_set(FZ_EFORMAT,
                              "%s: dependency '%s' is not Name-Version", what,
                              out->dependencies.items[i]);
        }
    }
    rc = rc ? rc : string_at(&s, &n, d, size, OFF_SHARED_LIBRARY, what);
    if (rc == 0 && s != NULL) {
        rc = split_names(&out->libraries, s, n, ',', what, "shared_library");
    }
    if (rc < 0) {
        fz_gi_typelib_dispose(out);
    }
    return rc;
}

int
fz_gi_typelib_read(fz_typelib_info *out, const char *path)
{
    fz_buf file = FZ_BUF_INIT;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = fz_file_read(&file, path);
    if (rc == 0 && file.size > FZ_GI_MAX_TYPELIB) {
        rc = fz_error_set(FZ_EFORMAT, "%s: %zu bytes, too large for a typelib",
                          path, file.size);
    }
    rc = rc ? rc : fz_gi_typelib_parse(out, file.data, file.size, path);
    fz_buf_dispose(&file);
    return rc;
}

/* Compare dotted numeric versions ("3.0" < "4.0" < "10.0"). */
static int
version_cmp(const char *a, const char *b)
{
    while (*a != '\0' || *b != '\0') {
        char *ea;
        char *eb;
        unsigned long x = strtoul(a, &ea, 10);
        unsigned long y = strtoul(b, &eb, 10);

        if (x != y) {
            return x < y ? -1 : 1;
        }
        if (ea == a || eb == b) {
            return strcmp(a, b);
        }
        a = ea + (*ea == '.');
        b = eb + (*eb == '.');
    }
    return 0;
}

/*
 * The file of namespace `want` ("Gtk-3.0", or "Gtk": the newest version)
 * in the first directory of `dirs` that has one; *out NULL if none.
 */
static int
find_typelib(char **out, const fz_strvec *dirs, const char *want)
{
    const char *tilde = strchr(want, '~');
    int versioned = strchr(want, '-') != NULL;
    size_t wlen = tilde ? (size_t)(tilde - want) : strlen(want);
    fz_buf name = FZ_BUF_INIT;
    int rc = 0;

    *out = NULL;
    if (tilde != NULL) {
        /* "GdkX11~3.0": GdkX11-3.0 if there is one, else the newest */
        rc = fz_buf_printf(&name, "%.*s-%s", (int)wlen, want, tilde + 1);
        rc = rc ? rc : find_typelib(out, dirs, name.data);
        if (rc < 0 || *out != NULL) {
            fz_buf_dispose(&name);
            return rc;
        }
        versioned = 0;
    }
    for (size_t i = 0; i < dirs->count && *out == NULL && rc == 0; i++) {
        DIR *d;
        struct dirent *e;
        char *best = NULL;

        if (versioned) {
            fz_buf_clear(&name);
            rc = fz_buf_printf(&name, "%s/%s.typelib", dirs->items[i], want);
            if (rc == 0 && fz_is_file(name.data)) {
                *out = fz_buf_detach(&name);
            }
            continue;
        }
        d = opendir(dirs->items[i]);
        while (d != NULL && rc == 0 && (e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            const char *ver = e->d_name + wlen + 1;

            if (len < wlen + 10 || strncmp(e->d_name, want, wlen) != 0 ||
                e->d_name[wlen] != '-' || strchr(ver, '-') != NULL ||
                strcmp(e->d_name + len - 8, ".typelib") != 0) {
                continue;
            }
            if (best == NULL || version_cmp(ver, best + wlen + 1) > 0) {
                free(best);
                best = fz_strdup(e->d_name);
                rc = best ? 0 : FZ_ENOMEM;
            }
        }
        if (d != NULL) {
            closedir(d);
        }
        if (best != NULL) {
            *out = fz_path_join(dirs->items[i], best);
            rc = *out ? rc : FZ_ENOMEM;
        }
        free(best);
    }
    fz_buf_dispose(&name);
    return rc;
}

int
fz_gi_collect(fz_filelist *files, fz_strvec *libraries, fz_strvec *warnings,
              fz_strvec *bundled, const fz_strvec *wanted, const char *dirs)
{
    fz_strvec search = FZ_STRVEC_INIT;
    fz_strvec queue = FZ_STRVEC_INIT;   /* wanted, then dependencies */
    fz_strvec need_by = FZ_STRVEC_INIT; /* who asked, parallel to queue */
    fz_strvec done = FZ_STRVEC_INIT;    /* "Name-Version" bundled */
    fz_buf entry = FZ_BUF_INIT;
    fz_buf why = FZ_BUF_INIT;
    fz_typelib_info t;
    char *path = NULL;
    const char *env = getenv("GI_TYPELIB_PATH");
    fz_buf all = FZ_BUF_INIT;
    int rc = 0;

    memset(&t, 0, sizeof(t));
    if (dirs == NULL) {
        rc = env && *env ? fz_buf_printf(&all, "%s:", env) : 0;
        rc = rc ? rc : fz_buf_puts(&all, DEFAULT_DIRS);
        dirs = all.data;
    }
    for (const char *s = dirs; rc == 0 && s != NULL && *s != '\0';) {
        const char *colon = strchr(s, ':');
        size_t n = colon ? (size_t)(colon - s) : strlen(s);
        char *dir = strndup(s, n);

        rc = dir ? 0 : FZ_ENOMEM;
        if (rc == 0 && n > 0 && dir[0] == '/') {
            rc = fz_strvec_push_unique(&search, dir);
        }
        free(dir);
        s = colon ? colon + 1 : NULL;
    }
    for (size_t i = 0; rc == 0 && i < wanted->count; i++) {
        rc = fz_strvec_push(&queue, wanted->items[i]);
        rc = rc ? rc : fz_strvec_push(&need_by, "");
    }
    for (size_t q = 0; rc == 0 && q < queue.count; q++) {
        const char *want = queue.items[q];

        if (fz_strvec_contains(&done, want)) {
            continue;
        }
        free(path);
        rc = find_typelib(&path, &search, want);
        if (rc < 0) {
            break;
        }
        if (path == NULL) {
            fz_buf_clear(&why);
            rc = fz_buf_printf(&why, "typelib %s%s%s not found in %s", want,
                               *need_by.items[q] ? " (needed by " : "",
                               need_by.items[q], dirs);
            rc = rc ? rc : fz_buf_puts(&why, *need_by.items[q] ? ")" : "");
            rc = rc ? rc : fz_strvec_push_unique(warnings, why.data);
            continue;
        }
        fz_gi_typelib_dispose(&t);
        rc = fz_gi_typelib_read(&t, path);
        fz_buf_clear(&entry);
        rc = rc ? rc : fz_buf_printf(&entry, "%s-%s", t.name_space, t.version);
        if (rc < 0 || fz_strvec_contains(&done, entry.data)) {
            continue;
        }
        rc = fz_strvec_push(&done, entry.data);
        rc = rc ? rc : fz_strvec_push_unique(bundled, entry.data);
        fz_buf_clear(&why);
        rc = rc ? rc
                : fz_buf_printf(&why, "typelib of %s%s%s", entry.data,
                                *need_by.items[q] ? ", needed by " : "",
                                need_by.items[q]);
        fz_buf_clear(&entry);
        rc = rc ? rc
                : fz_buf_printf(&entry, FZ_GI_TYPELIB_DIR "/%s",
                                fz_path_basename(path));
        rc = rc ? rc
                : fz_filelist_add(files, path, entry.data, FZ_ENTRY_DATA,
                                  why.data);
        for (size_t k = 0; rc == 0 && k < t.libraries.count; k++) {
            rc = fz_strvec_push_unique(libraries, t.libraries.items[k]);
        }
        fz_buf_clear(&entry);
        rc = rc ? rc : fz_buf_printf(&entry, "%s-%s", t.name_space, t.version);
        for (size_t k = 0; rc == 0 && k < t.dependencies.count; k++) {
            rc = fz_strvec_push(&queue, t.dependencies.items[k]);
            rc = rc ? rc : fz_strvec_push(&need_by, entry.data);
        }
    }
    free(path);
    fz_gi_typelib_dispose(&t);
    fz_strvec_dispose(&search);
    fz_strvec_dispose(&queue);
    fz_strvec_dispose(&need_by);
    fz_strvec_dispose(&done);
    fz_buf_dispose(&entry);
    fz_buf_dispose(&why);
    fz_buf_dispose(&all);
    return rc;
}
