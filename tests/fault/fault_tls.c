/*
 * fault_tls.c: a throw-away TLS identity for the fault server. Every run
 * makes a new P-256 key and a self-signed certificate, so no key material
 * is kept in the repository.
 */
#define _POSIX_C_SOURCE 200809L

#include "fault_server.h"

#include <stdio.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static int add_extension(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return 0;
    ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* The certificate is its own CA (CA:TRUE, keyCertSign), so a client can
 * trust it through ca_file alone. Host name checks of https://127.0.0.1
 * match the subjectAltName, normally IP:127.0.0.1. */
static X509 *make_certificate(EVP_PKEY *key, const char *subject_alt_name)
{
    X509 *cert = X509_new();
    X509_NAME *name;

    if (cert == NULL)
        return NULL;
    name = X509_get_subject_name(cert);
    if (X509_set_version(cert, 2) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(cert), (long)time(NULL)) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), 86400) == NULL ||
        X509_set_pubkey(cert, key) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   (const unsigned char *)"127.0.0.1", -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert, name) != 1 ||
        !add_extension(cert, NID_basic_constraints, "critical,CA:TRUE") ||
        !add_extension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign") ||
        !add_extension(cert, NID_subject_key_identifier, "hash") ||
        !add_extension(cert, NID_subject_alt_name, subject_alt_name) ||
        X509_sign(cert, key, EVP_sha256()) == 0) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

static int write_certificate(X509 *cert, const char *path)
{
    char tmp_path[4096];
    FILE *file;
    int ok;

    /* Written under a temporary name and renamed, so a reader never sees a
     * half-written file. */
    snprintf(tmp_path, sizeof tmp_path, "%s.tmp", path);
    file = fopen(tmp_path, "w");
    if (file == NULL)
        return 0;
    ok = PEM_write_X509(file, cert) == 1;
    if (fclose(file) != 0)
        ok = 0;
    return ok && rename(tmp_path, path) == 0;
}

SSL_CTX *fault_tls_context_new(const char *cert_out, const char *subject_alt_name)
{
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    SSL_CTX *ctx = NULL;

    key = EVP_EC_gen("P-256");
    if (key == NULL)
        goto done;
    cert = make_certificate(key, subject_alt_name);
    if (cert == NULL || !write_certificate(cert, cert_out))
        goto done;

    ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        goto done;
    if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        SSL_CTX_free(ctx);
        ctx = NULL;
    }

done:
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}
