#include "secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#define SECRET_RANDOM_BYTES 32

int secret_generate(char out[SECRET_TEXT_SIZE])
{
    unsigned char raw[SECRET_RANDOM_BYTES];
    unsigned char b64[64];
    int len;

    if (RAND_bytes(raw, (int)sizeof raw) != 1)
        return -1;
    len = EVP_EncodeBlock(b64, raw, (int)sizeof raw);
    OPENSSL_cleanse(raw, sizeof raw);

    /* EVP_EncodeBlock writes standard base64; turn it into the URL-safe
     * alphabet without padding so the secret is safe in headers and shells. */
    while (len > 0 && b64[len - 1] == '=')
        len--;
    for (int i = 0; i < len; i++) {
        if (b64[i] == '+')
            b64[i] = '-';
        else if (b64[i] == '/')
            b64[i] = '_';
    }
    snprintf(out, SECRET_TEXT_SIZE, "whk_%.*s", len, (const char *)b64);
    OPENSSL_cleanse(b64, sizeof b64);
    return 0;
}

int secret_hash(const char *secret, unsigned char out[SECRET_HASH_SIZE])
{
    unsigned int size = 0;

    if (EVP_Digest(secret, strlen(secret), out, &size, EVP_sha256(), NULL) != 1)
        return -1;
    return size == SECRET_HASH_SIZE ? 0 : -1;
}

int secret_matches(const char *candidate, const unsigned char stored[SECRET_HASH_SIZE])
{
    unsigned char hash[SECRET_HASH_SIZE];

    if (candidate == NULL || secret_hash(candidate, hash) != 0)
        return 0;
    return CRYPTO_memcmp(hash, stored, SECRET_HASH_SIZE) == 0;
}

void secret_preview(const char *secret, char out[SECRET_PREVIEW_SIZE])
{
    snprintf(out, SECRET_PREVIEW_SIZE, "%.8s...", secret);
}
