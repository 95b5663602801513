/*
 * dry_run_cases.c: runs `stayhooks --dry-run` for every request case in the
 * client case file and compares the printed request with the expected one.
 *
 * Usage: dry_run_cases CLI_PATH CASES_JSON
 *
 * The case file is read at run time, so new cases are picked up without a
 * rebuild. Only a case that the CLI cannot express by design (see
 * MAP_NO_CLI_FORM) is printed as "skip - NAME: reason". An unknown call or
 * argument name, or an argument of the wrong type, fails the case, so a
 * typo in the case file cannot pass as a skip. Each case prints "ok" or
 * "not ok" with the first difference found. Exits 0 only when no case failed
 * and at least one ran.
 *
 * The token and secret go to the CLI through STAYHERE_TOKEN and
 * STAYHERE_SECRET, never argv, and must not appear in its output.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

extern char **environ;

/* A run that takes longer than this is killed and counted as a failure. */
#define RUN_TIMEOUT_MS 20000

/* Returned by the mapping functions for the one argument shape the CLI
 * cannot express by design: an explicitly empty permission list, because
 * repeated --permission options have no form for "none". Such a case is
 * skipped. Mapping failures return -1 and fail the case. */
#define MAP_NO_CLI_FORM 2

struct string_list {
    char **items;
    size_t count;
};

struct invocation {
    struct string_list options;  /* after the program name */
    struct string_list operands; /* after "--": command words, then operands */
    const char *token;           /* STAYHERE_TOKEN, or NULL to unset it */
    const char *secret;          /* STAYHERE_SECRET, or NULL to unset it */
};

struct run_result {
    int exit_status; /* -1 when the CLI did not exit normally */
    char *out;
    char *err;
};

static int list_add(struct string_list *list, const char *text)
{
    char **grown = realloc(list->items, (list->count + 2) * sizeof *grown);

    if (grown == NULL)
        return -1;
    list->items = grown;
    list->items[list->count] = strdup(text);
    if (list->items[list->count] == NULL)
        return -1;
    list->count++;
    list->items[list->count] = NULL;
    return 0;
}

static void list_free(struct string_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

/* Formats a reason into `reason` (size 512) and returns -1 for chaining. */
static int set_reason(char *reason, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int set_reason(char *reason, const char *format, ...)
{
    va_list ap;

    va_start(ap, format);
    vsnprintf(reason, 512, format, ap);
    va_end(ap);
    return -1;
}

/* Adds "--NAME VALUE" for a JSON string. */
static int add_string_option(struct invocation *inv, const char *name, json_t *value, char *reason)
{
    if (!json_is_string(value))
        return set_reason(reason, "argument for --%s is not a string", name);
    if (list_add(&inv->options, name) != 0 || list_add(&inv->options, json_string_value(value)) != 0)
        return set_reason(reason, "out of memory");
    return 0;
}

/* Adds "--NAME JSON" with `value` encoded as compact JSON. */
static int add_json_option(struct invocation *inv, const char *name, json_t *value, char *reason)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    int rc = 0;

    if (text == NULL)
        return set_reason(reason, "out of memory");
    if (list_add(&inv->options, name) != 0 || list_add(&inv->options, text) != 0)
        rc = set_reason(reason, "out of memory");
    free(text);
    return rc;
}

/* Adds "--NAME ITEM" for every string in a JSON array. */
static int add_repeated_option(struct invocation *inv, const char *name, json_t *array, char *reason)
{
    size_t i;
    json_t *item;

    if (!json_is_array(array))
        return set_reason(reason, "argument for --%s is not an array", name);
    json_array_foreach(array, i, item) {
        if (add_string_option(inv, name, item, reason) != 0)
            return -1;
    }
    return 0;
}

/* Adds "--NAME AxB" for a JSON array of two integers. */
static int add_pair_option(struct invocation *inv, const char *name, const char *separator,
                           json_t *pair, char *reason)
{
    char text[64];

    if (!json_is_array(pair) || json_array_size(pair) != 2
        || !json_is_integer(json_array_get(pair, 0)) || !json_is_integer(json_array_get(pair, 1)))
        return set_reason(reason, "argument for --%s is not two integers", name);
    snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT "%s%" JSON_INTEGER_FORMAT,
             json_integer_value(json_array_get(pair, 0)), separator,
             json_integer_value(json_array_get(pair, 1)));
    if (list_add(&inv->options, name) != 0 || list_add(&inv->options, text) != 0)
        return set_reason(reason, "out of memory");
    return 0;
}

