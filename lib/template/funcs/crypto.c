/*
 * crypto.c: Sprig's crypto functions (sprig v3.3 crypto.go) on libcrypto
 * and libxcrypt: derivePassword (the Master Password algorithm: scrypt,
 * HMAC-SHA256, the templates), encryptAES and decryptAES (AES-256-CBC, the
 * password zero-padded or cut to 32 bytes as the key, a random IV ahead of
 * the ciphertext, PKCS#7 padding, base64; decryptAES checks no padding and
 * fails as Go's slices do), bcrypt and htpasswd (golang.org/x/crypto's
 * "$2a$", cost 10), genPrivateKey (rsa 4096, dsa L2048/N256, ecdsa P-256,
 * ed25519, in the PEM blocks Sprig writes), and the certificates: genCA,
 * genCAWithKey, genSelfSignedCert, genSelfSignedCertWithKey, genSignedCert,
 * genSignedCertWithKey, buildCustomCert, each a sprig.certificate struct
 * with .Cert and .Key, laid out as Go's x509.CreateCertificate does for
 * Sprig's template (random 128-bit serial, now .. now + DAYS, key usages,
 * server and client auth, basic constraints, subject key id for a CA,
 * authority key id from the issuer's, DNS then IP alternative names).
 * Secret material never enters an error message.
 */
#include <arpa/inet.h>
#include <crypt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/base/enc.h"
#include "lib/template/funcs/encoding.h"
#include "lib/template/funcs/funcs_int.h"

static int ret_printf(struct gitops_tmpl_value **out, struct gitops_err *err, const char *fmt, ...)
	GITOPS_PRINTF(3, 4);

static int ret_printf(struct gitops_tmpl_value **out, struct gitops_err *err, const char *fmt, ...)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (gitops_buf_addstr(&b, tmp) < 0)
		return gitops_err_oom(err);
	return fn_ret_buf(out, &b, err);
}

/* --- derivePassword --- */

static const char mp_seed[] = "com.lyndir.masterpassword";

static const struct {
	const char *type;
	const char *const *tpl;
	size_t n;
} mp_types[] = {
#define T(name, ...) \
	{ name, (const char *const[]){ __VA_ARGS__ }, sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *) }
	T("maximum", "anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"),
	T("long", "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
	  "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc", "CvcvCvcvnoCvcc",
	  "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno", "CvcvnoCvccCvcc", "CvcvCvccnoCvcc",
	  "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc", "CvccCvcvCvccno"),
	T("medium", "CvcnoCvc", "CvcCvcno"),
	T("short", "Cvcn"),
	T("basic", "aaanaaan", "aannaaan", "aaannaaa"),
	T("pin", "nnnn"),
#undef T
};

static const char *mp_chars(char c)
{
	switch (c) {
	case 'V': return "AEIOU";
	case 'C': return "BCDFGHJKLMNPQRSTVWXYZ";
	case 'v': return "aeiou";
	case 'c': return "bcdfghjklmnpqrstvwxyz";
	case 'A': return "AEIOUBCDFGHJKLMNPQRSTVWXYZ";
	case 'a': return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
	case 'n': return "0123456789";
	case 'o': return "@&%?,=[]_:-+*$#!'^~;()/.";
	default: return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()";
	}
}

static int put_be32(struct gitops_buf *b, uint32_t v)
{
	unsigned char be[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
				(unsigned char)v };

	return gitops_buf_add(b, be, 4);
}

/* derivePassword COUNTER TYPE PASSWORD USER SITE */
FN(f_derive_password)
{
	uint32_t counter = (uint32_t)gitops_tmpl_value_int_of(args[0]);
	size_t tlen, plen, ulen, slen, i, k;
	const char *type = fn_str(args[1], &tlen), *pw = fn_str(args[2], &plen), *user = fn_str(args[3], &ulen),
		   *site = fn_str(args[4], &slen);
	struct gitops_buf b = GITOPS_BUF_INIT;
	unsigned char key[64], seed[EVP_MAX_MD_SIZE];
	unsigned seedlen = 0;
	const char *tpl;
	char pass[32];
	int r = -1;

	(void)call, (void)n;
	for (k = 0; k < sizeof(mp_types) / sizeof(mp_types[0]); k++)
		if (strlen(mp_types[k].type) == tlen && !memcmp(mp_types[k].type, type, tlen))
			break;
	if (k == sizeof(mp_types) / sizeof(mp_types[0]))
		return ret_printf(out, err, "cannot find password template %.*s", (int)(tlen > 400 ? 400 : tlen), type);
	if (gitops_buf_addstr(&b, mp_seed) < 0 || put_be32(&b, (uint32_t)ulen) < 0 || gitops_buf_add(&b, user, ulen) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (EVP_PBE_scrypt(pw, plen, (const unsigned char *)b.data, b.len, 32768, 8, 2, 256u << 20, key,
			   sizeof(key)) != 1) {
		fn_fail(err, "derivePassword: scrypt failed");
		goto done;
	}
	b.len = strlen(mp_seed);
	if (put_be32(&b, (uint32_t)slen) < 0 || gitops_buf_add(&b, site, slen) < 0 || put_be32(&b, counter) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (!HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)b.data, b.len, seed, &seedlen)) {
		fn_fail(err, "derivePassword: HMAC failed");
		goto done;
	}
	tpl = mp_types[k].tpl[seed[0] % mp_types[k].n];
	for (i = 0; tpl[i]; i++) {
		const char *chars = mp_chars(tpl[i]);
		pass[i] = chars[seed[i + 1] % strlen(chars)];
	}
	r = fn_ret_str(out, pass, i, err);
done:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(seed, sizeof(seed));
	gitops_buf_release(&b);
	return r;
}

/* --- AES --- */

static void aes_key(unsigned char key[32], const char *pw, size_t plen)
{
	memset(key, 0, 32);
	memcpy(key, pw, plen < 32 ? plen : 32);
}

