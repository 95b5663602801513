/*
 * args.c: turns argv and the STAYHERE_* environment into struct cli_args.
 *
 * One getopt_long table contains the global options and every subcommand's
 * options, so that any option may come before or after the subcommand.
 * Each option lists the commands it belongs to, and an option given to a
 * command it does not belong to is a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum option_id {
    OPT_BASE_URL = 256,
    OPT_API_PREFIX,
    OPT_ROOM,
    OPT_WEBHOOK,
    OPT_INVOKE_URL,
    OPT_SECRET_FILE,
    OPT_TOKEN_FILE,
    OPT_ALIAS,
    OPT_TIMEOUT,
    OPT_RETRIES,
    OPT_CACERT,
    OPT_INSECURE,
    OPT_JSON,
    OPT_DRY_RUN,
    OPT_VERBOSE,
    OPT_HELP,
    OPT_VERSION,
    OPT_LABEL,
    OPT_PERMISSION,
    OPT_PAUSE,
    OPT_RESUME,
    OPT_EXTRA,
    OPT_TITLE,
    OPT_DESCRIPTION,
    OPT_COLOR,
    OPT_URL,
    OPT_IMAGE,
    OPT_FOOTER,
    OPT_NOTE,
    OPT_TEXT,
    OPT_EXTRA_EMBED,
    OPT_MULTIPLE,
    OPT_ENDS_IN,
    OPT_SIZE,
    OPT_AT,
    OPT_PAYLOAD,
    OPT_PAYLOAD_FILE,
    OPT_PARALLEL
};

/* Bit sets of commands, indexed by enum cli_command. */
#define CMD_BIT(c) (1u << (c))
#define FOR_ALL 0xffffffffu
#define FOR_CREATE_UPDATE (CMD_BIT(CLI_CMD_CREATE) | CMD_BIT(CLI_CMD_UPDATE))

struct option_spec {
    const char *name;
    int has_arg;
    int id;
    unsigned int commands;
};

static const struct option_spec option_specs[] = {
    { "base-url", required_argument, OPT_BASE_URL, FOR_ALL },
    { "api-prefix", required_argument, OPT_API_PREFIX, FOR_ALL },
    { "room", required_argument, OPT_ROOM, FOR_ALL },
    { "webhook", required_argument, OPT_WEBHOOK, FOR_ALL },
    { "invoke-url", required_argument, OPT_INVOKE_URL, FOR_ALL },
    { "secret-file", required_argument, OPT_SECRET_FILE, FOR_ALL },
    { "token-file", required_argument, OPT_TOKEN_FILE, FOR_ALL },
    { "alias", required_argument, OPT_ALIAS, FOR_ALL },
    { "timeout", required_argument, OPT_TIMEOUT, FOR_ALL },
    { "retries", required_argument, OPT_RETRIES, FOR_ALL },
    { "cacert", required_argument, OPT_CACERT, FOR_ALL },
    { "insecure", no_argument, OPT_INSECURE, FOR_ALL },
    { "json", no_argument, OPT_JSON, FOR_ALL },
    { "dry-run", no_argument, OPT_DRY_RUN, FOR_ALL },
    { "verbose", no_argument, OPT_VERBOSE, FOR_ALL },
    { "help", no_argument, OPT_HELP, FOR_ALL },
    { "version", no_argument, OPT_VERSION, FOR_ALL },
    { "label", required_argument, OPT_LABEL, FOR_CREATE_UPDATE },
    { "permission", required_argument, OPT_PERMISSION, FOR_CREATE_UPDATE },
    { "pause", no_argument, OPT_PAUSE, CMD_BIT(CLI_CMD_UPDATE) },
    { "resume", no_argument, OPT_RESUME, CMD_BIT(CLI_CMD_UPDATE) },
    { "extra", required_argument, OPT_EXTRA, CMD_BIT(CLI_CMD_SEND_MESSAGE) },
    { "title", required_argument, OPT_TITLE, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "description", required_argument, OPT_DESCRIPTION, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "color", required_argument, OPT_COLOR, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "url", required_argument, OPT_URL, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "image", required_argument, OPT_IMAGE, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "footer", required_argument, OPT_FOOTER, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "note", required_argument, OPT_NOTE, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "text", required_argument, OPT_TEXT, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "extra-embed", required_argument, OPT_EXTRA_EMBED, CMD_BIT(CLI_CMD_SEND_EMBED) },
    { "multiple", no_argument, OPT_MULTIPLE, CMD_BIT(CLI_CMD_SEND_POLL) },
    { "ends-in", required_argument, OPT_ENDS_IN, CMD_BIT(CLI_CMD_SEND_POLL) },
    { "size", required_argument, OPT_SIZE, CMD_BIT(CLI_CMD_SEND_IMAGE) },
    { "at", required_argument, OPT_AT, CMD_BIT(CLI_CMD_SEND_IMAGE) },
    { "payload", required_argument, OPT_PAYLOAD, CMD_BIT(CLI_CMD_INVOKE) },
    { "payload-file", required_argument, OPT_PAYLOAD_FILE, CMD_BIT(CLI_CMD_INVOKE) },
    { "parallel", required_argument, OPT_PARALLEL, CMD_BIT(CLI_CMD_BATCH) },
};

