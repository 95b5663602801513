/*
 * commands_batch.c: `stayhooks batch FILE`, many invokes from JSON lines.
 *
 * Each non-blank input line is one invoke: {"action", "payload", "room",
 * "webhook", "secret", "invokeUrl"}. Missing room, webhook and secret fall
 * back to --room, --webhook and the default secret. Every line that was
 * read gets one JSON result line on stdout, in input order, whether it was
 * delivered, failed on the server, or could not be read.
 *
 * The input is read in windows of DEFAULT_WINDOW_LINES lines unless
 * STAYHOOKS_BATCH_WINDOW sets another size. Each window goes into a library
 * batch of its own, which is run, printed and freed before the next window
 * is read, so memory does not grow with the input.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"

/* Lines per window unless STAYHOOKS_BATCH_WINDOW sets another count. At
 * least 4 lines per transfer at the maximum --parallel, so that the few
 * transfers still running at the end of a window cost little. */
#define DEFAULT_WINDOW_LINES 1024u
#define MAX_WINDOW_LINES 100000ul
/* A window also ends once its lines add up to this many bytes, so that a
 * file of long lines stays bounded too. */
#define WINDOW_MAX_BYTES (16u * 1024u * 1024u)

/* One input line of the current window. */
struct batch_line {
    unsigned long number;        /* 1-based line number in the input */
    size_t batch_index;          /* index in the window's library batch, when queued */
    int queued;
    int code;                    /* the line's own error, when not queued */
    char *message;
};

/* The lines read since the last window was printed, and their batch. */
struct batch_window {
    struct batch_line *lines;
    size_t count;
    size_t capacity;             /* the window size in lines */
    size_t bytes;
    unsigned char *ended;        /* per batch index: the item has ended */
    size_t next;                 /* first line not printed yet */
    stayhooks_batch *batch;
};

/* Counts of the result lines printed so far, and the outcomes that the
 * exit status depends on. */
struct batch_totals {
    size_t delivered;            /* in dry-run mode: requests built */
    size_t failed;
    size_t not_sent;             /* queued lines the interruption left unsent */
    int any_sent;                /* some line reached the server or the network */
    int any_delivery_unknown;
    int first_failure_status;    /* of the first failure other than an invalid line */
    int any_invalid_line;
    int write_failed;
};

/* A run of consecutive line numbers, "first-last". */
struct line_range {
    unsigned long first;
    unsigned long last;
};

/* The lines that were delivered, or whose delivery is unknown, and whose
 * result line could not be written, so that the summary can name them. Only the window that was running when
 * stdout failed adds to it, so it contains at most one window of lines. */
struct unwritten_lines {
    struct line_range *ranges;
    size_t count;
    size_t capacity;
    int out_of_memory;
};

struct batch_run {
    stayhooks_client *client;
    const struct cli_args *args;
    const struct cli_inputs *inputs;
    struct batch_reader reader;
    struct batch_window window;
    struct batch_totals totals;
    struct batch_progress progress;
    struct unwritten_lines unwritten;
    int input_ended;             /* every line of the input was read */
};

/* Set by the SIGINT and SIGTERM handler, and read between steps. The
 * handler cancels the batch of the window that is being read or run. */
static volatile sig_atomic_t caught_signal;
static stayhooks_batch *volatile running_batch;

static void stop_batch(int signal_number)
{
    caught_signal = signal_number;
    stayhooks_batch_cancel(running_batch);
}

/* Routes SIGINT and SIGTERM to stop_batch(), saving the old actions. No
 * SA_RESTART, so that a signal also ends a read that waits on a pipe. */
static void catch_stop_signals(struct sigaction *old_int, struct sigaction *old_term)
{
    struct sigaction action;

    memset(&action, 0, sizeof action);
    action.sa_handler = stop_batch;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, old_int);
    sigaction(SIGTERM, &action, old_term);
}

/* Reads the window size from STAYHOOKS_BATCH_WINDOW. Returns 0, or -1
 * after printing why the value is invalid. */
