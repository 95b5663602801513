/* send_embed.c: sends an embed card with a title, a description, a colour
 * and two notes, which the library appends as bullet lines. */
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

    const char *notes[] = { "Latency < 180ms", "Docs refreshed" };
    stayhooks_embed embed = { 0 };
    embed.title = "Release 1.2 shipped";
    embed.description = "Primary API rollout complete";
    embed.color = "#22c55e";
    embed.notes = notes;
    embed.note_count = 2;
    embed.text = "Status: SUCCESS";

    stayhooks_invoke_result *result = NULL;
    int rc = stayhooks_send_embed(client, &target, &embed, &result, &err);
    if (rc != STAYHOOKS_OK)
        example_print_error("send_embed", err);
    else
        example_print_result(result);

    stayhooks_client_free(client);
    return rc == STAYHOOKS_OK ? 0 : 1;
}
