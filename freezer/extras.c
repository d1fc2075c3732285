/*
 * extras.c - hooks, plugins, dynamic imports, trace, data and metadata
 * (extras.h). Runs to a fixed point: whatever one step adds to the graph
 * may trigger a hook, query an entry-point group or carry data.
 */
#include "extras.h"

#include "dynscan.h"
#include "fz_error.h"
#include "fz_payload.h"
#include "gi.h"
#include "hooks.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>

/* Rounds of the fixed point before giving up (each adds something). */
#define EXTRAS_ROUNDS_MAX 64

struct state {
    fz_graph *g;
    const fz_extras_config *cfg;
    fz_extras *x;
    const fz_hookset *hooks; /* cfg->hooks, or own_hooks */
    fz_hookset *own_hooks;
    fz_strvec hooked;    /* modules whose hook was applied */
    fz_strvec groups;    /* entry-point groups the program queries */
    fz_strvec data_all;  /* --collect-data / hook collect_data */
    fz_strvec meta_copy; /* distributions to copy metadata of */
    fz_strvec meta_rec;  /* ... and of everything they require */
    fz_strvec gi;        /* GI namespaces imported ("Gtk-3.0", "Gtk") */
    fz_strvec gi_over;   /* "Gdk\tGdkX11": gi.overrides.Gdk imports it */
    size_t scanned;      /* graph modules already looked at */
    int changed;
};

void
fz_extras_free(fz_extras *x)
{
    if (x == NULL) {
        return;
    }
    fz_filelist_dispose(&x->files);
    fz_distset_free(x->dists);
    fz_strvec_dispose(&x->dists_bundled);
    fz_strvec_dispose(&x->hooks_applied);
    fz_strvec_dispose(&x->trace_modules);
    fz_strvec_dispose(&x->trace_files);
    fz_strvec_dispose(&x->gi_libraries);
    fz_strvec_dispose(&x->warnings);
    free(x);
}

static size_t
vcount(const fz_strvec *v)
{
    return v ? v->count : 0;
}

/* Add roots with a formatted reason; notes whether the graph grew. */
static int
add_roots(struct state *s, const char *const *names, size_t n, int optional,
          const char *reason)
{
    size_t before = fz_graph_count(s->g);
    int rc = fz_graph_add_roots(s->g, names, n, reason, optional);

    if (fz_graph_count(s->g) != before) {
        s->changed = 1;
    }
    return rc;
}

static int
add_root(struct state *s, const char *name, int optional, const char *reason)
{
    return add_roots(s, &name, 1, optional, reason);
}

static int
is_present(const fz_module *m)
{
    return m != NULL && m->kind != FZ_MOD_MISSING;
}

/* Every submodule of package `pkg` (which is added first). */
static int
collect_submodules(struct state *s, const char *pkg, const char *reason,
                   int must_exist)
{
    const fz_module *m;
    fz_strvec subs = FZ_STRVEC_INIT;
    int rc;

    rc = add_root(s, pkg, !must_exist, reason);
    if (rc < 0) {
        return rc;
    }
    m = fz_graph_find(s->g, pkg);
    if (!is_present(m)) {
        return must_exist ? fz_error_set(FZ_ENOTFOUND,
                                         "--collect-submodules %s: no such "
                                         "package",
                                         pkg)
                          : 0;
    }
    rc = fz_data_list_submodules(&subs, m);
    if (rc == 0 && subs.count > 0) {
        rc = add_roots(s, (const char *const *)subs.items, subs.count, 1,
                       reason);
    }
    fz_strvec_dispose(&subs);
    return rc;
}

/*
 * A hook's "SRC:DEST" list (binaries, datas): relative SRC is relative to
 * the directory that holds the hooked package; a SRC that matches nothing
 * is skipped (another version or distribution of the package).
 */
