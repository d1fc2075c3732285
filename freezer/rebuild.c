/*
 * rebuild.c - whole-build reuse: build keys, manifests of inputs, and the
 * unchanged-rebuild check (rebuild.h). Used by bundle.c.
 */
#define _GNU_SOURCE
#include "rebuild.h"
#include "fz_bytes.h"

#include "fz_error.h"
#include "hooks.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

/* The counts stored with a build, as little-endian u64s. */
#define STATS_COUNT 8

static void
key_str(XXH3_state_t *st, const char *s)
{
    /* NULL and "" differ: a marker byte first. */
    XXH3_128bits_update(st, s ? "s" : "n", 1);
    if (s != NULL) {
        XXH3_128bits_update(st, s, strlen(s) + 1);
    }
}

static void
key_list(XXH3_state_t *st, const char *const *items, size_t count)
{
    char n[32];

    snprintf(n, sizeof(n), "%zu", count);
    key_str(st, n);
    for (size_t i = 0; i < count; i++) {
        key_str(st, items[i]);
    }
}

static void
key_vec(XXH3_state_t *st, const fz_strvec *v)
{
    if (v == NULL) {
        key_list(st, NULL, 0);
    } else {
        key_list(st, (const char *const *)v->items, v->count);
    }
}

int
fz_rebuild_key(uint8_t *key, const fz_freeze_config *cfg, const fz_pyenv *env,
               const char *stub)
{
    const fz_extras_config *x = &cfg->extras;
    XXH3_state_t *st = XXH3_createState();
    char *cwd = getcwd(NULL, 0);
    char n[64];
    XXH128_canonical_t c;
    int rc = 0;

    if (st == NULL || cwd == NULL) {
        rc = fz_error_set(cwd ? FZ_ENOMEM : FZ_EIO,
                          "build key: no memory or no working directory");
        goto done;
    }
    XXH3_128bits_reset(st);
    snprintf(n, sizeof(n), "freeze %s cache %u py %s", FZ_VERSION,
             FZ_BUILDCACHE_VERSION, FZ_PY_VERSION);
    key_str(st, n);
    key_str(st, cwd);
    key_list(st, cfg->argv, cfg->argv ? cfg->argc : 0);
    key_str(st, cfg->script);
    key_str(st, cfg->name);
    key_str(st, cfg->distpath);
    key_str(st, cfg->output);
    key_list(st, cfg->hidden, cfg->hidden_count);
    key_list(st, cfg->excludes, cfg->exclude_count);
    snprintf(n, sizeof(n), "O%d R%d", cfg->optimize, cfg->write_report);
    key_str(st, n);
    key_list(st, cfg->exclude_binaries, cfg->exclude_binary_count);
    key_list(st, cfg->add_binaries, cfg->add_binary_count);
    key_str(st, cfg->max_glibc);
    key_vec(st, x->add_data);
    key_vec(st, x->exclude_data);
    key_vec(st, x->collect_data);
    key_vec(st, x->collect_submods);
    key_vec(st, x->collect_all);
    key_vec(st, x->copy_metadata);
    key_vec(st, x->recursive_meta);
    key_vec(st, x->hooks_dirs);
    key_str(st, env->python);
    key_str(st, env->version);
    key_str(st, env->prefix);
    key_vec(st, &env->site_dirs);
    key_str(st, stub);
    /* What the library search and the reproducible build read. */
    key_str(st, getenv("LD_LIBRARY_PATH"));
    key_str(st, getenv("SOURCE_DATE_EPOCH"));
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(st));
    memcpy(key, c.digest, FZ_BUILDCACHE_KEY_SIZE);
done:
    XXH3_freeState(st);
    free(cwd);
    return rc;
}

