/*
 * fuzz_payload.c - libFuzzer target for the payload reader: any bytes are
 * opened as a payload, and a valid one has every entry read, borrowed and
 * looked up. A second copy gets a correct meta_hash so mutations reach the
 * checks behind it.
 */
#include "fz_payload.h"
#include "fz_bytes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

/* Entries larger than this are read only into a too-small buffer: the
 * fuzzer's memory limit is not what is being tested. */
#define READ_MAX ((uint64_t)1 << 22)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A borrowed entry (and one borrowed while that loan is out) holds what
 * fz_payload_read_alloc gave: `want`. */
static void
borrow_same(fz_payload *p, const fz_entry *e, const void *want, size_t size)
{
    fz_payload_loan outer, inner;

    if (fz_payload_borrow(p, e, &outer) != 0) {
        abort(); /* it was read once already */
    }
    if (fz_payload_borrow(p, e, &inner) != 0 || inner.size != size ||
        memcmp(inner.data, want, size) != 0) {
        abort();
    }
    fz_payload_return(p, &inner);
    if (outer.size != size || memcmp(outer.data, want, size) != 0) {
        abort();
    }
    fz_payload_return(p, &outer);
}

static void
exercise(fz_payload *p)
{
    static const char *names[] = {
        "", "a", "a.pyc", "pkg/", "pkg/__init__.pyc", "zzzz"};
    uint64_t count = fz_payload_entry_count(p);
    fz_entry e;
    char small[16];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        uint64_t lb = fz_payload_lower_bound(p, names[i], strlen(names[i]));
        if (lb < count) {
            fz_payload_entry_at(p, lb, &e);
        }
        (void)fz_payload_find(p, names[i], strlen(names[i]), &e);
    }
    if (fz_payload_main(p, &e) == 0) {
        (void)fz_payload_read(p, &e, small, sizeof(small));
    }
    for (uint64_t i = 0; i < count && i < 4096; i++) {
        fz_entry found;
        void *buf = NULL;
        size_t buf_size;

        fz_payload_entry_at(p, i, &e);
        if (fz_payload_find(p, e.name, e.name_size, &found) != 0 ||
            found.index != e.index) {
            abort(); /* a validated index must find its own names */
        }
        (void)fz_payload_read(p, &e, small, sizeof(small));
        if (e.raw_size <= READ_MAX &&
            fz_payload_read_alloc(p, &e, &buf, &buf_size) == 0) {
            if (buf_size != e.raw_size) {
                abort();
            }
            borrow_same(p, &e, buf, buf_size);
            free(buf);
        }
    }
}

/* Open, use and close `data`; *opened tells whether it was valid. */
static void
run(const uint8_t *data, size_t size, int *opened)
{
    fz_payload *p = NULL;

    *opened = fz_payload_open(&p, data, size, 0, 0) == 0;
    if (!*opened) {
        return;
    }
    exercise(p);
    fz_payload_free(p);
    /* The version check, as a 3.11 runtime makes it. */
    if (fz_payload_open(&p, data, size, (3u << 24) | (11u << 16),
                        3495u | (0x0a0du << 16)) == 0) {
        fz_payload_free(p);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy;
    uint64_t data_offset;
    uint64_t hash;
    XXH3_state_t state;
    int opened;

    run(data, size, &opened);
    if (opened || size < FZ_PAYLOAD_HEADER_SIZE) {
        return 0;
    }
    data_offset = fz_get_u64(data + 72);
    if (data_offset < FZ_PAYLOAD_HEADER_SIZE || data_offset > size) {
        return 0;
    }
    copy = malloc(size);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    XXH3_64bits_reset(&state);
    XXH3_64bits_update(&state, copy, 104);
    XXH3_64bits_update(&state, copy + FZ_PAYLOAD_HEADER_SIZE,
                       (size_t)(data_offset - FZ_PAYLOAD_HEADER_SIZE));
    hash = XXH3_64bits_digest(&state);
    for (int i = 0; i < 8; i++) {
        copy[104 + i] = (uint8_t)(hash >> (8 * i));
    }
    run(copy, size, &opened);
    free(copy);
    return 0;
}
