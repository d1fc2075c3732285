/*
 * python.c - python3 built the way the runtime stub is: Debian's static
 * libpython3.X.a, whole, linked non-PIE. bench/run runs each program with
 * it beside /usr/bin/python3, so that a frozen app's figures can also be
 * read against the same CPython code: the archive is not the code of
 * Debian's python3 executable, which runs about 8% fewer instructions for
 * the same program (it is built with link-time optimisation).
 */
#include <Python.h>

int
main(int argc, char **argv)
{
    return Py_BytesMain(argc, argv);
}
