/* test_redact.c: redaction of headers, free text, JSON values and the
 * dry-run record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redact.h"

#include <stayhooks.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_redacted(const char *text, const char *const *secrets, size_t count,
                           const char *expected)
{
    char *out = stayhooks__redact_text(text, secrets, count);
    assert_non_null(out);
    assert_string_equal(out, expected);
    free(out);
}

static void test_header_values(void **state)
{
    (void)state;
    assert_string_equal(stayhooks__redact_header("Authorization", "Bearer tok"),
                        "Bearer <redacted>");
    assert_string_equal(stayhooks__redact_header("authorization", "Bearer tok"),
                        "Bearer <redacted>");
    assert_string_equal(stayhooks__redact_header("X-Stay-Webhook-Secret", "whk_1"),
                        "<redacted>");
    assert_string_equal(stayhooks__redact_header("Accept", "application/json"),
                        "application/json");
}

static void test_text_every_occurrence(void **state)
{
    (void)state;
    const char *secrets[] = { "whk_abc" };
    check_redacted("a whk_abc b whk_abc", secrets, 1, "a <redacted> b <redacted>");
    check_redacted("whk_abc,whk_abc", secrets, 1, "<redacted>,<redacted>");
    /* Short, so hidden only where it is a word of its own. */
    check_redacted("whk_abcwhk_abc", secrets, 1, "whk_abcwhk_abc");
}

static void test_text_several_secrets(void **state)
{
    (void)state;
    const char *secrets[] = { "tok-1", NULL, "", "whk_9" };
    check_redacted("Bearer tok-1 and whk_9", secrets, 4, "Bearer <redacted> and <redacted>");
}

static void test_text_longer_secret_wins(void **state)
{
    (void)state;
    const char *secrets[] = { "abc", "abcdef", "abcdefgh12", "abcdefgh1234" };
    check_redacted("x abcdef x", secrets, 4, "x <redacted> x");
    check_redacted("xabcdefgh1234x", secrets, 4, "x<redacted>x");
}

static void test_text_without_secrets(void **state)
{
    (void)state;
    check_redacted("plain", NULL, 0, "plain");
    const char *secrets[] = { "zzz" };
    check_redacted("", secrets, 1, "");
}

#define LONG_SECRET "whk_3f9a2c81d7e64b5a90c1f2e3d4b5a697"

static void test_text_secret_prefix(void **state)
{
    (void)state;
    const char *secrets[] = { LONG_SECRET };
    /* The first 20 characters, as a server that cuts long values sends. */
    check_redacted("secret whk_3f9a2c81d7e64b5a... is wrong", secrets, 1,
                   "secret <redacted>... is wrong");
    check_redacted("got whk_3f9a2c8!", secrets, 1, "got <redacted>!");
}

static void test_text_secret_middle_and_end(void **state)
{
    (void)state;
    const char *secrets[] = { LONG_SECRET };
    check_redacted("tail e3d4b5a697 end", secrets, 1, "tail <redacted> end");
    check_redacted("mid [d7e64b5a90c1]", secrets, 1, "mid [<redacted>]");
}

static void test_text_short_runs_kept(void **state)
{
    (void)state;
    const char *secrets[] = { LONG_SECRET };
    /* Seven characters, the public prefix and single characters stay. */
    check_redacted("whk_3f9 and whk_ and 3f9a2c8", secrets, 1, "whk_3f9 and whk_ and 3f9a2c8");
    check_redacted("Invalid webhook secret", secrets, 1, "Invalid webhook secret");
}

static void test_text_short_secret_exact_only(void **state)
{
    (void)state;
    const char *secrets[] = { "tok-123", "abc" };
    check_redacted("tok-12 abc ab", secrets, 2, "tok-12 <redacted> ab");
    check_redacted("tok-123", secrets, 2, "<redacted>");
}

/* A short secret inside a longer word is left alone, or a secret "e" or
 * "Id" would rewrite every word and member name that contains it. */
static void test_text_short_secret_whole_word(void **state)
{
    (void)state;
    const char *letter[] = { "e" };
    const char *pair[] = { "Id" };
    const char *dashed[] = { "-x-" };

    check_redacted("message sent", letter, 1, "message sent");
    check_redacted("secret e is wrong", letter, 1, "secret <redacted> is wrong");
    check_redacted("e", letter, 1, "<redacted>");
    check_redacted("(e)", letter, 1, "(<redacted>)");
    /* Only ASCII counts as a word character, so "é" and "«" separate. */
    check_redacted("\xc3\xa9" "e", letter, 1, "\xc3\xa9<redacted>");
    check_redacted("\xc2\xab" "e" "\xc2\xbb", letter, 1, "\xc2\xab<redacted>\xc2\xbb");
    check_redacted("messageId Id", pair, 1, "messageId <redacted>");
    check_redacted("Ids", pair, 1, "Ids");
    check_redacted("a-x-b", dashed, 1, "a<redacted>b");
}