static int
hook_files(struct state *s, const fz_strvec *specs, const fz_module *m,
           int kind, const char *reason)
{
    int rc = 0;

    for (size_t i = 0; i < specs->count && rc == 0; i++) {
        char *dir = m->path ? fz_path_dirname(m->path) : NULL;
        char *base = NULL;

        if (dir != NULL && m->kind == FZ_MOD_PACKAGE) {
            base = fz_path_dirname(dir);
        }
        rc = fz_data_add_spec(&s->x->files, specs->items[i], base ? base : dir,
                              kind, reason);
        if (rc == FZ_ENOTFOUND) {
            fz_error_clear();
            rc = 0;
        }
        free(dir);
        free(base);
    }
    return rc;
}

static int
apply_hook(struct state *s, const fz_hook *h, const fz_module *m)
{
    fz_buf reason = FZ_BUF_INIT;
    int rc;

    rc = fz_buf_printf(&reason, "hook %s", fz_path_basename(h->file));
    rc = rc ? rc : fz_strvec_push_unique(&s->hooked, h->module);
    if (rc == 0) {
        fz_buf line = FZ_BUF_INIT;

        rc = fz_buf_printf(&line, "%s: %s", h->module, h->file);
        rc = rc ? rc : fz_strvec_push(&s->x->hooks_applied, line.data);
        fz_buf_dispose(&line);
    }
    for (size_t i = 0; i < h->excludes.count && rc == 0; i++) {
        rc = fz_graph_exclude(s->g, h->excludes.items[i]);
    }
    if (rc == 0 && h->hidden_imports.count > 0) {
        rc = add_roots(s, (const char *const *)h->hidden_imports.items,
                       h->hidden_imports.count, 1, reason.data);
    }
    for (size_t i = 0; i < h->collect_submodules.count && rc == 0; i++) {
        rc = collect_submodules(s, h->collect_submodules.items[i], reason.data,
                                0);
    }
    for (size_t i = 0; i < h->collect_data.count && rc == 0; i++) {
        rc = fz_strvec_push_unique(&s->data_all, h->collect_data.items[i]);
        rc = rc ? rc : add_root(s, h->collect_data.items[i], 1, reason.data);
    }
    for (size_t i = 0; i < h->copy_metadata.count && rc == 0; i++) {
        rc = fz_strvec_push_unique(&s->meta_copy, h->copy_metadata.items[i]);
    }
    rc = rc ? rc
            : hook_files(s, &h->binaries, m, FZ_ENTRY_NATIVE_LIB, reason.data);
    rc = rc ? rc : hook_files(s, &h->datas, m, FZ_ENTRY_DATA, reason.data);
    fz_buf_dispose(&reason);
    return rc;
}

/*
 * Drop from `names` (loaded by name in `importer`) those a hook's
 * excluded_imports leave out, as the analyzer does for import statements:
 * `__import__("pkg_resources")` in mpl_toolkits is the same optional edge
 * as `import pkg_resources` would be.
 */
static void
drop_excluded_imports(fz_strvec *names, const fz_hookset *hooks,
                      const char *importer)
{
    size_t kept = 0;

    for (size_t i = 0; i < names->count; i++) {
        if (fz_hooks_edge_excluded(hooks, importer, names->items[i])) {
            free(names->items[i]);
        } else {
            names->items[kept++] = names->items[i];
        }
    }
    names->count = kept;
}

