/*
 * Test-only shim (tests/macos): the host's <unistd.h> plus issetugid,
 * which macOS (like the BSDs) declares there. Not Apple's header.
 */
#ifndef FZ_SHIM_UNISTD_H
#define FZ_SHIM_UNISTD_H

#include_next <unistd.h>

int issetugid(void);

#endif