/* A NUL-terminated malloc'd copy of a tag, or NULL when absent. */
static char *
tag_str(const fz_manifest *m, const char *name, int *rc)
{
    const fz_buf *b = fz_manifest_get(m, name);
    char *s;

    if (b == NULL) {
        return NULL;
    }
    s = malloc(b->size + 1);
    if (s == NULL) {
        *rc = fz_error_set(FZ_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(s, b->data ? b->data : "", b->size);
    s[b->size] = '\0';
    return s;
}

/* Split a "\n"-joined tag into `v`. */
static int
tag_lines(fz_strvec *v, const fz_manifest *m, const char *name)
{
    int rc = 0;
    char *s = tag_str(m, name, &rc);
    char *p = s;

    while (p != NULL && *p != '\0' && rc == 0) {
        char *nl = strchr(p, '\n');

        if (nl != NULL) {
            *nl = '\0';
        }
        rc = fz_strvec_push(v, p);
        p = nl ? nl + 1 : NULL;
    }
    free(s);
    return rc;
}

int
fz_rebuild_try(fz_buildcache *c, const uint8_t *key, fz_freeze_result *r,
               void **payload, size_t *size, fz_buf *report)
{
    fz_manifest *m = NULL;
    const fz_buf *pkey;
    const fz_buf *stats;
    const fz_buf *rep;
    fz_buf blob = FZ_BUF_INIT;
    int rc;

    *payload = NULL;
    *size = 0;
    rc = fz_manifest_check(&m, c, key);
    if (rc <= 0) {
        goto done;
    }
    rc = 0;
    pkey = fz_manifest_get(m, "payload");
    stats = fz_manifest_get(m, "stats");
    rep = fz_manifest_get(m, "report");
    if (pkey == NULL || pkey->size != FZ_BUILDCACHE_KEY_SIZE || stats == NULL ||
        stats->size != 8 * STATS_COUNT || rep == NULL ||
        !fz_buildcache_get(c, (const uint8_t *)pkey->data, &blob) ||
        blob.size != fz_get_u64((const uint8_t *)stats->data + 56)) {
        goto done;
    }
    {
        const uint8_t *p = (const uint8_t *)stats->data;

        r->stats.entries = (size_t)fz_get_u64(p);
        r->stats.modules = (size_t)fz_get_u64(p + 8);
        r->stats.sources = (size_t)fz_get_u64(p + 16);
        r->stats.extensions = (size_t)fz_get_u64(p + 24);
        r->stats.native_libs = (size_t)fz_get_u64(p + 32);
        r->stats.data_files = (size_t)fz_get_u64(p + 40);
        r->stats.raw_bytes = fz_get_u64(p + 48);
    }
    r->glibc_floor = tag_str(m, "glibc", &rc);
    r->glibcxx_floor = tag_str(m, "glibcxx", &rc);
    rc = rc ? rc : tag_lines(&r->cached_warnings, m, "natives-warnings");
    rc = rc ? rc : tag_lines(&r->cached_graph_warnings, m, "warnings");
    fz_buf_clear(report);
    rc = rc ? rc : fz_buf_append(report, rep->data, rep->size);
    if (rc < 0) {
        goto done;
    }
    r->cached = 1;
    *size = blob.size;
    *payload = fz_buf_detach(&blob);
    rc = *payload ? 1 : FZ_ENOMEM;
done:
    fz_buf_dispose(&blob);
    fz_manifest_free(m);
    return rc;
}

/* `path` and the directory it is in. */
static int
add_with_dir(fz_manifest *m, const char *path)
{
    char *dir = fz_path_dirname(path);
    int rc = fz_manifest_add_path(m, path);

    if (dir == NULL) {
        return FZ_ENOMEM;
    }
    rc = rc ? rc : fz_manifest_add_path(m, dir);
    free(dir);
    return rc;
}

/* A hook directory and every file in it (all are read). */
static int
add_hook_dir(fz_manifest *m, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = fz_manifest_add_path(m, dir);

    while (d != NULL && rc == 0 && (e = readdir(d)) != NULL) {
        char *p;

        if (e->d_name[0] == '.') {
            continue;
        }
        p = fz_path_join(dir, e->d_name);
        rc = p ? fz_manifest_add_path(m, p) : FZ_ENOMEM;
        free(p);
    }
    if (d != NULL) {
        closedir(d);
    }
    return rc;
}

static int
join_lines(fz_buf *b, const fz_strvec *v)
{
    int rc = 0;

    fz_buf_clear(b);
    for (size_t i = 0; v != NULL && i < v->count && rc == 0; i++) {
        rc = fz_buf_printf(b, "%s%s", i ? "\n" : "", v->items[i]);
    }
    return rc;
}

/* Every input of the build r into m. */
static int
add_inputs(fz_manifest *m, const fz_freeze_config *cfg, const fz_pyenv *env,
           const fz_freeze_result *r)
{
    const fz_extras_config *x = &cfg->extras;
    char *self = realpath("/proc/self/exe", NULL);
    char *hooks = fz_hooks_default_dir();
    char *script_dir = fz_path_dirname(cfg->script);
    const char *ld = getenv("LD_LIBRARY_PATH");
    int rc = 0;

    fz_error_clear(); /* no hook dir is not an error here */
    if (script_dir == NULL) {
        rc = FZ_ENOMEM;
        goto done;
    }
    /* The freezer itself and the stub: a rebuilt freeze rebuilds. */
    rc = self ? fz_manifest_add_path(m, self) : 0;
    rc = rc ? rc : fz_manifest_add_path(m, r->stub);
    rc = rc ? rc : fz_manifest_add_path(m, "/etc/ld.so.cache");
    /* sys.path: a module added to any of them may change the analysis. */
    rc = rc ? rc : fz_manifest_add_path(m, script_dir);
    rc = rc ? rc : fz_manifest_add_path(m, FZ_PY_STDLIB);
    rc = rc ? rc : fz_manifest_add_path(m, FZ_PY_DYNLOAD);
    for (size_t i = 0; i < env->site_dirs.count && rc == 0; i++) {
        rc = fz_manifest_add_path(m, env->site_dirs.items[i]);
    }
    rc = rc || hooks == NULL ? rc : add_hook_dir(m, hooks);
    for (size_t i = 0; x->hooks_dirs && i < x->hooks_dirs->count && rc == 0;
         i++) {
        rc = add_hook_dir(m, x->hooks_dirs->items[i]);
    }
    /* Modules, their directories and packages' __path__. */
    for (size_t i = 0; i < fz_graph_count(r->graph) && rc == 0; i++) {
        const fz_module *mod = fz_graph_module(r->graph, i);

        if (mod->path != NULL) {
            rc = add_with_dir(m, mod->path);
        }
        for (size_t k = 0; k < mod->search.count && rc == 0; k++) {
            rc = fz_manifest_add_path(m, mod->search.items[k]);
        }
    }
    for (size_t i = 0; i < r->extras->files.count && rc == 0; i++) {
        rc = add_with_dir(m, r->extras->files.items[i].src);
    }
    for (size_t i = 0; i < fz_natives_count(r->natives) && rc == 0; i++) {
        const fz_native *n = fz_natives_at(r->natives, i);

        rc = n->is_group ? 0 : add_with_dir(m, n->path);
    }
    /* Library search directories the user named. */
    while (ld != NULL && *ld != '\0' && rc == 0) {
        const char *colon = strchr(ld, ':');
        size_t len = colon ? (size_t)(colon - ld) : strlen(ld);
        char *dir = strndup(ld, len);

        rc = dir ? (len ? fz_manifest_add_path(m, dir) : 0) : FZ_ENOMEM;
        free(dir);
        ld = colon ? colon + 1 : NULL;
    }
done:
    free(self);
    free(hooks);
    free(script_dir);
    return rc;
}

/* 1 when the build cannot be described by its files. */
static int
not_reusable(const fz_freeze_result *r)
{
    if (r->extras == NULL || r->extras->traced || r->natives == NULL ||
        r->graph == NULL) {
        return 1;
    }
    for (size_t i = 0; i < fz_natives_count(r->natives); i++) {
        const fz_native *n = fz_natives_at(r->natives, i);

        /* Tcl/Tk's library comes from running Python (tcltk.c). */
        if (n->is_extension &&
            strncmp(fz_path_basename(n->entry), "_tkinter.", 9) == 0) {
            return 1;
        }
    }
    return 0;
}

int
fz_rebuild_store(fz_buildcache *c, const uint8_t *key, int64_t start_ns,
                 const fz_freeze_config *cfg, const fz_pyenv *env,
                 const fz_freeze_result *r, const void *payload, size_t size,
                 const fz_buf *report)
{
    fz_manifest *m = NULL;
    fz_buf text = FZ_BUF_INIT;
    uint8_t pkey[FZ_BUILDCACHE_KEY_SIZE];
    uint8_t stats[8 * STATS_COUNT];
    XXH128_canonical_t h;
    const char *s;
    int rc;

    if (c == NULL || not_reusable(r)) {
        return 0;
    }
    rc = fz_manifest_new(&m, start_ns);
    rc = rc ? rc : add_inputs(m, cfg, env, r);
    if (rc < 0) {
        goto done;
    }
    XXH128_canonicalFromHash(&h, XXH3_128bits(payload, size));
    memcpy(pkey, h.digest, sizeof(pkey));
    pkey[0] ^= 0x50; /* not the key of an entry with the same bytes */
    fz_put_u64(stats, r->stats.entries);
    fz_put_u64(stats + 8, r->stats.modules);
    fz_put_u64(stats + 16, r->stats.sources);
    fz_put_u64(stats + 24, r->stats.extensions);
    fz_put_u64(stats + 32, r->stats.native_libs);
    fz_put_u64(stats + 40, r->stats.data_files);
    fz_put_u64(stats + 48, r->stats.raw_bytes);
    fz_put_u64(stats + 56, size);
    rc = fz_manifest_set(m, "payload", pkey, sizeof(pkey));
    rc = rc ? rc : fz_manifest_set(m, "stats", stats, sizeof(stats));
    rc = rc ? rc
            : fz_manifest_set(m, "report", report->data ? report->data : "",
                              report->size);
    s = fz_natives_glibc_floor(r->natives);
    rc = rc || s == NULL ? rc : fz_manifest_set(m, "glibc", s, strlen(s));
    s = fz_natives_glibcxx_floor(r->natives);
    rc = rc || s == NULL ? rc : fz_manifest_set(m, "glibcxx", s, strlen(s));
    rc = rc ? rc : join_lines(&text, fz_natives_warnings(r->natives));
    rc = rc ? rc
            : fz_manifest_set(m, "natives-warnings", text.data ? text.data : "",
                              text.size);
    rc = rc ? rc : join_lines(&text, fz_graph_warnings(r->graph));
    rc = rc ? rc
            : fz_manifest_set(m, "warnings", text.data ? text.data : "",
                              text.size);
    /* The payload first: a manifest never names a payload not stored. */
    rc = rc ? rc : fz_buildcache_put(c, pkey, payload, size);
    rc = rc ? rc : fz_manifest_store(c, key, m);
done:
    fz_buf_dispose(&text);
    fz_manifest_free(m);
    return rc;
}
