/*
 * child.c - the recognizer of the stdlib's helper-process command lines
 * (child.h). main.c asks it before starting CPython; a pure parser.
 */
#include "child.h"
#include "scan.h"

#include <limits.h>
#include <string.h>

/* The templates, from CPython 3.11's Lib/multiprocessing. */
#define MP_FORK "--multiprocessing-fork"
#define SPAWN_CODE "from multiprocessing.spawn import spawn_main; spawn_main("
#define TRACKER_CODE "from multiprocessing.resource_tracker import main;main("
#define FORKSERVER_CODE "from multiprocessing.forkserver import main; main("

/* A non-negative int as %d / %r print it: 0 or [1-9][0-9]*, <= INT_MAX. */
static int
eat_int(const char **p, int *value)
{
    const char *s = *p;
    long v = 0;

    if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9')) {
        return 0;
    }
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s - '0');
        if (v > INT_MAX) {
            return 0;
        }
        s++;
    }
    *value = (int)v;
    *p = s;
    return 1;
}

/* An int, or None (-1). */
static int
eat_int_or_none(const char **p, int *value)
{
    if (fz_scan_eat(p, "None")) {
        *value = -1;
        return 1;
    }
    return eat_int(p, value);
}

/*
 * The repr() of a str: '...' or "...", no raw quote of the same kind, no
 * control character, each backslash followed by a character.
 */
static int
eat_str(const char **p)
{
    const char *s = *p;
    char quote = *s;

    if (quote != '\'' && quote != '"') {
        return 0;
    }
    for (s++; *s != quote; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 0; /* also the terminating NUL */
        }
        if (*s == '\\') {
            s++;
            if ((unsigned char)*s < 0x20 || *s == 0x7f) {
                return 0;
            }
        }
    }
    *p = s + 1;
    return 1;
}

/* The repr() of a list of str: [] or ['a', 'b']. */
static int
eat_str_list(const char **p)
{
    const char *s = *p;

    if (!fz_scan_eat(&s, "[")) {
        return 0;
    }
    if (!fz_scan_eat(&s, "]")) {
        do {
            if (!eat_str(&s)) {
                return 0;
            }
        } while (fz_scan_eat(&s, ", "));
        if (!fz_scan_eat(&s, "]")) {
            return 0;
        }
    }
    *p = s;
    return 1;
}

/*
 * The repr() of forkserver's keyword dict: {} or entries 'main_path': str
 * or None, 'sys_path': list of str or None, each at most once.
 */
static int
eat_kwds(const char **p)
{
    const char *s = *p;
    int seen_main = 0, seen_path = 0;

    if (!fz_scan_eat(&s, "{")) {
        return 0;
    }
    if (fz_scan_eat(&s, "}")) {
        *p = s;
        return 1;
    }
    do {
        if (!seen_main && fz_scan_eat(&s, "'main_path': ")) {
            seen_main = 1;
            if (!fz_scan_eat(&s, "None") && !eat_str(&s)) {
                return 0;
            }
        } else if (!seen_path && fz_scan_eat(&s, "'sys_path': ")) {
            seen_path = 1;
            if (!fz_scan_eat(&s, "None") && !eat_str_list(&s)) {
                return 0;
            }
        } else {
            return 0;
        }
    } while (fz_scan_eat(&s, ", "));
    if (!fz_scan_eat(&s, "}")) {
        return 0;
    }
    *p = s;
    return 1;
}

/* One spawn_main keyword: name=value, each name at most once. */
static int
eat_spawn_kwarg(const char **p, fz_child *c, unsigned *seen)
{
    if (!(*seen & 1u) && fz_scan_eat(p, "pipe_handle=")) {
        *seen |= 1u;
        return eat_int(p, &c->pipe_handle);
    }
    if (!(*seen & 2u) && fz_scan_eat(p, "parent_pid=")) {
        *seen |= 2u;
        return eat_int_or_none(p, &c->parent_pid);
    }
    if (!(*seen & 4u) && fz_scan_eat(p, "tracker_fd=")) {
        *seen |= 4u;
        return eat_int_or_none(p, &c->tracker_fd);
    }
    return 0;
}

/* A flag made of one letter repeated 1..max times: "-vv". */
static int
repeated(const char *arg, char letter, int max)
{
    int n = 0;

    if (arg[0] != '-') {
        return 0;
    }
    for (arg++; *arg == letter; arg++) {
        n++;
    }
    return *arg == '\0' && n <= max ? n : 0;
}

/* The -X options _args_from_interpreter_flags() passes on. */
static int
valid_xoption(const char *opt)
{
    static const char *const names[] = {"faulthandler", "tracemalloc",
                                        "importtime", "showrefcount", "utf8"};
    size_t i, n;

    if (strcmp(opt, "dev") == 0) {
        return 1;
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        n = strlen(names[i]);
        if (strncmp(opt, names[i], n) == 0 &&
            (opt[n] == '\0' || (opt[n] == '=' && opt[n + 1] != '\0'))) {
            return 1;
        }
    }
    return 0;
}

/*
 * The flags from argv[*i] up to "-c", in the order subprocess emits them:
 * -O, -d, -B, -S, -v, -b, -q, then -I or (-E, -s, -P), then -W..., -X....
 */
