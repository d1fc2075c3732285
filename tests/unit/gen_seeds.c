/*
 * gen_seeds.c - writes a seed corpus of small valid payloads (every kind,
 * compression and layout feature) for the payload reader's fuzz target.
 */
#include "fz_error.h"
#include "fz_payload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PY311 ((3u << 24) | (11u << 16))
#define MAGIC311 (3495u | (0x0a0du << 16))

static int
write_file(const char *dir, const char *name, const void *data, size_t size)
{
    char path[4096];
    FILE *f;
    int rc = 0;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
        sizeof(path)) {
        return fz_error_set(FZ_EINVAL, "path too long: %s", dir);
    }
    f = fopen(path, "wb");
    if (f == NULL) {
        return fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    if (fwrite(data, 1, size, f) != size) {
        rc = fz_error_set(FZ_EIO, "%s: write failed", path);
    }
    if (fclose(f) != 0 && rc == 0) {
        rc = fz_error_set(FZ_EIO, "%s: %s", path, strerror(errno));
    }
    return rc;
}

/* Seed `n`: `count` entries of mixed kinds, optionally with a dictionary. */
static int
seed(const char *dir, int n, size_t count, int use_dictionary, int with_main)
{
    fz_payload_writer_options opts = {0};
    fz_payload_writer *w = NULL;
    void *out = NULL;
    size_t size;
    char name[64];
    char text[512];
    int rc;

    opts.python_version = PY311;
    opts.bytecode_magic = MAGIC311;
    opts.level = 3;
    opts.use_dictionary = use_dictionary;
    opts.dict_max = 1024;
    rc = fz_payload_writer_new(&w, &opts);
    if (rc < 0) {
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        fz_entry_kind kind = (fz_entry_kind)(i % 5 == 4 ? 1 + i % 7 : 1);
        size_t len = 0;
        if (i % 3 == 0) {
            snprintf(name, sizeof(name), "pkg/m%zu.pyc", i);
        } else if (i % 3 == 1) {
            snprintf(name, sizeof(name), "pkg/sub/__init__%zu.pyc", i);
        } else {
            snprintf(name, sizeof(name), "m%zu.pyc", i);
        }
        if (i % 4 != 3) {
            for (size_t l = 0; l < 1 + i % 6; l++) {
                len += (size_t)snprintf(text + len, sizeof(text) - len,
                                        "def f%zu(x): return x + %zu\n", l, i);
            }
        }
        rc = fz_payload_writer_add(w, name, kind, (uint16_t)(i & 1),
                                   i % 2 ? 0755 : 0644, text, len);
        if (rc < 0) {
            goto done;
        }
        if (with_main && i == 0) {
            rc = fz_payload_writer_set_main(w, name);
            if (rc < 0) {
                goto done;
            }
        }
    }
    /* Incompressible bytes, stored raw. */
    for (size_t i = 0; i < sizeof(text); i++) {
        text[i] = (char)((i * 2654435761u) >> 13);
    }
    rc = fz_payload_writer_add(w, "data/noise.bin", FZ_ENTRY_DATA, 0, 0644,
                               text, 64);
    if (rc < 0) {
        goto done;
    }
    rc = fz_payload_writer_finish(w, &out, &size);
    if (rc < 0) {
        goto done;
    }
    snprintf(name, sizeof(name), "seed-%02d", n);
    rc = write_file(dir, name, out, size);
done:
    free(out);
    fz_payload_writer_free(w);
    return rc;
}

int
main(int argc, char **argv)
{
    int rc = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(errno));
        return 1;
    }
    if (rc == 0) {
        rc = seed(argv[1], 0, 0, 0, 0);
    }
    if (rc == 0) {
        rc = seed(argv[1], 1, 1, 0, 1);
    }
    if (rc == 0) {
        rc = seed(argv[1], 2, 8, 0, 1);
    }
    if (rc == 0) {
        rc = seed(argv[1], 3, 300, 1, 1);
    }
    if (rc == 0) {
        rc = seed(argv[1], 4, 120, 1, 0);
    }
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", argv[0], fz_error_message());
        return 1;
    }
    return 0;
}
