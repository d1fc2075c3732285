/*
 * onedir.h - the bundle root of a onedir app (payload flag
 * FZ_PAYLOAD_F_ONEDIR): the _internal directory beside the executable,
 * used in place, never written. Called by bundle.c.
 */
#ifndef FZ_RUNTIME_ONEDIR_H
#define FZ_RUNTIME_ONEDIR_H

#include "fz_payload.h"

/*
 * *out (malloc'd) = "<dir of the real executable>/_internal" after
 * checking it: a real directory (not a symlink), owned by the effective
 * user or root and not writable by others, its parent not writable by
 * others unless sticky; and every FZ_ENTRY_F_EXTERNAL entry of `p` a
 * regular file of the recorded size below it, reached through such
 * directories only (no symlink anywhere). `exe` is the resolved path of
 * the running executable. Errors: FZ_PLATFORM_EUNSAFE (ownership or
 * permissions), FZ_EFORMAT (a file missing, replaced or of another size),
 * FZ_ENOMEM. Nothing is written.
 */
int fz_onedir_root(char **out, const fz_payload *p, const char *exe);

#endif /* FZ_RUNTIME_ONEDIR_H */
