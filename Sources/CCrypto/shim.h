/* SHA-256 from the system's OpenSSL libcrypto (Debian libssl-dev): the one digest the product needs,
 * without compiling a copy of BoringSSL into every build. */
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/* 1 on success; `digest` receives 32 bytes. */
static inline int fsc_sha256(const uint8_t *data, size_t size, uint8_t digest[32]) {
    unsigned int length = 0;
    return EVP_Digest(data, size, digest, &length, EVP_sha256(), NULL) == 1 && length == 32;
}
