/*
 * encoding.c: Sprig's encodings and digests (sprig v3.3 encoding.go,
 * crypto.go): b64enc, b64dec, b32enc, b32dec (Go's encoding/base64 and
 * base32 StdEncoding; a bad input gives Go's error text as the result),
 * sha1sum, sha256sum, sha512sum (lowercase hex), adler32sum (decimal).
 */
/* the digests through the SHA*_Init calls (deprecated in OpenSSL 3, kept there): EVP_Digest's
 * first call loads the configuration and the providers, about five million instructions,
 * more than rendering a small chart (lib/base/enc.c does the same) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>

#include "lib/base/enc.h"
#include "lib/template/funcs/encoding.h"
#include "lib/template/funcs/funcs_int.h"

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b32_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static int dec_val(const char *alpha, unsigned char c)
{
	const char *p = c ? strchr(alpha, c) : NULL;

	return p ? (int)(p - alpha) : -1;
}

FN(f_b64enc)
{
	size_t len;
	const char *s = fn_str(args[0], &len);
	char *enc = NULL;
	int r;

	(void)call, (void)n;
	if (gitops_base64_encode(&enc, s, len, 0) < 0)
		return gitops_err_oom(err);
	r = fn_ret_str(out, enc, strlen(enc), err);
	free(enc);
	return r;
}

/*
 * base64.StdEncoding.DecodeString: Go's decodeQuantum, quantum by quantum,
 * '\r' and '\n' skipped; -1 with *bad the offset Go's CorruptInputError
 * names.  The bytes decoded go to b.
 */
int fn_go_base64_decode(struct gitops_buf *b, const char *s, size_t len, size_t *bad)
{
	const unsigned char *src = (const unsigned char *)s;
	size_t si = 0;

	while (si < len) {
		unsigned char dbuf[4] = { 0 }, o[3];
		size_t j, dlen = 4;
		int trailing = 0;

		for (j = 0; j < 4; j++) {
			unsigned char in;
			int v;

			if (si == len) {
				if (j == 0)
					return 0;
				*bad = si - j;
				return -1;
			}
			in = src[si++];
			if ((v = dec_val(b64_alpha, in)) >= 0) {
				dbuf[j] = (unsigned char)v;
				continue;
			}
			if (in == '\n' || in == '\r') {
				j--;
				continue;
			}
			if (in != '=' || j < 2) {
				*bad = si - 1;
				return -1;
			}
			if (j == 2) {
				while (si < len && (src[si] == '\n' || src[si] == '\r'))
					si++;
				if (si == len) {
					*bad = len;
					return -1;
				}
				if (src[si] != '=') {
					*bad = si - 1;
					return -1;
				}
				si++;
			}
			while (si < len && (src[si] == '\n' || src[si] == '\r'))
				si++;
			if (si < len) {
				trailing = 1;
				*bad = si;
			}
			dlen = j;
			break;
		}
		{
			unsigned val = (unsigned)dbuf[0] << 18 | (unsigned)dbuf[1] << 12 | (unsigned)dbuf[2] << 6 | dbuf[3];
			o[0] = (unsigned char)(val >> 16);
			o[1] = (unsigned char)(val >> 8);
			o[2] = (unsigned char)val;
		}
		if (gitops_buf_add(b, o, dlen - 1) < 0)
			return -2;
		if (trailing)
			return -1;
		if (dlen < 4)
			return 0;
	}
	return 0;
}

/* a string result of b's bytes, or Go's error text: *bad >= 0 */
static int ret_decoded(struct gitops_tmpl_value **out, struct gitops_buf *b, int r, size_t bad, const char *what,
		       struct gitops_err *err)
{
	if (r == -2) {
		gitops_buf_release(b);
		return gitops_err_oom(err);
	}
	if (r < 0) {
		gitops_buf_release(b);
		if (gitops_buf_printf(b, "illegal %s data at input byte %zu", what, bad) < 0)
			return gitops_err_oom(err);
	}
	return fn_ret_buf(out, b, err);
}

FN(f_b64dec)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len, bad = 0;
	const char *s = fn_str(args[0], &len);

	int r;

	(void)call, (void)n;
	r = fn_go_base64_decode(&b, s, len, &bad);
	return ret_decoded(out, &b, r, bad, "base64", err);
}

FN(f_b32enc)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len, i;
	const unsigned char *s = (const unsigned char *)fn_str(args[0], &len);

	(void)call, (void)n;
	if (gitops_buf_add(&b, "", 0) < 0)
		return gitops_err_oom(err);
	for (i = 0; i < len; i += 5) {
		unsigned char q[5] = { 0 };
		size_t k = len - i < 5 ? len - i : 5, chars = (k * 8 + 4) / 5, c;
		uint64_t v = 0;
		char o[8];

		memcpy(q, s + i, k);
		for (c = 0; c < 5; c++)
			v = v << 8 | q[c];
		for (c = 0; c < 8; c++)
			o[c] = c < chars ? b32_alpha[(v >> (35 - 5 * c)) & 31] : '=';
		if (gitops_buf_add(&b, o, 8) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
	}
	return fn_ret_buf(out, &b, err);
}

