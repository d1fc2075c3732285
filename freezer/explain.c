/*
 * explain.c - the import chain of one module (explain.h).
 */
#include "explain.h"

#include "bundle.h"
#include "fz_error.h"
#include "pyembed.h"
#include "pyenv.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

void
fz_explain_free(fz_explain *e)
{
    if (e == NULL) {
        return;
    }
    fz_graph_free(e->graph);
    fz_extras_free(e->extras);
    free(e->chain);
    free(e);
}

static size_t
index_of(const fz_graph *g, const char *name)
{
    for (size_t i = 0; i < fz_graph_count(g); i++) {
        if (strcmp(fz_graph_module(g, i)->name, name) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

/*
 * Breadth-first from the target backwards along importers: the first time
 * the script is reached gives the shortest chain from it; the nearest
 * module that is there for itself (nothing imports it, or a hidden
 * import, hook or runtime root) is the fallback root.
 */
static int
find_chain(fz_explain *e, size_t target)
{
    const fz_graph *g = e->graph;
    size_t n = fz_graph_count(g);
    size_t *next = malloc(n * sizeof(*next)); /* towards the target */
    size_t *queue = malloc(n * sizeof(*queue));
    size_t head = 0;
    size_t tail = 0;
    size_t root = SIZE_MAX;
    size_t fallback = SIZE_MAX;
    int rc = 0;

    if (next == NULL || queue == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        next[i] = SIZE_MAX;
    }
    next[target] = target;
    queue[tail++] = target;
    while (head < tail && root == SIZE_MAX) {
        size_t cur = queue[head++];
        const fz_module *m = fz_graph_module(g, cur);

        if (m->is_main) {
            root = cur;
            break;
        }
        /* a hidden import, a hook's, a runtime root: there for itself */
        if (fallback == SIZE_MAX &&
            (m->importers.count == 0 ||
             strcmp(fz_report_category(m), "import") != 0)) {
            fallback = cur;
        }
        for (size_t k = 0; k < m->importers.count; k++) {
            size_t p = index_of(g, m->importers.items[k]);

            if (p != SIZE_MAX && next[p] == SIZE_MAX) {
                next[p] = cur;
                queue[tail++] = p;
            }
        }
    }
    if (root == SIZE_MAX) {
        root = fallback != SIZE_MAX ? fallback : target;
    }
    e->length = 0;
    for (size_t i = root;; i = next[i]) {
        queue[e->length++] = i;
        if (i == target) {
            break;
        }
    }
    e->chain = queue;
    queue = NULL;
done:
    free(next);
    free(queue);
    return rc;
}

int
fz_explain_module(fz_explain **out, const fz_freeze_config *cfg,
                  const char *module)
{
    fz_analyzer_config acfg = {0};
    fz_extras_config xcfg = cfg->extras;
    fz_explain *e = NULL;
    fz_pyenv *env = NULL;
    char *python = NULL;
    char *stub = NULL;
    char *ext_dir = NULL;
    fz_hookset *hooks = NULL;
    size_t target;
    int rc;

    *out = NULL;
    e = calloc(1, sizeof(*e));
    python = fz_pyenv_pick(cfg->python);
    if (e == NULL || python == NULL) {
        rc = fz_error_set(FZ_ENOMEM, "out of memory");
        goto done;
    }
    rc = fz_pyenv_query(&env, python);
    rc = rc ? rc : fz_pyembed_init();
    if (rc < 0) {
        goto done;
    }
    /* Without a stub, modules it leaves out are only reported missing. */
    if (cfg->stub != NULL) {
        ext_dir = fz_bundle_stub_ext_dir(cfg->stub);
    } else if (fz_bundle_find_stub(&stub) == 0) {
        ext_dir = fz_bundle_stub_ext_dir(stub);
    } else {
        fz_error_clear();
    }
    rc = fz_extras_load_hooks(&hooks, &xcfg);
    if (rc < 0) {
        goto done;
    }
    fz_bundle_analyzer_config(&acfg, cfg, env, ext_dir);
    acfg.hooks = hooks;
    rc = fz_analyze(&e->graph, &acfg);
    if (rc < 0) {
        goto done;
    }
    xcfg.script = cfg->script;
    xcfg.python = python;
    xcfg.hooks = hooks;
    rc = fz_extras_run(&e->extras, e->graph, &xcfg);
    if (rc < 0) {
        goto done;
    }
    target = index_of(e->graph, module);
    if (target == SIZE_MAX) {
        rc = fz_error_set(FZ_ENOTFOUND,
                          "%s is not imported by %s (not in its module "
                          "graph)",
                          module, cfg->script);
        goto done;
    }
    rc = find_chain(e, target);
    if (rc < 0) {
        goto done;
    }
    *out = e;
    e = NULL;
done:
    free(python);
    free(stub);
    free(ext_dir);
    fz_hookset_free(hooks);
    fz_pyenv_free(env);
    fz_explain_free(e);
    return rc;
}