static int add_operand(struct invocation *inv, json_t *value, const char *what, char *reason)
{
    if (!json_is_string(value))
        return set_reason(reason, "%s is missing or not a string", what);
    if (list_add(&inv->operands, json_string_value(value)) != 0)
        return set_reason(reason, "out of memory");
    return 0;
}

/* Maps the "client" object to global options and the environment. */
static int map_client(struct invocation *inv, json_t *client, json_t *args, char *reason)
{
    const char *key;
    json_t *value;

    json_object_foreach(client, key, value) {
        if (strcmp(key, "base_url") == 0) {
            if (add_string_option(inv, "--base-url", value, reason) != 0)
                return -1;
        } else if (strcmp(key, "api_prefix") == 0) {
            if (add_string_option(inv, "--api-prefix", value, reason) != 0)
                return -1;
        } else if (strcmp(key, "token") == 0) {
            if (!json_is_string(value))
                return set_reason(reason, "client token is not a string");
            inv->token = json_string_value(value);
        } else if (strcmp(key, "default_alias") == 0) {
            /* The CLI has one --alias, so an explicit alias wins, as in
             * the library. */
            if (json_object_get(args, "alias") == NULL
                && add_string_option(inv, "--alias", value, reason) != 0)
                return -1;
        } else {
            return set_reason(reason, "client option '%s' has no CLI equivalent", key);
        }
    }
    return 0;
}

/* Maps one argument of a call and returns 1 when `key` is not known here. */
static int map_common_arg(struct invocation *inv, const char *key, json_t *value, char *reason)
{
    if (strcmp(key, "room_id") == 0)
        return add_string_option(inv, "--room", value, reason);
    if (strcmp(key, "webhook_id") == 0)
        return add_string_option(inv, "--webhook", value, reason);
    if (strcmp(key, "invoke_url") == 0)
        return add_string_option(inv, "--invoke-url", value, reason);
    if (strcmp(key, "alias") == 0)
        return add_string_option(inv, "--alias", value, reason);
    if (strcmp(key, "secret") == 0) {
        if (!json_is_string(value))
            return set_reason(reason, "secret is not a string");
        inv->secret = json_string_value(value);
        return 0;
    }
    return 1;
}

static int map_embed_arg(struct invocation *inv, const char *key, json_t *value, char *reason)
{
    static const char *const plain[] = { "title", "description", "color", "url", "image", "footer", "text" };
    char option[32];

    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        if (strcmp(key, plain[i]) == 0) {
            snprintf(option, sizeof option, "--%s", plain[i]);
            return add_string_option(inv, option, value, reason);
        }
    }
    if (strcmp(key, "notes") == 0)
        return add_repeated_option(inv, "--note", value, reason);
    if (strcmp(key, "extra_embed_fields") == 0)
        return add_json_option(inv, "--extra-embed", value, reason);
    return 1;
}

static int map_poll_arg(struct invocation *inv, const char *key, json_t *value, char *reason)
{
    char text[32];

    if (strcmp(key, "question") == 0 || strcmp(key, "options") == 0)
        return 0; /* operands, added in order by map_call */
    if (strcmp(key, "multiple_choice") == 0) {
        if (!json_is_boolean(value))
            return set_reason(reason, "multiple_choice is not a boolean");
        return json_is_true(value) ? list_add(&inv->options, "--multiple") : 0;
    }
    if (strcmp(key, "ends_in_minutes") == 0) {
        if (!json_is_integer(value))
            return set_reason(reason, "ends_in_minutes is not an integer");
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        if (list_add(&inv->options, "--ends-in") != 0 || list_add(&inv->options, text) != 0)
            return set_reason(reason, "out of memory");
        return 0;
    }
    return 1;
}

static int map_manage_arg(struct invocation *inv, const char *key, json_t *value, char *reason)
{
    if (strcmp(key, "label") == 0)
        return add_string_option(inv, "--label", value, reason);
    if (strcmp(key, "permissions") == 0) {
        /* Repeated --permission options cannot express an empty list. */
        if (json_is_array(value) && json_array_size(value) == 0) {
            set_reason(reason, "an explicitly empty permission list has no CLI form");
            return MAP_NO_CLI_FORM;
        }
        return add_repeated_option(inv, "--permission", value, reason);
    }
    if (strcmp(key, "paused") == 0) {
        if (!json_is_boolean(value))
            return set_reason(reason, "paused is not a boolean");
        return list_add(&inv->options, json_is_true(value) ? "--pause" : "--resume");
    }
    return 1;
}

