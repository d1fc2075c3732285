/*
 * config.h - [tool.freeze] in pyproject.toml: the same settings as the
 * command line, read with tomllib in the embedded interpreter and turned
 * into option tokens that main.c parses before the real command line.
 */
#ifndef FZ_CONFIG_H
#define FZ_CONFIG_H

#include "buf.h"

/*
 * The default configuration file of `script`: "pyproject.toml" in the
 * script's directory. malloc'd; NULL on allocation failure.
 */
char *fz_config_default_path(const char *script);

/*
 * Append the settings of [tool.freeze] in `path` to `out` as option tokens
 * ("--name=x", "--hidden-import=a", "--trace"), in file order. A key names
 * a long option without its dashes (fz_options_config_key); a list gives
 * one token per item, `true` a flag, `false` nothing, an integer for
 * "verbose" that many -v. The file is input from the user: a wrong key or
 * type is FZ_EINVAL with the file, the key and, for an unknown key, the
 * closest valid one by edit distance; a TOML error is FZ_EFORMAT. A
 * missing file is no configuration unless `must_exist` (FZ_ENOTFOUND).
 * Starts the embedded interpreter (fz_pyembed_init).
 */
int fz_config_load(fz_strvec *out, const char *path, int must_exist);

/* Levenshtein distance of two strings (for "did you mean"). */
size_t fz_config_distance(const char *a, const char *b);

#endif /* FZ_CONFIG_H */