/* encryptAES PASSWORD PLAINTEXT */
FN(f_encrypt_aes)
{
	size_t plen, tlen;
	const char *pw = fn_str(args[0], &plen), *text = fn_str(args[1], &tlen);
	unsigned char key[32], *buf = NULL;
	size_t pad, total;
	EVP_CIPHER_CTX *ctx = NULL;
	char *enc = NULL;
	int outl = 0, r = -1;

	(void)call, (void)n;
	if (!tlen)
		return fn_ret_str(out, "", 0, err);
	aes_key(key, pw, plen);
	pad = 16 - tlen % 16;
	total = 16 + tlen + pad;
	if (!(buf = malloc(total)) || !(ctx = EVP_CIPHER_CTX_new())) {
		gitops_err_oom(err);
		goto done;
	}
	if (RAND_bytes(buf, 16) != 1) {
		fn_fail(err, "crypto/rand: reading random bytes failed");
		goto done;
	}
	memcpy(buf + 16, text, tlen);
	memset(buf + 16 + tlen, (int)pad, pad);
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, buf) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_EncryptUpdate(ctx, buf + 16, &outl, buf + 16, (int)(tlen + pad)) != 1) {
		fn_fail(err, "encryptAES: AES failed");
		goto done;
	}
	if (gitops_base64_encode(&enc, buf, total, 0) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	r = fn_ret_str(out, enc, strlen(enc), err);
done:
	OPENSSL_cleanse(key, sizeof(key));
	if (buf) {
		OPENSSL_cleanse(buf, total);
		free(buf);
	}
	free(enc);
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

/*
 * decryptAES PASSWORD BASE64: Sprig slices what DecodeString returned (its
 * capacity DecodedLen: len/4*3) and panics as Go does on a short input,
 * a partial block or a padding byte beyond the text.
 */
FN(f_decrypt_aes)
{
	size_t plen, clen, bad = 0, cap, len, dlen;
	const char *pw = fn_str(args[0], &plen), *c64 = fn_str(args[1], &clen);
	struct gitops_buf b = GITOPS_BUF_INIT;
	unsigned char key[32], *buf = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	int outl = 0, r = -1, dr;
	size_t padb;

	(void)call, (void)n;
	if (!clen)
		return fn_ret_str(out, "", 0, err);
	dr = fn_go_base64_decode(&b, c64, clen, &bad);
	if (dr == -2)
		return gitops_err_oom(err);
	if (dr < 0) {
		gitops_buf_release(&b);
		return fn_fail(err, "illegal base64 data at input byte %zu", bad);
	}
	len = b.len;
	cap = clen / 4 * 3;
	if (cap < 16) {
		gitops_buf_release(&b);
		return fn_fail(err, "runtime error: slice bounds out of range [:16] with capacity %zu", cap);
	}
	if (len < 16) {
		gitops_buf_release(&b);
		return fn_fail(err, "runtime error: slice bounds out of range [16:%zu]", len);
	}
	/* the IV may reach past the decoded bytes into the zeroed capacity */
	if (!(buf = calloc(1, len > 16 ? len : 16))) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	memcpy(buf, b.data, len);
	gitops_buf_release(&b);
	dlen = len - 16;
	if (dlen % 16) {
		fn_fail(err, "crypto/cipher: input not full blocks");
		goto done;
	}
	if (!dlen) {
		fn_fail(err, "runtime error: index out of range [-1]");
		goto done;
	}
	aes_key(key, pw, plen);
	if (!(ctx = EVP_CIPHER_CTX_new())) {
		gitops_err_oom(err);
		goto done;
	}
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, buf) != 1 || EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, buf + 16, &outl, buf + 16, (int)dlen) != 1) {
		fn_fail(err, "decryptAES: AES failed");
		goto done;
	}
	padb = buf[16 + dlen - 1];
	if (padb > dlen) {
		fn_fail(err, "runtime error: slice bounds out of range [:-%zu]", padb - dlen);
		goto done;
	}
	r = fn_ret_str(out, (const char *)buf + 16, dlen - padb, err);
done:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(buf, len > 16 ? len : 16);
	free(buf);
	EVP_CIPHER_CTX_free(ctx);
	return r;
}

/* --- bcrypt, htpasswd --- */

/*
 * golang.org/x/crypto/bcrypt's GenerateFromPassword at cost 10, "$2a$":
 * its algorithm is crypt_blowfish's "$2b$" (libxcrypt's "$2a$" adds a
 * countermeasure for 8-bit passwords that Go has not), so the hash is made
 * as "$2b$" and labelled "$2a$".  Its bound: 72 bytes.  *out: 60 chars.
 */
static int bcrypt_hash(struct gitops_buf *b, const char *pw, size_t plen, struct gitops_err *err)
{
	unsigned char rnd[16];
	char salt[CRYPT_GENSALT_OUTPUT_SIZE], *pwz = NULL;
	struct crypt_data *cd = NULL;
	const char *h;
	int r = -1;

	if (plen > 72)
		return gitops_buf_addstr(b, "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes") <
				       0
			       ? gitops_err_oom(err)
			       : 0;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return fn_fail(err, "crypto/rand: reading random bytes failed");
	if (!crypt_gensalt_rn("$2b$", 10, (const char *)rnd, sizeof(rnd), salt, sizeof(salt)))
		return fn_fail(err, "bcrypt: making a salt failed");
	/* Go hashes the bytes as they are: a NUL ends the key for crypt(3), so the bytes after it are cut as well */
	if (!(pwz = malloc(plen + 1)) || !(cd = calloc(1, sizeof(*cd)))) {
		gitops_err_oom(err);
		goto done;
	}
	memcpy(pwz, pw, plen);
	pwz[plen] = 0;
	h = crypt_r(pwz, salt, cd);
	if (!h || h[0] != '$' || strlen(h) != 60) {
		fn_fail(err, "bcrypt: hashing failed");
		goto done;
	}
	if (gitops_buf_add(b, "$2a", 3) < 0 || gitops_buf_addstr(b, h + 3) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	r = 0;
done:
	if (pwz) {
		OPENSSL_cleanse(pwz, plen);
		free(pwz);
	}
	if (cd) {
		OPENSSL_cleanse(cd, sizeof(*cd));
		free(cd);
	}
	return r;
}

FN(f_bcrypt)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len;
	const char *s = fn_str(args[0], &len);

	(void)call, (void)n;
	if (bcrypt_hash(&b, s, len, err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_htpasswd)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t ulen, plen;
	const char *user = fn_str(args[0], &ulen), *pw = fn_str(args[1], &plen);

	(void)call, (void)n;
	if (memchr(user, ':', ulen)) {
		if (gitops_buf_add(&b, "invalid username: ", 18) < 0 || gitops_buf_add(&b, user, ulen) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
		return fn_ret_buf(out, &b, err);
	}
	if (gitops_buf_add(&b, user, ulen) < 0 || gitops_buf_add(&b, ":", 1) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	if (bcrypt_hash(&b, pw, plen, err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	return fn_ret_buf(out, &b, err);
}

/* --- keys --- */

enum key_kind { K_RSA, K_DSA, K_EC, K_ED25519, K_OTHER };

static enum key_kind key_kind(const EVP_PKEY *k)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		return K_RSA;
	case EVP_PKEY_DSA:
		return K_DSA;
	case EVP_PKEY_EC:
		return K_EC;
	case EVP_PKEY_ED25519:
		return K_ED25519;
	default:
		return K_OTHER;
	}
}

/* a new key: rsa (BITS), dsa (L2048/N256), ec (P-256), ed25519; NULL on failure */
static EVP_PKEY *keygen(enum key_kind kind, unsigned bits)
{
	EVP_PKEY *k = NULL, *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *kctx = NULL;

	switch (kind) {
	case K_RSA:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	case K_EC:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case K_ED25519:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case K_DSA:
		if (!(ctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL)) || EVP_PKEY_paramgen_init(ctx) <= 0 ||
		    EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx, 2048) <= 0 ||
		    EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx, 256) <= 0 || EVP_PKEY_paramgen(ctx, &params) <= 0)
			break;
		if (!(kctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL)) || EVP_PKEY_keygen_init(kctx) <= 0 ||
		    EVP_PKEY_keygen(kctx, &k) <= 0)
			k = NULL;
		break;
	default:
		break;
	}
	EVP_PKEY_free(params);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_CTX_free(kctx);
	return k;
}

