/*
 * fz_error.h - the one error slot shared by the freezer and the runtime.
 *
 * Functions return 0 on success and a negative fz_status on failure; the
 * failing function records one line of context here. Only main() prints it.
 */
#ifndef FZ_ERROR_H
#define FZ_ERROR_H

#include <stdarg.h>

/* Failures a caller may act on. Everything else is FZ_EFAIL. */
typedef enum fz_status {
    FZ_OK = 0,
    FZ_EFAIL = -1,      /* generic failure; see the message */
    FZ_ENOMEM = -2,     /* allocation failed */
    FZ_EIO = -3,        /* an OS call failed */
    FZ_ENOTFOUND = -4,  /* a name, file or section does not exist */
    FZ_EFORMAT = -5,    /* input is damaged or not of the expected format */
    FZ_EMAGIC = -6,     /* not a payload at all (wrong magic) */
    FZ_EVERSION = -7,   /* payload format newer than this reader */
    FZ_EPYVERSION = -8, /* payload built for another CPython/bytecode */
    FZ_EHASH = -9,      /* content does not match its recorded hash */
    FZ_EINVAL = -10,    /* the caller passed a bad argument */
    FZ_ESYNTAX = -11    /* the program has a syntax error */
} fz_status;

/*
 * Record an error message (printf-style, one line, no trailing newline) and
 * return `status` so callers can write `return fz_error_set(FZ_EIO, ...)`.
 * The slot is per thread; a later call replaces the message.
 */
int fz_error_set(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Same, with a va_list. */
int fz_error_vset(int status, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 0)))
#endif
    ;

/*
 * Prefix the current message with more context: "ctx: old message".
 * Returns `status` unchanged.
 */
int fz_error_wrap(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The last message of this thread, or "" when there is none. Borrowed. */
const char *fz_error_message(void);

/* The status recorded with the last message (FZ_OK when none). */
int fz_error_status(void);

/* Forget the last message. */
void fz_error_clear(void);

#endif /* FZ_ERROR_H */
