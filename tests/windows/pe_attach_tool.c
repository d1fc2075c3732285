/*
 * pe_attach_tool.c - test helper: `pe_attach_tool STUB PAYLOAD OUTPUT`
 * attaches the bytes of PAYLOAD to the PE executable STUB with the
 * freezer's fz_pe_attach (pe_attach.c). Used by tests/windows/run-wine.
 */
#include "buf.h"
#include "fz_error.h"
#include "pe_attach.h"

#include <stdio.h>

int
main(int argc, char **argv)
{
    fz_buf payload = FZ_BUF_INIT;
    int rc;

    if (argc != 4) {
        fprintf(stderr, "usage: pe_attach_tool STUB PAYLOAD OUTPUT\n");
        return 2;
    }
    rc = fz_file_read(&payload, argv[2]);
    if (rc == 0) {
        rc = fz_pe_attach(argv[1], argv[3], payload.data, payload.size, NULL);
    }
    fz_buf_dispose(&payload);
    if (rc < 0) {
        fprintf(stderr, "pe_attach_tool: %s\n", fz_error_message());
        return 1;
    }
    return 0;
}