/* Sprig's pemBlockForKey: PKCS#1 "RSA", "DSA" (version, p, q, g, y, x), SEC 1 "EC", else PKCS#8 */
static int key_pem(struct gitops_buf *b, EVP_PKEY *k, struct gitops_err *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;
	int ok, r = -1;

	if (!bio)
		return gitops_err_oom(err);
	if (key_kind(k) == K_OTHER || key_kind(k) == K_ED25519)
		ok = PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0, NULL, NULL);
	if (ok != 1) {
		fn_fail(err, "error pem-encoding key");
		goto done;
	}
	len = BIO_get_mem_data(bio, &data);
	if (gitops_buf_add(b, data, (size_t)len) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	r = 0;
done:
	BIO_free(bio); /* a memory BIO's buffer is cleared as it is freed */
	return r;
}

FN(f_gen_private_key)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len;
	const char *typ = fn_str(args[0], &len);
	enum key_kind kind;
	EVP_PKEY *k;
	int r;

	(void)call, (void)n;
	if (!len || (len == 3 && !memcmp(typ, "rsa", 3)))
		kind = K_RSA;
	else if (len == 3 && !memcmp(typ, "dsa", 3))
		kind = K_DSA;
	else if (len == 5 && !memcmp(typ, "ecdsa", 5))
		kind = K_EC;
	else if (len == 7 && !memcmp(typ, "ed25519", 7))
		kind = K_ED25519;
	else {
		if (gitops_buf_add(&b, "Unknown type ", 13) < 0 || gitops_buf_add(&b, typ, len) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
		return fn_ret_buf(out, &b, err);
	}
	if (!(k = keygen(kind, 4096)))
		return ret_printf(out, err, "failed to generate private key: key generation failed");
	r = key_pem(&b, k, err);
	EVP_PKEY_free(k);
	if (r < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	return fn_ret_buf(out, &b, err);
}

/* --- PEM blocks, as Go's encoding/pem Decode finds them --- */

struct pem_block {
	char *type;
	unsigned char *der;
	size_t len;
};

static void pem_block_release(struct pem_block *p)
{
	free(p->type);
	if (p->der) {
		OPENSSL_cleanse(p->der, p->len);
		free(p->der);
	}
	p->type = NULL;
	p->der = NULL;
	p->len = 0;
}

/* getLine: the line (trailing " \t\r" cut) and where the next starts */
static size_t get_line(const char *s, size_t len, size_t *linelen)
{
	const char *nl = memchr(s, '\n', len);
	size_t l = nl ? (size_t)(nl - s) : len, next = nl ? l + 1 : len;

	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
		l--;
	*linelen = l;
	return next;
}

static const char *find(const char *s, size_t len, const char *what)
{
	size_t wl = strlen(what), i;

	for (i = 0; i + wl <= len; i++)
		if (!memcmp(s + i, what, wl))
			return s + i;
	return NULL;
}

/* pem.Decode: 1 and *p, 0 when there is no block, -1 when out of memory */
static int pem_decode(struct pem_block *p, const char *data, size_t dlen)
{
	const char *rest = data;
	size_t rlen = dlen;

	memset(p, 0, sizeof(*p));
	for (;;) {
		const char *type, *hit, *end, *tr;
		size_t tl, ll, next, endidx, trailidx, k;
		int headers = 0;
		struct gitops_buf b64 = GITOPS_BUF_INIT, der = GITOPS_BUF_INIT;
		size_t bad;
		int dr;

		if (rlen >= 11 && !memcmp(rest, "-----BEGIN ", 11)) {
			rest += 11;
			rlen -= 11;
		} else if ((hit = find(rest, rlen, "\n-----BEGIN "))) {
			rlen -= (size_t)(hit + 12 - rest);
			rest = hit + 12;
		} else {
			return 0;
		}
		type = rest;
		next = get_line(rest, rlen, &tl);
		rest += next;
		rlen -= next;
		if (tl < 5 || memcmp(type + tl - 5, "-----", 5))
			continue;
		tl -= 5;
		for (;;) {
			const char *colon;
			if (!rlen)
				return 0;
			next = get_line(rest, rlen, &ll);
			if (!(colon = memchr(rest, ':', ll)))
				break;
			headers = 1;
			rest += next;
			rlen -= next;
		}
		if (!headers && rlen >= 9 && !memcmp(rest, "-----END ", 9)) {
			endidx = 0;
			trailidx = 9;
		} else {
			if (!(end = find(rest, rlen, "\n-----END ")))
				continue;
			endidx = (size_t)(end - rest);
			trailidx = endidx + 10;
		}
		tr = rest + trailidx;
		if (rlen - trailidx < tl + 5 || memcmp(tr, type, tl) || memcmp(tr + tl, "-----", 5))
			continue;
		get_line(tr + tl + 5, rlen - trailidx - tl - 5, &ll);
		if (ll)
			continue;
		for (k = 0; k < endidx; k++)
			if (rest[k] != ' ' && rest[k] != '\t' && gitops_buf_add(&b64, rest + k, 1) < 0)
				return -1;
		dr = fn_go_base64_decode(&der, b64.data ? b64.data : "", b64.len, &bad);
		gitops_buf_release(&b64);
		if (dr == -2) {
			gitops_buf_release(&der);
			return -1;
		}
		if (dr < 0) {
			OPENSSL_cleanse(der.data, der.len);
			gitops_buf_release(&der);
			continue;
		}
		p->type = strndup(type, tl);
		p->len = der.len;
		p->der = (unsigned char *)gitops_buf_detach(&der);
		if (!p->type || (!p->der && (p->der = malloc(1)) == NULL)) {
			pem_block_release(p);
			return -1;
		}
		return 1;
	}
}

/*
 * Go's asn1.Unmarshal into a struct named name, as far as its outer
 * header (parseTagAndLength, the SEQUENCE tag, the length): 1 and Go's
 * message in msg when that fails, else 0 (then only the contents can be
 * wrong, and no message of Go's is kept for those).
 */
static int asn1_head(char *msg, size_t cap, const unsigned char *d, size_t len, const char *name)
{
	size_t off = 0, length = 0;
	unsigned cls, b;
	long tag;
	int compound;

	if (!len) {
		snprintf(msg, cap, "asn1: syntax error: sequence truncated");
		return 1;
	}
	b = d[off++];
	cls = b >> 6;
	compound = (b & 0x20) != 0;
	tag = b & 0x1f;
	if (tag == 0x1f) {
		int shifted, done = 0;
		long long v = 0;
		for (shifted = 0; off < len; shifted++) {
			if (shifted == 5) {
				snprintf(msg, cap, "asn1: structure error: base 128 integer too large");
				return 1;
			}
			v <<= 7;
			if (shifted == 0 && d[off] == 0x80) {
				snprintf(msg, cap, "asn1: syntax error: integer is not minimally encoded");
				return 1;
			}
			v |= d[off] & 0x7f;
			if (!(d[off++] & 0x80)) {
				done = 1;
				break;
			}
		}
		if (!done) {
			snprintf(msg, cap, "asn1: syntax error: truncated base 128 integer");
			return 1;
		}
		if (v > 0x7fffffff) {
			snprintf(msg, cap, "asn1: structure error: base 128 integer too large");
			return 1;
		}
		tag = (long)v;
		if (tag < 0x1f) {
			snprintf(msg, cap, "asn1: syntax error: non-minimal tag");
			return 1;
		}
	}
	if (off >= len) {
		snprintf(msg, cap, "asn1: syntax error: truncated tag or length");
		return 1;
	}
	b = d[off++];
	if (!(b & 0x80)) {
		length = b & 0x7f;
	} else {
		unsigned k, nb = b & 0x7f;
		if (!nb) {
			snprintf(msg, cap, "asn1: syntax error: indefinite length found (not DER)");
			return 1;
		}
		for (k = 0; k < nb; k++) {
			if (off >= len) {
				snprintf(msg, cap, "asn1: syntax error: truncated tag or length");
				return 1;
			}
			if (length >= 1u << 23) {
				snprintf(msg, cap, "asn1: structure error: length too large");
				return 1;
			}
			length = length << 8 | d[off++];
			if (!length) {
				snprintf(msg, cap, "asn1: structure error: superfluous leading zeros in length");
				return 1;
			}
		}
		if (length < 0x80) {
			snprintf(msg, cap, "asn1: structure error: non-minimal length");
			return 1;
		}
	}
	if (cls != 0 || tag != 16 || !compound) {
		snprintf(msg, cap,
			 "asn1: structure error: tags don't match (16 vs {class:%u tag:%ld length:%zu isCompound:%s}) "
			 "{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> "
			 "stringType:0 timeType:0 set:false omitEmpty:false} %s @%zu",
			 cls, tag, length, compound ? "true" : "false", name, off);
		return 1;
	}
	if (length > len - off) {
		snprintf(msg, cap, "asn1: syntax error: data truncated");
		return 1;
	}
	return 0;
}

/* the key structures Go's parsers try one after the other */
enum key_der { D_PKCS1, D_EC, D_DSA, D_PKCS8 };

static const char *const der_names[] = { "pkcs1PrivateKey", "ecPrivateKey", "DSAKeyFormat", "pkcs8" };

/* a key of the structure, from the start of der (*end: where it ended); NULL when it is none */
static EVP_PKEY *der_key(enum key_der which, const unsigned char *der, size_t len, const unsigned char **end)
{
	static const int types[] = { EVP_PKEY_RSA, EVP_PKEY_EC, EVP_PKEY_DSA };
	const unsigned char *p = der;
	EVP_PKEY *k = NULL;

	if (which == D_PKCS8) {
		PKCS8_PRIV_KEY_INFO *inf = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
		if (inf)
			k = EVP_PKCS82PKEY(inf);
		PKCS8_PRIV_KEY_INFO_free(inf);
	} else {
		k = d2i_PrivateKey(types[which], NULL, &p, (long)len);
	}
	if (end)
		*end = p;
	return k;
}

/*
 * One of Go's x509 key parsers (ParsePKCS1PrivateKey, ParseECPrivateKey,
 * ParsePKCS8PrivateKey, Sprig's DSA asn1.Unmarshal): the key, or NULL
 * with Go's message in msg (what the others' structures say when the
 * bytes are one of them; else Go's asn1 message as far as it is known).
 */
static EVP_PKEY *parse_der(enum key_der which, const unsigned char *der, size_t len, char *msg, size_t cap)
{
	static const char *const use[] = { "ParsePKCS1PrivateKey", "ParseECPrivateKey", NULL, "ParsePKCS8PrivateKey" };
	/* what each parser tries when its own structure fails */
	static const enum key_der others[][2] = { { D_EC, D_PKCS8 }, { D_PKCS8, D_PKCS1 }, { D_DSA, D_DSA },
						  { D_EC, D_PKCS1 } };
	const unsigned char *end = NULL;
	EVP_PKEY *k = der_key(which, der, len, &end);
	char head[768];
	int i;

	if (k && which == D_PKCS1 && end != der + len) {
		EVP_PKEY_free(k);
		snprintf(msg, cap, "asn1: syntax error: trailing data");
		return NULL;
	}
	if (k && which == D_PKCS8) {
		int id = EVP_PKEY_get_base_id(k);
		if (id != EVP_PKEY_RSA && id != EVP_PKEY_EC && id != EVP_PKEY_ED25519 && id != EVP_PKEY_X25519) {
			const unsigned char *p = der;
			PKCS8_PRIV_KEY_INFO *inf = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len);
			const ASN1_OBJECT *obj = NULL;
			char oid[128] = "";
			if (inf && PKCS8_pkey_get0(&obj, NULL, NULL, NULL, inf) == 1)
				OBJ_obj2txt(oid, sizeof(oid), obj, 1);
			PKCS8_PRIV_KEY_INFO_free(inf);
			EVP_PKEY_free(k);
			snprintf(msg, cap, "x509: PKCS#8 wrapping contained private key with unknown algorithm: %s", oid);
			return NULL;
		}
	}
	if (k)
		return k;
	for (i = 0; which != D_DSA && i < 2; i++) {
		EVP_PKEY *o = der_key(others[which][i], der, len, NULL);
		if (o) {
			EVP_PKEY_free(o);
			snprintf(msg, cap, "x509: failed to parse private key (use %s instead for this key format)",
				 use[others[which][i]]);
			return NULL;
		}
	}
	if (!asn1_head(head, sizeof(head), der, len, der_names[which]))
		snprintf(head, sizeof(head), "asn1: structure error: malformed %s", der_names[which]);
	snprintf(msg, cap, "%s%s", which == D_EC ? "x509: failed to parse EC private key: " : "", head);
	return NULL;
}