#define OPTION_COUNT (sizeof option_specs / sizeof option_specs[0])

static const char *const command_names[] = {
    [CLI_CMD_NONE] = "",
    [CLI_CMD_LIST] = "list",
    [CLI_CMD_CREATE] = "create",
    [CLI_CMD_UPDATE] = "update",
    [CLI_CMD_ROTATE] = "rotate",
    [CLI_CMD_DELETE] = "delete",
    [CLI_CMD_ACTIONS] = "actions",
    [CLI_CMD_SEND_MESSAGE] = "send message",
    [CLI_CMD_SEND_EMBED] = "send embed",
    [CLI_CMD_SEND_POLL] = "send poll",
    [CLI_CMD_SEND_IMAGE] = "send image",
    [CLI_CMD_INVOKE] = "invoke",
    [CLI_CMD_BATCH] = "batch",
};

static int usage_error(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The usage error of this run, kept until cli_print_usage_error(). NULL
 * after an allocation failure, which that function reports instead. */
static char *pending_usage_error;

#define USAGE_HINT "; run 'stayhooks --help' for usage"

/* Keeps the message instead of printing it, because the credentials that
 * it may echo (an operand or an option value) are loaded after parsing. */
static int usage_error(const char *format, ...)
{
    va_list ap;
    char *message;

    va_start(ap, format);
    message = cli_vformat(format, ap);
    va_end(ap);

    free(pending_usage_error);
    pending_usage_error = NULL;
    if (message == NULL)
        return CLI_EXIT_USAGE;
    pending_usage_error = malloc(strlen(message) + sizeof USAGE_HINT);
    if (pending_usage_error != NULL) {
        strcpy(pending_usage_error, message);
        strcat(pending_usage_error, USAGE_HINT);
    }
    free(message);
    return CLI_EXIT_USAGE;
}

void cli_print_usage_error(void)
{
    if (pending_usage_error == NULL) {
        fputs("stayhooks: out of memory while reporting a usage error\n", stderr);
        return;
    }
    cli_put_error_line(pending_usage_error);
    free(pending_usage_error);
    pending_usage_error = NULL;
}

static int strings_push(struct cli_strings *list, const char *value)
{
    const char **grown = realloc(list->items, (list->count + 1) * sizeof *grown);

    if (grown == NULL)
        return -1;
    grown[list->count] = value;
    list->items = grown;
    list->count++;
    return 0;
}

/* Parses a whole decimal integer in [min, max] and returns 0 on success. */
static int parse_int(const char *text, long min, long max, long *out)
{
    char *end = NULL;
    long value;

    if (text[0] == '\0' || text[0] == ' ')
        return -1;
    errno = 0;
    value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

/* Parses "A<sep>B" into two non-negative ints. The server judges ranges. */
static int parse_pair(const char *text, const char *separators, int *a, int *b)
{
    char buffer[64];
    size_t split = strcspn(text, separators);
    long first, second;

    if (strlen(text) >= sizeof buffer || text[split] == '\0')
        return -1;
    memcpy(buffer, text, split);
    buffer[split] = '\0';
    if (parse_int(buffer, 0, INT_MAX, &first) != 0)
        return -1;
    if (parse_int(text + split + 1, 0, INT_MAX, &second) != 0)
        return -1;
    *a = (int)first;
    *b = (int)second;
    return 0;
}

/* Parses a positive number of seconds into milliseconds, at most a day. */
static int parse_timeout(const char *text, long *out_ms)
{
    char *end = NULL;
    double seconds;

    errno = 0;
    seconds = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(seconds > 0.0) || seconds > 86400.0)
        return -1;
    *out_ms = (long)ceil(seconds * 1000.0);
    return 0;
}

static const char *env_or_null(const char *name)
{
    const char *value = getenv(name);

    return (value != NULL && value[0] != '\0') ? value : NULL;
}

/*
 * Stores a --secret-file or --token-file path. Every path is also kept in
 * args->credential_files, so that a usage error can hide the content of
 * each file. Returns 0, 1 when the option was given before (the first
 * path stays), or -1 when out of memory.
 */
static int store_credential_file(struct cli_args *args, int id, const char *path)
{
    const char **slot = id == OPT_SECRET_FILE ? &args->secret_file : &args->token_file;

    if (strings_push(&args->credential_files, path) != 0)
        return -1;
    if (*slot != NULL)
        return 1;
    *slot = path;
    return 0;
}

/* Stores one option's value and returns CLI_EXIT_OK or CLI_EXIT_USAGE. */
static int apply_option(struct cli_args *args, int id, const char *value)
{
    long number = 0;
    int rc;

    switch (id) {
    case OPT_BASE_URL: args->base_url = value; break;
    case OPT_API_PREFIX: args->api_prefix = value; break;
    case OPT_ROOM: args->room = value; break;
    case OPT_WEBHOOK: args->webhook = value; break;
    case OPT_INVOKE_URL: args->invoke_url = value; break;
    case OPT_SECRET_FILE:
    case OPT_TOKEN_FILE:
        rc = store_credential_file(args, id, value);
        if (rc < 0)
            return usage_error("out of memory while reading --%s",
                               id == OPT_SECRET_FILE ? "secret-file" : "token-file");
        if (rc > 0)
            return usage_error("--%s may be given only once, because the CLI uses one %s",
                               id == OPT_SECRET_FILE ? "secret-file" : "token-file",
                               id == OPT_SECRET_FILE ? "secret" : "token");
        break;
    case OPT_ALIAS: args->alias = value; break;
    case OPT_CACERT: args->ca_file = value; break;
    case OPT_INSECURE: args->insecure = 1; break;
    case OPT_JSON: args->json = 1; break;
    case OPT_DRY_RUN: args->dry_run = 1; break;
    case OPT_VERBOSE: args->verbose = 1; break;
    case OPT_HELP: args->help = 1; break;
    case OPT_VERSION: args->version = 1; break;
    case OPT_LABEL: args->label = value; break;
    case OPT_EXTRA: args->extra_json = value; break;
    case OPT_TITLE: args->title = value; break;
    case OPT_DESCRIPTION: args->description = value; break;
    case OPT_COLOR: args->color = value; break;
    case OPT_URL: args->url = value; break;
    case OPT_IMAGE: args->image = value; break;
    case OPT_FOOTER: args->footer = value; break;
    case OPT_TEXT: args->text = value; break;
    case OPT_EXTRA_EMBED: args->extra_embed_json = value; break;
    case OPT_MULTIPLE: args->multiple = 1; break;
    case OPT_PAYLOAD:
    case OPT_PAYLOAD_FILE:
        if (args->payload_json != NULL || args->payload_file != NULL)
            return usage_error("invoke takes one payload: use --payload or --payload-file once");
        /* "-" is never valid JSON, so "--payload -" reads standard input. */
        if (id == OPT_PAYLOAD && strcmp(value, "-") != 0)
            args->payload_json = value;
        else
            args->payload_file = value;
        break;
    case OPT_TIMEOUT:
        if (parse_timeout(value, &args->timeout_ms) != 0)
            return usage_error("invalid --timeout '%s': expected seconds above 0 and at most 86400", value);
        break;
    case OPT_RETRIES:
        if (parse_int(value, 0, 100, &number) != 0)
            return usage_error("invalid --retries '%s': expected a whole number from 0 to 100", value);
        args->retries = (int)number;
        break;
    case OPT_PARALLEL:
        if (parse_int(value, 1, STAYHOOKS_BATCH_MAX_PARALLEL, &number) != 0)
            return usage_error("invalid --parallel '%s': expected a whole number from 1 to %d",
                               value, STAYHOOKS_BATCH_MAX_PARALLEL);
        args->parallel = (int)number;
        break;
    case OPT_PERMISSION:
        if (strings_push(&args->permissions, value) != 0)
            return usage_error("out of memory while reading --permission");
        break;
    case OPT_NOTE:
        if (strings_push(&args->notes, value) != 0)
            return usage_error("out of memory while reading --note");
        break;
    case OPT_PAUSE:
    case OPT_RESUME:
        if (args->paused != -1 && args->paused != (id == OPT_PAUSE))
            return usage_error("%s: --pause and --resume cannot be used together", "update");
        args->paused = (id == OPT_PAUSE);
        break;
    case OPT_ENDS_IN:
        if (parse_int(value, 0, INT_MAX, &number) != 0)
            return usage_error("invalid --ends-in '%s': expected whole minutes from 0 to %d, "
                               "0 for no timer", value, INT_MAX);
        args->ends_in_minutes = (int)number;
        break;
    case OPT_SIZE:
        if (parse_pair(value, "xX", &args->width, &args->height) != 0)
            return usage_error("invalid --size '%s': expected WIDTHxHEIGHT in pixels, each a "
                               "whole number from 0 to %d, e.g. 360x240", value, INT_MAX);
        args->has_size = 1;
        break;
    case OPT_AT:
        if (parse_pair(value, ",", &args->x, &args->y) != 0)
            return usage_error("invalid --at '%s': expected X,Y in pixels, each a whole number "
                               "from 0 to %d, e.g. 420,260", value, INT_MAX);
        args->has_position = 1;
        break;
    default:
        return usage_error("internal error: unhandled option id %d", id);
    }
    return CLI_EXIT_OK;
}

static enum cli_command find_command(const char *word)
{
    static const enum cli_command plain[] = {
        CLI_CMD_LIST, CLI_CMD_CREATE, CLI_CMD_UPDATE, CLI_CMD_ROTATE,
        CLI_CMD_DELETE, CLI_CMD_ACTIONS, CLI_CMD_INVOKE, CLI_CMD_BATCH
    };
    size_t i;

    for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        if (strcmp(word, command_names[plain[i]]) == 0)
            return plain[i];
    }
    return CLI_CMD_NONE;
}

