/*
 * sim/results/sha256.c: SHA-256 (FIPS 180-4) of the scenario text stored with results,
 * computed by libcrypto (OpenSSL), a maintained implementation, rather than our own.
 */
#include "results.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

void sim_sha256_hex(const void *data, size_t size, char out[65])
{
    unsigned char digest[32];
    unsigned int len = 0;
    /* EVP_Digest fails only when the library cannot allocate or is misconfigured; a wrong
     * fingerprint would silently break merge checks, so stop rather than go on. */
    if (!EVP_Digest(data, size, digest, &len, EVP_sha256(), NULL) || len != sizeof digest) {
        fputs("capsim: libcrypto failed to compute SHA-256\n", stderr);
        abort();
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof digest; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}
