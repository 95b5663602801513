/* example_env.h: the shared set-up of the examples. Each example reads
 * STAYHERE_BASE_URL, STAYHERE_ROOM, STAYHERE_WEBHOOK and STAYHERE_SECRET,
 * sends one thing and prints the result or the error. */
#ifndef STAYHOOKS_EXAMPLE_ENV_H
#define STAYHOOKS_EXAMPLE_ENV_H

#include <stayhooks.h>

#include <stdio.h>
#include <stdlib.h>

/* Fills `target` from the environment; prints what is missing and returns
 * 0 when a variable is unset. */
static int example_target(stayhooks_target *target)
{
    target->room_id = getenv("STAYHERE_ROOM");
    target->webhook_id = getenv("STAYHERE_WEBHOOK");
    target->invoke_url = NULL;
    target->secret = getenv("STAYHERE_SECRET");

    if (target->room_id == NULL || target->webhook_id == NULL || target->secret == NULL) {
        fprintf(stderr, "set STAYHERE_ROOM, STAYHERE_WEBHOOK and STAYHERE_SECRET "
                        "(and STAYHERE_BASE_URL unless the server is on "
                        "http://localhost:3000)\n");
        return 0;
    }
    return 1;
}

/* Prints an error as "class error (HTTP status): message", without the
 * status when no reply was received, and frees it. */
static void example_print_error(const char *what, stayhooks_error *err)
{
    fprintf(stderr, "%s failed: %s error", what, stayhooks_code_name(stayhooks_error_code(err)));
    if (stayhooks_error_status(err) != 0)
        fprintf(stderr, " (HTTP %ld)", stayhooks_error_status(err));
    fprintf(stderr, ": %s\n", stayhooks_error_message(err));
    stayhooks_error_free(err);
}

/* Prints an invoke result and frees it. */
static void example_print_result(stayhooks_invoke_result *result)
{
    printf("ok=%d kind=%s messageId=%s pollId=%s extra=%s\n", result->ok,
           result->kind != NULL ? result->kind : "-",
           result->message_id != NULL ? result->message_id : "-",
           result->poll_id != NULL ? result->poll_id : "-", result->extra_json);
    stayhooks_invoke_result_free(result);
}

#endif
