/* Bearer tokens: HS256 JWTs signed with the key kept in the database. */
#ifndef STAYHOOKS_SERVER_AUTH_H
#define STAYHOOKS_SERVER_AUTH_H

#include <stddef.h>

#define AUTH_KEY_SIZE 32
#define AUTH_DEFAULT_TTL 86400L

/* Mints a token with `sub` = user, `iat` = now and `exp` = now + ttl
 * seconds. Returns a new string (free with free()) or NULL. */
char *auth_mint(const unsigned char *key, size_t key_len, const char *user, long ttl);

/* Verifies an "Authorization" header value "Bearer <token>". On success
 * returns 0 and sets *user to a new string (free with free()). On failure
 * returns -1 and sets *why to a static reason that never quotes the token. */
int auth_verify(const unsigned char *key, size_t key_len, const char *header,
                char **user, const char **why);

#endif