static int window_lines_from_env(size_t *lines)
{
    const char *text = getenv("STAYHOOKS_BATCH_WINDOW");
    char *end = NULL;
    unsigned long value;

    *lines = DEFAULT_WINDOW_LINES;
    /* An empty variable counts as unset, as the STAYHERE_ variables do. */
    if (text == NULL || text[0] == '\0')
        return 0;
    /* strtoul() alone would also take a sign and leading white space. */
    errno = 0;
    value = strtoul(text, &end, 10);
    if (strspn(text, "0123456789") != strlen(text) || errno != 0 || *end != '\0' ||
        value < 1 || value > MAX_WINDOW_LINES) {
        cli_fail("invalid STAYHOOKS_BATCH_WINDOW '%s': expected a line count from 1 to %lu",
                 text, MAX_WINDOW_LINES);
        return -1;
    }
    *lines = (size_t)value;
    return 0;
}

/* Counts a printed result line for the summary, the exit status and the
 * progress bar. */
static void count_result(struct batch_run *run, int code, const stayhooks_error *err)
{
    struct batch_totals *totals = &run->totals;
    int status;

    if (code == STAYHOOKS_OK) {
        totals->delivered++;
        totals->any_sent = 1;
        return;
    }

    totals->failed++;
    status = cli_exit_status(code, err);
    if (status == CLI_EXIT_DELIVERY_UNKNOWN)
        totals->any_delivery_unknown = 1;
    if (status == CLI_EXIT_USAGE) {
        totals->any_invalid_line = 1;
    } else {
        totals->any_sent = 1;
        if (totals->first_failure_status == CLI_EXIT_OK)
            totals->first_failure_status = status;
    }
}

static void add_unwritten_line(struct unwritten_lines *unwritten, unsigned long number)
{
    struct line_range *last = unwritten->count > 0 ? &unwritten->ranges[unwritten->count - 1]
                                                   : NULL;

    if (last != NULL && last->last + 1 == number) {
        last->last = number;
        return;
    }
    if (unwritten->count == unwritten->capacity) {
        size_t grown_capacity = unwritten->capacity == 0 ? 16 : unwritten->capacity * 2;
        struct line_range *grown = realloc(unwritten->ranges, grown_capacity * sizeof *grown);

        if (grown == NULL) {
            unwritten->out_of_memory = 1;
            return;
        }
        unwritten->ranges = grown;
        unwritten->capacity = grown_capacity;
    }
    unwritten->ranges[unwritten->count].first = number;
    unwritten->ranges[unwritten->count].last = number;
    unwritten->count++;
}

/* Prints the result line of input line `number`. Once stdout has failed,
 * nothing more is printed there, the running window starts no more items,
 * and each line that `may_be_delivered` is kept for the summary, because
 * its result is lost and a rerun could send it twice. */
static void emit(struct batch_run *run, json_t *output, unsigned long number,
                 int may_be_delivered)
{
    struct batch_totals *totals = &run->totals;

    if (totals->write_failed) {
        json_decref(output);
    } else if (batch_write_line(output, number) != 0) {
        totals->write_failed = 1;
        stayhooks_batch_cancel(run->window.batch);
    }
    if (totals->write_failed && may_be_delivered)
        add_unwritten_line(&run->unwritten, number);
    batch_progress_update(&run->progress,
                          totals->delivered + totals->failed + totals->not_sent,
                          totals->failed + totals->not_sent, 0);
}

/* Builds and counts the result line of a window line that has ended. Sets
 * `*may_be_delivered` when it was delivered or its delivery is unknown. */
static json_t *result_line(struct batch_run *run, const struct batch_line *line,
                           int *may_be_delivered)
{
    const stayhooks_invoke_result *result = NULL;
    const stayhooks_error *err = NULL;
    int code = line->code;

    if (line->queued)
        code = stayhooks_batch_result(run->window.batch, line->batch_index, &result, &err);

    *may_be_delivered = 0;
    if (code == STAYHOOKS_OK && result != NULL && result->ok) {
        *may_be_delivered = 1;
        count_result(run, STAYHOOKS_OK, NULL);
        return batch_success_line(line->number, result);
    }
    if (code == STAYHOOKS_OK) {
        /* NOTE: the protocol does not describe a 2xx reply with
         * "ok": false; it counts as a failure, like `send`. */
        code = STAYHOOKS_ERR_INVALID_RESPONSE;
        count_result(run, code, NULL);
        return batch_failure_line(line->number, stayhooks_code_name((stayhooks_code)code), 200,
                                  "the server replied ok: false", 0);
    }

    count_result(run, code, err);
    *may_be_delivered = stayhooks_error_delivery_unknown(err);
    if (err != NULL)
        return batch_failure_line(line->number, stayhooks_code_name((stayhooks_code)code),
                                  stayhooks_error_status(err), stayhooks_error_message(err),
                                  stayhooks_error_delivery_unknown(err));
    return batch_failure_line(line->number, stayhooks_code_name((stayhooks_code)code), 0,
                              line->message, 0);
}