/* parsePrivateKeyPEM: 0 and *out, or -1 with err's message (no key material in it) */
static int parse_key_pem(EVP_PKEY **out, const char *pem, size_t len, struct gitops_err *err)
{
	static const struct {
		const char *type, *what;
		enum key_der der;
	} kinds[] = {
		{ "PRIVATE KEY", "decoding PEM as PKCS#8", D_PKCS8 },
		{ "RSA PRIVATE KEY", "parsing RSA private key from PEM", D_PKCS1 },
		{ "EC PRIVATE KEY", "parsing EC private key from PEM", D_EC },
		{ "DSA PRIVATE KEY", "parsing DSA private key from PEM", D_DSA },
	};
	struct pem_block p;
	EVP_PKEY *k = NULL;
	char msg[1024];
	size_t i, tl;
	int r;

	*out = NULL;
	if ((r = pem_decode(&p, pem, len)) < 0)
		return gitops_err_oom(err);
	if (!r)
		return fn_fail(err, "no PEM data in input");
	tl = strlen(p.type);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(p.type, kinds[i].type))
			break;
	if (i < sizeof(kinds) / sizeof(kinds[0])) {
		if (!(k = parse_der(kinds[i].der, p.der, p.len, msg, sizeof(msg))))
			fn_fail(err, "%s: %s", kinds[i].what, msg);
	} else if (tl < 12 || strcmp(p.type + tl - 12, " PRIVATE KEY")) {
		fn_fail(err, "no private key data in PEM block of type %.200s", p.type);
	} else {
		fn_fail(err, "invalid private key type %.200s", p.type);
	}
	pem_block_release(&p);
	if (!k)
		return -1;
	*out = k;
	return 0;
}

