/* Bearer tokens: only an unexpired HS256 JWT signed with the server's key,
 * with a string `sub` and an integer `exp`, is accepted. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>

#include "fixture.h"

#define KEY_SIZE 32

static struct fixture fx;
static unsigned char server_key[KEY_SIZE];

/* Reads the signing key that `stayhooks-server token` created, so tests can
 * sign tokens that differ from valid ones in exactly one way. */
static int read_server_key(const char *db_path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int rc = -1;

    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        goto done;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'jwt_key'", -1, &stmt, NULL) != SQLITE_OK)
        goto done;
    if (sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_bytes(stmt, 0) != KEY_SIZE)
        goto done;
    memcpy(server_key, sqlite3_column_blob(stmt, 0), KEY_SIZE);
    rc = 0;

done:
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rc;
}

static int group_setup(void **state)
{
    (void)state;
    if (fixture_setup(&fx, NULL) != 0)
        return -1;
    return read_server_key(fx.db);
}

static int group_teardown(void **state)
{
    (void)state;
    return fixture_teardown(&fx);
}

/* Signs a token with `alg` and `key`. `grants_json` contains the claims. */
static char *sign(jwt_alg_t alg, const unsigned char *key, int key_len, const char *grants_json)
{
    jwt_t *jwt = NULL;
    char *token;

    assert_int_equal(jwt_new(&jwt), 0);
    assert_int_equal(jwt_add_grants_json(jwt, grants_json), 0);
    assert_int_equal(jwt_set_alg(jwt, alg, key, key_len), 0);
    token = jwt_encode_str(jwt);
    assert_non_null(token);
    jwt_free(jwt);
    return token;
}

static char *claims(const char *sub_json, long exp_offset)
{
    char *text = malloc(256);

    snprintf(text, 256, "{\"sub\":%s,\"exp\":%ld}", sub_json, (long)time(NULL) + exp_offset);
    return text;
}

/* Sends GET list with `authorization` as the raw header value (NULL: none)
 * and checks the status; the reply must never echo the token. */
static void expect_status(const char *authorization, long status, const char *error_part)
{
    char *url = fixture_url(&fx, "webhooks/%R", ROOM, NULL);
    char header[4096];
    const char *headers[2] = { NULL, NULL };
    struct test_http_response response;
    json_t *body;

    if (authorization != NULL) {
        snprintf(header, sizeof header, "Authorization: %s", authorization);
        headers[0] = header;
    }
    assert_int_equal(test_http("GET", url, headers, NULL, 0, &response), 0);
    if (response.status != status)
        print_error("Authorization %s: %ld %s\n", authorization ? authorization : "(none)",
                    response.status, response.body);
    assert_int_equal(response.status, status);
    body = json_loads(response.body, 0, NULL);
    assert_non_null(body);
    if (error_part != NULL)
        assert_non_null(strstr(json_string_value(json_object_get(body, "error")), error_part));
    if (authorization != NULL && strlen(authorization) > 20)
        assert_null(strstr(response.body, authorization + 7));
    json_decref(body);
    test_http_response_free(&response);
    free(url);
}

static void bearer(char *out, size_t size, const char *token)
{
    snprintf(out, size, "Bearer %s", token);
}

static void valid_token_signed_in_test_is_accepted(void **state)
{
    char header[2048];
    char *grants = claims("\"alice\"", 600);
    char *token = sign(JWT_ALG_HS256, server_key, KEY_SIZE, grants);
    (void)state;

    /* Proves the key read from the database is the server's, so the
     * rejections below come from the one thing each case changes. */
    bearer(header, sizeof header, token);
    expect_status(header, 200, NULL);
    free(token);
    free(grants);
}

static void missing_and_malformed_tokens_get_401(void **state)
{
    (void)state;
    expect_status(NULL, 401, "missing bearer token");
    expect_status("Basic YWxpY2U6cHc=", 401, "Bearer");
    expect_status("Bearer", 401, NULL);
    expect_status("Bearer not-a-jwt", 401, "token is malformed");
    expect_status("Bearer a.b.c", 401, "token is malformed");
    expect_status("Bearer eyJhbGciOiJIUzI1NiJ9..", 401, "token is malformed");
    expect_status("Bearer a.b.c.d", 401, "token is malformed");
}

