/*
 * help.c: the --help and --version text. Keep it in step with
 * docs/stayhooks.1 and completions/stayhooks.bash.
 */
#include <stdio.h>

#include "cli.h"

static const char help_text[] =
    "Usage: stayhooks [OPTION]... COMMAND [ARG]...\n"
    "Manage and invoke StayHere room webhooks.\n"
    "\n"
    "Management commands (bearer token from STAYHERE_TOKEN or --token-file):\n"
    "  list                        list the room's webhooks\n"
    "  create --label LABEL [--permission NAME]...\n"
    "                              create a webhook; prints its secret once\n"
    "  update [--label LABEL] [--pause | --resume] [--permission NAME]...\n"
    "                              change a webhook; --permission replaces the set\n"
    "  rotate                      replace the webhook's secret; prints it once\n"
    "  delete                      delete the webhook\n"
    "  actions                     list the actions the room allows for webhooks\n"
    "Permission names: message, embed, poll, image (all four by default).\n"
    "\n"
    "Invoke commands (webhook secret from STAYHERE_SECRET or --secret-file):\n"
    "  send message TEXT [--extra JSON]\n"
    "  send embed [--title T] [--description D] [--color #RRGGBB] [--url URL]\n"
    "             [--image URL] [--footer F] [--note NOTE]... [--text T]\n"
    "             [--extra-embed JSON]\n"
    "  send poll QUESTION OPTION... [--multiple] [--ends-in MINUTES]\n"
    "  send image URL [--size WIDTHxHEIGHT] [--at X,Y]\n"
    "  invoke ACTION [--payload JSON | --payload-file PATH]   ('-': standard input)\n"
    "  batch [--parallel N] FILE   invoke once per JSON line of FILE ('-': standard\n"
    "                              input), N requests at once (1-256, default 8);\n"
    "                              prints one JSON result line per input line as\n"
    "                              soon as the earlier lines have ended; with\n"
    "                              --dry-run, prints each line's request instead\n"
    "\n"
    "Options (before or after the command):\n"
    "  --base-url URL        server address (STAYHERE_BASE_URL;\n"
    "                        default http://localhost:3000)\n"
    "  --api-prefix PREFIX   path prefix of the API (default /api; \"\" for none)\n"
    "  --room ID             room ID (STAYHERE_ROOM)\n"
    "  --webhook ID          webhook ID (STAYHERE_WEBHOOK)\n"
    "  --invoke-url URL      invoke endpoint to use instead of --room and --webhook\n"
    "  --secret-file PATH    read the webhook secret from PATH ('-': standard input)\n"
    "  --token-file PATH     read the bearer token from PATH ('-': standard input)\n"
    "  --alias NAME          sender name shown on messages and embeds\n"
    "  --timeout SECONDS     limit for each HTTP attempt (default 30)\n"
    "  --retries N           retries after the first attempt (default 2)\n"
    "  --cacert FILE         PEM bundle to verify the server's TLS certificate\n"
    "  --insecure            do not verify TLS certificates (unsafe)\n"
    "  --json                print the result as one JSON object\n"
    "  --dry-run             validate and print the request as JSON; send nothing\n"
    "  --verbose             log each request and reply line to stderr\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "A trailing newline is stripped from secret and token files. Secrets and\n"
    "tokens are never accepted as arguments. Use -- before an operand that\n"
    "starts with '-'.\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  any other failure\n"
    "  2  usage or validation error (nothing was sent)\n"
    "  3  auth error (HTTP 401 or 403, or no token)\n"
    "  4  other HTTP error status\n"
    "  5  invalid response (a 2xx reply that is not the expected JSON)\n"
    "  6  network error (server unreachable, or failed before the request was sent)\n"
    "  7  delivery unknown (the connection failed after the request was sent)\n"
    "  130, 143  batch interrupted by SIGINT or SIGTERM\n"
    "\n"
    "A batch exits with its worst outcome: 130 or 143 when interrupted, else 7\n"
    "when any line's delivery is unknown, else the status of the first failed\n"
    "line that is not an invalid line. Invalid lines alone give 2 when nothing\n"
    "was sent, else 1.\n";

void cli_print_help(void)
{
    fputs(help_text, stdout);
}

void cli_print_version(void)
{
    printf("stayhooks %s (libstayhooks %s)\n", STAYHOOKS_VERSION, stayhooks_version());
}