static enum cli_command find_send_kind(const char *word)
{
    if (strcmp(word, "message") == 0)
        return CLI_CMD_SEND_MESSAGE;
    if (strcmp(word, "embed") == 0)
        return CLI_CMD_SEND_EMBED;
    if (strcmp(word, "poll") == 0)
        return CLI_CMD_SEND_POLL;
    if (strcmp(word, "image") == 0)
        return CLI_CMD_SEND_IMAGE;
    return CLI_CMD_NONE;
}

/* Reads the command words and the operands that follow them. */
static int apply_operands(struct cli_args *args, const struct cli_strings *words)
{
    size_t first_operand = 1;
    size_t operand_count;
    const char *const *operands;

    if (words->count == 0)
        return usage_error("missing command");

    if (strcmp(words->items[0], "send") == 0) {
        if (words->count < 2)
            return usage_error("missing send kind: expected %s", "message, embed, poll or image");
        args->command = find_send_kind(words->items[1]);
        if (args->command == CLI_CMD_NONE)
            return usage_error("unknown send kind '%s': expected message, embed, poll or image", words->items[1]);
        first_operand = 2;
    } else {
        args->command = find_command(words->items[0]);
        if (args->command == CLI_CMD_NONE)
            return usage_error("unknown command '%s'", words->items[0]);
    }

    operands = words->items + first_operand;
    operand_count = words->count - first_operand;

    switch (args->command) {
    case CLI_CMD_SEND_MESSAGE:
        if (operand_count != 1)
            return usage_error("%s expects exactly one TEXT operand", "send message");
        args->text = operands[0];
        return CLI_EXIT_OK;
    case CLI_CMD_SEND_IMAGE:
        if (operand_count != 1)
            return usage_error("%s expects exactly one URL operand", "send image");
        args->image_url = operands[0];
        return CLI_EXIT_OK;
    case CLI_CMD_INVOKE:
        if (operand_count != 1)
            return usage_error("%s expects exactly one ACTION operand", "invoke");
        args->action = operands[0];
        return CLI_EXIT_OK;
    case CLI_CMD_BATCH:
        if (operand_count != 1)
            return usage_error("%s expects exactly one FILE operand ('-': standard input)", "batch");
        args->batch_file = operands[0];
        return CLI_EXIT_OK;
    case CLI_CMD_SEND_POLL:
        /* The library judges how many options are usable after trimming. */
        if (operand_count < 1)
            return usage_error("%s expects a QUESTION and its OPTIONs", "send poll");
        args->question = operands[0];
        args->options.items = NULL;
        args->options.count = 0;
        for (size_t i = 1; i < operand_count; i++) {
            if (strings_push(&args->options, operands[i]) != 0)
                return usage_error("out of memory while reading poll options");
        }
        return CLI_EXIT_OK;
    default:
        if (operand_count != 0)
            return usage_error("unexpected operand '%s'", operands[0]);
        return CLI_EXIT_OK;
    }
}

