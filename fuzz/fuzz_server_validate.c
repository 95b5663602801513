/* fuzz_server_validate.c: libFuzzer harness for the server's field rules.
 * The input is a JSON request body. It goes through validate_invoke() as
 * an invoke body, and its "label" and "permissions" members through the
 * management checks. Each check must either accept, with a result that
 * obeys the rule it enforced, or reject with a message naming a field. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_server_common.h"
#include "validate.h"

static void check_message(const char *message)
{
    FUZZ_CHECK(message[0] != '\0');
    FUZZ_CHECK(strlen(message) < VALIDATE_MESSAGE_SIZE);
}

static void check_invoke(const json_t *body)
{
    struct invoke_payload payload;
    char message[VALIDATE_MESSAGE_SIZE] = "";

    memset(&payload, 0, sizeof payload);
    if (validate_invoke(body, &payload, message, sizeof message) != 0) {
        check_message(message);
        return;
    }
    FUZZ_CHECK(payload.action != NULL && validate_is_action(payload.action));
    if (strcmp(payload.action, "poll") == 0) {
        FUZZ_CHECK(payload.question != NULL);
        FUZZ_CHECK(json_array_size(payload.options) >= 2 && json_array_size(payload.options) <= 8);
    }
    if (strcmp(payload.action, "image") == 0)
        FUZZ_CHECK(payload.url != NULL);
    if (strcmp(payload.action, "message") == 0)
        FUZZ_CHECK(payload.text != NULL);
}

static void check_management(const json_t *body)
{
    char message[VALIDATE_MESSAGE_SIZE] = "";
    const json_t *label = json_object_get(body, "label");
    const json_t *permissions = json_object_get(body, "permissions");
    json_t *normalised;

    if (label != NULL && validate_label(label, message, sizeof message) != 0)
        check_message(message);

    if (permissions == NULL)
        return;
    message[0] = '\0';
    normalised = validate_permissions(permissions, message, sizeof message);
    if (normalised == NULL) {
        check_message(message);
        return;
    }
    FUZZ_CHECK(json_array_size(normalised) >= 1 && json_array_size(normalised) <= 4);
    for (size_t i = 0; i < json_array_size(normalised); i++) {
        const char *name = json_string_value(json_array_get(normalised, i));
        FUZZ_CHECK(name != NULL && validate_is_action(name));
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(name, json_string_value(json_array_get(normalised, j))) != 0);
    }
    json_decref(normalised);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The server reads bodies with json_loadb() and flags 0. */
    json_t *body = json_loadb((const char *)data, size, 0, NULL);

    if (body == NULL)
        return 0;
    /* Routes run the checks only on objects (request_json()). */
    if (json_is_object(body)) {
        check_invoke(body);
        check_management(body);
    }
    json_decref(body);
    return 0;
}
