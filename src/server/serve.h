/* `stayhooks-server serve`: runs the HTTP server until SIGINT or SIGTERM. */
#ifndef STAYHOOKS_SERVER_SERVE_H
#define STAYHOOKS_SERVER_SERVE_H

#include "config.h"

/* Returns the process exit status: 0 after a clean stop, 1 when the server
 * could not start. */
int serve_run(const struct server_config *config);

#endif
