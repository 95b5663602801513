#define _POSIX_C_SOURCE 200809L
#include "auth.h"

#include <jansson.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

char *auth_mint(const unsigned char *key, size_t key_len, const char *user, long ttl)
{
    jwt_t *jwt = NULL;
    char *token = NULL;
    long now = (long)time(NULL);

    if (jwt_new(&jwt) != 0)
        goto done;
    if (jwt_add_grant(jwt, "sub", user) != 0)
        goto done;
    if (jwt_add_grant_int(jwt, "iat", now) != 0)
        goto done;
    if (jwt_add_grant_int(jwt, "exp", now + ttl) != 0)
        goto done;
    if (jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)key_len) != 0)
        goto done;
    token = jwt_encode_str(jwt);

done:
    jwt_free(jwt);
    return token;
}

/* Returns 1 when the claim `name` is a JSON integer and stores it in *out.
 * jwt_get_grant_int() cannot tell 0 from a string or a missing claim. */
static int claim_integer(jwt_t *jwt, const char *name, json_int_t *out)
{
    char *text = jwt_get_grants_json(jwt, name);
    json_t *value = NULL;
    int ok = 0;

    if (text == NULL)
        goto done;
    value = json_loads(text, JSON_DECODE_ANY, NULL);
    if (!json_is_integer(value))
        goto done;
    *out = json_integer_value(value);
    ok = 1;

done:
    json_decref(value);
    free(text);
    return ok;
}

int auth_verify(const unsigned char *key, size_t key_len, const char *header,
                char **user, const char **why)
{
    jwt_t *jwt = NULL;
    const char *token;
    const char *sub;
    json_int_t exp = 0;
    int rc = -1;

    *user = NULL;
    if (header == NULL) {
        *why = "missing bearer token";
        goto done;
    }
    if (strncasecmp(header, "Bearer ", 7) != 0) {
        *why = "Authorization must be \"Bearer <token>\"";
        goto done;
    }
    token = header + 7;
    while (*token == ' ')
        token++;

    if (jwt_decode(&jwt, token, key, (int)key_len) != 0 || jwt == NULL) {
        *why = "invalid token";
        goto done;
    }

    /* jwt_decode() with a key already fails for "alg": "none" in libjwt
     * 1.10, but only HS256 is ever minted, so anything else is refused here
     * as well rather than trusting that behaviour. */
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        *why = "invalid token: algorithm must be HS256";
        goto done;
    }

    sub = jwt_get_grant(jwt, "sub");
    if (sub == NULL || *sub == '\0') {
        *why = "invalid token: sub must be a non-empty string";
        goto done;
    }
    if (!claim_integer(jwt, "exp", &exp)) {
        *why = "invalid token: exp must be an integer";
        goto done;
    }
    if (exp <= (json_int_t)time(NULL)) {
        *why = "token expired";
        goto done;
    }

    *user = strdup(sub);
    if (*user == NULL) {
        *why = "out of memory";
        goto done;
    }
    rc = 0;

done:
    jwt_free(jwt);
    return rc;
}