/* --- certificates --- */

static const char cert_type[] = "sprig.certificate";

static int ret_cert(struct gitops_tmpl_value **out, const char *cert, size_t clen, const char *key, size_t klen,
		    struct gitops_err *err)
{
	struct gitops_tmpl_value *v = gitops_tmpl_value_struct(cert_type);

	if (!v || gitops_tmpl_map_set(v, "Cert", 4, gitops_tmpl_value_string(cert, clen)) < 0 ||
	    gitops_tmpl_map_set(v, "Key", 3, gitops_tmpl_value_string(key, klen)) < 0) {
		gitops_tmpl_value_unref(v);
		return gitops_err_oom(err);
	}
	*out = v;
	return 0;
}

/* a certificate argument (the engine has checked its type): its Cert and Key borrowed */
static int cert_arg(const char **cert, size_t *clen, const char **key, size_t *klen, struct gitops_tmpl_value *v,
		    struct gitops_err *err)
{
	const char *tn = gitops_tmpl_value_kind(v) == GITOPS_TMPL_MAP ? gitops_tmpl_value_type_name(v) : NULL;
	struct gitops_tmpl_value *c, *k;

	if (!tn || strcmp(tn, cert_type))
		return fn_fail(err, "wrong type for value; expected %s; got %s", cert_type,
			       gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL ? "interface {}"
									   : gitops_tmpl_value_type_name(v));
	c = gitops_tmpl_map_get(v, "Cert", 4);
	k = gitops_tmpl_map_get(v, "Key", 3);
	*cert = c ? fn_str(c, clen) : (*clen = 0, "");
	*key = k ? fn_str(k, klen) : (*klen = 0, "");
	return 0;
}

struct cert_tpl {
	unsigned char (*ips)[16];
	size_t *iplen;
	size_t nips;
	char **dns;
	size_t ndns;
};

static void cert_tpl_release(struct cert_tpl *t)
{
	size_t i;

	for (i = 0; i < t->ndns; i++)
		free(t->dns[i]);
	free(t->dns);
	free(t->ips);
	free(t->iplen);
	memset(t, 0, sizeof(*t));
}

/* a value as fmt's %v, for "... is not a string" */
static int fail_not_string(struct gitops_err *err, const char *fmt, struct gitops_tmpl_value *v)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int r;

	if (fn_strval(&b, v) < 0)
		return gitops_err_oom(err);
	r = fn_fail(err, fmt, b.data ? b.data : "");
	gitops_buf_release(&b);
	return r;
}

/* getNetIPs and getAlternateDNSStrs */
static int cert_tpl_init(struct cert_tpl *t, struct gitops_tmpl_value *ips, struct gitops_tmpl_value *dns,
			 struct gitops_err *err)
{
	size_t nip = gitops_tmpl_value_kind(ips) == GITOPS_TMPL_LIST ? gitops_tmpl_value_len(ips) : 0;
	size_t ndns = gitops_tmpl_value_kind(dns) == GITOPS_TMPL_LIST ? gitops_tmpl_value_len(dns) : 0, i;