/* Builds the result line of a queued line that never started because the
 * batch was interrupted. */
static json_t *not_sent_line(struct batch_run *run, const struct batch_line *line)
{
    run->totals.not_sent++;
    return batch_failure_line(line->number, "cancelled", 0,
                              "not sent because the batch was interrupted", 0);
}

/* Returns 1 when item `index` has a result or an error, even one that
 * ended without the item callback (a run that failed as a whole). */
static int has_outcome(const stayhooks_batch *batch, size_t index)
{
    const stayhooks_invoke_result *result = NULL;
    const stayhooks_error *err = NULL;

    stayhooks_batch_result(batch, index, &result, &err);
    return result != NULL || err != NULL;
}

/* Prints every window line from `window.next` on whose item has ended, and
 * stops at the first that has not. With `final` set, a queued line that
 * has not ended was left unsent by an interruption. */
static void print_ready(struct batch_run *run, int final)
{
    struct batch_window *window = &run->window;

    while (window->next < window->count) {
        const struct batch_line *line = &window->lines[window->next];
        int may_be_delivered = 0;
        json_t *output;

        if (line->queued && !window->ended[line->batch_index]) {
            if (!final)
                return;
            output = has_outcome(window->batch, line->batch_index)
                         ? result_line(run, line, &may_be_delivered)
                         : not_sent_line(run, line);
        } else {
            output = result_line(run, line, &may_be_delivered);
        }
        emit(run, output, line->number, may_be_delivered);
        window->next++;
    }
}

static void item_ended(void *userdata, size_t index)
{
    struct batch_run *run = userdata;

    run->window.ended[index] = 1;
    print_ready(run, 0);
}

/* Parses the reader's current line and queues it in the window's batch. */
static void queue_line(struct batch_run *run, size_t length, struct batch_line *line)
{
    struct batch_request request;
    stayhooks_error *err = NULL;

    line->code = batch_parse_line(run->reader.text, length, run->args, run->inputs, &request,
                                  &line->message);
    if (line->code == STAYHOOKS_OK) {
        line->code = stayhooks_batch_add_invoke(run->window.batch, &request.target,
                                                request.action, request.payload_text, &err);
        if (line->code == STAYHOOKS_OK) {
            line->queued = 1;
            line->batch_index = stayhooks_batch_count(run->window.batch) - 1;
        } else {
            line->message = strdup(stayhooks_error_message(err));
        }
    }
    stayhooks_error_free(err);
    batch_request_clear(&request);
}

/* Frees the lines of the window and its batch, keeping the arrays. */
static void window_clear(struct batch_window *window)
{
    running_batch = NULL;
    stayhooks_batch_free(window->batch);
    window->batch = NULL;
    for (size_t i = 0; i < window->count; i++)
        free(window->lines[i].message);
    if (window->ended != NULL)
        memset(window->ended, 0, window->capacity);
    window->count = 0;
    window->bytes = 0;
    window->next = 0;
}

/* Reads lines into the window until it is full, the input ends, or a
 * signal arrives. Returns 0, or -1 after printing why. */
static int fill_window(struct batch_run *run)
{
    struct batch_window *window = &run->window;
    stayhooks_error *err = NULL;
    size_t length = 0;

    if (stayhooks_batch_new(run->client, &window->batch, &err) != STAYHOOKS_OK) {
        cli_print_error(err);
        stayhooks_error_free(err);
        return -1;
    }
    /* A signal while the lines are read cancels the run before it sends. */
    running_batch = window->batch;
    stayhooks_batch_set_item_callback(window->batch, item_ended, run);

    while (window->count < window->capacity && window->bytes < WINDOW_MAX_BYTES &&
           caught_signal == 0) {
        enum batch_read_status status = batch_reader_next(&run->reader, &length);

        if (status == BATCH_READ_END)
            run->input_ended = 1;
        if (status == BATCH_READ_FAILED)
            return -1;
        if (status != BATCH_READ_LINE)
            break;

        struct batch_line *line = &window->lines[window->count++];
        memset(line, 0, sizeof *line);
        line->number = run->reader.number;
        window->bytes += length;
        queue_line(run, length, line);
        batch_reader_wipe_line(&run->reader);
    }
    return 0;
}