/* Hooks and the dynamic-import scan of modules not looked at yet. */
static int
scan_new_modules(struct state *s)
{
    int rc = 0;

    while (s->scanned < fz_graph_count(s->g) && rc == 0) {
        const fz_module *m = fz_graph_module(s->g, s->scanned++);
        const fz_hook *h;

        if (!is_present(m)) {
            continue;
        }
        h = fz_hooks_find(s->hooks, m->name);
        if (h != NULL && !fz_strvec_contains(&s->hooked, m->name)) {
            rc = apply_hook(s, h, m);
            if (rc < 0) {
                break;
            }
        }
        if ((m->origin == FZ_ORIGIN_APP || m->origin == FZ_ORIGIN_SITE) &&
            (m->kind == FZ_MOD_SOURCE || m->kind == FZ_MOD_PACKAGE) &&
            m->source.data != NULL &&
            fz_dynscan_wanted(m->source.data, m->source.size)) {
            fz_dynscan ds = {0};
            fz_buf reason = FZ_BUF_INIT;
            char *package = NULL;

            if (m->kind == FZ_MOD_PACKAGE || m->is_main) {
                package = fz_strdup(m->is_main ? "" : m->name);
            } else {
                const char *dot = strrchr(m->name, '.');

                package = dot ? strndup(m->name, (size_t)(dot - m->name))
                              : fz_strdup("");
            }
            rc = package ? 0 : FZ_ENOMEM;
            rc = rc ? rc
                    : fz_dynscan_source(&ds, m->source.data, m->source.size,
                                        m->name, package);
            rc = rc ? rc
                    : fz_buf_printf(&reason, "loaded by name in %s", m->name);
            if (rc == 0) {
                drop_excluded_imports(&ds.imports, s->hooks, m->name);
            }
            if (rc == 0 && ds.imports.count > 0) {
                rc = add_roots(s, (const char *const *)ds.imports.items,
                               ds.imports.count, 1, reason.data);
            }
            if (rc == 0 && ds.resources.count > 0) {
                fz_buf_clear(&reason);
                rc = fz_buf_printf(&reason, "resources read by %s", m->name);
                rc = rc ? rc
                        : add_roots(s, (const char *const *)ds.resources.items,
                                    ds.resources.count, 1, reason.data);
            }
            /* Only the program's own queries choose plugins: libraries
             * query groups of their ecosystem (setuptools' distutils
             * commands, pygments' plugins) that would pull in every
             * distribution that registers one. */
            for (size_t i = 0;
                 m->origin == FZ_ORIGIN_APP && i < ds.groups.count && rc == 0;
                 i++) {
                if (!fz_strvec_contains(&s->groups, ds.groups.items[i])) {
                    rc = fz_strvec_push(&s->groups, ds.groups.items[i]);
                    s->changed = 1;
                }
            }
            /* gi's own modules name every namespace it has overrides
             * for: those count only once their namespace is bundled. */
            for (size_t i = 0; i < ds.gi.count && rc == 0; i++) {
                if (strncmp(m->name, "gi.overrides.", 13) == 0) {
                    fz_buf_clear(&reason);
                    rc = fz_buf_printf(&reason, "%s\t%s", m->name + 13,
                                       ds.gi.items[i]);
                    rc = rc ? rc
                            : fz_strvec_push_unique(&s->gi_over, reason.data);
                } else if (strcmp(m->name, "gi") != 0 &&
                           strncmp(m->name, "gi.", 3) != 0) {
                    rc = fz_strvec_push_unique(&s->gi, ds.gi.items[i]);
                }
            }
            free(package);
            fz_buf_dispose(&reason);
            fz_dynscan_dispose(&ds);
        }
    }
    return rc;
}

/*
 * The namespaces the overrides of the bundled ones import
 * (gi.overrides.Gdk: GdkX11, of Gdk's version when there is one).
 */
static int
override_namespaces(fz_strvec *wanted, const fz_strvec *over,
                    const fz_strvec *bundled)
{
    fz_buf want = FZ_BUF_INIT;
    int rc = 0;

    for (size_t i = 0; i < bundled->count && rc == 0; i++) {
        const char *nv = bundled->items[i];
        const char *dash = strrchr(nv, '-');
        size_t n = dash ? (size_t)(dash - nv) : strlen(nv);

        for (size_t k = 0; k < over->count && rc == 0; k++) {
            const char *o = over->items[k];

            if (dash == NULL || strncmp(o, nv, n) != 0 || o[n] != '\t') {
                continue;
            }
            fz_buf_clear(&want);
            rc = strchr(o + n + 1, '-')
                     ? fz_buf_puts(&want, o + n + 1)
                     : fz_buf_printf(&want, "%s~%s", o + n + 1, dash + 1);
            rc = rc ? rc : fz_strvec_push_unique(wanted, want.data);
        }
    }
    fz_buf_dispose(&want);
    return rc;
}

/*
 * PyGObject: the typelibs of the namespaces imported from gi.repository
 * (a versioned "Gtk-3.0" replaces a bare "Gtk"), plus GLib and GObject,
 * which gi itself loads, and what the overrides of those import, with
 * their dependencies (gi.h).
 */
