/* fuzz_retry_after.c: libFuzzer harness for Retry-After parsing. The value
 * must come back as -1 (ignored) or as a finite, non-negative number of
 * seconds, whatever the header holds. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "retry.h"

/* A fixed clock keeps a crash reproducible from its input alone:
 * 2026-12-04T20:00:00Z. */
#define FUZZ_NOW ((time_t)1796414400)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = malloc(size + 1);
    double seconds;

    if (value == NULL)
        return 0;
    memcpy(value, data, size);
    value[size] = '\0';

    seconds = stayhooks__retry_after_parse(value, FUZZ_NOW);
    if (!(seconds == -1.0 || (isfinite(seconds) && seconds >= 0.0))) {
        fprintf(stderr, "Retry-After parsed to %g\n", seconds);
        abort();
    }
    free(value);
    return 0;
}
