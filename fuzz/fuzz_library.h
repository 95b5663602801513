/* fuzz_library.h: names shared by the library fuzz harnesses and the seed
 * generator. */
#ifndef STAYHOOKS_FUZZ_LIBRARY_H
#define STAYHOOKS_FUZZ_LIBRARY_H

#include <stdio.h>
#include <stdlib.h>

/* The client's token and the webhook secret in fuzz_error_reply. Seeds put
 * them in reply bodies, and no error text may show them. */
#define FUZZ_TOKEN "fuzz-token-8c1f"
#define FUZZ_SECRET_TEXT "whk_fuzz_secret_5e2a"

#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

#endif
