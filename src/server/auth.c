#define _POSIX_C_SOURCE 200809L
#include "auth.h"

#include <jansson.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BASE64URL_ALPHABET \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

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

/* Returns 1 when the claim `name` is a JSON integer and stores it in *out. */
static int claim_integer(const json_t *claims, const char *name, json_int_t *out)
{
    const json_t *value = json_object_get(claims, name);

    if (!json_is_integer(value))
        return 0;
    *out = json_integer_value(value);
    return 1;
}

/* Decodes one base64url segment (no padding, RFC 7515) and parses it as a
 * JSON object, rejecting duplicate keys. Returns a new reference or NULL. */
static json_t *decode_segment(const char *segment, size_t len)
{
    EVP_ENCODE_CTX *ctx = NULL;
    char *text = NULL;
    unsigned char *raw = NULL;
    size_t padded = (len + 3) / 4 * 4;
    int raw_len = 0;
    int tail_len = 0;
    json_t *object = NULL;

    if (len == 0 || len % 4 == 1 || strspn(segment, BASE64URL_ALPHABET) < len)
        goto done;
    text = malloc(padded);
    raw = malloc(padded);
    ctx = EVP_ENCODE_CTX_new();
    if (text == NULL || raw == NULL || ctx == NULL)
        goto done;

    /* OpenSSL decodes standard base64, so map the two URL-safe characters
     * and restore the padding that JWTs leave out. */
    for (size_t i = 0; i < padded; i++) {
        char c = i < len ? segment[i] : '=';
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        text[i] = c;
    }
    EVP_DecodeInit(ctx);
    if (EVP_DecodeUpdate(ctx, raw, &raw_len, (const unsigned char *)text, (int)padded) < 0 ||
        EVP_DecodeFinal(ctx, raw + raw_len, &tail_len) != 1)
        goto done;
    raw_len += tail_len;

    object = json_loadb((const char *)raw, (size_t)raw_len, JSON_REJECT_DUPLICATES, NULL);
    if (object != NULL && !json_is_object(object)) {
        json_decref(object);
        object = NULL;
    }

done:
    EVP_ENCODE_CTX_free(ctx);
    free(text);
    free(raw);
    return object;
}

/* Parses the header and the claims of `token` without checking the
 * signature. libjwt 1.10 accepts any case of "alg" and keeps only the last
 * of duplicate claims, so both rules are checked on the raw JSON here. */
static int parse_token(const char *token, json_t **header, json_t **claims, const char **why)
{
    const char *first = strchr(token, '.');
    const char *second = first != NULL ? strchr(first + 1, '.') : NULL;
    const json_t *alg;

    *header = NULL;
    *claims = NULL;
    if (second == NULL || strchr(second + 1, '.') != NULL) {
        *why = "token is malformed: expected three dot-separated parts";
        return -1;
    }
    *header = decode_segment(token, (size_t)(first - token));
    *claims = decode_segment(first + 1, (size_t)(second - first - 1));
    if (*header == NULL || *claims == NULL) {
        *why = "token is malformed: header and claims must be base64url JSON objects "
               "without duplicate keys";
        return -1;
    }
    alg = json_object_get(*header, "alg");
    if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256") != 0) {
        *why = "token algorithm must be HS256";
        return -1;
    }
    return 0;
}

/* Checks the claims that the signature does not: sub, exp and nbf. */
static int check_claims(const json_t *claims, const char **why)
{
    const json_t *sub = json_object_get(claims, "sub");
    json_int_t now = (json_int_t)time(NULL);
    json_int_t exp = 0;
    json_int_t nbf = 0;

    if (!json_is_string(sub) || json_string_length(sub) == 0 ||
        strlen(json_string_value(sub)) != json_string_length(sub)) {
        *why = "token sub must be a non-empty string";
        return -1;
    }
    if (!claim_integer(claims, "exp", &exp)) {
        *why = "token exp must be an integer";
        return -1;
    }
    if (exp <= now) {
        *why = "token is expired";
        return -1;
    }
    if (json_object_get(claims, "nbf") != NULL) {
        if (!claim_integer(claims, "nbf", &nbf)) {
            *why = "token nbf must be an integer";
            return -1;
        }
        if (nbf > now) {
            *why = "token is not valid yet (nbf is in the future)";
            return -1;
        }
    }
    return 0;
}

int auth_verify(const unsigned char *key, size_t key_len, const char *header,
                char **user, const char **why)
{
    jwt_t *jwt = NULL;
    json_t *token_header = NULL;
    json_t *claims = NULL;
    const char *token;
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

    if (parse_token(token, &token_header, &claims, why) != 0)
        goto done;

    /* The raw header already names HS256 and both parts are valid JSON, so
     * a failure here is reported as a bad signature. */
    if (jwt_decode(&jwt, token, key, (int)key_len) != 0 || jwt == NULL ||
        jwt_get_alg(jwt) != JWT_ALG_HS256) {
        *why = "token signature is invalid";
        goto done;
    }
    if (check_claims(claims, why) != 0)
        goto done;

    *user = strdup(json_string_value(json_object_get(claims, "sub")));
    if (*user == NULL) {
        *why = "out of memory";
        goto done;
    }
    rc = 0;

done:
    jwt_free(jwt);
    json_decref(token_header);
    json_decref(claims);
    return rc;
}
