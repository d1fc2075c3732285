/*
 * metadata.h - the installed distributions of the target environment
 * (*.dist-info, *.egg-info): which top-level modules each provides, its
 * requirements and entry points, and the files to bundle so that
 * importlib.metadata and pkg_resources work in the frozen app.
 */
#ifndef FZ_METADATA_H
#define FZ_METADATA_H

#include "buf.h"
#include "data.h"

typedef struct fz_dist {
    char *name;         /* as in its metadata ("Babel") */
    char *key;          /* normalized (PEP 503): "babel" */
    char *version;      /* "2.10.3" */
    char *path;         /* the .dist-info/.egg-info directory or file */
    fz_strvec files;    /* metadata files on disk */
    fz_strvec entries;  /* their entry names ("Babel-2.10.3.egg-info/...") */
    fz_strvec top;      /* top-level modules it provides */
    fz_strvec requires; /* keys of the distributions it requires (no
                           extras) */
    fz_strvec ep_group; /* entry points, three parallel lists */
    fz_strvec ep_name;
    fz_strvec ep_value; /* "module.sub:attr" */
} fz_dist;

typedef struct fz_distset {
    fz_dist *items;
    size_t count;
    fz_strvec broken; /* .dist-info/.egg-info paths whose metadata has no
                         readable Name: not distributions, but worth a
                         warning when their package is bundled */
} fz_distset;

/*
 * Find the distributions installed in `dirs` (first one of a name wins,
 * as importlib.metadata does) with the embedded interpreter's
 * importlib.metadata. The top-level modules come from top_level.txt, else
 * from RECORD / installed-files.txt. Metadata files are input: names that
 * cannot be entries are skipped. Errors: FZ_EFAIL (the helper failed),
 * FZ_ENOMEM. Needs fz_pyembed_init(). On failure *out is NULL.
 */
int fz_metadata_discover(fz_distset **out, const fz_strvec *dirs);

/* Release a set. Accepts NULL. */
void fz_distset_free(fz_distset *s);

/* malloc'd PEP 503 normalized name: lower case, runs of -_. as '-'. */
char *fz_metadata_normalize(const char *name);

/* The distribution named `name` (any spelling), or NULL. Borrowed. */
const fz_dist *fz_distset_find(const fz_distset *s, const char *name);

/* The first distribution providing top-level module `top`, or NULL. */
const fz_dist *fz_distset_providing(const fz_distset *s, const char *top);

/* Add the metadata files of `d` to `l` as METADATA entries. */
int fz_metadata_add(fz_filelist *l, const fz_dist *d, const char *reason);

#endif /* FZ_METADATA_H */