static void alg_none_token_gets_401(void **state)
{
    char header[2048];
    char *grants = claims("\"alice\"", 600);
    char *token = sign(JWT_ALG_NONE, NULL, 0, grants);
    (void)state;

    bearer(header, sizeof header, token);
    expect_status(header, 401, "token algorithm must be HS256");
    free(token);
    free(grants);
}

static void badly_signed_token_gets_401(void **state)
{
    unsigned char other_key[KEY_SIZE];
    char header[2048];
    char *grants = claims("\"alice\"", 600);
    char *token;
    (void)state;

    memcpy(other_key, server_key, KEY_SIZE);
    other_key[0] ^= 0x01;
    token = sign(JWT_ALG_HS256, other_key, KEY_SIZE, grants);
    bearer(header, sizeof header, token);
    expect_status(header, 401, "token signature is invalid");
    free(token);
    free(grants);
}

static void swapped_payload_gets_401(void **state)
{
    char header[4096];
    const char *owner = fx.owner_token;
    const char *member = fx.member_token;
    const char *owner_payload = strchr(owner, '.') + 1;
    size_t owner_payload_len = (size_t)(strchr(owner_payload, '.') - owner_payload);
    const char *member_signature = strrchr(member, '.');
    size_t header_len = (size_t)(strchr(member, '.') - member);
    (void)state;

    /* Member's header and signature around the owner's claims. */
    snprintf(header, sizeof header, "Bearer %.*s.%.*s%s", (int)header_len, member,
             (int)owner_payload_len, owner_payload, member_signature);
    expect_status(header, 401, "token signature is invalid");
}

static void expired_token_gets_401(void **state)
{
    char header[2048];
    char *grants = claims("\"alice\"", -5);
    char *token = sign(JWT_ALG_HS256, server_key, KEY_SIZE, grants);
    (void)state;

    bearer(header, sizeof header, token);
    expect_status(header, 401, "token is expired");
    free(token);
    free(grants);
}

static void other_algorithm_gets_401(void **state)
{
    char header[2048];
    char *grants = claims("\"alice\"", 600);
    char *token = sign(JWT_ALG_HS512, server_key, KEY_SIZE, grants);
    (void)state;

    bearer(header, sizeof header, token);
    expect_status(header, 401, "HS256");
    free(token);
    free(grants);
}

static void bad_claims_get_401(void **state)
{
    char header[2048];
    char expiry[64];
    struct {
        const char *grants;
        const char *error_part;
    } cases[] = {
        { "{\"sub\":\"alice\"}", "exp must be an integer" },
        { NULL, "exp must be an integer" },          /* exp as a string */
        { NULL, "sub must be a non-empty string" },  /* sub missing */
        { NULL, "sub must be a non-empty string" },  /* sub a number */
    };
    char exp_string[128];
    char no_sub[128];
    char number_sub[128];
    (void)state;

    snprintf(expiry, sizeof expiry, "%ld", (long)time(NULL) + 600);
    snprintf(exp_string, sizeof exp_string, "{\"sub\":\"alice\",\"exp\":\"%s\"}", expiry);
    snprintf(no_sub, sizeof no_sub, "{\"exp\":%s}", expiry);
    snprintf(number_sub, sizeof number_sub, "{\"sub\":7,\"exp\":%s}", expiry);
    cases[1].grants = exp_string;
    cases[2].grants = no_sub;
    cases[3].grants = number_sub;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *token = sign(JWT_ALG_HS256, server_key, KEY_SIZE, cases[i].grants);
        bearer(header, sizeof header, token);
        expect_status(header, 401, cases[i].error_part);
        free(token);
    }
}

static void minted_ttl_is_honoured(void **state)
{
    char header[2048];
    /* A 3 s lifetime leaves room for a loaded machine between minting and the
     * first request. A 1 s lifetime expired there when a second ticked over. */
    char *token = test_mint_token(fx.db, "alice", 3);
    struct timespec pause = { 4, 200 * 1000000L };
    (void)state;

    assert_non_null(token);
    bearer(header, sizeof header, token);
    expect_status(header, 200, NULL);
    nanosleep(&pause, NULL);
    expect_status(header, 401, "token is expired");
    free(token);
}

/* Appends `len` bytes of `data` to `out` in base64url without padding, as
 * JWTs spell their parts. */