/* Turns a case's call and arguments into CLI options and operands.
 * Returns 0, MAP_NO_CLI_FORM, or -1 with `reason` saying why the case
 * cannot be mapped. */
static int map_call(struct invocation *inv, const char *call, json_t *args, char *reason)
{
    const char *key;
    json_t *value;
    int rc;

    if (strcmp(call, "send_message") == 0) {
        if (list_add(&inv->operands, "send") != 0 || list_add(&inv->operands, "message") != 0)
            return set_reason(reason, "out of memory");
        if (add_operand(inv, json_object_get(args, "text"), "text", reason) != 0)
            return -1;
    } else if (strcmp(call, "send_embed") == 0) {
        if (list_add(&inv->operands, "send") != 0 || list_add(&inv->operands, "embed") != 0)
            return set_reason(reason, "out of memory");
    } else if (strcmp(call, "send_poll") == 0) {
        json_t *options = json_object_get(args, "options");
        size_t i;
        json_t *option;

        if (list_add(&inv->operands, "send") != 0 || list_add(&inv->operands, "poll") != 0)
            return set_reason(reason, "out of memory");
        if (add_operand(inv, json_object_get(args, "question"), "question", reason) != 0)
            return -1;
        if (!json_is_array(options))
            return set_reason(reason, "options is not an array");
        json_array_foreach(options, i, option) {
            if (add_operand(inv, option, "poll option", reason) != 0)
                return -1;
        }
    } else if (strcmp(call, "send_image") == 0) {
        if (list_add(&inv->operands, "send") != 0 || list_add(&inv->operands, "image") != 0)
            return set_reason(reason, "out of memory");
        if (add_operand(inv, json_object_get(args, "url"), "url", reason) != 0)
            return -1;
    } else if (strcmp(call, "invoke_webhook") == 0) {
        if (list_add(&inv->operands, "invoke") != 0)
            return set_reason(reason, "out of memory");
        if (add_operand(inv, json_object_get(args, "action"), "action", reason) != 0)
            return -1;
    } else {
        static const char *const manage[][2] = {
            { "list_webhooks", "list" }, { "create_webhook", "create" },
            { "update_webhook", "update" }, { "rotate_secret", "rotate" },
            { "delete_webhook", "delete" }, { "get_permitted_actions", "actions" },
        };
        const char *command = NULL;

        for (size_t i = 0; i < sizeof manage / sizeof manage[0]; i++) {
            if (strcmp(call, manage[i][0]) == 0)
                command = manage[i][1];
        }
        if (command == NULL)
            return set_reason(reason, "call '%s' has no CLI command", call);
        if (list_add(&inv->operands, command) != 0)
            return set_reason(reason, "out of memory");
    }

    json_object_foreach(args, key, value) {
        rc = map_common_arg(inv, key, value, reason);
        if (rc == 1 && strcmp(call, "send_message") == 0) {
            if (strcmp(key, "text") == 0)
                rc = 0;
            else if (strcmp(key, "extra") == 0)
                rc = add_json_option(inv, "--extra", value, reason);
        } else if (rc == 1 && strcmp(call, "send_embed") == 0) {
            rc = map_embed_arg(inv, key, value, reason);
        } else if (rc == 1 && strcmp(call, "send_poll") == 0) {
            rc = map_poll_arg(inv, key, value, reason);
        } else if (rc == 1 && strcmp(call, "send_image") == 0) {
            if (strcmp(key, "url") == 0)
                rc = 0;
            else if (strcmp(key, "size") == 0)
                rc = add_pair_option(inv, "--size", "x", value, reason);
            else if (strcmp(key, "position") == 0)
                rc = add_pair_option(inv, "--at", ",", value, reason);
        } else if (rc == 1 && strcmp(call, "invoke_webhook") == 0) {
            if (strcmp(key, "action") == 0)
                rc = 0;
            else if (strcmp(key, "payload") == 0)
                rc = add_json_option(inv, "--payload", value, reason);
        } else if (rc == 1) {
            rc = map_manage_arg(inv, key, value, reason);
        }
        if (rc == 1)
            return set_reason(reason, "argument '%s' of %s has no CLI option", key, call);
        if (rc == MAP_NO_CLI_FORM)
            return rc;
        if (rc != 0) {
            if (reason[0] == '\0')
                set_reason(reason, "argument '%s' of %s could not be mapped", key, call);
            return -1;
        }
    }
    return 0;
}

