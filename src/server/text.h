/* Small text helpers: percent-encoding, UTF-8 lengths, timestamps, IDs. */
#ifndef STAYHOOKS_SERVER_TEXT_H
#define STAYHOOKS_SERVER_TEXT_H

#include <stddef.h>
#include <time.h>

/* Decodes %XX escapes of one path segment into a new string. Returns NULL on
 * a malformed escape, an escaped NUL byte, or out of memory. '+' stays '+'
 * because path segments do not use form encoding. */
char *text_percent_decode(const char *src, size_t len);

/* Encodes one path segment: every byte outside A-Z a-z 0-9 - . _ ~ as %XX,
 * and the dot segments "." and ".." as "%2E" and "%2E%2E" so that clients
 * do not remove them. New string or NULL. */
char *text_percent_encode(const char *src);

/* Returns the number of Unicode code points in a valid UTF-8 string. */
size_t text_codepoints(const char *s);

/* Replaces, in place, every byte of `s` that does not belong to a valid
 * UTF-8 sequence with '?', so that `s` can become a JSON string. */
void text_replace_invalid_utf8(char *s);

/* Returns 1 when `s` has a character other than ASCII whitespace, else 0. */
int text_has_content(const char *s);

/* Writes `t` as ISO 8601 UTC with milliseconds, e.g.
 * "2026-01-02T03:04:05.678Z", into out (at least 32 bytes). */
void text_iso8601(const struct timespec *t, char *out, size_t size);

/* Writes `prefix` plus 24 random hex digits into out. Returns 0 or -1 when
 * the random generator fails or out is too small. */
int text_random_id(const char *prefix, char *out, size_t size);

/* Returns 1 when `s` is an absolute http:// or https:// URL with a host and
 * no whitespace or control characters, else 0. */
int text_is_http_url(const char *s);

#endif
