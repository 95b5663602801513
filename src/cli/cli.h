/*
 * cli.h: private declarations shared by the files of the stayhooks program.
 * Not installed, and nothing here is part of the library's API.
 */
#ifndef STAYHOOKS_CLI_H
#define STAYHOOKS_CLI_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>

#include "stayhooks.h"

/* Exit statuses, documented in --help and stayhooks(1). */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_OTHER = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_AUTH = 3,
    CLI_EXIT_HTTP = 4,
    CLI_EXIT_INVALID_RESPONSE = 5,
    CLI_EXIT_NETWORK = 6,
    CLI_EXIT_DELIVERY_UNKNOWN = 7
};

enum cli_command {
    CLI_CMD_NONE = 0,
    CLI_CMD_LIST,
    CLI_CMD_CREATE,
    CLI_CMD_UPDATE,
    CLI_CMD_ROTATE,
    CLI_CMD_DELETE,
    CLI_CMD_ACTIONS,
    CLI_CMD_SEND_MESSAGE,
    CLI_CMD_SEND_EMBED,
    CLI_CMD_SEND_POLL,
    CLI_CMD_SEND_IMAGE,
    CLI_CMD_INVOKE,
    CLI_CMD_BATCH
};

/* A growable list of borrowed argv strings (option values repeated). */
struct cli_strings {
    const char **items;
    size_t count;
};

/*
 * The parsed command line. Strings point into argv or into the environment,
 * and NULL means "not given".
 */
struct cli_args {
    enum cli_command command;

    /* Global options. */
    const char *base_url;
    const char *api_prefix;
    const char *room;
    const char *webhook;
    const char *invoke_url;
    const char *secret_file;
    const char *token_file;
    /* Every --secret-file and --token-file path in order, repeats included,
     * read only to hide their content in a usage error. */
    struct cli_strings credential_files;
    const char *alias;
    const char *ca_file;
    long timeout_ms;            /* 0: the library's default */
    int retries;                /* -1: the library's default */
    int json;
    int dry_run;
    int verbose;
    int insecure;
    int help;
    int version;

    /* create and update. */
    const char *label;
    struct cli_strings permissions;
    int paused;                 /* -1 unchanged, 0 resume, 1 pause */

    /* send message. */
    const char *text;
    const char *extra_json;

    /* send embed (text and alias are shared with send message). */
    const char *title;
    const char *description;
    const char *color;
    const char *url;
    const char *image;
    const char *footer;
    struct cli_strings notes;
    const char *extra_embed_json;

    /* send poll. */
    const char *question;
    struct cli_strings options;
    int multiple;
    int ends_in_minutes;        /* 0: no timer */

    /* send image. */
    const char *image_url;
    int has_size;
    int width, height;
    int has_position;
    int x, y;

    /* invoke. */
    const char *action;
    const char *payload_json;
    const char *payload_file;

    /* batch. */
    const char *batch_file;     /* "-": standard input */
    int parallel;               /* connections at once */
};

/* Credentials and payloads read from files, owned by the caller. */
struct cli_inputs {
    char *token;
    char *secret;
    char *payload;
};

/* args.c */
/* Parses argv into `args`. Returns CLI_EXIT_OK, or CLI_EXIT_USAGE with one
 * error line kept for cli_print_usage_error(), so that the caller can first
 * load the credentials that the line must not show. */
int cli_parse_args(int argc, char **argv, struct cli_args *args);
/* Prints the kept usage error to stderr, redacted, and frees it. */
void cli_print_usage_error(void);
/* Returns 1 when the first `length` bytes of `name` are a long option name
 * of the CLI, spelled in full and without the leading "--". */
int cli_is_option_name(const char *name, size_t length);
void cli_args_free(struct cli_args *args);

/* help.c */
void cli_print_help(void);
void cli_print_version(void);

/* credentials.c */
/* Fills `inputs` with the token, the secret and the raw invoke payload file,
 * each from a file, standard input or the environment. Both credentials are
 * read and added to the redaction whatever the command, before any message
 * that can echo user text. Returns CLI_EXIT_OK, or CLI_EXIT_USAGE after
 * printing why. The caller frees `inputs` in both cases, after
 * cli_redact_clear(). */
int cli_read_inputs(const struct cli_args *args, struct cli_inputs *inputs);
void cli_inputs_free(struct cli_inputs *inputs);
/* Credentials read only to hide them in a usage error, owned. */
struct cli_usage_credentials {
    char **values;
    size_t count;
};
/* Reads every --token-file and --secret-file given, repeats included,
 * without messages and never from standard input, and adds each content
 * to the redaction for the usage error. Unreadable files are skipped. */