/* Reads, sends and prints the input one window at a time. Returns
 * STAYHOOKS_OK, or a code after printing why, or with `*err` set. */
static int send_windows(struct batch_run *run, stayhooks_error **err)
{
    struct batch_window *window = &run->window;
    int rc = STAYHOOKS_OK;

    window->lines = calloc(window->capacity, sizeof *window->lines);
    window->ended = calloc(window->capacity, 1);
    if (window->lines == NULL || window->ended == NULL) {
        cli_fail("out of memory while reading the batch file");
        rc = STAYHOOKS_ERR_INTERNAL;
        goto done;
    }

    while (!run->input_ended && caught_signal == 0) {
        if (fill_window(run) != 0) {
            rc = STAYHOOKS_ERR_INTERNAL;
            goto done;
        }

        /* Lines that could not be queued before the first queued one print
         * right away. */
        print_ready(run, 0);
        if (stayhooks_batch_count(window->batch) > 0) {
            rc = stayhooks_batch_run(window->batch, run->args->parallel, NULL, NULL, err);
            if (rc != STAYHOOKS_OK)
                goto done;
        }
        print_ready(run, 1);
        window_clear(window);
        if (run->totals.write_failed)
            break;
    }

done:
    window_clear(window);
    free(window->lines);
    free(window->ended);
    return rc;
}

/* Dry run: builds and prints each line's request as soon as it is read,
 * with one single call per line, because the library records only the
 * last request of a batch. Returns STAYHOOKS_OK, or a code after printing
 * why. */
static int print_requests(struct batch_run *run)
{
    size_t length = 0;

    while (caught_signal == 0 && !run->totals.write_failed) {
        enum batch_read_status status = batch_reader_next(&run->reader, &length);
        struct batch_request request;
        stayhooks_invoke_result *result = NULL;
        stayhooks_error *err = NULL;
        char *message = NULL;
        json_t *output;

        if (status == BATCH_READ_END)
            run->input_ended = 1;
        if (status == BATCH_READ_FAILED)
            return STAYHOOKS_ERR_INTERNAL;
        if (status != BATCH_READ_LINE)
            break;

        unsigned long number = run->reader.number;
        int code = batch_parse_line(run->reader.text, length, run->args, run->inputs, &request,
                                    &message);
        if (code == STAYHOOKS_OK)
            code = stayhooks_invoke(run->client, &request.target, request.action,
                                    request.payload_text, &result, &err);
        batch_request_clear(&request);
        batch_reader_wipe_line(&run->reader);

        const char *built = stayhooks_client_last_request(run->client);
        if (code == STAYHOOKS_OK && built == NULL) {
            code = STAYHOOKS_ERR_INTERNAL;
            message = strdup("internal error: dry run built no request");
        }
        count_result(run, code, err);
        if (code == STAYHOOKS_OK)
            output = batch_dry_run_line(number, built);
        else
            output = batch_failure_line(number, stayhooks_code_name((stayhooks_code)code),
                                        err != NULL ? stayhooks_error_status(err) : 0,
                                        err != NULL ? stayhooks_error_message(err) : message,
                                        0);
        emit(run, output, number, 0);
        stayhooks_invoke_result_free(result);
        stayhooks_error_free(err);
        free(message);
    }
    return STAYHOOKS_OK;
}

/*
 * Returns the batch's exit status: the signal's 128 + number after an
 * interruption, else 7 when any line's delivery is unknown, else the
 * status of the first failure that was not an invalid line. Invalid lines
 * alone give 2 only when nothing was sent, and 1 otherwise. In dry-run
 * mode a line whose request was built counts as sent.
 */
static int batch_exit_status(const struct batch_totals *totals)
{
    if (caught_signal != 0)
        return 128 + caught_signal;
    if (totals->any_delivery_unknown)
        return CLI_EXIT_DELIVERY_UNKNOWN;
    if (totals->first_failure_status != CLI_EXIT_OK)
        return totals->first_failure_status;
    if (totals->any_invalid_line)
        return totals->any_sent ? CLI_EXIT_OTHER : CLI_EXIT_USAGE;
    return CLI_EXIT_OK;
}

/* Prints which lines that may have reached the room lost their result
 * line, as ranges such as "1-3, 5", after stdout failed. */