	memset(t, 0, sizeof(*t));
	if (!(t->ips = calloc(nip + 1, sizeof(*t->ips))) || !(t->iplen = calloc(nip + 1, sizeof(*t->iplen))) ||
	    !(t->dns = calloc(ndns + 1, sizeof(*t->dns))))
		return gitops_err_oom(err);
	for (i = 0; i < nip; i++) {
		struct gitops_tmpl_value *it = gitops_tmpl_value_item(ips, i);
		const char *s;
		size_t l;
		if (gitops_tmpl_value_kind(it) != GITOPS_TMPL_STRING)
			return fail_not_string(err, "error parsing ip: %s is not a string", it);
		s = fn_str(it, &l);
		if (strlen(s) == l && inet_pton(AF_INET, s, t->ips[i]) == 1) {
			t->iplen[i] = 4;
		} else if (strlen(s) == l && inet_pton(AF_INET6, s, t->ips[i]) == 1) {
			static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
			t->iplen[i] = 16;
			if (!memcmp(t->ips[i], v4mapped, 12)) {
				memmove(t->ips[i], t->ips[i] + 12, 4);
				t->iplen[i] = 4;
			}
		} else {
			return fn_fail(err, "error parsing ip: %.200s", s);
		}
		t->nips++;
	}
	for (i = 0; i < ndns; i++) {
		struct gitops_tmpl_value *it = gitops_tmpl_value_item(dns, i);
		const char *s;
		size_t l;
		if (gitops_tmpl_value_kind(it) != GITOPS_TMPL_STRING)
			return fail_not_string(err, "error processing alternate dns name: %s is not a string", it);
		s = fn_str(it, &l);
		if (!(t->dns[i] = malloc(l + 1)))
			return gitops_err_oom(err);
		memcpy(t->dns[i], s, l);
		t->dns[i][l] = 0;
		t->ndns++;
	}
	return 0;
}

/* Go's asn1 PrintableString test for a name (with '*' and '&', as x509 allows them) */
static int printable(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(" '()+,-./:=?*&", c)))
			return 0;
	}
	return 1;
}

static int add_ext(X509 *x, int nid, void *value, int crit)
{
	return X509_add1_ext_i2d(x, nid, value, crit, X509V3_ADD_DEFAULT) == 1 ? 0 : -1;
}

/* the digest Go's x509 signs with for the key, or NULL (Ed25519: none); *ok 0 when it cannot sign */
static const EVP_MD *sign_md(EVP_PKEY *k, int *ok)
{
	*ok = 1;
	switch (key_kind(k)) {
	case K_RSA:
		return EVP_sha256();
	case K_EC: {
		int bits = EVP_PKEY_get_bits(k);
		return bits > 384 ? EVP_sha512() : bits > 256 ? EVP_sha384() : EVP_sha256();
	}
	case K_ED25519:
		return NULL;
	default:
		*ok = 0;
		return NULL;
	}
}

/*
 * getCertAndKey: a certificate of the template for signee's public key,
 * signed by signer (parent: the issuer's certificate, or NULL for a
 * self-signed one); its PEM and the signee key's PEM appended to cert, key.
 */
