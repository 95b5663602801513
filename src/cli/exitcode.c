/*
 * exitcode.c: maps library results to the program's exit statuses, which
 * scripts rely on (see stayhooks(1), EXIT STATUS).
 */
#include "cli.h"

int cli_exit_status(int code, const stayhooks_error *err)
{
    switch (code) {
    case STAYHOOKS_OK:
        return CLI_EXIT_OK;
    case STAYHOOKS_ERR_VALIDATION:
        return CLI_EXIT_USAGE;
    case STAYHOOKS_ERR_AUTH:
        return CLI_EXIT_AUTH;
    case STAYHOOKS_ERR_HTTP:
        return CLI_EXIT_HTTP;
    case STAYHOOKS_ERR_INVALID_RESPONSE:
        return CLI_EXIT_INVALID_RESPONSE;
    case STAYHOOKS_ERR_NETWORK:
        /* The request may have reached the server, so a retry could
         * deliver it twice. Scripts must be able to tell this apart. */
        if (err != NULL && stayhooks_error_delivery_unknown(err))
            return CLI_EXIT_DELIVERY_UNKNOWN;
        return CLI_EXIT_NETWORK;
    default:
        return CLI_EXIT_OTHER;
    }
}
