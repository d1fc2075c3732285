/*
 * collect.c - from module graph to payload bytes (collect.h).
 */
#include "collect.h"

#include "buildcache.h"
#include "compile.h"
#include "stages.h"
#include "tcltk.h"
#include "fz_error.h"
#include "fz_payload.h"

#include <stdlib.h>
#include <string.h>

/* "a.b.c" -> "a/b/c" appended to `b`. */
static int
append_dotted_path(fz_buf *b, const char *name)
{
    size_t start = b->size;
    int rc = fz_buf_puts(b, name);

    if (rc < 0) {
        return rc;
    }
    for (size_t i = start; i < b->size; i++) {
        if (b->data[i] == '.') {
            b->data[i] = '/';
        }
    }
    return 0;
}

char *
fz_collect_entry_name(const fz_module *m)
{
    fz_buf b = FZ_BUF_INIT;
    int rc = 0;

    switch (m->kind) {
    case FZ_MOD_SOURCE:
        if (m->is_main) {
            rc = fz_buf_printf(&b, "%s.pyc", m->name);
        } else {
            rc = append_dotted_path(&b, m->name);
            rc = rc ? rc : fz_buf_puts(&b, ".pyc");
        }
        break;
    case FZ_MOD_PACKAGE:
        rc = append_dotted_path(&b, m->name);
        rc = rc ? rc : fz_buf_puts(&b, "/__init__.pyc");
        break;
    case FZ_MOD_EXTENSION: {
        const char *dot = strrchr(m->name, '.');

        if (dot != NULL) {
            char *parent = malloc((size_t)(dot - m->name) + 1);

            if (parent == NULL) {
                rc = fz_error_set(FZ_ENOMEM, "out of memory");
                break;
            }
            memcpy(parent, m->name, (size_t)(dot - m->name));
            parent[dot - m->name] = '\0';
            rc = append_dotted_path(&b, parent);
            rc = rc ? rc : fz_buf_puts(&b, "/");
            free(parent);
        }
        rc = rc ? rc : fz_buf_puts(&b, fz_path_basename(m->path));
        break;
    }
    default:
        return NULL;
    }
    if (rc < 0) {
        fz_buf_dispose(&b);
        return NULL;
    }
    return fz_buf_detach(&b);
}

static int
add_entry(fz_payload_writer *w, fz_collect_stats *stats, const char *name,
          fz_entry_kind kind, uint16_t flags, uint32_t mode, const void *data,
          size_t size)
{
    int rc = fz_payload_writer_add(w, name, kind, flags, mode, data, size);

    if (rc < 0) {
        return fz_error_wrap(rc, "payload entry %s", name);
    }
    stats->entries++;
    stats->raw_bytes += size;
    return 0;
}

/* Compile `m` and add its code entry (and source for the app's own). */
static int
add_code(fz_payload_writer *w, fz_collect_stats *stats, fz_stage_times *times,
         const fz_module *m, const char *entry, int optimize, fz_buf *code,
         fz_buildcache *cache)
{
    size_t n = strlen(entry);
    uint16_t flags = m->origin == FZ_ORIGIN_APP ? FZ_ENTRY_F_APP : 0;
    fz_buf source_name = FZ_BUF_INIT;
    double t0 = fz_stage_clock();
    int rc;

    /* co_filename is the entry's source path: "a/b.py". */
    rc = fz_buf_append(&source_name, entry, n - 1);
    if (rc < 0) {
        goto done;
    }
    /* Column ranges only where a traceback can show the source line. */
    rc = fz_buildcache_compile(cache, code, m->source.data, m->source.size,
                               source_name.data, m->path, optimize,
                               m->origin == FZ_ORIGIN_APP);
    fz_stage_add(times, FZ_STAGE_COMPILE, fz_stage_clock() - t0);
    if (rc < 0) {
        goto done;
    }
    rc = add_entry(w, stats, entry,
                   m->kind == FZ_MOD_PACKAGE ? FZ_ENTRY_PACKAGE
                                             : FZ_ENTRY_MODULE,
                   flags, 0644, code->data, code->size);
    if (rc < 0) {
        goto done;
    }
    stats->modules++;
    if (m->origin == FZ_ORIGIN_APP) {
        rc = add_entry(w, stats, source_name.data, FZ_ENTRY_SOURCE, flags, 0644,
                       m->source.data, m->source.size);
        if (rc < 0) {
            goto done;
        }
        stats->sources++;
    }
    if (m->is_main) {
        rc = fz_payload_writer_set_main(w, entry);
        if (rc < 0) {
            rc = fz_error_wrap(rc, "main entry %s", entry);
        }
    }
done:
    fz_buf_dispose(&source_name);
    return rc;
}

/* With _tkinter: Tcl/Tk's script libraries as DATA (tcltk.h). */
static int
add_tcltk(fz_payload_writer *w, fz_collect_stats *stats, const fz_natives *n,
          fz_buf *file)
{
    fz_strvec paths = FZ_STRVEC_INIT;
    fz_strvec names = FZ_STRVEC_INIT;
    int found = 0;
    int rc = 0;

    for (size_t i = 0; i < fz_natives_count(n) && !found; i++) {
        const fz_native *x = fz_natives_at(n, i);

        found = x->is_extension &&
                strncmp(fz_path_basename(x->entry), "_tkinter.", 9) == 0;
    }
    if (!found) {
        return 0;
    }
    rc = fz_tcltk_files(&paths, &names, FZ_PYTHON);
    for (size_t i = 0; i < paths.count && rc == 0; i++) {
        rc = fz_file_read(file, paths.items[i]);
        rc = rc ? rc
                : add_entry(w, stats, names.items[i], FZ_ENTRY_DATA, 0, 0644,
                            file->data, file->size);
    }
    fz_strvec_dispose(&paths);
    fz_strvec_dispose(&names);
    return rc;
}