void cli_read_credentials_quietly(const struct cli_args *args,
                                  struct cli_usage_credentials *credentials);
/* Clears and frees the contents, after cli_redact_clear(). */
void cli_usage_credentials_free(struct cli_usage_credentials *credentials);
/* Returns 1 for commands that call an invoke endpoint with the secret. */
int cli_command_is_invoke(enum cli_command command);

/* commands_manage.c and commands_send.c: each runs one library call, prints
 * the result, and returns the library's code. `*err` is set on failure. */
int cli_run_manage(stayhooks_client *client, const struct cli_args *args,
                   stayhooks_error **err);
int cli_run_send(stayhooks_client *client, const struct cli_args *args,
                 const struct cli_inputs *inputs, stayhooks_error **err);

/* commands_batch.c: runs `batch` and prints one JSON line per input line,
 * in input order as soon as the earlier lines have ended. Returns the
 * library's code when the batch could not run (with `*err` set, or after
 * printing why). Otherwise it returns STAYHOOKS_OK and sets `*exit_status`
 * by the batch exit rule in stayhooks(1). */
int cli_run_batch(stayhooks_client *client, const struct cli_args *args,
                  const struct cli_inputs *inputs, int *exit_status, stayhooks_error **err);

/* output.c: human-readable results on stdout. */
void cli_print_webhook_list(const stayhooks_webhook_list *list);
void cli_print_secret_bundle(const char *verb, const stayhooks_secret_bundle *bundle);
void cli_print_webhook(const char *verb, const stayhooks_webhook *webhook);
void cli_print_deleted(const char *webhook_id);
void cli_print_actions(const stayhooks_permitted_actions *actions);
void cli_print_invoke_result(const stayhooks_invoke_result *result);
/* Flushes stdout and returns 0, or -1 when anything written to it since
 * the start was lost. `*error_number` receives the flush's errno, or 0
 * when the flush itself did not fail. */
int cli_flush_stdout(int *error_number);
/* Prints that standard output could not be written, with the reason when
 * `error_number` is not 0. */
void cli_print_write_error(int error_number);
/* Tells on stderr that a create (`rotated` 0) or rotate (`rotated` 1)
 * succeeded but its secret was not written, and how to get a new one. */
void cli_print_secret_lost(int rotated, const char *room, const stayhooks_secret_bundle *bundle);
/* Prints `stayhooks: <class> (HTTP <status>): <message>` on stderr. */
void cli_print_error(const stayhooks_error *err);
/* Prints `stayhooks: <message>` on stderr, printf-style. */
void cli_fail(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* output_json.c: --json results, one compact JSON object and a newline on
 * stdout. Each returns 0, or -1 when out of memory. */
int cli_json_webhook_list(const stayhooks_webhook_list *list);
int cli_json_secret_bundle(const stayhooks_secret_bundle *bundle);
int cli_json_webhook(const stayhooks_webhook *webhook);
int cli_json_deleted(int ok);
int cli_json_actions(const stayhooks_permitted_actions *actions);
int cli_json_invoke_result(const stayhooks_invoke_result *result);

/* redact.c */
/* Adds a token or secret (borrowed: it must stay valid until
 * cli_redact_clear()) to those hidden in error lines. NULL and "" are
 * ignored. */
void cli_redact_add(const char *credential);
/* Adds every argument of eight or more characters, except the names of
 * known long options, for a usage error printed while a credential is
 * still unknown. */
void cli_redact_add_arguments(int argc, char **argv);
/* Forgets the added credentials. */
void cli_redact_clear(void);
/* Returns a copy of `text` with every added credential, and every run of
 * eight or more characters from inside one, replaced by "<redacted>".
 * Returns NULL when out of memory. Caller frees. */
char *cli_redact(const char *text);
/* Returns a deep copy of `value` with the same redaction applied to every
 * string and object key, or NULL when out of memory. Caller releases. */
json_t *cli_redact_json(const json_t *value);
/* Parses `json_text`, redacts it like cli_redact_json() and returns it
 * encoded again in compact form with its member order kept. Returns NULL
 * when the text is not JSON or memory runs out. Caller frees. */
char *cli_redact_json_text(const char *json_text);
/* Returns the printf-style formatted text, or NULL. Caller frees. */
char *cli_vformat(const char *format, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 0)))
#endif
    ;
/* Prints `stayhooks: <line>` on stderr, redacted. */
void cli_put_error_line(const char *line);

/* exitcode.c */
/* Maps a library code and its error to the program's exit status. */
int cli_exit_status(int code, const stayhooks_error *err);

#endif /* STAYHOOKS_CLI_H */