static int
parse_flags(fz_child *c, int argc, char *const *argv, int *i)
{
    static const char letters[] = "OdBSvbq";
    static const int max[] = {2, 3, 1, 1, 3, 2, 1};
    int *counts[7];
    int rank = -1, isolated = 0, n, k;
    const char *a;

    counts[0] = &c->optimize;
    counts[1] = &c->debug;
    counts[2] = &c->dont_write_bytecode;
    counts[3] = NULL; /* -S: the runtime never imports site */
    counts[4] = &c->verbose;
    counts[5] = &c->bytes_warning;
    counts[6] = &c->quiet;
    for (; *i < argc && strcmp(argv[*i], "-c") != 0; (*i)++) {
        a = argv[*i];
        for (k = 0; k < 7; k++) {
            n = repeated(a, letters[k], max[k]);
            if (n > 0) {
                break;
            }
        }
        if (k < 7) {
            if (k <= rank) {
                return 0;
            }
            rank = k;
            if (counts[k]) {
                *counts[k] = n;
            }
        } else if (strcmp(a, "-I") == 0) {
            if (rank >= 7) {
                return 0;
            }
            rank = 7;
            isolated = 1;
        } else if (strcmp(a, "-E") == 0 || strcmp(a, "-s") == 0 ||
                   strcmp(a, "-P") == 0) {
            k = a[1] == 'E' ? 8 : a[1] == 's' ? 9 : 10;
            if (isolated || k <= rank) {
                return 0;
            }
            rank = k;
        } else if (a[0] == '-' && a[1] == 'W' && a[2] != '\0') {
            if (rank > 11) {
                return 0;
            }
            rank = 11;
        } else if (strcmp(a, "-X") == 0 && *i + 1 < argc &&
                   valid_xoption(argv[*i + 1])) {
            rank = 12;
            (*i)++;
        } else {
            return 0;
        }
    }
    return *i < argc;
}

/* exe --multiprocessing-fork name=value... (spawn, sys.frozen set) */
static fz_child_kind
parse_frozen_spawn(fz_child *c, int argc, char *const *argv)
{
    unsigned seen = 0;
    const char *p;
    int i;

    for (i = 2; i < argc; i++) {
        p = argv[i];
        if (!eat_spawn_kwarg(&p, c, &seen) || *p != '\0') {
            return FZ_CHILD_NONE;
        }
    }
    return (seen & 1u) ? FZ_CHILD_SPAWN : FZ_CHILD_NONE;
}

/* The code of a `-c` form and what may follow it. */
static fz_child_kind
parse_code(fz_child *c, const char *p, int nrest, char *const *rest)
{
    unsigned seen = 0;

    if (fz_scan_eat(&p, SPAWN_CODE)) {
        do {
            if (!eat_spawn_kwarg(&p, c, &seen)) {
                return FZ_CHILD_NONE;
            }
        } while (fz_scan_eat(&p, ", "));
        if (!fz_scan_eat(&p, ")") || *p != '\0' || !(seen & 1u) || nrest != 1 ||
            strcmp(rest[0], MP_FORK) != 0) {
            return FZ_CHILD_NONE;
        }
        return FZ_CHILD_SPAWN;
    }
    if (nrest != 0) {
        return FZ_CHILD_NONE;
    }
    if (fz_scan_eat(&p, TRACKER_CODE)) {
        if (!eat_int(&p, &c->fd[0]) || !fz_scan_eat(&p, ")") || *p != '\0') {
            return FZ_CHILD_NONE;
        }
        return FZ_CHILD_RESOURCE_TRACKER;
    }
    if (fz_scan_eat(&p, FORKSERVER_CODE)) {
        if (!eat_int(&p, &c->fd[0]) || !fz_scan_eat(&p, ", ") ||
            !eat_int(&p, &c->fd[1]) || !fz_scan_eat(&p, ", ")) {
            return FZ_CHILD_NONE;
        }
        c->preload = p;
        if (!eat_str_list(&p)) {
            return FZ_CHILD_NONE;
        }
        c->preload_size = (size_t)(p - c->preload);
        if (!fz_scan_eat(&p, ", **")) {
            return FZ_CHILD_NONE;
        }
        c->kwds = p;
        if (!eat_kwds(&p)) {
            return FZ_CHILD_NONE;
        }
        c->kwds_size = (size_t)(p - c->kwds);
        if (!fz_scan_eat(&p, ")") || *p != '\0') {
            return FZ_CHILD_NONE;
        }
        return FZ_CHILD_FORKSERVER;
    }
    return FZ_CHILD_NONE;
}

fz_child_kind
fz_child_parse(fz_child *out, int argc, char *const *argv)
{
    fz_child c;
    int i = 1;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    c.pipe_handle = -1;
    c.parent_pid = -1;
    c.tracker_fd = -1;
    c.fd[0] = c.fd[1] = -1;
    if (argc < 2 || !argv) {
        return FZ_CHILD_NONE;
    }
    for (i = 0; i < argc; i++) {
        if (!argv[i]) {
            return FZ_CHILD_NONE;
        }
    }
    if (strcmp(argv[1], MP_FORK) == 0) {
        c.kind = parse_frozen_spawn(&c, argc, argv);
    } else {
        i = 1;
        c.flags_begin = 1;
        if (parse_flags(&c, argc, argv, &i) && i + 1 < argc) {
            c.flags_end = i;
            c.code_index = i + 1;
            c.kind = parse_code(&c, argv[i + 1], argc - i - 2, argv + i + 2);
        }
    }
    if (c.kind != FZ_CHILD_NONE) {
        *out = c;
    } else {
        out->pipe_handle = out->parent_pid = out->tracker_fd = -1;
        out->fd[0] = out->fd[1] = -1;
    }
    return out->kind;
}