/* Builds the environment: the caller's, minus every STAYHERE_ variable,
 * plus the case's token and secret. */
static int build_environment(const struct invocation *inv, struct string_list *env)
{
    char *entry;
    int rc = 0;

    for (char **item = environ; *item != NULL; item++) {
        if (strncmp(*item, "STAYHERE_", 9) != 0 && list_add(env, *item) != 0)
            return -1;
    }
    if (inv->token != NULL) {
        if (asprintf(&entry, "STAYHERE_TOKEN=%s", inv->token) < 0)
            return -1;
        rc |= list_add(env, entry);
        free(entry);
    }
    if (inv->secret != NULL) {
        if (asprintf(&entry, "STAYHERE_SECRET=%s", inv->secret) < 0)
            return -1;
        rc |= list_add(env, entry);
        free(entry);
    }
    return rc;
}

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    char *data = NULL;
    long size;

    if (file == NULL)
        return NULL;
    if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0) {
        data = malloc((size_t)size + 1);
        if (data != NULL) {
            size_t got = fread(data, 1, (size_t)size, file);
            data[got] = '\0';
        }
    }
    fclose(file);
    return data;
}

/* Runs `argv` with `env`, standard input from /dev/null, and collects its
 * exit status and output. Returns 0, or -1 when it could not run. */
static int run_cli(char **argv, char **env, const char *temp_dir, struct run_result *result)
{
    char out_path[512], err_path[512];
    posix_spawn_file_actions_t actions;
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    pid_t pid;
    int wait_status = 0;
    int waited_ms = 0;
    int rc = -1;

    snprintf(out_path, sizeof out_path, "%s/stdout", temp_dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", temp_dir);
    result->exit_status = -1;
    result->out = NULL;
    result->err = NULL;

    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawn(&pid, argv[0], &actions, NULL, argv, env) != 0) {
        fprintf(stderr, "dry_run_cases: cannot run %s: %s\n", argv[0], strerror(errno));
        goto done;
    }

    /* Bounded wait: a hung CLI is killed rather than stalling the suite. */
    while (waitpid(pid, &wait_status, WNOHANG) == 0) {
        if (waited_ms >= RUN_TIMEOUT_MS) {
            kill(pid, SIGKILL);
            waitpid(pid, &wait_status, 0);
            break;
        }
        nanosleep(&tick, NULL);
        waited_ms += 10;
    }
    if (WIFEXITED(wait_status))
        result->exit_status = WEXITSTATUS(wait_status);
    result->out = read_file(out_path);
    result->err = read_file(err_path);
    if (result->out != NULL && result->err != NULL)
        rc = 0;

done:
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

static int expected_exit_status(const char *error_class)
{
    static const struct { const char *name; int status; } table[] = {
        { "validation", 2 }, { "auth", 3 }, { "http", 4 },
        { "invalid_response", 5 }, { "network", 6 },
    };

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(error_class, table[i].name) == 0)
            return table[i].status;
    }
    return -1;
}

/* Returns `value` with every occurrence of each credential replaced by
 * "<redacted>", as the dry-run output shows them. Caller frees. */
static char *redact(const char *value, const char *const *credentials, size_t count)
{
    char *text = strdup(value);

    for (size_t i = 0; text != NULL && i < count; i++) {
        const char *found;

        if (credentials[i] == NULL || credentials[i][0] == '\0')
            continue;
        while ((found = strstr(text, credentials[i])) != NULL) {
            char *next = NULL;
            int prefix = (int)(found - text);

            if (asprintf(&next, "%.*s<redacted>%s", prefix, text, found + strlen(credentials[i])) < 0)
                next = NULL;
            free(text);
            text = next;
            if (text == NULL)
                break;
        }
    }
    return text;
}

static json_t *find_header(json_t *headers, const char *name)
{
    const char *key;
    json_t *value;

    json_object_foreach(headers, key, value) {
        if (strcasecmp(key, name) == 0)
            return value;
    }
    return NULL;
}

