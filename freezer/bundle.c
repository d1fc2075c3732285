/*
 * bundle.c - the freeze pipeline from script to executable (bundle.h).
 */
#define _GNU_SOURCE
#include "bundle.h"

#include "compress_runtime.h"
#include "elf_attach.h"
#include "fz_error.h"
#include "onedir.h"
#include "pyembed.h"
#include "pyenv.h"
#include "rebuild.h"
#include "report.h"
#include "report_html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* readlink(/proc/self/exe) into a malloc'd string. */
static char *
self_exe(void)
{
    size_t cap = 256;

    for (;;) {
        char *buf = malloc(cap);
        ssize_t n;

        if (buf == NULL) {
            fz_error_set(FZ_ENOMEM, "out of memory");
            return NULL;
        }
        n = readlink("/proc/self/exe", buf, cap);
        if (n < 0) {
            free(buf);
            fz_error_set(FZ_EIO, "/proc/self/exe: %s", strerror(errno));
            return NULL;
        }
        if ((size_t)n < cap) {
            buf[n] = '\0';
            return buf;
        }
        free(buf);
        if (cap > (1u << 20)) {
            fz_error_set(FZ_EIO, "/proc/self/exe: path too long");
            return NULL;
        }
        cap *= 2;
    }
}

/* malloc'd "<dir>/<rel>" when that is a file, else NULL. */
static char *
stub_at(const char *dir, const char *rel)
{
    char *cand = fz_path_join(dir, rel);

    if (cand != NULL && !fz_is_file(cand)) {
        free(cand);
        cand = NULL;
    }
    return cand;
}

/*
 * Read entries also from the cache freeze was installed with, beside the
 * stub (<prefix>/lib/freeze/fz-cache; build/bin/fz-cache in a build
 * tree; scripts/shipped-cache makes it). It only saves work, so when it
 * is missing or not safe to trust the build goes on without it. Returns
 * what -v says about it (malloc'd; NULL when out of memory).
 */
static char *
use_shipped_cache(fz_buildcache *cache, const char *stub)
{
    char *dir = fz_path_sibling(stub, "fz-cache");
    char *said = NULL;

    if (dir == NULL) {
        return NULL;
    }
    if (fz_buildcache_add_shipped(cache, dir) == 0) {
        said = fz_strdup(dir);
    } else {
        said = fz_strdup(fz_error_message());
        fz_error_clear();
    }
    free(dir);
    return said;
}

int
fz_bundle_find_stub(char **out)
{
    char *exe = NULL;
    char *dir = NULL;
    const char *env = getenv("FZ_RUNTIME_STUB");
    int rc = 0;

    *out = NULL;
    exe = self_exe();
    if (exe != NULL) {
        dir = fz_path_dirname(exe);
        if (dir == NULL) {
            rc = FZ_ENOMEM;
            goto done;
        }
        /* a build tree: freeze and fz-runtime share build/bin/ */
        *out = stub_at(dir, "fz-runtime");
        if (*out == NULL) {
            /* installed: <prefix>/bin/freeze, <prefix>/lib/freeze/ */
            *out = stub_at(dir, "../lib/freeze/fz-runtime");
        }
    }
    if (*out == NULL && env != NULL && env[0] != '\0' && fz_is_file(env)) {
        *out = fz_strdup(env);
    }
    if (*out == NULL) {
        rc = fz_error_set(FZ_ENOTFOUND,
                          "runtime stub not found (looked for fz-runtime in "
                          "%s and %s/../lib/freeze; set FZ_RUNTIME_STUB)",
                          dir ? dir : "?", dir ? dir : "?");
    }
done:
    free(exe);
    free(dir);
    return rc;
}

char *
fz_bundle_stub_ext_dir(const char *stub)
{
    return fz_path_sibling(stub, "fz-ext");
}

