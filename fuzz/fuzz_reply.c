/* fuzz_reply.c: libFuzzer harness for the library's 2xx reply parsers.
 *
 * The input is a reply body. It goes through json_loadb() as the library
 * reads it and then through the parser that one FUZZ_REPLY_* macro
 * selects: WEBHOOK, WEBHOOK_LIST, SECRET_BUNDLE, UPDATED_WEBHOOK,
 * PERMITTED_ACTIONS, INVOKE_RESULT or DELETE. Besides crashes and leaks,
 * the harness aborts when a parser breaks its contract: a success must
 * give a complete result, and a failure an invalid-response or internal
 * error. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "fuzz_library.h"
#include "stayhooks.h"

static void check_failure(int rc, stayhooks_error *err)
{
    FUZZ_CHECK(err != NULL);
    FUZZ_CHECK(rc == STAYHOOKS_ERR_INVALID_RESPONSE || rc == STAYHOOKS_ERR_INTERNAL);
    FUZZ_CHECK(stayhooks_error_code(err) == (stayhooks_code)rc);
    FUZZ_CHECK(stayhooks_error_message(err) != NULL);
    stayhooks_error_free(err);
}

#if defined(FUZZ_REPLY_WEBHOOK) || defined(FUZZ_REPLY_WEBHOOK_LIST) || \
    defined(FUZZ_REPLY_SECRET_BUNDLE) || defined(FUZZ_REPLY_UPDATED_WEBHOOK)
static void check_webhook(const stayhooks_webhook *w)
{
    FUZZ_CHECK(w->paused == 0 || w->paused == 1);
    FUZZ_CHECK(w->permission_count == 0 || w->permissions != NULL);
    for (size_t i = 0; i < w->permission_count; i++)
        FUZZ_CHECK(w->permissions[i] != NULL);
}
#endif

static void parse_reply(const json_t *reply)
{
    stayhooks_error *err = NULL;
    int rc;

#if defined(FUZZ_REPLY_WEBHOOK)
    /* The parser fills a caller's struct, so it lives on the heap here to
     * be freed with stayhooks_webhook_free() like the library's own. */
    stayhooks_webhook *webhook = calloc(1, sizeof *webhook);
    if (webhook == NULL)
        return;
    rc = stayhooks__parse_webhook(reply, webhook, &err);
    if (rc == STAYHOOKS_OK)
        check_webhook(webhook);
    stayhooks_webhook_free(webhook);
#elif defined(FUZZ_REPLY_WEBHOOK_LIST)
    stayhooks_webhook_list *list = NULL;
    rc = stayhooks__parse_webhook_list(reply, &list, &err);
    if (rc == STAYHOOKS_OK) {
        FUZZ_CHECK(list != NULL);
        FUZZ_CHECK(list->count == 0 || list->webhooks != NULL);
        for (size_t i = 0; i < list->count; i++)
            check_webhook(&list->webhooks[i]);
    }
    stayhooks_webhook_list_free(list);
#elif defined(FUZZ_REPLY_SECRET_BUNDLE)
    stayhooks_secret_bundle *bundle = NULL;
    rc = stayhooks__parse_secret_bundle(reply, &bundle, &err);
    if (rc == STAYHOOKS_OK) {
        FUZZ_CHECK(bundle != NULL);
        check_webhook(&bundle->webhook);
    }
    stayhooks_secret_bundle_free(bundle);
#elif defined(FUZZ_REPLY_UPDATED_WEBHOOK)
    stayhooks_webhook *webhook = NULL;
    rc = stayhooks__parse_updated_webhook(reply, &webhook, &err);
    if (rc == STAYHOOKS_OK) {
        FUZZ_CHECK(webhook != NULL);
        check_webhook(webhook);
    }
    stayhooks_webhook_free(webhook);
#elif defined(FUZZ_REPLY_PERMITTED_ACTIONS)
    stayhooks_permitted_actions *actions = NULL;
    rc = stayhooks__parse_permitted_actions(reply, &actions, &err);
    if (rc == STAYHOOKS_OK) {
        FUZZ_CHECK(actions != NULL);
        FUZZ_CHECK(actions->count == 0 || actions->actions != NULL);
        for (size_t i = 0; i < actions->count; i++)
            FUZZ_CHECK(actions->actions[i] != NULL);
    }
    stayhooks_permitted_actions_free(actions);
#elif defined(FUZZ_REPLY_INVOKE_RESULT)
    stayhooks_invoke_result *result = NULL;
    rc = stayhooks__parse_invoke_result(reply, &result, &err);
    if (rc == STAYHOOKS_OK) {
        FUZZ_CHECK(result != NULL);
        FUZZ_CHECK(result->extra_json != NULL);
        json_t *extra = json_loads(result->extra_json, 0, NULL);
        FUZZ_CHECK(json_is_object(extra));
        json_decref(extra);
    }
    stayhooks_invoke_result_free(result);
#elif defined(FUZZ_REPLY_DELETE)
    int ok = -1;
    rc = stayhooks__parse_delete(reply, &ok, &err);
    if (rc == STAYHOOKS_OK)
        FUZZ_CHECK(ok == 0 || ok == 1);
#else
#error "define one FUZZ_REPLY_* parser"
#endif

    if (rc != STAYHOOKS_OK)
        check_failure(rc, err);
    else
        FUZZ_CHECK(err == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The library reads 2xx bodies with JSON_DECODE_ANY and hands only
     * objects to the parsers (parse_success() in request.c), so other
     * values are not the parsers' inputs. Members inside the object may
     * have any type. */
    json_t *reply = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);

    if (!json_is_object(reply)) {
        json_decref(reply);
        return 0;
    }
    parse_reply(reply);
    json_decref(reply);
    return 0;
}