static int
add_typelibs(struct state *s)
{
    static const char *const base[] = {"GLib-2.0", "GObject-2.0"};
    fz_strvec wanted = FZ_STRVEC_INIT;
    fz_strvec bundled = FZ_STRVEC_INIT;
    size_t before;
    int rounds = 0;
    int rc = 0;

    if (!is_present(fz_graph_find(s->g, "gi")) ||
        !is_present(fz_graph_find(s->g, "gi._gi"))) {
        return 0;
    }
    for (size_t i = 0; i < s->gi.count && rc == 0; i++) {
        const char *ns = s->gi.items[i];
        size_t n = strlen(ns);
        int shadowed = 0;

        for (size_t k = 0; strchr(ns, '-') == NULL && k < s->gi.count; k++) {
            shadowed |=
                strncmp(s->gi.items[k], ns, n) == 0 && s->gi.items[k][n] == '-';
        }
        rc = shadowed ? 0 : fz_strvec_push_unique(&wanted, ns);
    }
    for (size_t i = 0; i < sizeof(base) / sizeof(*base) && rc == 0; i++) {
        rc = fz_strvec_push_unique(&wanted, base[i]);
    }
    /* Overrides can pull in namespaces with overrides: to a fixed point,
     * then once for real. */
    do {
        fz_filelist files = {0};
        fz_strvec libs = FZ_STRVEC_INIT;
        fz_strvec warns = FZ_STRVEC_INIT;

        before = wanted.count;
        rc = rc ? rc
                : fz_gi_collect(&files, &libs, &warns, &bundled, &wanted, NULL);
        rc = rc ? rc : override_namespaces(&wanted, &s->gi_over, &bundled);
        fz_filelist_dispose(&files);
        fz_strvec_dispose(&libs);
        fz_strvec_dispose(&warns);
    } while (rc == 0 && wanted.count > before && ++rounds < 16);
    rc = rc ? rc
            : fz_gi_collect(&s->x->files, &s->x->gi_libraries, &s->x->warnings,
                            &bundled, &wanted, NULL);
    fz_strvec_dispose(&wanted);
    fz_strvec_dispose(&bundled);
    return rc;
}

/* "pkg.mod:attr [extra]" -> "pkg.mod" */
static char *
entry_point_module(const char *value)
{
    size_t n = strcspn(value, ":[ \t");

    while (*value == ' ') {
        value++;
        n = strcspn(value, ":[ \t");
    }
    return strndup(value, n);
}

/* Modules named by entry points in the groups the program queries. */
static int
add_plugins(struct state *s)
{
    int rc = 0;

    for (size_t d = 0; s->x->dists && d < s->x->dists->count && rc == 0; d++) {
        const fz_dist *dist = &s->x->dists->items[d];

        for (size_t i = 0; i < dist->ep_group.count && rc == 0; i++) {
            fz_buf reason = FZ_BUF_INIT;
            char *mod;

            if (!fz_strvec_contains(&s->groups, dist->ep_group.items[i])) {
                continue;
            }
            mod = entry_point_module(dist->ep_value.items[i]);
            if (mod == NULL) {
                return fz_error_set(FZ_ENOMEM, "out of memory");
            }
            if (fz_graph_find(s->g, mod) == NULL) {
                rc = fz_buf_printf(&reason, "entry point %s = %s of %s",
                                   dist->ep_group.items[i],
                                   dist->ep_value.items[i], dist->name);
                rc = rc ? rc : add_root(s, mod, 1, reason.data);
            }
            free(mod);
            fz_buf_dispose(&reason);
        }
    }
    return rc;
}

/* The search directory holding `path`, and the relative rest. */
static const char *
relative_to_search(const fz_graph *g, const char *path)
{
    const fz_strvec *top = fz_graph_search_path(g);
    const char *best = NULL;
    size_t best_n = 0;

    for (size_t i = 0; i < top->count; i++) {
        size_t n = strlen(top->items[i]);

        if (n > best_n && strncmp(path, top->items[i], n) == 0 &&
            path[n] == '/') {
            best = path + n + 1;
            best_n = n;
        }
    }
    return best;
}