static int check_request(json_t *expected, const struct run_result *run,
                         const char *const *credentials, size_t credential_count, char *reason)
{
    json_error_t parse_error;
    json_t *actual = NULL;
    json_t *headers;
    const char *name;
    json_t *value;
    size_t i;
    int rc = -1;

    if (run->exit_status != 0) {
        set_reason(reason, "exit status %d, expected 0; stderr: %s", run->exit_status, run->err);
        goto done;
    }
    /* json_loads rejects anything after the first value, so this also
     * checks that exactly one JSON object was printed. */
    actual = json_loads(run->out, 0, &parse_error);
    if (!json_is_object(actual)) {
        set_reason(reason, "stdout is not one JSON object (%s): %s", parse_error.text, run->out);
        goto done;
    }
    if (!json_equal(json_object_get(actual, "method"), json_object_get(expected, "method"))) {
        set_reason(reason, "method differs: %s", run->out);
        goto done;
    }
    if (!json_equal(json_object_get(actual, "url"), json_object_get(expected, "url"))) {
        set_reason(reason, "url differs: expected %s, got %s",
                   json_string_value(json_object_get(expected, "url")),
                   json_string_value(json_object_get(actual, "url")));
        goto done;
    }

    headers = json_object_get(actual, "headers");
    if (!json_is_object(headers)) {
        set_reason(reason, "no headers object: %s", run->out);
        goto done;
    }
    json_object_foreach(json_object_get(expected, "headers"), name, value) {
        json_t *got = find_header(headers, name);
        char *shown = redact(json_string_value(value), credentials, credential_count);
        int same = got != NULL && shown != NULL && json_is_string(got)
                   && strcmp(json_string_value(got), shown) == 0;

        free(shown);
        if (!same) {
            set_reason(reason, "header %s differs or is missing: %s", name, run->out);
            goto done;
        }
    }
    json_array_foreach(json_object_get(expected, "no_headers"), i, value) {
        if (find_header(headers, json_string_value(value)) != NULL) {
            set_reason(reason, "header %s must be absent: %s", json_string_value(value), run->out);
            goto done;
        }
    }

    if (!json_equal(json_object_get(actual, "body"), json_object_get(expected, "body"))) {
        char *want = json_dumps(json_object_get(expected, "body"), JSON_COMPACT | JSON_ENCODE_ANY);

        set_reason(reason, "body differs: expected %s, got %s", want != NULL ? want : "?", run->out);
        free(want);
        goto done;
    }
    rc = 0;

done:
    json_decref(actual);
    return rc;
}

static int check_error(json_t *expected, const struct run_result *run, char *reason)
{
    const char *error_class = json_string_value(json_object_get(expected, "class"));
    int want = error_class != NULL ? expected_exit_status(error_class) : -1;
    const char *newline;

    if (want < 0)
        return set_reason(reason, "unknown error class in the case file");
    if (run->exit_status != want)
        return set_reason(reason, "exit status %d, expected %d (%s); stderr: %s",
                          run->exit_status, want, error_class, run->err);
    if (run->out[0] != '\0')
        return set_reason(reason, "stdout must be empty on error, got: %s", run->out);
    newline = strchr(run->err, '\n');
    if (strncmp(run->err, "stayhooks: ", 11) != 0 || newline == NULL || newline[1] != '\0')
        return set_reason(reason, "stderr must be one line starting 'stayhooks: ', got: %s", run->err);
    return 0;
}

static int check_no_credentials(const struct run_result *run, const char *const *credentials,
                                size_t count, char *reason)
{
    for (size_t i = 0; i < count; i++) {
        if (credentials[i] == NULL || credentials[i][0] == '\0')
            continue;
        if (strstr(run->out, credentials[i]) != NULL || strstr(run->err, credentials[i]) != NULL)
            return set_reason(reason, "a token or secret appears in the output");
    }
    return 0;
}

