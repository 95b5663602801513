/* Webhook secrets: generation, hashing and constant-time comparison. */
#ifndef STAYHOOKS_SERVER_SECRET_H
#define STAYHOOKS_SERVER_SECRET_H

#include <stddef.h>

#define SECRET_HASH_SIZE 32
/* "whk_" + 43 base64url characters for 32 random bytes + NUL. */
#define SECRET_TEXT_SIZE 48
#define SECRET_PREVIEW_SIZE 16

/* Writes a new secret "whk_<base64url of 32 random bytes>" into out
 * (SECRET_TEXT_SIZE bytes). Returns 0, or -1 when RAND_bytes fails. */
int secret_generate(char out[SECRET_TEXT_SIZE]);

/* Computes the SHA-256 hash that is stored in place of the secret.
 * Returns 0 or -1. */
int secret_hash(const char *secret, unsigned char out[SECRET_HASH_SIZE]);

/* Returns 1 when `candidate` hashes to `stored`, else 0. The hashes are
 * compared with CRYPTO_memcmp so the time taken does not depend on where
 * they differ. */
int secret_matches(const char *candidate, const unsigned char stored[SECRET_HASH_SIZE]);

/* Writes the preview shown in webhook objects: the "whk_" prefix and the
 * next four characters followed by "...", never the whole secret. */
void secret_preview(const char *secret, char out[SECRET_PREVIEW_SIZE]);

#endif