static int
run_trace(struct state *s)
{
    fz_trace t;
    fz_strvec names = FZ_STRVEC_INIT;
    int rc;

    rc = fz_trace_run(&t, s->cfg->python, s->cfg->script, s->cfg->trace_argv,
                      s->cfg->trace_argc);
    if (rc < 0) {
        return rc;
    }
    s->x->traced = 1;
    s->x->trace_status = t.status;
    for (size_t i = 0; i < t.modules.count && rc == 0; i++) {
        const char *n = t.modules.items[i];

        if (strcmp(n, "__main__") == 0 || fz_graph_find(s->g, n) != NULL) {
            continue;
        }
        rc = fz_strvec_push(&names, n);
    }
    if (rc == 0 && names.count > 0) {
        rc = add_roots(s, (const char *const *)names.items, names.count, 1,
                       "found by --trace");
    }
    for (size_t i = 0; i < names.count && rc == 0; i++) {
        if (is_present(fz_graph_find(s->g, names.items[i]))) {
            rc = fz_strvec_push(&s->x->trace_modules, names.items[i]);
        }
    }
    for (size_t i = 0; i < t.opened.count && rc == 0; i++) {
        const char *rel = relative_to_search(s->g, t.opened.items[i]);

        /* only files inside a package directory, never code */
        if (rel == NULL || strchr(rel, '/') == NULL ||
            strstr(rel, "__pycache__") != NULL ||
            fz_data_is_code(fz_path_basename(rel)) ||
            !fz_is_file(t.opened.items[i]) ||
            !fz_payload_name_valid(rel, strlen(rel))) {
            continue;
        }
        rc = fz_filelist_add(&s->x->files, t.opened.items[i], rel,
                             FZ_ENTRY_DATA, "opened under --trace");
        rc = rc ? rc : fz_strvec_push(&s->x->trace_files, rel);
    }
    fz_strvec_dispose(&names);
    fz_trace_dispose(&t);
    return rc;
}

static int
add_dist(struct state *s, const fz_dist *d, const char *why)
{
    fz_buf line = FZ_BUF_INIT;
    int rc;

    rc = fz_buf_printf(&line, "%s %s: %s", d->name, d->version, why);
    for (size_t i = 0; rc == 0 && i < s->x->dists_bundled.count; i++) {
        const char *have = s->x->dists_bundled.items[i];
        size_t n = strlen(d->name);

        if (strncmp(have, d->name, n) == 0 && have[n] == ' ') {
            fz_buf_dispose(&line);
            return 0; /* already there */
        }
    }
    rc = rc ? rc : fz_strvec_push(&s->x->dists_bundled, line.data);
    fz_buf_clear(&line);
    rc = rc ? rc : fz_buf_printf(&line, "metadata of %s", d->name);
    rc = rc ? rc : fz_metadata_add(&s->x->files, d, line.data);
    fz_buf_dispose(&line);
    return rc;
}

static int
add_metadata(struct state *s)
{
    const fz_distset *ds = s->x->dists;
    fz_strvec todo = FZ_STRVEC_INIT;
    int rc = 0;

    /* every distribution that provides a bundled top-level module */
    for (size_t d = 0; ds && d < ds->count && rc == 0; d++) {
        const fz_dist *dist = &ds->items[d];

        for (size_t i = 0; i < dist->top.count && rc == 0; i++) {
            const fz_module *m = fz_graph_find(s->g, dist->top.items[i]);

            if (is_present(m) &&
                (m->origin == FZ_ORIGIN_SITE || m->origin == FZ_ORIGIN_APP)) {
                fz_buf why = FZ_BUF_INIT;

                rc = fz_buf_printf(&why, "provides %s", m->name);
                rc = rc ? rc : add_dist(s, dist, why.data);
                fz_buf_dispose(&why);
                break;
            }
        }
    }
    for (size_t i = 0; i < s->meta_copy.count && rc == 0; i++) {
        const fz_dist *d = fz_distset_find(ds, s->meta_copy.items[i]);

        if (d == NULL) {
            rc = fz_error_set(FZ_ENOTFOUND,
                              "--copy-metadata %s: no such distribution in "
                              "the target environment",
                              s->meta_copy.items[i]);
            break;
        }
        rc = add_dist(s, d, "copy_metadata");
    }
    /* --recursive-copy-metadata: the closure over Requires-Dist */
    for (size_t i = 0; i < s->meta_rec.count && rc == 0; i++) {
        rc = fz_strvec_push_unique(&todo, s->meta_rec.items[i]);
    }
    for (size_t i = 0; i < todo.count && rc == 0; i++) {
        const fz_dist *d = fz_distset_find(ds, todo.items[i]);

        if (d == NULL) {
            if (i < s->meta_rec.count) {
                rc = fz_error_set(FZ_ENOTFOUND,
                                  "--recursive-copy-metadata %s: no such "
                                  "distribution in the target environment",
                                  todo.items[i]);
            }
            continue; /* a requirement that is not installed */
        }
        rc = add_dist(s, d, "recursive copy_metadata");
        for (size_t k = 0; k < d->requires.count && rc == 0; k++) {
            rc = fz_strvec_push_unique(&todo, d->requires.items[k]);
        }
    }
    fz_strvec_dispose(&todo);
    return rc;
}

