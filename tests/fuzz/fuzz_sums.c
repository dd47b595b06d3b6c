/*
 * Fuzz target: the checksum-list line parser behind `hash --check`, for every
 * algorithm. The first byte picks the algorithm; the rest is one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mediavault/sums.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mv_sums_line sl;

    if (size == 0)
        return 0;
    mv_digest_algo algo = (mv_digest_algo)(data[0] % 5); /* 4 is invalid on purpose */
    char *line = malloc(size);
    if (line == NULL)
        return 0;
    memcpy(line, data + 1, size - 1);
    line[size - 1] = '\0';
    if (mv_sums_parse_line(algo, NULL, line, size - 1, &sl) == MV_OK && sl.kind == MV_SUMS_ENTRY) {
        /* The name must lie inside the buffer and be terminated there. */
        if (sl.name < line || sl.name >= line + size || strlen(sl.name) >= size)
            abort();
    }
    free(line);
    return 0;
}