/* Runs one case and returns 0 (pass), 1 (fail) or 2 (skip). */
static int run_case(const char *cli, json_t *test_case, const char *const *file_credentials,
                    const char *temp_dir, char *reason)
{
    struct invocation inv = { { NULL, 0 }, { NULL, 0 }, NULL, NULL };
    struct string_list argv = { NULL, 0 };
    struct string_list env = { NULL, 0 };
    struct run_result run = { -1, NULL, NULL };
    json_t *args = json_object_get(test_case, "args");
    json_t *expect_request = json_object_get(test_case, "expect_request");
    json_t *expect_error = json_object_get(test_case, "expect_error");
    const char *call = json_string_value(json_object_get(test_case, "call"));
    const char *credentials[4];
    char *no_environment[] = { NULL };
    int outcome = 1;
    int mapped;

    if (call == NULL || !json_is_object(args) || (expect_request == NULL && expect_error == NULL)) {
        set_reason(reason, "case lacks call, args or an expectation");
        goto done;
    }
    mapped = map_client(&inv, json_object_get(test_case, "client"), args, reason);
    if (mapped == 0)
        mapped = map_call(&inv, call, args, reason);
    if (mapped == MAP_NO_CLI_FORM) {
        outcome = 2;
        goto done;
    }
    if (mapped != 0)
        goto done;

    if (list_add(&argv, cli) != 0 || list_add(&argv, "--dry-run") != 0)
        goto done;
    for (size_t i = 0; i < inv.options.count; i++) {
        if (list_add(&argv, inv.options.items[i]) != 0)
            goto done;
    }
    if (list_add(&argv, "--") != 0)
        goto done;
    for (size_t i = 0; i < inv.operands.count; i++) {
        if (list_add(&argv, inv.operands.items[i]) != 0)
            goto done;
    }
    if (build_environment(&inv, &env) != 0) {
        set_reason(reason, "out of memory");
        goto done;
    }

    if (run_cli(argv.items, env.items != NULL ? env.items : no_environment, temp_dir, &run) != 0) {
        set_reason(reason, "the CLI could not be run or its output read");
        goto done;
    }

    credentials[0] = file_credentials[0];
    credentials[1] = file_credentials[1];
    credentials[2] = inv.token;
    credentials[3] = inv.secret;
    if (check_no_credentials(&run, credentials, 4, reason) != 0)
        goto done;
    if (expect_request != NULL && check_request(expect_request, &run, credentials, 4, reason) != 0)
        goto done;
    if (expect_request == NULL && check_error(expect_error, &run, reason) != 0)
        goto done;
    outcome = 0;

done:
    free(run.out);
    free(run.err);
    list_free(&argv);
    list_free(&env);
    list_free(&inv.options);
    list_free(&inv.operands);
    return outcome;
}

int main(int argc, char **argv)
{
    json_error_t parse_error;
    json_t *cases = NULL;
    json_t *requests;
    json_t *test_case;
    const char *file_credentials[2];
    char temp_dir[] = "/tmp/stayhooks-dry-run-XXXXXX";
    char reason[512];
    size_t index;
    int passed = 0, failed = 0, skipped = 0;
    int temp_created = 0;
    int status = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: dry_run_cases CLI_PATH CASES_JSON\n");
        return 2;
    }
    cases = json_load_file(argv[2], 0, &parse_error);
    if (cases == NULL) {
        fprintf(stderr, "dry_run_cases: cannot read %s: line %d: %s\n", argv[2], parse_error.line,
                parse_error.text);
        return 1;
    }
    requests = json_object_get(cases, "requests");
    if (!json_is_array(requests)) {
        fprintf(stderr, "dry_run_cases: %s has no \"requests\" array\n", argv[2]);
        goto done;
    }
    if (mkdtemp(temp_dir) == NULL) {
        fprintf(stderr, "dry_run_cases: cannot create a temporary folder: %s\n", strerror(errno));
        goto done;
    }
    temp_created = 1;
    file_credentials[0] = json_string_value(json_object_get(cases, "token"));
    file_credentials[1] = json_string_value(json_object_get(cases, "secret"));

    json_array_foreach(requests, index, test_case) {
        const char *name = json_string_value(json_object_get(test_case, "name"));
        int outcome;

        reason[0] = '\0';
        outcome = run_case(argv[1], test_case, file_credentials, temp_dir, reason);
        if (outcome == 0) {
            printf("ok - %s\n", name);
            passed++;
        } else if (outcome == 2) {
            printf("skip - %s: %s\n", name, reason);
            skipped++;
        } else {
            printf("not ok - %s: %s\n", name, reason);
            failed++;
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    status = (failed == 0 && passed > 0) ? 0 : 1;

done:
    if (temp_created) {
        char path[600];

        snprintf(path, sizeof path, "%s/stdout", temp_dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/stderr", temp_dir);
        unlink(path);
        rmdir(temp_dir);
    }
    json_decref(cases);
    return status;
}