static int
add_package_data(struct state *s)
{
    int rc = 0;

    for (size_t i = 0; i < fz_graph_count(s->g) && rc == 0; i++) {
        const fz_module *m = fz_graph_module(s->g, i);
        fz_buf reason = FZ_BUF_INIT;
        int all = fz_strvec_contains(&s->data_all, m->name);

        if (m->kind != FZ_MOD_PACKAGE && m->kind != FZ_MOD_NAMESPACE) {
            continue;
        }
        if (fz_graph_is_excluded(s->g, m->name)) {
            continue;
        }
        rc = fz_buf_printf(&reason, all ? "collect_data %s" : "data of %s",
                           m->name);
        rc = rc ? rc
                : fz_data_add_package(&s->x->files, m, s->cfg->exclude_data,
                                      all, reason.data);
        fz_buf_dispose(&reason);
    }
    return rc;
}

/*
 * A bundled package whose *.dist-info cannot be read (no Name in METADATA)
 * gets no metadata, as importlib.metadata would find none: say so, naming
 * the directory, instead of leaving the program to fail later.
 */
static int
warn_broken_metadata(struct state *s)
{
    const fz_strvec *broken = &s->x->dists->broken;
    int rc = 0;

    for (size_t i = 0; i < broken->count && rc == 0; i++) {
        const char *path = broken->items[i];
        const char *base = strrchr(path, '/');
        char *top;
        size_t n;

        base = base ? base + 1 : path;
        n = strcspn(base, "-.");
        top = strndup(base, n);
        if (top == NULL) {
            return fz_error_set(FZ_ENOMEM, "out of memory");
        }
        if (is_present(fz_graph_find(s->g, top))) {
            fz_buf msg = FZ_BUF_INIT;

            rc = fz_buf_printf(&msg,
                               "%s: unreadable metadata (no Name), not "
                               "bundled; importlib.metadata will not find %s",
                               path, top);
            rc = rc ? rc : fz_strvec_push(&s->x->warnings, msg.data);
            fz_buf_dispose(&msg);
        }
        free(top);
    }
    return rc;
}

static int
apply_options(struct state *s)
{
    const fz_extras_config *c = s->cfg;
    int rc = 0;

    for (size_t i = 0; i < vcount(c->collect_submods) && rc == 0; i++) {
        rc = collect_submodules(s, c->collect_submods->items[i],
                                "--collect-submodules", 1);
    }
    for (size_t i = 0; i < vcount(c->collect_all) && rc == 0; i++) {
        const char *pkg = c->collect_all->items[i];
        const fz_dist *d;

        rc = collect_submodules(s, pkg, "--collect-all", 1);
        rc = rc ? rc : fz_strvec_push_unique(&s->data_all, pkg);
        d = fz_distset_providing(s->x->dists, pkg);
        if (d == NULL) {
            d = fz_distset_find(s->x->dists, pkg);
        }
        if (rc == 0 && d != NULL) {
            rc = fz_strvec_push_unique(&s->meta_copy, d->name);
        }
    }
    for (size_t i = 0; i < vcount(c->collect_data) && rc == 0; i++) {
        const char *pkg = c->collect_data->items[i];

        rc = add_root(s, pkg, 1, "--collect-data");
        if (rc == 0 && !is_present(fz_graph_find(s->g, pkg))) {
            rc = fz_error_set(FZ_ENOTFOUND,
                              "--collect-data %s: no such package", pkg);
        }
        rc = rc ? rc : fz_strvec_push_unique(&s->data_all, pkg);
    }
    for (size_t i = 0; i < vcount(c->copy_metadata) && rc == 0; i++) {
        rc = fz_strvec_push_unique(&s->meta_copy, c->copy_metadata->items[i]);
    }
    for (size_t i = 0; i < vcount(c->recursive_meta) && rc == 0; i++) {
        rc = fz_strvec_push_unique(&s->meta_rec, c->recursive_meta->items[i]);
    }
    for (size_t i = 0; i < vcount(c->add_data) && rc == 0; i++) {
        rc = fz_data_add_spec(&s->x->files, c->add_data->items[i], NULL,
                              FZ_ENTRY_DATA, "--add-data");
    }
    return rc;
}