/* Checks that every option given belongs to the command. */
static int check_option_scope(const struct cli_args *args, const unsigned char *seen)
{
    size_t i;

    for (i = 0; i < OPTION_COUNT; i++) {
        if (seen[i] && (option_specs[i].commands & CMD_BIT(args->command)) == 0)
            return usage_error("option --%s does not apply to '%s'", option_specs[i].name,
                               command_names[args->command]);
    }
    return CLI_EXIT_OK;
}

/* Checks that the command has the IDs and the label it needs. */
static int check_required(const struct cli_args *args)
{
    int needs_room = 0;
    int needs_webhook = 0;

    switch (args->command) {
    case CLI_CMD_LIST:
    case CLI_CMD_ACTIONS:
        needs_room = 1;
        break;
    case CLI_CMD_CREATE:
        needs_room = 1;
        if (args->label == NULL)
            return usage_error("%s needs --label LABEL", "create");
        break;
    case CLI_CMD_UPDATE:
    case CLI_CMD_ROTATE:
    case CLI_CMD_DELETE:
        needs_room = 1;
        needs_webhook = 1;
        break;
    case CLI_CMD_BATCH:
        /* Each line names its webhook; --room and --webhook are defaults. */
        break;
    default:
        /* Invokes: an invoke URL replaces the room and webhook IDs. */
        needs_room = args->invoke_url == NULL;
        needs_webhook = args->invoke_url == NULL;
        break;
    }

    if (needs_room && args->room == NULL)
        return usage_error("missing room ID: pass --room ID or set %s", "STAYHERE_ROOM");
    if (needs_webhook && args->webhook == NULL)
        return usage_error("missing webhook ID: pass --webhook ID or set %s", "STAYHERE_WEBHOOK");
    return CLI_EXIT_OK;
}

