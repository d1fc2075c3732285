/*
 * fuzz_options.c - libFuzzer target for the freeze command line: the input
 * is split at NUL bytes into argv and parsed.
 */
#include "options.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARGS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    char *argv[ARGS_MAX + 2];
    int argc = 1;
    size_t i, start = 0;
    fz_options opts;

    if (!copy) {
        return 0;
    }
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[0] = "freeze";
    for (i = 0; i <= size && argc <= ARGS_MAX; i++) {
        if (copy[i] == '\0') {
            argv[argc++] = copy + start;
            start = i + 1;
        }
    }
    argv[argc] = NULL;
    memset(&opts, 0, sizeof(opts));
    fz_options_parse(&opts, argc, argv);
    fz_options_dispose(&opts);
    free(copy);
    return 0;
}