int
fz_extras_load_hooks(fz_hookset **out, const fz_extras_config *cfg)
{
    fz_strvec dirs = FZ_STRVEC_INIT;
    char *def = NULL;
    int rc = 0;

    *out = NULL;
    if (!cfg->no_default_hooks) {
        def = fz_hooks_default_dir();
        if (def != NULL) {
            rc = fz_strvec_push(&dirs, def);
        } else {
            fz_error_clear(); /* no built-in hooks: go on without */
        }
    }
    for (size_t i = 0; i < vcount(cfg->hooks_dirs) && rc == 0; i++) {
        if (!fz_is_dir(cfg->hooks_dirs->items[i])) {
            rc = fz_error_set(FZ_ENOTFOUND,
                              "--additional-hooks-dir %s: no such directory",
                              cfg->hooks_dirs->items[i]);
            break;
        }
        rc = fz_strvec_push(&dirs, cfg->hooks_dirs->items[i]);
    }
    rc = rc ? rc : fz_hooks_load(out, &dirs);
    free(def);
    fz_strvec_dispose(&dirs);
    return rc;
}

int
fz_extras_run(fz_extras **out, fz_graph *g, const fz_extras_config *cfg)
{
    struct state s;
    int rounds = 0;
    int rc = 0;

    *out = NULL;
    memset(&s, 0, sizeof(s));
    s.g = g;
    s.cfg = cfg;
    s.x = calloc(1, sizeof(*s.x));
    if (s.x == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    s.hooks = cfg->hooks;
    if (s.hooks == NULL) {
        rc = fz_extras_load_hooks(&s.own_hooks, cfg);
        s.hooks = s.own_hooks;
    }
    rc = rc ? rc : fz_metadata_discover(&s.x->dists, fz_graph_search_path(g));
    rc = rc ? rc : apply_options(&s);
    if (rc == 0 && cfg->trace) {
        rc = run_trace(&s);
    }
    if (rc < 0) {
        goto done;
    }
    do {
        s.changed = 0;
        rc = scan_new_modules(&s);
        rc = rc ? rc : add_plugins(&s);
        if (rc < 0) {
            goto done;
        }
    } while ((s.changed || s.scanned < fz_graph_count(g)) &&
             ++rounds < EXTRAS_ROUNDS_MAX);
    rc = add_package_data(&s);
    rc = rc ? rc : add_metadata(&s);
    rc = rc ? rc : warn_broken_metadata(&s);
    rc = rc ? rc : add_typelibs(&s);
    if (rc < 0) {
        goto done;
    }
    fz_filelist_finish(&s.x->files);
    *out = s.x;
    s.x = NULL;
done:
    fz_extras_free(s.x);
    fz_hookset_free(s.own_hooks);
    fz_strvec_dispose(&s.hooked);
    fz_strvec_dispose(&s.groups);
    fz_strvec_dispose(&s.data_all);
    fz_strvec_dispose(&s.meta_copy);
    fz_strvec_dispose(&s.meta_rec);
    fz_strvec_dispose(&s.gi);
    fz_strvec_dispose(&s.gi_over);
    return rc;
}