/*
 * Returns the argv word of the long option that getopt_long just returned.
 * Its value, when given as the next word, sits at optind - 1.
 */
static const char *option_word(int argc, char **argv)
{
    int index = optind - 1;

    if (optarg != NULL && index >= 1 && index < argc && optarg == argv[index])
        index--;
    return (index >= 1 && index < argc) ? argv[index] : "";
}

/*
 * Returns 1 when the option was spelled out in full. getopt_long accepts
 * unique prefixes, so "--token VALUE" would otherwise be read as
 * "--token-file VALUE" and a token typed on the command line would end up
 * in an error message.
 */
static int is_full_option_name(int argc, char **argv, const char *name)
{
    const char *word = option_word(argc, argv);
    size_t length = strlen(name);

    return strncmp(word, "--", 2) == 0 && strncmp(word + 2, name, length) == 0
           && (word[2 + length] == '\0' || word[2 + length] == '=');
}

/* Returns 1 for "--NAME=VALUE" where NAME is an option without a value. */
static int takes_no_value(const char *word)
{
    size_t length = strcspn(word, "=");
    size_t i;

    if (strncmp(word, "--", 2) != 0 || word[length] != '=')
        return 0;
    for (i = 0; i < OPTION_COUNT; i++) {
        if (strlen(option_specs[i].name) == length - 2
            && strncmp(option_specs[i].name, word + 2, length - 2) == 0)
            return option_specs[i].has_arg == no_argument;
    }
    return 0;
}

