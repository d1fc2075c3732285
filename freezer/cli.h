/*
 * cli.h - the parts of the freeze command beyond one freeze (main.c's
 * reporting, linked into the freeze executable only): the configuration
 * file merged into the options, `freeze inspect`, `freeze --explain`, and
 * the warnings block. These functions print.
 */
#ifndef FZ_CLI_H
#define FZ_CLI_H

#include "bundle.h"
#include "options.h"

/* The merged command line: argv[0], [tool.freeze] tokens, argv[1..]. */
typedef struct fz_cli_args {
    fz_strvec tokens; /* owned strings the merged argv borrows */
    char **argv;
    int argc;
} fz_cli_args;

/*
 * Read [tool.freeze] (opts->config, else the pyproject.toml next to the
 * script) and parse again with its settings before the command line, so
 * that the command line wins for single values and adds to lists. -v/-q
 * from the file are dropped when the command line has either. On success
 * *opts is replaced and borrows from `out` (fz_cli_args_dispose after
 * fz_options_dispose). Errors (usage, exit 2): the configuration's and
 * the parser's, in the error slot.
 */
int fz_cli_config(fz_options *opts, fz_cli_args *out, int argc, char **argv);

void fz_cli_args_dispose(fz_cli_args *a);

/* `freeze inspect ...` (argv[0] is "inspect"). Returns the exit status. */
int fz_cli_inspect(int argc, char **argv);

/* `freeze --explain MODULE script.py`. Returns the exit status. */
int fz_cli_explain(const fz_options *opts, const fz_freeze_config *cfg);

/* Print "freeze: error: <message>" on stderr, coloured on a terminal. */
void fz_cli_error(const char *message);

/*
 * The warnings of a build in one block at the end, on stdout: every item
 * of `a` then of `b` (either may be NULL), coloured on a terminal.
 */
void fz_cli_warnings(const fz_strvec *a, const fz_strvec *b);

#endif /* FZ_CLI_H */
