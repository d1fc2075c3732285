/*
 * Test-only shim (tests/macos): the host's <stdio.h> plus renameatx_np and
 * RENAME_SWAP, which macOS declares there (<sys/stdio.h>, 10.12+). The
 * value is the SDK's. Not Apple's header.
 */
#ifndef FZ_SHIM_STDIO_H
#define FZ_SHIM_STDIO_H

#include_next <stdio.h>

#define RENAME_SWAP 0x00000002

int renameatx_np(int fromfd, const char *from, int tofd, const char *to,
                 unsigned int flags);

#endif
