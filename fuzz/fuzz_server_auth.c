/* fuzz_server_auth.c: libFuzzer harness for the server's bearer-token
 * check, auth_verify(). The input is the Authorization header value;
 * "$TOKEN" in it stands for a valid token of the room owner, so mutations
 * start from tokens that pass. A success must name a user, and a failure
 * must give a reason that never quotes the token. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "fuzz_server_common.h"

/* Returns the input as a string with the first "$TOKEN" replaced. */
static char *expand_input(const uint8_t *data, size_t size)
{
    char *raw = malloc(size + 1);
    char *at;
    char *out;
    size_t out_size;
    const char *token = fuzz_owner_token();

    FUZZ_CHECK(raw != NULL);
    memcpy(raw, data, size);
    raw[size] = '\0';
    at = strstr(raw, FUZZ_OWNER_PLACEHOLDER);
    if (at == NULL)
        return raw;

    out_size = strlen(raw) - strlen(FUZZ_OWNER_PLACEHOLDER) + strlen(token) + 1;
    out = malloc(out_size);
    FUZZ_CHECK(out != NULL);
    snprintf(out, out_size, "%.*s%s%s", (int)(at - raw), raw, token,
             at + strlen(FUZZ_OWNER_PLACEHOLDER));
    free(raw);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct server *srv = fuzz_server();
    char *header = expand_input(data, size);
    char *user = NULL;
    const char *why = NULL;
    const char *token;

    if (auth_verify(srv->jwt_key, sizeof srv->jwt_key, header, &user, &why) == 0) {
        FUZZ_CHECK(user != NULL);
        FUZZ_CHECK(user[0] != '\0');
    } else {
        FUZZ_CHECK(user == NULL);
        FUZZ_CHECK(why != NULL);
        /* A reason may share short words with a token, so only a token
         * of some length counts as quoted. */
        token = strchr(header, ' ') != NULL ? strrchr(header, ' ') + 1 : header;
        if (strlen(token) >= 16)
            FUZZ_CHECK(strstr(why, token) == NULL);
    }
    free(user);
    free(header);
    return 0;
}
