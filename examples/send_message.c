/* send_message.c: sends one chat message through a webhook.
 * Usage: send_message [TEXT] */
#include "example_env.h"

int main(int argc, char **argv)
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

    stayhooks_message message = { argc > 1 ? argv[1] : "Hello from libstayhooks", NULL, NULL };
    stayhooks_invoke_result *result = NULL;
    int rc = stayhooks_send_message(client, &target, &message, &result, &err);
    if (rc != STAYHOOKS_OK)
        example_print_error("send_message", err);
    else
        example_print_result(result);

    stayhooks_client_free(client);
    return rc == STAYHOOKS_OK ? 0 : 1;
}