static int make_cert(struct gitops_buf *cert, struct gitops_buf *key, const char *cn, size_t cnlen,
		     const struct cert_tpl *t, int64_t days, int is_ca, EVP_PKEY *signee, X509 *parent,
		     EVP_PKEY *signer, struct gitops_err *err)
{
	X509 *x = NULL;
	X509_NAME *name = NULL;
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_BIT_STRING *ku = NULL;
	EXTENDED_KEY_USAGE *eku = NULL;
	BASIC_CONSTRAINTS *bc = NULL;
	ASN1_OCTET_STRING *skid = NULL;
	AUTHORITY_KEYID *akid = NULL;
	GENERAL_NAMES *san = NULL;
	BIO *bio = NULL;
	unsigned char rnd[16], *subj_der = NULL, *iss_der = NULL;
	char *cnz = NULL, *data;
	const EVP_MD *md;
	int ok, r = -1, slen, ilen;
	size_t i;
	time_t now = time(NULL);
	int64_t secs;
	long blen;

	md = sign_md(signer, &ok);
	if (!ok)
		return fn_fail(err, "error creating certificate: x509: certificate private key does not implement crypto.Signer");
	if (key_kind(signee) == K_DSA || key_kind(signee) == K_OTHER)
		return fn_fail(err, "error creating certificate: x509: unsupported public key type: %s",
			       key_kind(signee) == K_DSA ? "*dsa.PublicKey" : "*ecdh.PublicKey");
	/* x509.CreateCertificate's order: the signer, the public key, the parent's key, the names */
	if (parent) {
		EVP_PKEY *pub = X509_get0_pubkey(parent);
		if (!pub || EVP_PKEY_eq(pub, signer) != 1)
			return fn_fail(err, "error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey");
	}
	for (i = 0; i < t->ndns; i++) {
		const char *d;
		for (d = t->dns[i]; *d; d++)
			if ((unsigned char)*d > 127) {
				struct gitops_buf q = GITOPS_BUF_INIT;
				if (tmpl_fmt_quote(&q, t->dns[i], strlen(t->dns[i]), 0) < 0)
					return gitops_err_oom(err);
				fn_fail(err, "error creating certificate: x509: %.300s cannot be encoded as an IA5String", q.data);
				gitops_buf_release(&q);
				return -1;
			}
	}
	if (!(x = X509_new()) || !(name = X509_NAME_new()) || !(cnz = strndup(cn, cnlen)) || !(bn = BN_new()) ||
	    !(ku = ASN1_BIT_STRING_new()) || !(eku = sk_ASN1_OBJECT_new_null()) || !(bc = BASIC_CONSTRAINTS_new()) ||
	    !(bio = BIO_new(BIO_s_mem()))) {
		gitops_err_oom(err);
		goto done;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 || !BN_bin2bn(rnd, sizeof(rnd), bn) ||
	    !(serial = BN_to_ASN1_INTEGER(bn, NULL)))
		goto fail;
	if (X509_set_version(x, 2) != 1 || X509_set_serialNumber(x, serial) != 1)
		goto fail;
	if (cnlen && X509_NAME_add_entry_by_NID(name, NID_commonName,
					       printable(cnz) ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING,
					       (const unsigned char *)cn, (int)cnlen, -1, 0) != 1)
		goto fail;
	if (X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, parent ? X509_get_subject_name(parent) : name) != 1)
		goto fail;
	/* time.Hour * 24 * time.Duration(days): nanoseconds, wrapping as Go's int64 does */
	secs = (int64_t)((uint64_t)86400000000000ull * (uint64_t)days) / 1000000000;
	if (!ASN1_TIME_set(X509_getm_notBefore(x), now) || !ASN1_TIME_adj(X509_getm_notAfter(x), now, 0, (long)secs))
		goto fail;
	if (X509_set_pubkey(x, signee) != 1)
		goto fail;
	/* key usage: digitalSignature, keyEncipherment (and keyCertSign for a CA) */
	if (ASN1_BIT_STRING_set_bit(ku, 0, 1) != 1 || ASN1_BIT_STRING_set_bit(ku, 2, 1) != 1 ||
	    (is_ca && ASN1_BIT_STRING_set_bit(ku, 5, 1) != 1) || add_ext(x, NID_key_usage, ku, 1) < 0)
		goto fail;
	if (!sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) ||
	    !sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)) || add_ext(x, NID_ext_key_usage, eku, 0) < 0)
		goto fail;
	bc->ca = is_ca ? 0xFF : 0;
	if (add_ext(x, NID_basic_constraints, bc, 1) < 0)
		goto fail;
	if (is_ca) {
		unsigned char h[EVP_MAX_MD_SIZE];
		unsigned hl = 0;
		if (X509_pubkey_digest(x, EVP_sha1(), h, &hl) != 1 || !(skid = ASN1_OCTET_STRING_new()) ||
		    ASN1_OCTET_STRING_set(skid, h, (int)hl) != 1 || add_ext(x, NID_subject_key_identifier, skid, 0) < 0)
			goto fail;
	}
	/* the issuer's key id, when it has one and is another name */
	slen = i2d_X509_NAME(X509_get_subject_name(x), &subj_der);
	ilen = i2d_X509_NAME(X509_get_issuer_name(x), &iss_der);
	if (slen < 0 || ilen < 0)
		goto fail;
	if (parent && (slen != ilen || memcmp(subj_der, iss_der, (size_t)slen)) && X509_get0_subject_key_id(parent) &&
	    ASN1_STRING_length(X509_get0_subject_key_id(parent)) > 0) {
		if (!(akid = AUTHORITY_KEYID_new()) ||
		    !(akid->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(parent))) ||
		    add_ext(x, NID_authority_key_identifier, akid, 0) < 0)
			goto fail;
	}
	if (t->ndns || t->nips) {
		if (!(san = GENERAL_NAMES_new()))
			goto fail;
		for (i = 0; i < t->ndns + t->nips; i++) {
			GENERAL_NAME *g = GENERAL_NAME_new();
			ASN1_STRING *s = i < t->ndns ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
			int set = i < t->ndns ? ASN1_STRING_set(s, t->dns[i], (int)strlen(t->dns[i]))
					      : ASN1_STRING_set(s, t->ips[i - t->ndns], (int)t->iplen[i - t->ndns]);
			if (!g || !s || set != 1) {
				GENERAL_NAME_free(g);
				ASN1_STRING_free(s);
				goto fail;
			}
			GENERAL_NAME_set0_value(g, i < t->ndns ? GEN_DNS : GEN_IPADD, s);
			if (!sk_GENERAL_NAME_push(san, g)) {
				GENERAL_NAME_free(g);
				goto fail;
			}
		}
		/* critical when the subject is empty (RFC 5280 4.2.1.6), as Go marks it */
		if (add_ext(x, NID_subject_alt_name, san, !cnlen) < 0)
			goto fail;
	}
	if (!X509_sign(x, signer, md))
		goto fail;
	if (PEM_write_bio_X509(bio, x) != 1)
		goto fail;
	blen = BIO_get_mem_data(bio, &data);
	if (gitops_buf_add(cert, data, (size_t)blen) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (key_pem(key, signee, err) < 0)
		goto done;
	r = 0;
	goto done;
fail:
	fn_fail(err, "error creating certificate: x509: signing failed");
done:
	X509_free(x);
	X509_NAME_free(name);
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	ASN1_BIT_STRING_free(ku);
	sk_ASN1_OBJECT_free(eku);
	BASIC_CONSTRAINTS_free(bc);
	ASN1_OCTET_STRING_free(skid);
	AUTHORITY_KEYID_free(akid);
	GENERAL_NAMES_free(san);
	BIO_free(bio);
	OPENSSL_free(subj_der);
	OPENSSL_free(iss_der);
	free(cnz);
	return r;
}

/* a parsed certificate of a PEM text: pem.Decode, then x509.ParseCertificate */
static int parse_cert_pem(X509 **out, const char *pem, size_t len, const char *what, struct gitops_err *err)
{
	struct pem_block p;
	const unsigned char *d;
	int r;

	*out = NULL;
	if ((r = pem_decode(&p, pem, len)) < 0)
		return gitops_err_oom(err);
	if (!r)
		return fn_fail(err, "unable to decode certificate");
	d = p.der;
	*out = d2i_X509(NULL, &d, (long)p.len);
	if (*out && d != p.der + p.len) {
		X509_free(*out);
		*out = NULL;
	}
	pem_block_release(&p);
	if (!*out)
		return fn_fail(err, "error parsing certificate: %s.Bytes: x509: malformed certificate", what);
	return 0;
}

enum cert_how { C_CA, C_SELF, C_SIGNED };

/*
 * The generate* functions: how, the arguments' positions (ips and dns -1
 * for a CA), the CA argument's, and the key's (-1: a new RSA 2048 key).
 */