/* base32.StdEncoding.DecodeString: newlines stripped first, then Go's decode */
static int b32_decode(struct gitops_buf *b, const unsigned char *in, size_t inlen, size_t *bad)
{
	unsigned char *src = malloc(inlen + 1);
	size_t olen = 0, i, pos = 0;
	int end = 0, r = 0;

	if (!src)
		return -2;
	for (i = 0; i < inlen; i++)
		if (in[i] != '\r' && in[i] != '\n')
			src[olen++] = in[i];
	while (pos < olen && !end) {
		unsigned char dbuf[8] = { 0 }, o[5];
		size_t j = 0, dlen = 8;

		while (j < 8) {
			unsigned char c;
			size_t left;
			int v;

			if (pos == olen) {
				*bad = olen - (olen - pos) - j;
				r = -1;
				goto done;
			}
			c = src[pos++];
			left = olen - pos;
			if (c == '=' && j >= 2 && left < 8) {
				size_t k;
				if (left + j < 7) {
					*bad = olen;
					r = -1;
					goto done;
				}
				for (k = 0; k < 7 - j; k++)
					if (left > k && src[pos + k] != '=') {
						*bad = olen - left + k - 1;
						r = -1;
						goto done;
					}
				dlen = j;
				end = 1;
				if (dlen == 1 || dlen == 3 || dlen == 6) {
					*bad = olen - left - 1;
					r = -1;
					goto done;
				}
				break;
			}
			if ((v = dec_val(b32_alpha, c)) < 0) {
				*bad = olen - left - 1;
				r = -1;
				goto done;
			}
			dbuf[j++] = (unsigned char)v;
		}
		o[4] = (unsigned char)(dbuf[6] << 5 | dbuf[7]);
		o[3] = (unsigned char)(dbuf[4] << 7 | dbuf[5] << 2 | dbuf[6] >> 3);
		o[2] = (unsigned char)(dbuf[3] << 4 | dbuf[4] >> 1);
		o[1] = (unsigned char)(dbuf[1] << 6 | dbuf[2] << 1 | dbuf[3] >> 4);
		o[0] = (unsigned char)(dbuf[0] << 3 | dbuf[1] >> 2);
		{
			size_t nb = dlen == 8 ? 5 : dlen == 7 ? 4 : dlen == 5 ? 3 : dlen == 4 ? 2 : dlen == 2 ? 1 : 0;
			if (gitops_buf_add(b, o, nb) < 0) {
				r = -2;
				goto done;
			}
		}
	}
done:
	free(src);
	return r;
}

FN(f_b32dec)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len, bad = 0;
	const char *s = fn_str(args[0], &len);

	int r;

	(void)call, (void)n;
	r = b32_decode(&b, (const unsigned char *)s, len, &bad);
	return ret_decoded(out, &b, r, bad, "base32", err);
}

enum { D_SHA1, D_SHA256, D_SHA512 };

static int digest(struct gitops_tmpl_value **out, int which, struct gitops_tmpl_value *arg, struct gitops_err *err)
{
	unsigned char h[SHA512_DIGEST_LENGTH];
	char hex[2 * SHA512_DIGEST_LENGTH + 1];
	size_t len, hl;
	const char *s = fn_str(arg, &len);
	int ok;

	if (which == D_SHA1) {
		SHA_CTX c;
		ok = SHA1_Init(&c) && SHA1_Update(&c, s, len) && SHA1_Final(h, &c);
		hl = SHA_DIGEST_LENGTH;
	} else if (which == D_SHA256) {
		SHA256_CTX c;
		ok = SHA256_Init(&c) && SHA256_Update(&c, s, len) && SHA256_Final(h, &c);
		hl = SHA256_DIGEST_LENGTH;
	} else {
		SHA512_CTX c;
		ok = SHA512_Init(&c) && SHA512_Update(&c, s, len) && SHA512_Final(h, &c);
		hl = SHA512_DIGEST_LENGTH;
	}
	if (!ok)
		return fn_fail(err, "digest failed");
	gitops_hex_encode(hex, h, hl);
	return fn_ret_str(out, hex, 2 * hl, err);
}

FN(f_sha1sum)
{
	(void)call, (void)n;
	return digest(out, D_SHA1, args[0], err);
}

FN(f_sha256sum)
{
	(void)call, (void)n;
	return digest(out, D_SHA256, args[0], err);
}

FN(f_sha512sum)
{
	(void)call, (void)n;
	return digest(out, D_SHA512, args[0], err);
}

/* hash/adler32's Checksum, printed as %d */
FN(f_adler32sum)
{
	size_t len, i;
	const unsigned char *s = (const unsigned char *)fn_str(args[0], &len);
	uint32_t a = 1, b = 0;
	char num[16];

	(void)call, (void)n;
	for (i = 0; i < len; i++) {
		a = (a + s[i]) % 65521;
		b = (b + a) % 65521;
	}
	snprintf(num, sizeof(num), "%u", (unsigned)(b << 16 | a));
	return fn_ret_str(out, num, strlen(num), err);
}

#define S GITOPS_TMPL_P_STRING
const struct gitops_tmpl_func gitops_tmpl_funcs_encoding[] = {
	{ "b64enc", f_b64enc, 1, 0, { S }, NULL },
	{ "b64dec", f_b64dec, 1, 0, { S }, NULL },
	{ "b32enc", f_b32enc, 1, 0, { S }, NULL },
	{ "b32dec", f_b32dec, 1, 0, { S }, NULL },
	{ "sha1sum", f_sha1sum, 1, 0, { S }, NULL },
	{ "sha256sum", f_sha256sum, 1, 0, { S }, NULL },
	{ "sha512sum", f_sha512sum, 1, 0, { S }, NULL },
	{ "adler32sum", f_adler32sum, 1, 0, { S }, NULL },
};
const size_t gitops_tmpl_funcs_encoding_n = sizeof(gitops_tmpl_funcs_encoding) / sizeof(gitops_tmpl_funcs_encoding[0]);