static void test_text_no_long_run_survives(void **state)
{
    (void)state;
    const char *secret = LONG_SECRET;
    const char *secrets[] = { secret };
    size_t secret_len = strlen(secret);
    char text[256];

    /* Every piece of the secret, of every length from the minimum up, with
     * text on both sides. */
    for (size_t start = 0; start < secret_len; start++) {
        for (size_t len = STAYHOOKS_REDACT_MIN_RUN; start + len <= secret_len; len++) {
            snprintf(text, sizeof(text), "x %.*s y %.*s", (int)len, secret + start,
                     (int)(secret_len - start), secret + start);
            char *out = stayhooks__redact_text(text, secrets, 1);
            assert_non_null(out);
            for (size_t i = 0; i + STAYHOOKS_REDACT_MIN_RUN <= secret_len; i++) {
                char run[STAYHOOKS_REDACT_MIN_RUN + 1];
                memcpy(run, secret + i, STAYHOOKS_REDACT_MIN_RUN);
                run[STAYHOOKS_REDACT_MIN_RUN] = '\0';
                if (strstr(out, run) != NULL)
                    fail_msg("\"%s\" became \"%s\", which still contains \"%s\"", text, out,
                             run);
            }
            free(out);
        }
    }
}

/* The straightforward rule that the indexed search must match: at each
 * position the longest whole short secret that is a word of its own, or
 * the longest run of 8 or more bytes found anywhere in a longer secret. */
static size_t reference_hidden_at(const char *text, size_t at, const char *const *secrets,
                                  size_t count)
{
    size_t best = 0;

    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(secrets[i]);
        if (len < STAYHOOKS_REDACT_MIN_RUN) {
            /* Only a match guarantees that text[at + len] is inside the text. */
            if (strncmp(text + at, secrets[i], len) != 0)
                continue;
            int word_before = at > 0 && (isalnum((unsigned char)text[at - 1]) || text[at - 1] == '_');
            int word_after = isalnum((unsigned char)text[at + len]) || text[at + len] == '_';
            int first_word = isalnum((unsigned char)secrets[i][0]) || secrets[i][0] == '_';
            int last_word = isalnum((unsigned char)secrets[i][len - 1]) || secrets[i][len - 1] == '_';
            if (!(first_word && word_before) && !(last_word && word_after) && len > best)
                best = len;
            continue;
        }
        for (size_t j = 0; j < len; j++) {
            size_t n = 0;
            while (j + n < len && text[at + n] != '\0' && text[at + n] == secrets[i][j + n])
                n++;
            if (n >= STAYHOOKS_REDACT_MIN_RUN && n > best)
                best = n;
        }
    }
    return best;
}

static char *reference_redact(const char *text, const char *const *secrets, size_t count)
{
    size_t text_len = strlen(text);
    char *out = malloc(text_len * strlen(STAYHOOKS_REDACTED) + 1);
    char *w = out;

    assert_non_null(out);
    for (size_t at = 0; at < text_len;) {
        size_t hidden = reference_hidden_at(text, at, secrets, count);
        if (hidden > 0) {
            strcpy(w, STAYHOOKS_REDACTED);
            w += strlen(STAYHOOKS_REDACTED);
            at += hidden;
        } else {
            *w++ = text[at++];
        }
    }
    *w = '\0';
    return out;
}

/* Random texts over a small alphabet, spliced with pieces of the secrets,
 * so that partial and overlapping matches are frequent. The fixed seed
 * keeps a failure reproducible. */
static void test_text_matches_reference(void **state)
{
    (void)state;
    const char *const secrets[] = { "abcab_abcabba-cab", "ba", "c-a", "bbbbbbbbbbbbbbbbbbbb",
                                    "a_b_c_a_b_c_a_b" };
    const size_t count = sizeof(secrets) / sizeof(secrets[0]);
    const char alphabet[] = "abc_- ";
    unsigned int seed = 12345;
    char text[160];

    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        while (len < sizeof(text) - 1) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 4 == 0) {
                const char *piece = secrets[(seed >> 8) % count];
                size_t start = (seed >> 4) % strlen(piece);
                size_t take = 1 + (seed >> 20) % (strlen(piece) - start);
                if (len + take >= sizeof(text) - 1)
                    break;
                memcpy(text + len, piece + start, take);
                len += take;
            } else {
                text[len++] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
            }
        }
        text[len] = '\0';

        char *expected = reference_redact(text, secrets, count);
        char *actual = stayhooks__redact_text(text, secrets, count);
        assert_non_null(actual);
        if (strcmp(expected, actual) != 0)
            fail_msg("\"%s\" became \"%s\", expected \"%s\"", text, actual, expected);
        free(expected);
        free(actual);
    }
}

/* A run that ends inside a multi-byte character is widened to its end,
 * so the copy stays valid UTF-8 and JSON can still hold it. */