static int gen_cert(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, enum cert_how how,
		    int ca_arg, int key_arg, struct gitops_err *err)
{
	struct gitops_buf cert = GITOPS_BUF_INIT, key = GITOPS_BUF_INIT;
	struct cert_tpl t = { 0 };
	EVP_PKEY *priv = NULL, *signer_key = NULL;
	X509 *signer = NULL;
	size_t cnlen;
	const char *cn = fn_str(args[0], &cnlen);
	int64_t days = gitops_tmpl_value_int_of(args[how == C_CA ? 1 : 3]);
	int r = -1;

	if (key_arg >= 0) {
		size_t l;
		const char *pem = fn_str(args[key_arg], &l);
		if (parse_key_pem(&priv, pem, l, err) < 0) {
			char msg[GITOPS_ERR_MSG_MAX];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			fn_fail(err, "parsing private key: %s", msg);
			goto done;
		}
	} else if (!(priv = keygen(K_RSA, 2048))) {
		fn_fail(err, "error generating rsa key: key generation failed");
		goto done;
	}
	if (how == C_SIGNED) {
		const char *cp = NULL, *kp = NULL;
		size_t cl = 0, kl = 0;
		if (cert_arg(&cp, &cl, &kp, &kl, args[ca_arg], err) < 0)
			goto done;
		if (parse_cert_pem(&signer, cp, cl, "decodedSignerCert", err) < 0)
			goto done;
		if (parse_key_pem(&signer_key, kp, kl, err) < 0) {
			char msg[GITOPS_ERR_MSG_MAX];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			fn_fail(err, "error parsing private key: %s", msg);
			goto done;
		}
	}
	if (cert_tpl_init(&t, how == C_CA ? NULL : args[1], how == C_CA ? NULL : args[2], err) < 0)
		goto done;
	if (make_cert(&cert, &key, cn, cnlen, &t, days, how == C_CA, priv, signer, signer ? signer_key : priv, err) < 0)
		goto done;
	r = ret_cert(out, cert.data, cert.len, key.data, key.len, err);
done:
	cert_tpl_release(&t);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(signer_key);
	X509_free(signer);
	gitops_buf_release(&cert);
	if (key.data)
		OPENSSL_cleanse(key.data, key.len);
	gitops_buf_release(&key);
	return r;
}

/* genCA CN DAYS */
FN(f_gen_ca)
{
	(void)call, (void)n;
	return gen_cert(out, args, C_CA, -1, -1, err);
}

/* genCAWithKey CN DAYS KEY */
FN(f_gen_ca_with_key)
{
	(void)call, (void)n;
	return gen_cert(out, args, C_CA, -1, 2, err);
}

/* genSelfSignedCert CN IPS DNS DAYS */
FN(f_gen_self_signed)
{
	(void)call, (void)n;
	return gen_cert(out, args, C_SELF, -1, -1, err);
}

/* genSelfSignedCertWithKey CN IPS DNS DAYS KEY */
FN(f_gen_self_signed_with_key)
{
	(void)call, (void)n;
	return gen_cert(out, args, C_SELF, -1, 4, err);
}

/* genSignedCert CN IPS DNS DAYS CA */
FN(f_gen_signed)
{
	(void)call, (void)n;
	return gen_cert(out, args, C_SIGNED, 4, -1, err);
}

/* genSignedCertWithKey CN IPS DNS DAYS CA KEY */
FN(f_gen_signed_with_key)
{
	(void)call, (void)n;
	return gen_cert(out, args, C_SIGNED, 4, 5, err);
}

/* buildCustomCert B64CERT B64KEY: the decoded texts, once they parse */
FN(f_build_custom_cert)
{
	struct gitops_buf c = GITOPS_BUF_INIT, k = GITOPS_BUF_INIT;
	size_t clen, klen, bad;
	const char *c64 = fn_str(args[0], &clen), *k64 = fn_str(args[1], &klen);
	X509 *x = NULL;
	EVP_PKEY *pk = NULL;
	int r = -1, dr;

	(void)call, (void)n;
	if ((dr = fn_go_base64_decode(&c, c64, clen, &bad)) < 0) {
		dr == -2 ? gitops_err_oom(err) : fn_fail(err, "unable to decode base64 certificate");
		goto done;
	}
	if ((dr = fn_go_base64_decode(&k, k64, klen, &bad)) < 0) {
		dr == -2 ? gitops_err_oom(err) : fn_fail(err, "unable to decode base64 private key");
		goto done;
	}
	if (parse_cert_pem(&x, c.data ? c.data : "", c.len, "decodedCert", err) < 0)
		goto done;
	if (parse_key_pem(&pk, k.data ? k.data : "", k.len, err) < 0) {
		char msg[GITOPS_ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		fn_fail(err, "error parsing private key: %s", msg);
		goto done;
	}
	r = ret_cert(out, c.data, c.len, k.data, k.len, err);
done:
	X509_free(x);
	EVP_PKEY_free(pk);
	gitops_buf_release(&c);
	if (k.data)
		OPENSSL_cleanse(k.data, k.len);
	gitops_buf_release(&k);
	return r;
}

#define S GITOPS_TMPL_P_STRING
#define I GITOPS_TMPL_P_INT
#define L GITOPS_TMPL_P_LIST
#define C GITOPS_TMPL_P_CERTIFICATE
const struct gitops_tmpl_func gitops_tmpl_funcs_crypto[] = {
	{ "derivePassword", f_derive_password, 5, 0, { GITOPS_TMPL_P_UINT32, S, S, S, S }, NULL },
	{ "encryptAES", f_encrypt_aes, 2, 0, { S, S }, NULL },
	{ "decryptAES", f_decrypt_aes, 2, 0, { S, S }, NULL },
	{ "bcrypt", f_bcrypt, 1, 0, { S }, NULL },
	{ "htpasswd", f_htpasswd, 2, 0, { S, S }, NULL },
	{ "genPrivateKey", f_gen_private_key, 1, 0, { S }, NULL },
	{ "buildCustomCert", f_build_custom_cert, 2, 0, { S, S }, NULL },
	{ "genCA", f_gen_ca, 2, 0, { S, I }, NULL },
	{ "genCAWithKey", f_gen_ca_with_key, 3, 0, { S, I, S }, NULL },
	{ "genSelfSignedCert", f_gen_self_signed, 4, 0, { S, L, L, I }, NULL },
	{ "genSelfSignedCertWithKey", f_gen_self_signed_with_key, 5, 0, { S, L, L, I, S }, NULL },
	{ "genSignedCert", f_gen_signed, 5, 0, { S, L, L, I, C }, NULL },
	{ "genSignedCertWithKey", f_gen_signed_with_key, 6, 0, { S, L, L, I, C, S }, NULL },
};
const size_t gitops_tmpl_funcs_crypto_n = sizeof(gitops_tmpl_funcs_crypto) / sizeof(gitops_tmpl_funcs_crypto[0]);
