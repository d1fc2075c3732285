/*
 * scan.h - reading the fixed-form command lines the runtime is started
 * with (child.c: multiprocessing's helpers; launch.c: fz-launcher's
 * argument).
 */
#ifndef FZ_SCAN_H
#define FZ_SCAN_H

#include <string.h>

/* Consume `lit` at *p: 1 when *p started with it (and now follows it). */
static inline int
fz_scan_eat(const char **p, const char *lit)
{
    size_t n = strlen(lit);

    if (strncmp(*p, lit, n) != 0) {
        return 0;
    }
    *p += n;
    return 1;
}

#endif /* FZ_SCAN_H */
