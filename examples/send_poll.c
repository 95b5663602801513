/* send_poll.c: opens a single-choice poll that closes after 30 minutes. */
#include "example_env.h"

int main(void)
{
    stayhooks_target target;
    if (!example_target(&target))
        return 2;

    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;
    if (stayhooks_client_new_from_env(NULL, &client, &err) != STAYHOOKS_OK) {
        example_print_error("creating the client", err);
        return 1;
    }

    const char *options[] = { "Docs revamp", "AI assistant", "Canvas refresh" };
    stayhooks_poll poll = { "Which feature ships next?", options, 3, 0, 30 };

    stayhooks_invoke_result *result = NULL;
    int rc = stayhooks_send_poll(client, &target, &poll, &result, &err);
    if (rc != STAYHOOKS_OK)
        example_print_error("send_poll", err);
    else
        example_print_result(result);

    stayhooks_client_free(client);
    return rc == STAYHOOKS_OK ? 0 : 1;
}
