/* fuzz_server_common.h: the stayhooks-server state that the server fuzz
 * harnesses share: an in-memory database with a few rooms and one webhook,
 * a fixed signing key and tokens. It is not part of the server. */
#ifndef STAYHOOKS_FUZZ_SERVER_COMMON_H
#define STAYHOOKS_FUZZ_SERVER_COMMON_H

#include "server.h"

/* The webhook that fuzz_server_state_reset() creates, matching the IDs and
 * secret of tests/data/client-cases.json so its requests reach a handler. */
#define FUZZ_ROOM "ROOM123"
#define FUZZ_WEBHOOK "wh1"
#define FUZZ_SECRET "whk_test_secret_0001"

/* Placeholders in fuzz inputs that stand for valid bearer tokens of the
 * room owner and of a plain member, minted when the harness starts. */
#define FUZZ_OWNER_PLACEHOLDER "$TOKEN"
#define FUZZ_MEMBER_PLACEHOLDER "$MEMBER_TOKEN"

#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

/* Returns the fuzz server, set up on the first call: fixed signing key,
 * default limits, and tokens for "owner" and "member". */
struct server *fuzz_server(void);

/* Makes sure the database is a fresh in-memory one holding the rooms
 * ROOM123 (owner, admin, member), R1, "team/alpha beta", "café" and "..",
 * and the webhook FUZZ_WEBHOOK in FUZZ_ROOM, and that the rate limiter is
 * new. It rebuilds both only when the last input changed the database.
 * Every input thus starts from the same state, and a crash reproduces
 * from its input alone. */
void fuzz_server_state_reset(void);

/* Returns the owner's or the member's token (borrowed). */
const char *fuzz_owner_token(void);
const char *fuzz_member_token(void);

#endif