static void test_text_keeps_utf8_whole(void **state)
{
    (void)state;
    const char *secrets[] = { "abcdefg\xc3\xa9XYZ123" };

    check_redacted("hello abcdefg\xc3\xa8 there", secrets, 1, "hello <redacted> there");
    check_redacted("abcdefg\xc3\xa9XYZ123", secrets, 1, "<redacted>");
}

/* A repetitive secret puts every window in one bucket, and the bounded
 * walk must still leave no run of 8 of its characters. */
static void test_text_repetitive_secret(void **state)
{
    (void)state;
    char secret[201];
    char text[451];
    const char *secrets[] = { secret };

    memset(secret, 'a', 200);
    secret[200] = '\0';
    for (size_t i = 0; i < 50; i++)
        memcpy(text + 9 * i, "aaaaaaaab", 9);
    text[450] = '\0';

    char *out = stayhooks__redact_text(text, secrets, 1);
    assert_non_null(out);
    assert_null(strstr(out, "aaaaaaaa"));
    assert_non_null(strstr(out, "<redacted>b<redacted>b"));
    free(out);
}

static void test_json_strings_and_keys(void **state)
{
    (void)state;
    const char *secrets[] = { LONG_SECRET };
    json_t *value = json_pack("{s:s, s:[s, i, b, n], s:{s:s}, s:s}", "text",
                              "a " LONG_SECRET " b", "list", "x whk_3f9a2c81d7e6", 7, 1,
                              LONG_SECRET, "inner", "quote \"" LONG_SECRET "\"", "plain",
                              "whk_ only");
    assert_non_null(value);

    json_t *clean = stayhooks__redact_json(value, secrets, 1);
    assert_non_null(clean);
    char *text = json_dumps(clean, JSON_COMPACT);
    assert_non_null(text);
    assert_string_equal(text, "{\"text\":\"a <redacted> b\",\"list\":[\"x <redacted>\",7,true,"
                              "null],\"<redacted>\":{\"inner\":\"quote \\\"<redacted>\\\"\"},"
                              "\"plain\":\"whk_ only\"}");
    free(text);
    json_decref(clean);
    json_decref(value);
}

static void test_dry_run_record_redacted(void **state)
{
    (void)state;
    const char *token = "tok-dry-run-0123456789";
    stayhooks_options opts;
    stayhooks_options_init(&opts);
    opts.base_url = "http://127.0.0.1:9";
    opts.token = token;
    opts.dry_run = 1;
    stayhooks_client *client = NULL;
    assert_int_equal(stayhooks_client_new(&opts, &client, NULL), STAYHOOKS_OK);

    /* The secret in the invoke URL's path and in the message text. */
    stayhooks_target target = { NULL, NULL, "http://127.0.0.1:9/hooks/" LONG_SECRET "/invoke",
                                LONG_SECRET };
    stayhooks_message message = { "my secret is " LONG_SECRET ", token " "tok-dry-run-0123",
                                  NULL, NULL };
    assert_int_equal(stayhooks_send_message(client, &target, &message, NULL, NULL),
                     STAYHOOKS_OK);
    const char *record = stayhooks_client_last_request(client);
    assert_non_null(record);
    assert_null(strstr(record, "3f9a2c81"));
    assert_null(strstr(record, "dry-run-0123"));
    assert_non_null(strstr(record, "\"url\":\"http://127.0.0.1:9/hooks/<redacted>/invoke\""));
    assert_non_null(strstr(record, "\"text\":\"my secret is <redacted>, token <redacted>\""));

    /* The token in a management call's label and room ID. */
    assert_int_equal(stayhooks_create_webhook(client, token, token, NULL, 0, NULL, NULL),
                     STAYHOOKS_OK);
    record = stayhooks_client_last_request(client);
    assert_null(strstr(record, "dry-run-0123"));
    assert_non_null(strstr(record, "\"label\":\"<redacted>\""));
    assert_non_null(strstr(record, "\"Authorization\":\"Bearer <redacted>\""));
    stayhooks_client_free(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_values),
        cmocka_unit_test(test_text_every_occurrence),
        cmocka_unit_test(test_text_several_secrets),
        cmocka_unit_test(test_text_longer_secret_wins),
        cmocka_unit_test(test_text_without_secrets),
        cmocka_unit_test(test_text_secret_prefix),
        cmocka_unit_test(test_text_secret_middle_and_end),
        cmocka_unit_test(test_text_short_runs_kept),
        cmocka_unit_test(test_text_short_secret_exact_only),
        cmocka_unit_test(test_text_short_secret_whole_word),
        cmocka_unit_test(test_text_no_long_run_survives),
        cmocka_unit_test(test_text_matches_reference),
        cmocka_unit_test(test_text_keeps_utf8_whole),
        cmocka_unit_test(test_text_repetitive_secret),
        cmocka_unit_test(test_json_strings_and_keys),
        cmocka_unit_test(test_dry_run_record_redacted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
