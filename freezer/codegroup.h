/*
 * codegroup.h - the code group (fz_payload.h, "Code group"): the code of
 * the modules a program imports at its start, unmarshalled into one list
 * and marshalled once, so that the runtime creates and interns each name
 * and constant they share once instead of once per module.
 */
#ifndef FZ_CODEGROUP_H
#define FZ_CODEGROUP_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fz_codegroup fz_codegroup;

/* A new, empty group. Needs fz_pyembed_init(). FZ_ENOMEM on failure. */
int fz_codegroup_new(fz_codegroup **out);

/* Release a group. Accepts NULL. */
void fz_codegroup_free(fz_codegroup *g);

/*
 * Add one module's marshalled code object (`size` bytes, as fz_compile
 * makes it); *position is its place in the list. `display` names it in
 * errors. Errors: FZ_EFAIL (the bytes are not a code object), FZ_ENOMEM.
 */
int fz_codegroup_add(fz_codegroup *g, const void *code, size_t size,
                     const char *display, uint32_t *position);

/* Members so far. */
size_t fz_codegroup_count(const fz_codegroup *g);

/* The marshalled list into `out` (replacing its contents). Errors:
 * FZ_EFAIL, FZ_ENOMEM. */
int fz_codegroup_finish(fz_codegroup *g, fz_buf *out);

/*
 * The group in the `size` marshalled bytes of a CODE_GROUP entry, read
 * back (freeze inspect). Errors: FZ_EFORMAT (not a list of code objects),
 * FZ_ENOMEM.
 */
int fz_codegroup_load(fz_codegroup **out, const void *bytes, size_t size);

/* Member `position`'s code marshalled on its own, as an ungrouped code
 * entry holds it, into `out`. Errors: FZ_EFORMAT (no such member),
 * FZ_ENOMEM. */
int fz_codegroup_member(const fz_codegroup *g, uint32_t position, fz_buf *out);

#endif /* FZ_CODEGROUP_H */
