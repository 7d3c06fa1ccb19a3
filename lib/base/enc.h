/*
 * enc.h: encodings and digests on OpenSSL's libcrypto, one copy for the
 * whole library: base64 (EVP_EncodeBlock / EVP_DecodeBlock), lowercase hex,
 * URL percent-decoding, SHA-256.
 *
 * Ownership: gitops_base64_encode hands the caller a string to free();
 * the others write into buffers the caller owns.  Uses nothing but buf.h.
 */
#ifndef GITOPS_ENC_H
#define GITOPS_ENC_H

#include <stddef.h>
#include "lib/base/buf.h"

enum gitops_base64_flags {
	GITOPS_BASE64_NOPAD = 1,  /* no trailing '=' */
	GITOPS_BASE64_URL = 2     /* the URL alphabet: '-' and '_' for '+' and '/' */
};

/* base64 of the `len` bytes of `in`, NUL-terminated, into *out (to free). 0, or -1 when out of memory. */
int gitops_base64_encode(char **out, const void *in, size_t len, unsigned flags);

/*
 * base64 (standard alphabet, padding optional, blanks and line breaks
 * ignored) into out, replacing what it held. 0, or -1 when `in` is not base64
 * (or out of memory).
 */
int gitops_base64_decode(struct gitops_buf *out, const char *in);

/* The value of a hex digit (either case), or -1 when c is none. */
int gitops_hex_value(int c);

/*
 * URL percent-decoding of the n bytes at s into a new NUL-terminated
 * string (to free; NULL when out of memory): "%XX" becomes its byte (a
 * '%' not followed by two hex digits stays), and with plus_space a '+'
 * becomes a space (a query's form).
 */
char *gitops_pct_decode(const char *s, size_t n, int plus_space);

/* Lowercase hex of the `n` bytes of `in` into out, which holds 2 * n + 1 bytes. */
void gitops_hex_encode(char *out, const void *in, size_t n);

#define GITOPS_SHA256_LEN 32
/* SHA-256 of the `n` bytes of `in` into md. 0, or -1 when libcrypto fails. */
int gitops_sha256(unsigned char md[GITOPS_SHA256_LEN], const void *in, size_t n);
/* The same as 64 hex digits and a NUL in out; the empty string when libcrypto fails. */
void gitops_sha256_hex(char out[2 * GITOPS_SHA256_LEN + 1], const void *in, size_t n);

#endif