static void print_unwritten_lines(const struct unwritten_lines *unwritten)
{
    /* Two numbers of at most 20 digits, "-" and ", " per range. */
    size_t size = unwritten->count * 44 + 1;
    char *text;
    size_t used = 0;

    if (unwritten->count == 0) {
        cli_fail("no line that was delivered, or whose delivery is unknown, lost its "
                 "result line");
        return;
    }
    text = malloc(size);
    if (unwritten->out_of_memory || text == NULL) {
        cli_fail("out of memory while listing the lines whose result line was lost; check "
                 "the room before sending them again");
        free(text);
        return;
    }
    text[0] = '\0';
    for (size_t i = 0; i < unwritten->count; i++) {
        const struct line_range *range = &unwritten->ranges[i];
        const char *separator = i > 0 ? ", " : "";

        if (range->first == range->last)
            used += (size_t)snprintf(text + used, size - used, "%s%lu", separator, range->first);
        else
            used += (size_t)snprintf(text + used, size - used, "%s%lu-%lu", separator,
                                     range->first, range->last);
    }
    cli_fail("result line lost for input lines %s, which were delivered or whose "
             "delivery is unknown", text);
    free(text);
}

static void print_summary(const struct batch_run *run)
{
    const struct batch_totals *totals = &run->totals;

    if (run->args->dry_run)
        cli_fail("dry run: %zu built, %zu failed, nothing sent",
                 totals->delivered, totals->failed);
    else if (caught_signal != 0)
        cli_fail("%zu delivered, %zu failed, %zu not sent: interrupted by signal %d",
                 totals->delivered, totals->failed, totals->not_sent, (int)caught_signal);
    else if (totals->write_failed)
        cli_fail("%zu delivered, %zu failed, %zu not sent: stopped because standard output "
                 "failed", totals->delivered, totals->failed, totals->not_sent);
    else
        cli_fail("%zu delivered, %zu failed", totals->delivered, totals->failed);

    if (totals->write_failed && !run->args->dry_run)
        print_unwritten_lines(&run->unwritten);
    if (caught_signal != 0 && !run->input_ended)
        cli_fail("interrupted by signal %d: input lines after line %lu were not read",
                 (int)caught_signal, run->reader.number);
    else if (totals->write_failed && !run->input_ended)
        cli_fail("standard output failed: input lines after line %lu were not read",
                 run->reader.number);
}

int cli_run_batch(stayhooks_client *client, const struct cli_args *args,
                  const struct cli_inputs *inputs, int *exit_status, stayhooks_error **err)
{
    struct batch_run run;
    struct sigaction old_int;
    struct sigaction old_term;
    int signals_caught = 0;
    int rc = STAYHOOKS_OK;

    memset(&run, 0, sizeof run);
    run.client = client;
    run.args = args;
    run.inputs = inputs;
    run.progress.last_filled = -1;
    if (window_lines_from_env(&run.window.capacity) != 0)
        return STAYHOOKS_ERR_VALIDATION;
    /* Nothing was sent, as with a payload file that cannot be opened. */
    if (batch_reader_open(&run.reader, args->batch_file) != 0)
        return STAYHOOKS_ERR_VALIDATION;

    /* Result lines on the same terminal would land inside the bar, and
     * they show the progress themselves. The total is known only for a
     * regular file, which can be counted before it is read. */
    run.progress.enabled = isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO);
    if (run.progress.enabled) {
        int counted = batch_reader_count_remaining(&run.reader, &run.progress.total);

        if (counted < 0) {
            rc = STAYHOOKS_ERR_INTERNAL;
            goto done;
        }
        if (counted == 0)
            run.progress.total = 0;
        else if (run.progress.total == 0)
            run.progress.enabled = 0;
    }

    caught_signal = 0;
    catch_stop_signals(&old_int, &old_term);
    signals_caught = 1;
    if (args->dry_run)
        rc = print_requests(&run);
    else
        rc = send_windows(&run, err);
    batch_progress_update(&run.progress,
                          run.totals.delivered + run.totals.failed + run.totals.not_sent,
                          run.totals.failed + run.totals.not_sent, 1);
    if (rc != STAYHOOKS_OK)
        goto done;

    print_summary(&run);
    /* Exit 1 after a lost result line, whatever the lines' outcomes. */
    if (run.totals.write_failed) {
        rc = STAYHOOKS_ERR_INTERNAL;
        goto done;
    }
    *exit_status = batch_exit_status(&run.totals);

done:
    if (signals_caught) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    running_batch = NULL;
    batch_reader_close(&run.reader);
    free(run.unwritten.ranges);
    return rc;
}