/* The library closure: NATIVE_LIB entries and the needs table. */
static int
add_natives(fz_payload_writer *w, fz_collect_stats *stats, fz_natives *n,
            fz_buf *file)
{
    int rc = fz_natives_finish(n);

    for (size_t i = 0; i < fz_natives_count(n) && rc == 0; i++) {
        const fz_native *lib = fz_natives_at(n, i);

        if (lib->is_extension || lib->is_group) {
            continue;
        }
        rc = fz_file_read(file, lib->path);
        rc = rc ? rc
                : add_entry(w, stats, lib->entry, FZ_ENTRY_NATIVE_LIB, 0, 0755,
                            file->data, file->size);
        stats->native_libs += rc == 0;
    }
    rc = rc ? rc : fz_natives_needs_text(n, file);
    if (rc == 0 && file->size > 0) {
        rc = add_entry(w, stats, FZ_NATIVES_NEEDS_ENTRY, FZ_ENTRY_DATA, 0, 0644,
                       file->data, file->size);
    }
    return rc ? rc : add_tcltk(w, stats, n, file);
}

/* Package data, metadata and other extra files (data.h). */
static int
add_files(fz_payload_writer *w, fz_collect_stats *stats,
          const fz_filelist *files, fz_buf *file)
{
    int rc = 0;

    for (size_t i = 0; i < files->count && rc == 0; i++) {
        const fz_file *f = &files->items[i];

        rc = fz_file_read(file, f->src);
        rc = rc ? rc
                : fz_payload_writer_add(w, f->entry, (fz_entry_kind)f->kind, 0,
                                        f->mode, file->data, file->size);
        if (rc == FZ_EINVAL) {
            fz_error_clear(); /* a module already has that name */
            rc = 0;
            continue;
        }
        if (rc < 0) {
            return fz_error_wrap(rc, "payload entry %s", f->entry);
        }
        stats->entries++;
        stats->raw_bytes += file->size;
        stats->data_files++;
    }
    return rc;
}

int
fz_collect(void **out, size_t *out_size, fz_collect_stats *stats,
           fz_stage_times *times, const fz_graph *g, int optimize,
           fz_natives *natives, const fz_filelist *files, fz_buildcache *cache,
           const fz_progress *progress)
{
    fz_payload_writer_options opts = {0};
    fz_payload_cache pc = fz_buildcache_payload_cache(cache);
    fz_payload_writer *w = NULL;
    fz_buf code = FZ_BUF_INIT;
    fz_buf file = FZ_BUF_INIT;
    char *entry = NULL;
    double start = fz_stage_clock();
    double compiled = times->seconds[FZ_STAGE_COMPILE];
    double t0;
    int rc = 0;

    *out = NULL;
    *out_size = 0;
    memset(stats, 0, sizeof(*stats));
    opts.python_version = (uint32_t)FZ_PY_HEXVERSION_MM;
    opts.bytecode_magic = (uint32_t)FZ_PY_MAGIC_LE;
    opts.level = 19;
    opts.use_dictionary = 1;
    opts.cache = cache != NULL ? &pc : NULL;
    opts.progress = progress ? progress->step : NULL;
    opts.progress_ctx = progress ? progress->ctx : NULL;
    rc = fz_payload_writer_new(&w, &opts);
    if (rc < 0) {
        goto done;
    }
    for (size_t i = 0; i < fz_graph_count(g); i++) {
        const fz_module *m = fz_graph_module(g, i);

        if (m->kind != FZ_MOD_SOURCE && m->kind != FZ_MOD_PACKAGE &&
            m->kind != FZ_MOD_EXTENSION) {
            continue; /* nothing of its own to carry */
        }
        if (fz_graph_is_excluded(g, m->name)) {
            continue; /* a hook's excludes (fz_graph_exclude) */
        }
        free(entry);
        entry = fz_collect_entry_name(m);
        if (entry == NULL) {
            rc = FZ_ENOMEM;
            goto done;
        }
        if (m->kind == FZ_MOD_EXTENSION) {
            rc = fz_file_read(&file, m->path);
            if (rc == 0) {
                rc = add_entry(w, stats, entry, FZ_ENTRY_EXTENSION, 0, 0755,
                               file.data, file.size);
            }
            if (rc == 0 && natives != NULL) {
                rc = fz_natives_add_extension(natives, m->path, entry);
            }
            if (rc < 0) {
                goto done;
            }
            stats->extensions++;
            continue;
        }
        rc = add_code(w, stats, times, m, entry, optimize, &code, cache);
        if (rc < 0) {
            goto done;
        }
    }
    if (natives != NULL) {
        rc = add_natives(w, stats, natives, &file);
        if (rc < 0) {
            goto done;
        }
    }
    if (files != NULL) {
        rc = add_files(w, stats, files, &file);
        if (rc < 0) {
            goto done;
        }
    }
    fz_progress_stage(progress, "compressing");
    t0 = fz_stage_clock();
    rc = fz_payload_writer_finish(w, out, out_size);
    fz_stage_add(times, FZ_STAGE_COMPRESSION, fz_stage_clock() - t0);
    /* The rest of this function: reading files, the cache, the index. */
    fz_stage_add(times, FZ_STAGE_COLLECT,
                 t0 - start - (times->seconds[FZ_STAGE_COMPILE] - compiled));
    fz_stage_add(times, FZ_STAGE_COMPILE, 0); /* listed when nothing was */
    if (rc < 0) {
        rc = fz_error_wrap(rc, "writing the payload");
    }
done:
    free(entry);
    fz_buf_dispose(&code);
    fz_buf_dispose(&file);
    fz_payload_writer_free(w);
    return rc;
}
