/* text.h: string helpers shared by the library (private). */
#ifndef STAYHOOKS_LIB_TEXT_H
#define STAYHOOKS_LIB_TEXT_H

#include <stddef.h>

/* Copies `s` with malloc; NULL in, NULL out. */
char *stayhooks__strdup(const char *s);

/* Copies `s` without leading and trailing ASCII white space (space, \t, \n,
 * \r, \f, \v). Returns NULL only when out of memory. */
char *stayhooks__trim(const char *s);

/* Returns 1 when the NUL-terminated `s` is well-formed UTF-8: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
int stayhooks__utf8_valid(const char *s);

/* Rewrites `s` in place as one line of valid UTF-8: control characters
 * (C0, DEL, C1) and the Unicode line and paragraph separators become
 * spaces, and each byte of an invalid sequence becomes '?'. The text never
 * grows. */
void stayhooks__flatten_text(char *s);

/* Returns 1 when `s` contains a byte below 0x20 (tab, CR and LF included)
 * or 0x7F (DEL). */
int stayhooks__has_control_char(const char *s);

/* Returns 1 when `s` starts with `prefix`, ignoring ASCII case. */
int stayhooks__has_prefix_nocase(const char *s, const char *prefix);

#endif