static void append_base64url(char *out, size_t size, const char *data, size_t len)
{
    unsigned char encoded[1024];
    size_t used = strlen(out);
    int n;

    assert_true(len * 4 / 3 + 4 < sizeof encoded);
    n = EVP_EncodeBlock(encoded, (const unsigned char *)data, (int)len);
    for (int i = 0; i < n && encoded[i] != '='; i++) {
        char c = (char)encoded[i];
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
        assert_true(used + 1 < size);
        out[used++] = c;
    }
    out[used] = '\0';
}

/* Builds "Bearer <token>" from raw header and claims JSON, signed with
 * HMAC-SHA256 and the server's key. libjwt cannot write a lower-case alg
 * or duplicate claims, so these tokens are assembled by hand. */
static void crafted_bearer(char *out, size_t size, const char *header_json, const char *claims_json)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    size_t signed_start;

    snprintf(out, size, "Bearer ");
    signed_start = strlen(out);
    append_base64url(out, size, header_json, strlen(header_json));
    strcat(out, ".");
    append_base64url(out, size, claims_json, strlen(claims_json));
    assert_non_null(HMAC(EVP_sha256(), server_key, KEY_SIZE, (const unsigned char *)out + signed_start,
                         strlen(out) - signed_start, mac, &mac_len));
    strcat(out, ".");
    append_base64url(out, size, (const char *)mac, mac_len);
}

static void crafted_token_rules(void **state)
{
    char header[2048];
    char grants[256];
    long now = (long)time(NULL);
    (void)state;

    /* The hand-made token is accepted when it follows every rule, so each
     * rejection below comes from the one thing its case changes. */
    snprintf(grants, sizeof grants, "{\"sub\":\"alice\",\"exp\":%ld}", now + 600);
    crafted_bearer(header, sizeof header, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", grants);
    expect_status(header, 200, NULL);

    crafted_bearer(header, sizeof header, "{\"alg\":\"hs256\",\"typ\":\"JWT\"}", grants);
    expect_status(header, 401, "token algorithm must be HS256");

    crafted_bearer(header, sizeof header, "{\"alg\":\"HS256\",\"alg\":\"HS256\",\"typ\":\"JWT\"}", grants);
    expect_status(header, 401, "token is malformed");

    snprintf(grants, sizeof grants, "{\"sub\":\"mia\",\"sub\":\"alice\",\"exp\":%ld}", now + 600);
    crafted_bearer(header, sizeof header, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", grants);
    expect_status(header, 401, "token is malformed");

    snprintf(grants, sizeof grants, "{\"sub\":\"alice\",\"exp\":%ld,\"nbf\":%ld}", now + 600, now + 300);
    crafted_bearer(header, sizeof header, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", grants);
    expect_status(header, 401, "token is not valid yet");

    snprintf(grants, sizeof grants, "{\"sub\":\"alice\",\"exp\":%ld,\"nbf\":\"soon\"}", now + 600);
    crafted_bearer(header, sizeof header, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", grants);
    expect_status(header, 401, "token nbf must be an integer");

    snprintf(grants, sizeof grants, "{\"sub\":\"alice\",\"exp\":%ld,\"nbf\":%ld}", now + 600, now - 5);
    crafted_bearer(header, sizeof header, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", grants);
    expect_status(header, 200, NULL);

    crafted_bearer(header, sizeof header, "[\"HS256\"]", grants);
    expect_status(header, 401, "token is malformed");
}

static void token_for_unknown_user_gets_403(void **state)
{
    char header[2048];
    (void)state;

    bearer(header, sizeof header, fx.stranger_token);
    expect_status(header, 403, "owner or an admin");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_token_signed_in_test_is_accepted),
        cmocka_unit_test(missing_and_malformed_tokens_get_401),
        cmocka_unit_test(alg_none_token_gets_401),
        cmocka_unit_test(badly_signed_token_gets_401),
        cmocka_unit_test(swapped_payload_gets_401),
        cmocka_unit_test(expired_token_gets_401),
        cmocka_unit_test(other_algorithm_gets_401),
        cmocka_unit_test(bad_claims_get_401),
        cmocka_unit_test(minted_ttl_is_honoured),
        cmocka_unit_test(crafted_token_rules),
        cmocka_unit_test(token_for_unknown_user_gets_403),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
