/* log.h: redacted lines for the caller's log callback (private). */
#ifndef STAYHOOKS_LIB_LOG_H
#define STAYHOOKS_LIB_LOG_H

#include "client.h"

/* Formats a line, replaces the client's token and every string in
 * `secrets` with "<redacted>", and hands it to the log callback. Does
 * nothing when the client has no callback. */
void stayhooks__log(const stayhooks_client *client, stayhooks_log_level level,
                    const char *const *secrets, size_t secret_count,
                    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#endif
