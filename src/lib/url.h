/* url.h: base URL checks, API prefix normalisation, percent-encoding
 * (private). */
#ifndef STAYHOOKS_LIB_URL_H
#define STAYHOOKS_LIB_URL_H

#include "stayhooks.h"

/* Percent-encodes every byte of `s` outside A-Z a-z 0-9 - . _ ~ as %XX, so
 * that `s` can be one path segment. Returns NULL when out of memory. */
char *stayhooks__percent_encode(const char *s);

/* Normalises an API prefix: NULL gives "/api"; otherwise white space and
 * slashes are trimmed from both ends and one leading slash is added, so
 * "api", "/api/" and " api " all give "/api", and "" gives "". Returns NULL
 * when out of memory. */
char *stayhooks__normalize_prefix(const char *prefix);

/* Returns 1 when `url` is an absolute http:// or https:// URL with a
 * non-empty host, ignoring the scheme's case. */
int stayhooks__is_http_url(const char *url);

/* Checks a base URL or invoke URL, partly with libcurl's URL parser. It
 * must start with http:// or https:// and name a host. It may have a port
 * from 1 to 65535 and a path, but no user name or password, no query and
 * no fragment. Fails with STAYHOOKS_ERR_VALIDATION, with a message that
 * starts with `what` and quotes `shown`, the text the caller gave. */
int stayhooks__check_endpoint_url(const char *url, const char *what, const char *shown,
                                  stayhooks_error **err);

/* Copies `base_url` without surrounding white space and trailing slashes.
 * Returns NULL when out of memory. */
char *stayhooks__normalize_base_url(const char *base_url);

/* Joins a base URL, a normalised prefix and "/webhooks/{room}", then
 * "/{webhook}" when `webhook_id` is not NULL, then `suffix` when it is not
 * NULL (e.g. "/rotate"). IDs are percent-encoded. Returns NULL when out of
 * memory. */
char *stayhooks__webhooks_url(const char *base_url, const char *prefix,
                              const char *room_id, const char *webhook_id,
                              const char *suffix);

#endif
