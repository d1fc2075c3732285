/*
 * explain.h - `freeze --explain MODULE script.py`: the import chain that
 * brought a module into the app, found in the module graph.
 */
#ifndef FZ_EXPLAIN_H
#define FZ_EXPLAIN_H

#include "bundle.h"

typedef struct fz_explain {
    fz_graph *graph;   /* the analysis (hooks and options applied), owned */
    fz_extras *extras; /* owned */
    size_t *chain;     /* graph indices: a root first, the module last */
    size_t length;
} fz_explain;

/*
 * Analyse cfg->script as fz_freeze would (target environment, options,
 * hooks; nothing is compiled or written) and find the shortest import
 * chain from the script to `module` through the modules' importers. When
 * no chain reaches the script (a hidden import, a hook, a runtime root),
 * the chain starts at the nearest module that is there for itself
 * (nothing imports it, or a hidden import, hook or runtime root); its
 * reason says why. *out is freed with fz_explain_free. Errors:
 * FZ_ENOTFOUND when `module` is not in the graph, and those of fz_freeze's
 * analysis.
 */
int fz_explain_module(fz_explain **out, const fz_freeze_config *cfg,
                      const char *module);

/* Release. Accepts NULL. */
void fz_explain_free(fz_explain *e);

#endif /* FZ_EXPLAIN_H */
