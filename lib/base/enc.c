/* enc.c: base64, hex and SHA-256 on libcrypto. */
/* SHA-256 through the SHA256_* calls: OpenSSL 3 marks them deprecated, but they need no
 * library context, where EVP_Digest's first call loads the configuration and the
 * providers (about a millisecond: a tenth of a small kustomize build) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "lib/base/enc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

int gitops_base64_encode(char **out, const void *in, size_t len, unsigned flags)
{
	unsigned char *enc;
	size_t n, i;

	*out = NULL;
	if (len > (size_t)INT_MAX / 4 * 3 - 3 || !(enc = malloc(len / 3 * 4 + 5)))
		return -1;
	n = (size_t)EVP_EncodeBlock(enc, in, (int)len);
	if (flags & GITOPS_BASE64_NOPAD)
		while (n > 0 && enc[n - 1] == '=')
			enc[--n] = '\0';
	if (flags & GITOPS_BASE64_URL)
		for (i = 0; i < n; i++)
			enc[i] = enc[i] == '+' ? '-' : enc[i] == '/' ? '_' : enc[i];
	*out = (char *)enc;
	return 0;
}

int gitops_base64_decode(struct gitops_buf *out, const char *in)
{
	struct gitops_buf clean = GITOPS_BUF_INIT;
	unsigned char *dec = NULL;
	size_t pad = 0;
	int n, ret = -1;

	for (; *in; in++)
		if (*in != ' ' && *in != '\n' && *in != '\r' && *in != '\t' && gitops_buf_add(&clean, in, 1) < 0)
			goto done;
	/* padding may be left out, but one character alone encodes nothing, and '=' pads at most two */
	if (clean.len % 4 == 1 || (clean.len >= 3 && !memcmp(clean.data + clean.len - 3, "===", 3)))
		goto done;
	while (clean.len % 4)
		if (gitops_buf_add(&clean, "=", 1) < 0)
			goto done;
	if (clean.len > INT_MAX || !(dec = malloc(clean.len / 4 * 3 + 1)))
		goto done;
	if (clean.len && clean.data[clean.len - 1] == '=')
		pad++;
	if (clean.len > 1 && clean.data[clean.len - 2] == '=')
		pad++;
	n = clean.len ? EVP_DecodeBlock(dec, (const unsigned char *)clean.data, (int)clean.len) : 0;
	if (n < 0 || (size_t)n < pad)
		goto done;
	out->len = 0;
	if (gitops_buf_add(out, dec, (size_t)n - pad) < 0)
		goto done;
	ret = 0;
done:
	if (dec)
		OPENSSL_cleanse(dec, clean.len / 4 * 3 + 1);
	free(dec);
	gitops_buf_release(&clean);
	return ret;
}

int gitops_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *gitops_pct_decode(const char *s, size_t n, int plus_space)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && gitops_hex_value(s[i + 1]) >= 0 && gitops_hex_value(s[i + 2]) >= 0) {
			*o++ = (char)(gitops_hex_value(s[i + 1]) * 16 + gitops_hex_value(s[i + 2]));
			i += 2;
		} else {
			*o++ = plus_space && s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	return out;
}

void gitops_hex_encode(char *out, const void *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int gitops_sha256(unsigned char md[GITOPS_SHA256_LEN], const void *in, size_t n)
{
	SHA256_CTX c;

	return SHA256_Init(&c) && SHA256_Update(&c, in, n) && SHA256_Final(md, &c) ? 0 : -1;
}

void gitops_sha256_hex(char out[2 * GITOPS_SHA256_LEN + 1], const void *in, size_t n)
{
	unsigned char md[GITOPS_SHA256_LEN];

	out[0] = '\0';
	if (gitops_sha256(md, in, n) == 0)
		gitops_hex_encode(out, md, sizeof(md));
}
