/*
 * commands_manage.c: list, create, update, rotate, delete and actions, the
 * calls made with the room owner's bearer token.
 *
 * In dry-run mode the library builds the request and returns no result, so
 * each command prints only when it received one.
 */
#include <stdio.h>

#include "cli.h"

/* Returns the permissions to pass to the library, or NULL when none were
 * given. NULL requests the default set on create and leaves the set
 * unchanged on update. */
static const char *const *permission_list(const struct cli_args *args)
{
    return args->permissions.count > 0 ? args->permissions.items : NULL;
}

static int output_status(int json_failed)
{
    return json_failed ? STAYHOOKS_ERR_INTERNAL : STAYHOOKS_OK;
}

static int run_list(stayhooks_client *client, const struct cli_args *args, stayhooks_error **err)
{
    stayhooks_webhook_list *list = NULL;
    int rc = stayhooks_list_webhooks(client, args->room, &list, err);

    if (rc != STAYHOOKS_OK || list == NULL)
        goto done;
    if (args->json)
        rc = output_status(cli_json_webhook_list(list) != 0);
    else
        cli_print_webhook_list(list);

done:
    stayhooks_webhook_list_free(list);
    return rc;
}

/* Prints the new secret and checks that it reached standard output,
 * because the server shows it only once. */
static int print_bundle(const struct cli_args *args, int rotated,
                        const stayhooks_secret_bundle *bundle)
{
    int json_failed = 0;
    int error_number = 0;

    if (args->json)
        json_failed = cli_json_secret_bundle(bundle) != 0;
    else
        cli_print_secret_bundle(rotated ? "Rotated the secret of" : "Created", bundle);

    if (cli_flush_stdout(&error_number) != 0 || json_failed) {
        cli_print_write_error(error_number);
        cli_print_secret_lost(rotated, args->room, bundle);
        return STAYHOOKS_ERR_INTERNAL;
    }
    if (!args->json)
        cli_fail("store the secret now: the server shows it only once");
    return STAYHOOKS_OK;
}

static int run_create(stayhooks_client *client, const struct cli_args *args, stayhooks_error **err)
{
    stayhooks_secret_bundle *bundle = NULL;
    int rc = stayhooks_create_webhook(client, args->room, args->label, permission_list(args),
                                      args->permissions.count, &bundle, err);

    if (rc == STAYHOOKS_OK && bundle != NULL)
        rc = print_bundle(args, 0, bundle);
    stayhooks_secret_bundle_free(bundle);
    return rc;
}

static int run_rotate(stayhooks_client *client, const struct cli_args *args, stayhooks_error **err)
{
    stayhooks_secret_bundle *bundle = NULL;
    int rc = stayhooks_rotate_secret(client, args->room, args->webhook, &bundle, err);

    if (rc == STAYHOOKS_OK && bundle != NULL)
        rc = print_bundle(args, 1, bundle);
    stayhooks_secret_bundle_free(bundle);
    return rc;
}

static int run_update(stayhooks_client *client, const struct cli_args *args, stayhooks_error **err)
{
    stayhooks_webhook_update update = STAYHOOKS_WEBHOOK_UPDATE_INIT;
    stayhooks_webhook *webhook = NULL;
    int rc;

    update.label = args->label;
    update.permissions = permission_list(args);
    update.permission_count = args->permissions.count;
    update.paused = args->paused;

    rc = stayhooks_update_webhook(client, args->room, args->webhook, &update, &webhook, err);
    if (rc != STAYHOOKS_OK || webhook == NULL)
        goto done;
    if (args->json)
        rc = output_status(cli_json_webhook(webhook) != 0);
    else
        cli_print_webhook("Updated", webhook);

done:
    stayhooks_webhook_free(webhook);
    return rc;
}

static int run_delete(stayhooks_client *client, const struct cli_args *args, stayhooks_error **err)
{
    int ok = 1;
    int rc = stayhooks_delete_webhook(client, args->room, args->webhook, &ok, err);

    if (rc != STAYHOOKS_OK || args->dry_run)
        return rc;
    if (args->json && cli_json_deleted(ok) != 0)
        return STAYHOOKS_ERR_INTERNAL;
    if (!ok) {
        /* NOTE: the protocol does not say what "ok": false on a 2xx delete
         * means, so this reports it and exits 1 instead of guessing. */
        cli_fail("the server replied ok: false to deleting webhook %s", args->webhook);
        return STAYHOOKS_ERR_INTERNAL;
    }
    if (!args->json)
        cli_print_deleted(args->webhook);
    return STAYHOOKS_OK;
}

static int run_actions(stayhooks_client *client, const struct cli_args *args, stayhooks_error **err)
{
    stayhooks_permitted_actions *actions = NULL;
    int rc = stayhooks_get_permitted_actions(client, args->room, &actions, err);

    if (rc != STAYHOOKS_OK || actions == NULL)
        goto done;
    if (args->json)
        rc = output_status(cli_json_actions(actions) != 0);
    else
        cli_print_actions(actions);

done:
    stayhooks_permitted_actions_free(actions);
    return rc;
}

int cli_run_manage(stayhooks_client *client, const struct cli_args *args, stayhooks_error **err)
{
    switch (args->command) {
    case CLI_CMD_LIST: return run_list(client, args, err);
    case CLI_CMD_CREATE: return run_create(client, args, err);
    case CLI_CMD_UPDATE: return run_update(client, args, err);
    case CLI_CMD_ROTATE: return run_rotate(client, args, err);
    case CLI_CMD_DELETE: return run_delete(client, args, err);
    case CLI_CMD_ACTIONS: return run_actions(client, args, err);
    default:
        cli_fail("internal error: '%d' is not a management command", (int)args->command);
        return STAYHOOKS_ERR_INTERNAL;
    }
}