int cli_is_option_name(const char *name, size_t length)
{
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        if (strlen(option_specs[i].name) == length && strncmp(option_specs[i].name, name, length) == 0)
            return 1;
    }
    return 0;
}

/* Returns the index in option_specs of the option with this id. */
static size_t find_spec(int id)
{
    size_t i;

    for (i = 0; i < OPTION_COUNT; i++) {
        if (option_specs[i].id == id)
            break;
    }
    return i;
}

static int build_long_options(struct option *table)
{
    size_t i;

    for (i = 0; i < OPTION_COUNT; i++) {
        table[i].name = option_specs[i].name;
        table[i].has_arg = option_specs[i].has_arg;
        table[i].flag = NULL;
        table[i].val = option_specs[i].id;
    }
    memset(&table[OPTION_COUNT], 0, sizeof table[OPTION_COUNT]);
    return 0;
}

/*
 * Reports an unknown option word, printed only up to '=' so that a value
 * is never echoed. "--token" and "--secret" get a pointer to the ways the
 * CLI does take credentials, since argv is visible to other local users.
 */
static int unknown_option_error(const char *word, const char *note)
{
    size_t name_length = strcspn(word, "=");

    if (name_length == strlen("--token") && strncmp(word, "--token", name_length) == 0)
        return usage_error("unknown option --token: the token is not taken on the command line, "
                           "where other users can read it; pass --token-file PATH "
                           "('-' reads standard input) or set STAYHERE_TOKEN");
    if (name_length == strlen("--secret") && strncmp(word, "--secret", name_length) == 0)
        return usage_error("unknown option --secret: the secret is not taken on the command "
                           "line, where other users can read it; pass --secret-file PATH "
                           "('-' reads standard input) or set STAYHERE_SECRET");
    return usage_error("unknown option %.*s%s", (int)name_length, word, note);
}

/*
 * Stores a --token-file or --secret-file value found after the first usage
 * error, so that the credential it names can be hidden in that error
 * wherever the option is on the command line. Other options are no longer
 * read.
 */
