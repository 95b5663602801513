/*
 * main.c: entry point of the stayhooks program. Parses the command line,
 * reads credentials, creates a client, runs one command and turns the
 * result into an exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * Opens /dev/null on each of standard input, output and error that is
 * closed. Otherwise the next file or socket opened would take that number,
 * and output meant for the terminal, a new secret included, would go into
 * it. Returns CLI_EXIT_OK, or CLI_EXIT_OTHER after printing why when
 * standard output was closed, before anything is sent.
 */
static int guard_standard_streams(void)
{
    int stdout_closed = 0;

    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        /* open() returns the lowest free number, which is `fd` because the
         * lower ones are open by now. */
        if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) != fd)
            return CLI_EXIT_OTHER;
        if (fd == STDOUT_FILENO)
            stdout_closed = 1;
    }
    if (stdout_closed) {
        cli_fail("standard output is closed, so results and new secrets could not be shown; "
                 "nothing was sent");
        return CLI_EXIT_OTHER;
    }
    return CLI_EXIT_OK;
}

/* Returns 1 when any --token-file or --secret-file given, repeats
 * included, reads standard input. */
static int credential_from_stdin(const struct cli_args *args)
{
    for (size_t i = 0; i < args->credential_files.count; i++) {
        if (strcmp(args->credential_files.items[i], "-") == 0)
            return 1;
    }
    return 0;
}

struct log_settings {
    int verbose;
};

/* Request and reply lines (debug) and retries (info) are shown only with
 * --verbose, warnings always. The library hides the credentials of the
 * call, but an invoke's client never has the token, so each line passes
 * through the CLI's redaction too. */
static void log_line(void *userdata, stayhooks_log_level level, const char *line)
{
    const struct log_settings *settings = userdata;
    const char *prefix = "warning";
    char *redacted;

    if (level != STAYHOOKS_LOG_WARN && !settings->verbose)
        return;
    if (level != STAYHOOKS_LOG_WARN)
        prefix = level == STAYHOOKS_LOG_INFO ? "info" : "debug";

    redacted = cli_redact(line);
    if (redacted == NULL) {
        fprintf(stderr, "stayhooks: %s: out of memory while redacting a log line\n", prefix);
        return;
    }
    fprintf(stderr, "stayhooks: %s: %s\n", prefix, redacted);
    free(redacted);
}

static void fill_options(const struct cli_args *args, const struct cli_inputs *inputs,
                         struct log_settings *log_settings, stayhooks_options *options)
{
    stayhooks_options_init(options);
    options->base_url = args->base_url;
    /* Only management calls send the token. An invoke or a batch line
     * without a secret must fail instead of falling back to it. */
    if (!cli_command_is_invoke(args->command) && args->command != CLI_CMD_BATCH)
        options->token = inputs->token;
    options->api_prefix = args->api_prefix;
    options->default_alias = args->alias;
    options->timeout_ms = args->timeout_ms;
    options->ca_file = args->ca_file;
    options->insecure = args->insecure;
    options->dry_run = args->dry_run;
    if (args->retries >= 0)
        options->retry.max_attempts = args->retries + 1;
    options->log = log_line;
    options->log_userdata = log_settings;
}

/* Prints the request that dry-run mode built instead of sending it. The
 * library hid the credentials of the call, and the CLI hides the others it
 * has read (the token of an invoke) inside the JSON strings, so the output
 * still parses. */
static int print_dry_run(const stayhooks_client *client)
{
    const char *request = stayhooks_client_last_request(client);
    char *redacted;

    if (request == NULL) {
        cli_fail("internal error: dry run built no request");
        return CLI_EXIT_OTHER;
    }
    redacted = cli_redact_json_text(request);
    if (redacted == NULL) {
        cli_fail("out of memory while redacting the dry-run request");
        return CLI_EXIT_OTHER;
    }
    printf("%s\n", redacted);
    free(redacted);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    struct cli_args args;
    struct cli_inputs inputs = { NULL, NULL, NULL };
    struct cli_usage_credentials usage_credentials = { NULL, 0 };
    struct log_settings log_settings = { 0 };
    stayhooks_options options;
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;
    int batch_status = CLI_EXIT_OK;
    int write_errno = 0;
    int status;
    int rc;

    memset(&args, 0, sizeof args);
    /* A reader that went away must give a write error (EPIPE) that can be
     * reported, not kill the program silently after a create or rotate. */
    signal(SIGPIPE, SIG_IGN);
    status = guard_standard_streams();
    if (status != CLI_EXIT_OK)
        goto done;

    /* Every error line hides the credentials known by then. The
     * environment's are known before parsing, the files' once their options
     * are parsed, so a usage error is printed only after reading them. */
    cli_redact_add(getenv("STAYHERE_TOKEN"));
    cli_redact_add(getenv("STAYHERE_SECRET"));
    status = cli_parse_args(argc, argv, &args);
    if (status != CLI_EXIT_OK) {
        cli_read_credentials_quietly(&args, &usage_credentials);
        /* Standard input is not read for a usage error, so a credential
         * that comes from it is unknown. Any long argument could be that
         * credential typed by mistake, so all of them are hidden. */
        if (credential_from_stdin(&args))
            cli_redact_add_arguments(argc, argv);
        cli_print_usage_error();
        goto done;
    }
    if (args.help) {
        cli_print_help();
        goto done;
    }
    if (args.version) {
        cli_print_version();
        goto done;
    }

    status = cli_read_inputs(&args, &inputs);
    if (status != CLI_EXIT_OK)
        goto done;

    if (args.insecure)
        cli_fail("warning: --insecure turns off TLS certificate checks, so anyone on the path can read the token or secret");

    log_settings.verbose = args.verbose;
    fill_options(&args, &inputs, &log_settings, &options);
    rc = stayhooks_client_new(&options, &client, &err);
    if (rc == STAYHOOKS_OK) {
        if (args.command == CLI_CMD_BATCH)
            rc = cli_run_batch(client, &args, &inputs, &batch_status, &err);
        else if (cli_command_is_invoke(args.command))
            rc = cli_run_send(client, &args, &inputs, &err);
        else
            rc = cli_run_manage(client, &args, &err);
    }

    /* A failure without an error object was already reported by the CLI.
     * An auth error before any attempt with no token is the library's
     * missing-token check, whose message names the C option instead of
     * the CLI's. */
    if (rc == STAYHOOKS_ERR_AUTH && inputs.token == NULL && err != NULL
        && stayhooks_error_attempts(err) == 0)
        cli_fail("auth error (HTTP 401): management commands need a bearer token: "
                 "pass --token-file PATH ('-' reads standard input) or set STAYHERE_TOKEN");
    else if (rc != STAYHOOKS_OK && err != NULL)
        cli_print_error(err);
    status = cli_exit_status(rc, err);
    if (rc == STAYHOOKS_OK && args.command == CLI_CMD_BATCH)
        status = batch_status;
    /* A batch prints each line's request itself. */
    if (rc == STAYHOOKS_OK && args.dry_run && args.command != CLI_CMD_BATCH)
        status = print_dry_run(client);

done:
    /* ferror() also catches a failed write whose buffer was flushed
     * earlier, which a final fflush() alone would not report. */
    if (cli_flush_stdout(&write_errno) != 0 && status == CLI_EXIT_OK) {
        cli_print_write_error(write_errno);
        status = CLI_EXIT_OTHER;
    }
    stayhooks_error_free(err);
    stayhooks_client_free(client);
    cli_redact_clear();
    cli_inputs_free(&inputs);
    cli_usage_credentials_free(&usage_credentials);
    cli_args_free(&args);
    return status;
}