void
fz_bundle_analyzer_config(fz_analyzer_config *acfg, const fz_freeze_config *cfg,
                          const fz_pyenv *env, const char *ext_dir)
{
    memset(acfg, 0, sizeof(*acfg));
    acfg->script = cfg->script;
    acfg->stub_ext_dir = ext_dir;
    acfg->site_dirs = (const char *const *)env->site_dirs.items;
    acfg->site_count = env->site_dirs.count;
    acfg->hidden = cfg->hidden;
    acfg->hidden_count = cfg->hidden_count;
    acfg->excludes = cfg->excludes;
    acfg->exclude_count = cfg->exclude_count;
}

void
fz_freeze_result_free(fz_freeze_result *r)
{
    if (r == NULL) {
        return;
    }
    free(r->output);
    free(r->python);
    free(r->stub);
    free(r->shipped_cache);
    fz_graph_free(r->graph);
    fz_natives_free(r->natives);
    fz_extras_free(r->extras);
    free(r->report);
    free(r->glibc_floor);
    free(r->glibcxx_floor);
    free(r->onedir);
    fz_strvec_dispose(&r->packages);
    fz_strvec_dispose(&r->cached_warnings);
    fz_strvec_dispose(&r->cached_graph_warnings);
    free(r);
}

/* The output path: -o, else <distpath>/<name or stem>; creates distpath. */
static int
output_path(char **out, const fz_freeze_config *cfg)
{
    const char *base = fz_path_basename(cfg->script);
    size_t n = strlen(base);
    fz_buf name = FZ_BUF_INIT;
    char *dir = NULL;
    int rc = 0;

    *out = NULL;
    if (cfg->output != NULL) {
        dir = fz_path_dirname(cfg->output);
        if (dir == NULL) {
            return FZ_ENOMEM;
        }
        rc = fz_mkdir_p(dir);
        free(dir);
        if (rc == 0 && (*out = fz_strdup(cfg->output)) == NULL) {
            rc = FZ_ENOMEM;
        }
        return rc;
    }
    if (cfg->name != NULL) {
        rc = fz_buf_puts(&name, cfg->name);
    } else {
        if (n > 3 && strcmp(base + n - 3, ".py") == 0) {
            n -= 3;
        }
        rc = fz_buf_append(&name, base, n);
    }
    if (rc < 0) {
        goto done;
    }
    rc = fz_mkdir_p(cfg->distpath ? cfg->distpath : "dist");
    if (rc < 0) {
        goto done;
    }
    *out = fz_path_join(cfg->distpath ? cfg->distpath : "dist", name.data);
    if (*out == NULL) {
        rc = FZ_ENOMEM;
    }
done:
    fz_buf_dispose(&name);
    return rc;
}

/* <output>.report.html from the JSON report's text and the result. */
static int
write_html(const fz_freeze_result *r, const fz_buf *json)
{
    fz_report_meta meta = {0};
    fz_buf page = FZ_BUF_INIT;
    fz_buf path = FZ_BUF_INIT;
    int rc;

    meta.output = r->output;
    meta.python = r->python;
    meta.cached = r->cached;
    meta.glibc_floor =
        r->cached ? r->glibc_floor : fz_natives_glibc_floor(r->natives);
    meta.glibcxx_floor =
        r->cached ? r->glibcxx_floor : fz_natives_glibcxx_floor(r->natives);
    meta.size = r->size;
    meta.payload_size = r->payload_size;
    meta.entries = r->stats.entries;
    meta.times = &r->times;
    meta.total_seconds = r->total_seconds;
    rc = fz_report_html(&page, json->data ? json->data : "{}",
                        json->data ? json->size : 2, &meta);
    rc = rc ? rc : fz_buf_printf(&path, "%s.report.html", r->output);
    rc = rc ? rc : fz_report_write(path.data, &page);
    fz_buf_dispose(&page);
    fz_buf_dispose(&path);
    return rc;
}

/* <output>.report.json, and <output>.trace.json after --trace. `json`:
 * the report's text, made here when empty (a reused build brings it). */
