/*
 * batch.h: private declarations shared by the files of `stayhooks batch`:
 * batch_input.c reads and parses lines, batch_output.c builds result lines
 * and draws the progress bar, commands_batch.c runs the batch.
 */
#ifndef STAYHOOKS_CLI_BATCH_H
#define STAYHOOKS_CLI_BATCH_H

#include <stdio.h>

#include <jansson.h>

#include "cli.h"

/* A line longer than this is reported as invalid. The local server accepts
 * request bodies of at most 256 KiB, so such a line could not succeed. */
#define BATCH_LINE_MAX_BYTES (1024u * 1024u)

/* The maximum number of distinct line secrets, besides the default
 * secret, that every output line hides. Hiding takes time in proportion to
 * their number. A line with a secret beyond them is still sent, and the
 * library hides that secret in the line's own request, log and errors. */
#define BATCH_MAX_LINE_SECRETS 64

/* batch_input.c */

/* Reads the non-blank lines of a batch file and counts every line, blank
 * ones included, so that results carry the line number of the input. */
struct batch_reader {
    FILE *file;
    const char *path;           /* borrowed, for error messages */
    int from_stdin;
    char *text;                 /* the last line read; may hold a secret */
    size_t capacity;
    unsigned long number;       /* 1-based number of the last line read */
};

enum batch_read_status {
    BATCH_READ_LINE,            /* a non-blank line is in `text` */
    BATCH_READ_END,             /* end of input */
    BATCH_READ_INTERRUPTED,     /* a signal interrupted a read from a pipe */
    BATCH_READ_FAILED           /* a read failed, and why was printed */
};

/* Opens `path` ("-": standard input). Returns 0, or -1 after printing why. */
int batch_reader_open(struct batch_reader *reader, const char *path);
/* Reads the next non-blank line, without its "\n" or "\r\n", into
 * `reader->text` and its length into `*length`. */
enum batch_read_status batch_reader_next(struct batch_reader *reader, size_t *length);
/* Overwrites the last line read, which may hold a secret. */
void batch_reader_wipe_line(struct batch_reader *reader);
/* Counts the non-blank lines from the current position to the end when the
 * input is a regular file, and seeks back. Returns 1 with `*count` set, 0
 * when the input is not a seekable regular file or a read failed, and -1
 * after printing why when the old position cannot be restored. */
int batch_reader_count_remaining(struct batch_reader *reader, size_t *count);
/* Wipes the line buffer, frees it, and closes the file unless it is
 * standard input. Accepts a reader that failed to open. */
void batch_reader_close(struct batch_reader *reader);

/* One input line parsed into an invoke. The strings borrow from `object`,
 * from the command-line arguments and from the default secret. */
struct batch_request {
    json_t *object;
    stayhooks_target target;
    const char *action;
    char *payload_text;         /* compact JSON, or NULL for no payload */
};

/*
 * Parses one line of `length` bytes into `request` and applies the
 * defaults of `args` and `inputs`. The line's secret is added to the CLI's
 * redaction, so that no later output line shows it. Returns STAYHOOKS_OK, or the line's
 * error code (STAYHOOKS_ERR_VALIDATION, or STAYHOOKS_ERR_INTERNAL when out
 * of memory) with `*message` set to a message that the caller frees. The
 * message never quotes the line, because it may hold a secret. Clear the
 * request with batch_request_clear() in both cases.
 */
int batch_parse_line(const char *text, size_t length, const struct cli_args *args,
                     const struct cli_inputs *inputs, struct batch_request *request,
                     char **message);
/* Wipes the parsed copy of the line's secret and frees the request. */
void batch_request_clear(struct batch_request *request);

/* batch_output.c */

json_t *batch_success_line(unsigned long number, const stayhooks_invoke_result *result);
json_t *batch_failure_line(unsigned long number, const char *class_name, long status,
                           const char *message, int delivery_unknown);
/* Builds {"line": number, "method", "url", "headers", "body"} from the
 * request that the library recorded in dry-run mode. */
json_t *batch_dry_run_line(unsigned long number, const char *request_json);
/* Prints `output` as one compact line on stdout, with every credential
 * known to the CLI's redaction hidden in its strings and keys, flushes it,
 * and releases the reference. Returns 0, or -1 after printing why (also when `output`
 * is NULL, which means out of memory). */
int batch_write_line(json_t *output, unsigned long number);

/* The progress bar on standard error. */
struct batch_progress {
    int enabled;
    size_t total;               /* lines with a result to come; 0: unknown */
    int last_filled;            /* bar cells drawn last time */
    long last_draw_ms;          /* monotonic time of the last drawing */
    int drawn;
};

/* Redraws "[#####.....] D/T, F failed", or "D done, F failed"
 * when the total is unknown, at most every 100 ms. With `final` set it
 * always draws and ends the line. Does nothing unless `enabled`. */
void batch_progress_update(struct batch_progress *progress, size_t done, size_t failed,
                           int final);

#endif /* STAYHOOKS_CLI_BATCH_H */