static void keep_credential_file(int argc, char **argv, struct cli_args *args, int id)
{
    if (id != OPT_SECRET_FILE && id != OPT_TOKEN_FILE)
        return;
    if (!is_full_option_name(argc, argv, option_specs[find_spec(id)].name))
        return;
    /* Not apply_option(), whose own usage error would replace the first. */
    (void)store_credential_file(args, id, optarg);
}

static void set_defaults(struct cli_args *args)
{
    memset(args, 0, sizeof *args);
    args->retries = -1;
    args->paused = -1;
    args->parallel = 8;
    args->base_url = env_or_null("STAYHERE_BASE_URL");
    args->room = env_or_null("STAYHERE_ROOM");
    args->webhook = env_or_null("STAYHERE_WEBHOOK");
}

int cli_parse_args(int argc, char **argv, struct cli_args *args)
{
    struct option long_options[OPTION_COUNT + 1];
    unsigned char seen[OPTION_COUNT] = { 0 };
    struct cli_strings words = { NULL, 0 };
    int rc = CLI_EXIT_OK;
    size_t spec;
    int c;

    set_defaults(args);
    build_long_options(long_options);

    /* A leading '-' in optstring returns operands in order (as option 1)
     * even under POSIXLY_CORRECT, and ':' reports a missing value as ':'.
     * Error messages print option words only up to '=', so that a value
     * such as "--secret=whk_..." is never echoed. */
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "-:hV", long_options, NULL)) != -1) {
        if (rc != CLI_EXIT_OK) {
            keep_credential_file(argc, argv, args, c);
            continue;
        }
        if (c == 1) {
            if (strings_push(&words, optarg) != 0)
                rc = usage_error("out of memory while reading operands");
            continue;
        }
        if (c == 'h') {
            args->help = 1;
            continue;
        }
        if (c == 'V') {
            args->version = 1;
            continue;
        }
        if (c == ':') {
            rc = usage_error("option %s needs a value", argv[optind - 1]);
            continue;
        }
        if (c == '?') {
            if (optopt > 0 && optopt < OPT_BASE_URL)
                rc = usage_error("unknown option -%c", optopt);
            else if (takes_no_value(argv[optind - 1]))
                rc = usage_error("option %.*s takes no value", (int)strcspn(argv[optind - 1], "="),
                                 argv[optind - 1]);
            else
                rc = unknown_option_error(argv[optind - 1], "");
            continue;
        }
        spec = find_spec(c);
        if (spec == OPTION_COUNT) {
            rc = usage_error("internal error: unhandled option id %d", c);
            continue;
        }
        if (!is_full_option_name(argc, argv, option_specs[spec].name)) {
            rc = unknown_option_error(option_word(argc, argv),
                                      " (option names cannot be abbreviated)");
            continue;
        }
        seen[spec] = 1;
        rc = apply_option(args, c, optarg);
    }
    if (rc != CLI_EXIT_OK)
        goto done;

    /* Everything after "--" is an operand, even when it starts with '-'. */
    for (; optind < argc; optind++) {
        if (strings_push(&words, argv[optind]) != 0) {
            rc = usage_error("out of memory while reading operands");
            goto done;
        }
    }

    if (args->help || args->version)
        goto done;

    rc = apply_operands(args, &words);
    if (rc != CLI_EXIT_OK)
        goto done;
    rc = check_option_scope(args, seen);
    if (rc != CLI_EXIT_OK)
        goto done;
    rc = check_required(args);

done:
    free(words.items);
    return rc;
}

void cli_args_free(struct cli_args *args)
{
    if (args == NULL)
        return;
    free(args->permissions.items);
    free(args->notes.items);
    free(args->options.items);
    free(args->credential_files.items);
    args->credential_files.items = NULL;
    args->permissions.items = NULL;
    args->notes.items = NULL;
    args->options.items = NULL;
}