static int
write_reports(fz_freeze_result *r, const fz_freeze_config *cfg, fz_buf *json)
{
    fz_buf text = FZ_BUF_INIT;
    fz_buf path = FZ_BUF_INIT;
    int rc = 0;

    if (!cfg->write_report) {
        return 0;
    }
    if (json->size == 0 && r->graph != NULL) {
        rc = fz_report_json(json, r->output, r->graph, r->extras, r->natives);
    }
    rc = rc ? rc : fz_buf_append(&text, json->data, json->size);
    rc = rc ? rc : fz_buf_printf(&path, "%s.report.json", r->output);
    rc = rc ? rc : fz_report_write(path.data, &text);
    if (rc == 0) {
        r->report = fz_buf_detach(&path);
    }
    if (rc == 0) {
        rc = write_html(r, json);
    }
    if (rc == 0 && r->extras != NULL && r->extras->traced) {
        rc = fz_report_trace_json(&text, r->extras);
        rc = rc ? rc : fz_buf_printf(&path, "%s.trace.json", r->output);
        rc = rc ? rc : fz_report_write(path.data, &text);
    }
    fz_buf_dispose(&text);
    fz_buf_dispose(&path);
    return rc;
}

/* The script must be a readable regular file; say what it is otherwise. */
static int
check_script(const char *script)
{
    struct stat st;

    if (stat(script, &st) < 0) {
        return fz_error_set(errno == ENOENT ? FZ_ENOTFOUND : FZ_EIO, "%s: %s",
                            script, strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        return fz_error_set(FZ_EINVAL, "%s is a directory, not a Python script",
                            script);
    }
    if (!S_ISREG(st.st_mode)) {
        return fz_error_set(FZ_EINVAL, "%s is not a regular file", script);
    }
    return FZ_OK;
}

/*
 * Whether a onefile app with the entries counted in `stats` gets the
 * compressed runtime (fz_compress_runtime_mode). By default, when it has
 * files to unpack: its first run writes a bundle root to the cache anyway,
 * and the runtime, unpacked once per user for every app of this freeze,
 * takes about 4 MB off the file (stdlib-heavy 11.5 -> 7.4 MB) for half a
 * millisecond of a warm start (bench/run, "warm - whole runtime warm").
 */
static int
compresses_runtime(int mode, const fz_collect_stats *stats)
{
    if (mode != FZ_COMPRESS_RUNTIME_AUTO) {
        return mode == FZ_COMPRESS_RUNTIME_ALWAYS;
    }
    return stats->extensions + stats->native_libs + stats->data_files > 0;
}

/* fz-launcher with the runtime in the payload (the compressed runtime
 * from the build cache `cache` when it has it). */
static int
attach_compressed(fz_freeze_result *r, const void *payload, size_t size,
                  fz_buildcache *cache)
{
    char *launcher = NULL;
    void *full = NULL;
    size_t full_size = 0;
    int rc;

    rc = fz_compress_runtime_launcher(&launcher, r->stub);
    if (rc == 0) {
        rc = fz_compress_runtime_payload(&full, &full_size, payload, size,
                                         r->stub, cache);
    }
    if (rc == 0) {
        rc = fz_elf_attach(launcher, r->output, full, full_size, &r->size);
    }
    free(full);
    free(launcher);
    return rc;
}

int
fz_freeze(fz_freeze_result **out, const fz_freeze_config *cfg)
{
    fz_analyzer_config acfg = {0};
    fz_natives_config ncfg = {0};
    fz_extras_config xcfg = cfg->extras;
    fz_freeze_result *r = NULL;
    fz_pyenv *env = NULL;
    char *python = NULL;
    char *exe = NULL;    /* the onedir executable */
    char *outdir = NULL; /* where packages go: beside the output */
    char *ext_dir = NULL;
    fz_hookset *hooks = NULL;
    void *payload = NULL;
    size_t payload_size = 0;
    fz_buildcache *cache = NULL;
    uint8_t key[FZ_BUILDCACHE_KEY_SIZE];
    fz_buf json = FZ_BUF_INIT;
    struct timespec wall;
    size_t hits;
    size_t misses;
    double t0 = fz_stage_clock();
    double t;
    int rc = 0;

    /* Inputs changed from here on must not look unchanged to the cache. */
    clock_gettime(CLOCK_REALTIME, &wall);
    *out = NULL;
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    if (cfg->stub != NULL) {
        r->stub = fz_strdup(cfg->stub);
        rc = r->stub ? 0 : FZ_ENOMEM;
    } else {
        rc = fz_bundle_find_stub(&r->stub);
    }
    if (rc < 0) {
        goto done;
    }
    rc = check_script(cfg->script);
    if (rc == 0 && cfg->compress_runtime == FZ_COMPRESS_RUNTIME_ALWAYS &&
        (cfg->onedir || fz_package_needs_onedir(cfg->package))) {
        rc = fz_error_set(FZ_EINVAL, "--compress-runtime makes a onefile "
                                     "app; it cannot be used with --onedir, "
                                     "--deb or --installer");
    }
    if (rc < 0) {
        goto done;
    }
    python = fz_pyenv_pick(cfg->python);
    if (python == NULL) {
        rc = FZ_ENOMEM;
        goto done;
    }
    fz_progress_stage(cfg->progress, "asking the target Python");
    t = fz_stage_clock();
    rc = fz_pyenv_query(&env, python);
    if (rc < 0) {
        goto done;
    }
    r->python = python;
    python = NULL;
    if (!cfg->no_cache && fz_buildcache_open(&cache, cfg->cache_dir) < 0) {
        fz_error_clear(); /* no cache: build as if --no-cache */
    }
    if (cache != NULL) {
        r->shipped_cache = use_shipped_cache(cache, r->stub);
    }
    if (cache != NULL && fz_rebuild_key(key, cfg, env, r->stub) < 0) {
        fz_error_clear();
        fz_buildcache_free(cache);
        cache = NULL;
    }
    fz_stage_add(&r->times, FZ_STAGE_QUERY, fz_stage_clock() - t);
    if (cache != NULL) {
        t = fz_stage_clock();
        rc = fz_rebuild_try(cache, key, r, &payload, &payload_size, &json);
        fz_stage_add(&r->times, FZ_STAGE_CHECK, fz_stage_clock() - t);
        if (rc < 0) {
            goto done;
        }
        if (rc == 1) {
            goto attach; /* nothing changed: the stored payload */
        }
    }
    t = fz_stage_clock();
    rc = fz_pyembed_init();
    fz_stage_add(&r->times, FZ_STAGE_QUERY, fz_stage_clock() - t);
    if (rc < 0) {
        goto done;
    }

    fz_progress_stage(cfg->progress, "analysing imports");
    t = fz_stage_clock();
    ext_dir = fz_bundle_stub_ext_dir(r->stub);
    if (ext_dir == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    /* Loaded before the analysis: their excluded_imports drop edges. */
    rc = fz_extras_load_hooks(&hooks, &xcfg);
    if (rc < 0) {
        goto done;
    }
    fz_bundle_analyzer_config(&acfg, cfg, env, ext_dir);
    acfg.hooks = hooks;
    rc = fz_analyze(&r->graph, &acfg);
    fz_stage_add(&r->times, FZ_STAGE_ANALYSIS, fz_stage_clock() - t);
    if (rc < 0) {
        goto done;
    }
    t = fz_stage_clock();
    xcfg.script = cfg->script;
    xcfg.python = r->python;
    xcfg.hooks = hooks;
    fz_progress_stage(cfg->progress, "collecting data, metadata and hooks");
    rc = fz_extras_run(&r->extras, r->graph, &xcfg);
    if (rc < 0) {
        goto done;
    }
    ncfg.exclude_globs = cfg->exclude_binaries;
    ncfg.exclude_count = cfg->exclude_binary_count;
    ncfg.add_binaries = cfg->add_binaries;
    ncfg.add_count = cfg->add_binary_count;
    ncfg.max_glibc = cfg->max_glibc;
    ncfg.qt_plugins = cfg->qt_plugins;
    ncfg.gi_libraries = &r->extras->gi_libraries;
    ncfg.stub = r->stub;
    fz_progress_stage(cfg->progress, "compiling");
    rc = fz_natives_new(&r->natives, &ncfg);
    for (size_t i = 0; rc == 0 && i < r->extras->warnings.count; i++) {
        rc = fz_natives_warn(r->natives, r->extras->warnings.items[i]);
    }
    fz_stage_add(&r->times, FZ_STAGE_COLLECT, fz_stage_clock() - t);
    if (rc < 0) {
        goto done;
    }
    /* Count the entries only, not the whole-build lookup. */
    fz_buildcache_counts(cache, &hits, &misses);
    rc = fz_collect(&payload, &payload_size, &r->stats, &r->times, r->graph,
                    cfg->optimize, r->natives, &r->extras->files, cache,
                    cfg->progress);
    if (rc < 0) {
        goto done;
    }
    fz_buildcache_counts(cache, &r->cache_hits, &r->cache_misses);
    r->cache_hits -= hits;
    r->cache_misses -= misses;
attach:
    r->payload_size = payload_size;
    rc = output_path(&r->output, cfg);
    if (rc < 0) {
        goto done;
    }
    rc = fz_package_check(cfg->package, fz_path_basename(r->output));
    if (rc < 0) {
        goto done;
    }
    fz_progress_stage(cfg->progress, "writing the executable");
    t = fz_stage_clock();
    if (cfg->onedir || fz_package_needs_onedir(cfg->package)) {
        /* r->output is the directory; the reports go beside it */
        rc = fz_onedir_write(&exe, &r->size, r->stub, r->output, payload,
                             payload_size);
        r->onedir = rc == 0 ? fz_strdup(r->output) : NULL;
    } else if (compresses_runtime(cfg->compress_runtime, &r->stats)) {
        r->compressed_runtime = 1;
        rc = attach_compressed(r, payload, payload_size, cache);
    } else {
        rc = fz_elf_attach(r->stub, r->output, payload, payload_size, &r->size);
    }
    fz_stage_add(&r->times, FZ_STAGE_ATTACH, fz_stage_clock() - t);
    if (rc < 0) {
        goto done;
    }
    t = fz_stage_clock();
    r->total_seconds = t - t0; /* so far, for the HTML report */
    rc = write_reports(r, cfg, &json);
    if (rc < 0) {
        goto done;
    }
    if (cache != NULL && !r->cached &&
        fz_rebuild_store(cache, key,
                         (int64_t)wall.tv_sec * 1000000000 + wall.tv_nsec, cfg,
                         env, r, payload, payload_size, &json) < 0) {
        fz_error_clear(); /* the next build is just not reused */
    }
    fz_stage_add(&r->times, FZ_STAGE_REPORTS, fz_stage_clock() - t);
    if (fz_package_wanted(cfg->package)) {
        fz_package_input in = {0};

        fz_progress_stage(cfg->progress, "packaging");
        t = fz_stage_clock();
        in.name = fz_path_basename(r->output);
        outdir = fz_path_dirname(r->output);
        if (outdir == NULL) {
            rc = FZ_ENOMEM;
            goto done;
        }
        in.distpath = outdir;
        in.exe = exe ? exe : r->output;
        in.onedir = r->onedir;
        in.glibc_floor =
            r->natives ? fz_natives_glibc_floor(r->natives) : r->glibc_floor;
        in.python = r->python;
        in.stub = r->stub;
        rc = fz_package_run(&r->packages, cfg->package, &in);
        fz_stage_add(&r->times, FZ_STAGE_PACKAGE, fz_stage_clock() - t);
        if (rc < 0) {
            goto done;
        }
    }
    r->total_seconds = fz_stage_clock() - t0;
    *out = r;
    r = NULL;
done:
    free(exe);
    free(outdir);
    free(ext_dir);
    fz_hookset_free(hooks);
    fz_buf_dispose(&json);
    fz_buildcache_free(cache);
    free(payload);
    free(python);
    fz_pyenv_free(env);
    fz_freeze_result_free(r);
    return rc;
}
