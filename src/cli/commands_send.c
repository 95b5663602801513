/*
 * commands_send.c: send message, send embed, send poll, send image and
 * invoke, the calls made with a webhook's secret.
 */
#include <stdio.h>

#include "cli.h"

static int send_message(stayhooks_client *client, const stayhooks_target *target,
                        const struct cli_args *args, stayhooks_invoke_result **out,
                        stayhooks_error **err)
{
    stayhooks_message message = { 0 };

    /* The alias travels as the client's default alias (see main.c), which
     * the library applies to messages and embeds alike. */
    message.text = args->text;
    message.extra_json = args->extra_json;
    return stayhooks_send_message(client, target, &message, out, err);
}

static int send_embed(stayhooks_client *client, const stayhooks_target *target,
                      const struct cli_args *args, stayhooks_invoke_result **out,
                      stayhooks_error **err)
{
    stayhooks_embed embed = { 0 };

    embed.title = args->title;
    embed.description = args->description;
    embed.color = args->color;
    embed.url = args->url;
    embed.image = args->image;
    embed.footer = args->footer;
    embed.notes = args->notes.items;
    embed.note_count = args->notes.count;
    embed.text = args->text;
    embed.extra_embed_json = args->extra_embed_json;
    return stayhooks_send_embed(client, target, &embed, out, err);
}

static int send_poll(stayhooks_client *client, const stayhooks_target *target,
                     const struct cli_args *args, stayhooks_invoke_result **out,
                     stayhooks_error **err)
{
    stayhooks_poll poll = { 0 };

    poll.question = args->question;
    poll.options = args->options.items;
    poll.option_count = args->options.count;
    poll.multiple_choice = args->multiple;
    poll.ends_in_minutes = args->ends_in_minutes;
    return stayhooks_send_poll(client, target, &poll, out, err);
}

static int send_image(stayhooks_client *client, const stayhooks_target *target,
                      const struct cli_args *args, stayhooks_invoke_result **out,
                      stayhooks_error **err)
{
    stayhooks_image image = { 0 };

    image.url = args->image_url;
    image.has_size = args->has_size;
    image.w = args->width;
    image.h = args->height;
    image.has_position = args->has_position;
    image.x = args->x;
    image.y = args->y;
    return stayhooks_send_image(client, target, &image, out, err);
}

int cli_run_send(stayhooks_client *client, const struct cli_args *args,
                 const struct cli_inputs *inputs, stayhooks_error **err)
{
    stayhooks_target target = { 0 };
    stayhooks_invoke_result *result = NULL;
    const char *payload = args->payload_json != NULL ? args->payload_json : inputs->payload;
    int rc;

    /* The library uses the invoke URL as is when given, else the IDs. */
    target.room_id = args->room;
    target.webhook_id = args->webhook;
    target.invoke_url = args->invoke_url;
    target.secret = inputs->secret;

    switch (args->command) {
    case CLI_CMD_SEND_MESSAGE:
        rc = send_message(client, &target, args, &result, err);
        break;
    case CLI_CMD_SEND_EMBED:
        rc = send_embed(client, &target, args, &result, err);
        break;
    case CLI_CMD_SEND_POLL:
        rc = send_poll(client, &target, args, &result, err);
        break;
    case CLI_CMD_SEND_IMAGE:
        rc = send_image(client, &target, args, &result, err);
        break;
    case CLI_CMD_INVOKE:
        rc = stayhooks_invoke(client, &target, args->action, payload, &result, err);
        break;
    default:
        cli_fail("internal error: '%d' is not an invoke command", (int)args->command);
        return STAYHOOKS_ERR_INTERNAL;
    }

    /* In dry-run mode there is no result to print. */
    if (rc != STAYHOOKS_OK || result == NULL)
        goto done;

    if (args->json) {
        if (cli_json_invoke_result(result) != 0)
            rc = STAYHOOKS_ERR_INTERNAL;
    } else {
        cli_print_invoke_result(result);
    }
    if (rc == STAYHOOKS_OK && !result->ok) {
        /* NOTE: the protocol does not describe a 2xx reply with "ok": false.
         * The result is printed and the exit status is 1. */
        cli_fail("the server replied ok: false to the invoke");
        rc = STAYHOOKS_ERR_INTERNAL;
    }

done:
    stayhooks_invoke_result_free(result);
    return rc;
}
