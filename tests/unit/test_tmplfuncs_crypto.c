/*
 * Unit tests for lib/template/funcs' encoding, crypto and random families:
 * the shapes the conformance cases can only match by pattern.  A
 * certificate from genSignedCert verifies against its genCA as `openssl
 * verify` checks it (X509_verify_cert), with the fields Sprig sets; bcrypt
 * and htpasswd hashes verify (and helm's own hashes verify with the same
 * algorithm); AES round-trips; keys parse as their type; rand* keep their
 * lengths and alphabets.
 */
#include <check.h>
#include <crypt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/template/funcs/funcs.h"
#include "lib/template/template.h"
#include "tests/unit/check_main.h"

/* the template's output (to free), or NULL with the error in err */
static char *render(const char *text, struct gitops_err *err)
{
	struct gitops_tmpl_func *funcs = NULL;
	struct gitops_tmpl_set *set = NULL;
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t n = 0;
	char *out = NULL;

	ck_assert_int_eq(gitops_tmpl_funcs_table(&funcs, &n), 0);
	if (gitops_tmpl_set_new(&set, funcs, n, NULL, NULL, err) == 0 &&
	    gitops_tmpl_set_parse(set, "t", text, strlen(text), err) == 0 &&
	    gitops_tmpl_exec(&b, set, "t", NULL, err) == 0) {
		out = b.data ? gitops_buf_detach(&b) : strdup("");
		ck_assert_ptr_nonnull(out);
	}
	gitops_buf_release(&b);
	gitops_tmpl_set_free(set);
	free(funcs);
	return out;
}

static char *must_render(const char *text)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out = render(text, &err);

	ck_assert_msg(out != NULL, "%s: %s", text, err.msg);
	return out;
}

/* the n parts of s split at sep (s is cut in place) */
static void split_at(char *s, const char *sep, char **parts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *at = strstr(s, sep);
		parts[i] = s;
		if (i + 1 < n) {
			ck_assert_ptr_nonnull(at);
			*at = 0;
			s = at + strlen(sep);
		} else {
			ck_assert_ptr_null(at);
		}
	}
}

static void split(char *s, char **parts, size_t n)
{
	split_at(s, "@@", parts, n);
}

static X509 *cert_of(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);

	BIO_free(bio);
	ck_assert_msg(x != NULL, "not a PEM certificate: %.60s", pem);
	return x;
}

static EVP_PKEY *key_of(const char *pem, const char *header)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);

	BIO_free(bio);
	ck_assert_msg(k != NULL, "not a PEM private key: %.60s", pem);
	ck_assert_msg(!strncmp(pem, header, strlen(header)), "want %s, got %.40s", header, pem);
	return k;
}

/* X509_verify_cert, as `openssl verify -CAfile CA -purpose P LEAF` runs it: X509_V_OK or its error */
static int verify(X509 *ca, X509 *leaf, int purpose)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok, e;

	ck_assert_int_eq(X509_STORE_add_cert(store, ca), 1);
	ck_assert_int_eq(X509_STORE_CTX_init(ctx, store, leaf, NULL), 1);
	if (purpose)
		X509_STORE_CTX_set_purpose(ctx, purpose);
	ok = X509_verify_cert(ctx);
	e = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok == 1 ? X509_V_OK : e ? e : -1;
}

#define ck_verify(ca, leaf, purpose)                                                              \
	do {                                                                                      \
		int e_ = verify(ca, leaf, purpose);                                               \
		ck_assert_msg(e_ == X509_V_OK, "verify: %s", X509_verify_cert_error_string(e_)); \
	} while (0)

static void check_validity(X509 *x, int days)
{
	int d = -1, s = -1;
	time_t now = time(NULL);

	ck_assert_int_eq(ASN1_TIME_diff(&d, &s, X509_get0_notBefore(x), X509_get0_notAfter(x)), 1);
	ck_assert_int_eq(d, days);
	ck_assert_int_eq(s, 0);
	ck_assert_int_le(X509_cmp_time(X509_get0_notBefore(x), &now), 0);
	now -= 120;
	ck_assert_int_gt(X509_cmp_time(X509_get0_notBefore(x), &now), 0);
}

static void check_serial(X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);

	ck_assert_ptr_nonnull(bn);
	ck_assert(!BN_is_negative(bn));
	ck_assert_int_le(BN_num_bits(bn), 128);
	ck_assert_int_gt(BN_num_bits(bn), 64); /* 2^-64 odds of failing by chance */
	BN_free(bn);
}

static void check_cn(X509 *x, const char *cn)
{
	char buf[256];

	ck_assert_int_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, cn);
}

START_TEST(test_signed_cert_verifies)
{
	char *out = must_render("{{$ca := genCA \"my-ca\" 30}}"
				"{{$c := genSignedCert \"svc.example\" (list \"10.0.0.1\" \"::1\") "
				"(list \"svc.example\" \"alt.example\") 7 $ca}}"
				"{{$ca.Cert}}@@{{$ca.Key}}@@{{$c.Cert}}@@{{$c.Key}}@@{{typeOf $c}}");
	char *p[5];
	X509 *ca, *leaf;
	EVP_PKEY *cakey, *leafkey;
	const ASN1_OCTET_STRING *skid, *akid;
	BASIC_CONSTRAINTS *bc;
	int crit = -1;

	split(out, p, 5);
	ck_assert_str_eq(p[4], "sprig.certificate");
	ca = cert_of(p[0]);
	cakey = key_of(p[1], "-----BEGIN RSA PRIVATE KEY-----\n");
	leaf = cert_of(p[2]);
	leafkey = key_of(p[3], "-----BEGIN RSA PRIVATE KEY-----\n");

	/* the chain, as openssl verify checks it, for a server and a client */
	ck_verify(ca, leaf, 0);
	ck_verify(ca, leaf, X509_PURPOSE_SSL_SERVER);
	ck_verify(ca, leaf, X509_PURPOSE_SSL_CLIENT);
	ck_verify(ca, ca, 0);
	ck_assert_int_eq(X509_check_private_key(ca, cakey), 1);
	ck_assert_int_eq(X509_check_private_key(leaf, leafkey), 1);

	/* RSA 2048, version 3, sha256WithRSAEncryption, random serials, validity in days */
	ck_assert_int_eq(EVP_PKEY_get_bits(cakey), 2048);
	ck_assert_int_eq(EVP_PKEY_get_bits(leafkey), 2048);
	ck_assert_int_eq(X509_get_version(leaf), 2);
	ck_assert_int_eq(X509_get_signature_nid(leaf), NID_sha256WithRSAEncryption);
	check_serial(ca);
	check_serial(leaf);
	ck_assert_int_ne(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca), X509_get0_serialNumber(leaf)), 0);
	check_validity(ca, 30);
	check_validity(leaf, 7);
	check_cn(ca, "my-ca");
	check_cn(leaf, "svc.example");
	ck_assert_int_eq(X509_NAME_cmp(X509_get_issuer_name(leaf), X509_get_subject_name(ca)), 0);

	/* key usages and basic constraints as Sprig sets them */
	ck_assert_uint_eq(X509_get_key_usage(ca), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_CERT_SIGN);
	ck_assert_uint_eq(X509_get_key_usage(leaf), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	ck_assert_uint_eq(X509_get_extended_key_usage(leaf), XKU_SSL_SERVER | XKU_SSL_CLIENT);
	ck_assert_uint_eq(X509_get_extended_key_usage(ca), XKU_SSL_SERVER | XKU_SSL_CLIENT);
	ck_assert_int_eq(X509_check_ca(ca), 1);
	ck_assert_int_eq(X509_check_ca(leaf), 0);
	bc = X509_get_ext_d2i(leaf, NID_basic_constraints, &crit, NULL);
	ck_assert_ptr_nonnull(bc);
	ck_assert_int_eq(crit, 1);
	ck_assert_int_eq(bc->ca, 0);
	BASIC_CONSTRAINTS_free(bc);

	/* the CA's key id, named by the leaf; the leaf has none of its own */
	skid = X509_get0_subject_key_id(ca);
	akid = X509_get0_authority_key_id(leaf);
	ck_assert_ptr_nonnull(skid);
	ck_assert_ptr_nonnull(akid);
	ck_assert_int_eq(ASN1_OCTET_STRING_cmp(skid, akid), 0);
	ck_assert_ptr_null(X509_get0_subject_key_id(leaf));
	ck_assert_ptr_null(X509_get0_authority_key_id(ca));

	/* alternative names: the DNS names and both IPs, nothing for the CA */
	ck_assert_int_eq(X509_check_host(leaf, "alt.example", 0, 0, NULL), 1);
	ck_assert_int_eq(X509_check_host(leaf, "svc.example", 0, 0, NULL), 1);
	ck_assert_int_ne(X509_check_host(leaf, "other.example", 0, 0, NULL), 1);
	ck_assert_int_eq(X509_check_ip_asc(leaf, "10.0.0.1", 0), 1);
	ck_assert_int_eq(X509_check_ip_asc(leaf, "::1", 0), 1);
	ck_assert_ptr_null(X509_get_ext_d2i(ca, NID_subject_alt_name, NULL, NULL));

	X509_free(ca);
	X509_free(leaf);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(leafkey);
	free(out);
}
END_TEST

/* CAs and leaves on the other key types: an EC CA signs an Ed25519 leaf */
START_TEST(test_with_key_chain)
{
	char *out = must_render("{{$ca := genCAWithKey \"ec-ca\" 10 (genPrivateKey \"ecdsa\")}}"
				"{{$c := genSignedCertWithKey \"leaf\" nil (list \"leaf.example\") 3 $ca "
				"(genPrivateKey \"ed25519\")}}"
				"{{$s := genSelfSignedCertWithKey \"self\" (list \"192.168.1.1\") nil 1 "
				"(genPrivateKey \"ecdsa\")}}"
				"{{$ca.Cert}}@@{{$ca.Key}}@@{{$c.Cert}}@@{{$c.Key}}@@{{$s.Cert}}@@{{$s.Key}}");
	char *p[6];
	X509 *ca, *leaf, *self;
	EVP_PKEY *cakey, *leafkey, *selfkey;

	split(out, p, 6);
	ca = cert_of(p[0]);
	cakey = key_of(p[1], "-----BEGIN EC PRIVATE KEY-----\n");
	leaf = cert_of(p[2]);
	leafkey = key_of(p[3], "-----BEGIN PRIVATE KEY-----\n");
	self = cert_of(p[4]);
	selfkey = key_of(p[5], "-----BEGIN EC PRIVATE KEY-----\n");
	ck_verify(ca, leaf, X509_PURPOSE_SSL_SERVER);
	ck_assert_int_eq(X509_get_signature_nid(ca), NID_ecdsa_with_SHA256);
	ck_assert_int_eq(X509_get_signature_nid(leaf), NID_ecdsa_with_SHA256);
	ck_assert_int_eq(X509_check_private_key(ca, cakey), 1);
	ck_assert_int_eq(X509_check_private_key(leaf, leafkey), 1);
	ck_assert_int_eq(EVP_PKEY_get_base_id(leafkey), EVP_PKEY_ED25519);
	check_validity(leaf, 3);
	/* self-signed: its own key signs it, no CA flag, no key ids */
	ck_assert_int_eq(X509_verify(self, selfkey), 1);
	ck_assert_int_eq(X509_check_private_key(self, selfkey), 1);
	ck_assert_int_eq(X509_check_ca(self), 0);
	ck_assert_int_eq(X509_NAME_cmp(X509_get_issuer_name(self), X509_get_subject_name(self)), 0);
	ck_assert_int_eq(X509_check_ip_asc(self, "192.168.1.1", 0), 1);
	ck_assert_ptr_null(X509_get0_subject_key_id(self));
	check_validity(self, 1);
	X509_free(ca);
	X509_free(leaf);
	X509_free(self);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(leafkey);
	EVP_PKEY_free(selfkey);
	free(out);
}
END_TEST

/* a certificate of another CA's key does not verify */
START_TEST(test_wrong_ca_fails)
{
	char *out = must_render("{{$a := genCA \"a\" 1}}{{$b := genCA \"a\" 1}}"
				"{{$c := genSignedCert \"x\" nil nil 1 $a}}{{$b.Cert}}@@{{$c.Cert}}");
	char *p[2];
	X509 *b, *leaf;

	split(out, p, 2);
	b = cert_of(p[0]);
	leaf = cert_of(p[1]);
	ck_assert_int_ne(verify(b, leaf, 0), X509_V_OK);
	X509_free(b);
	X509_free(leaf);
	free(out);
}
END_TEST

static const struct {
	const char *type, *header;
	int base_id, bits;
} key_types[] = {
	{ "rsa", "-----BEGIN RSA PRIVATE KEY-----\n", EVP_PKEY_RSA, 4096 },
	{ "", "-----BEGIN RSA PRIVATE KEY-----\n", EVP_PKEY_RSA, 4096 },
	{ "ecdsa", "-----BEGIN EC PRIVATE KEY-----\n", EVP_PKEY_EC, 256 },
	{ "ed25519", "-----BEGIN PRIVATE KEY-----\n", EVP_PKEY_ED25519, 256 },
	{ "dsa", "-----BEGIN DSA PRIVATE KEY-----\n", EVP_PKEY_DSA, 2048 },
};

START_TEST(test_private_keys)
{
	char text[64], *out;
	EVP_PKEY *k;

	snprintf(text, sizeof(text), "{{genPrivateKey \"%s\"}}", key_types[_i].type);
	out = must_render(text);
	k = key_of(out, key_types[_i].header);
	ck_assert_int_eq(EVP_PKEY_get_base_id(k), key_types[_i].base_id);
	ck_assert_int_eq(EVP_PKEY_get_bits(k), key_types[_i].bits);
	if (key_types[_i].base_id == EVP_PKEY_EC) {
		char group[64];
		size_t gl;
		ck_assert_int_eq(EVP_PKEY_get_group_name(k, group, sizeof(group), &gl), 1);
		ck_assert_str_eq(group, "prime256v1");
	}
	if (key_types[_i].base_id == EVP_PKEY_DSA) {
		BIGNUM *q = NULL;
		ck_assert_int_eq(EVP_PKEY_get_bn_param(k, "q", &q), 1);
		ck_assert_int_eq(BN_num_bits(q), 256);
		BN_free(q);
	}
	/* one PEM block, ending in a newline */
	ck_assert(out[strlen(out) - 1] == '\n');
	ck_assert_ptr_null(strstr(out + 1, "-----BEGIN"));
	EVP_PKEY_free(k);
	free(out);
}
END_TEST

static int bcrypt_ok(const char *pw, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;
	int ok;

	ck_assert_ptr_nonnull(cd);
	h = crypt_r(pw, hash, cd);
	ok = h && !strcmp(h, hash);
	free(cd);
	return ok;
}

START_TEST(test_bcrypt_verifies)
{
	char *out = must_render("{{bcrypt \"s3cret\"}}@@{{bcrypt \"s3cret\"}}@@{{htpasswd \"admin\" \"pässwörd\"}}"
				"@@{{bcrypt \"\"}}");
	char *p[4];
	regex_t re;

	split(out, p, 4);
	ck_assert_int_eq(regcomp(&re, "^\\$2a\\$10\\$[./A-Za-z0-9]{53}$", REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regexec(&re, p[0], 0, NULL, 0), 0);
	ck_assert_int_eq(regexec(&re, p[3], 0, NULL, 0), 0);
	ck_assert_str_ne(p[0], p[1]); /* a salt of its own each */
	ck_assert(bcrypt_ok("s3cret", p[0]));
	ck_assert(bcrypt_ok("s3cret", p[1]));
	ck_assert(!bcrypt_ok("s3creT", p[0]));
	ck_assert(!strncmp(p[2], "admin:", 6));
	ck_assert_int_eq(regexec(&re, p[2] + 6, 0, NULL, 0), 0);
	ck_assert(bcrypt_ok("pässwörd", p[2] + 6));
	ck_assert(bcrypt_ok("", p[3]));
	regfree(&re);
	free(out);
}
END_TEST

/* hashes helm v3.17.2 made (golang.org/x/crypto/bcrypt): the algorithm is the same */
static const struct {
	const char *pw, *hash;
} helm_hashes[] = {
	{ "pw", "$2a$10$mdVpyjtGOkRh0GUDHeniJeJRyCKOTZFpNy2sFeJI9Utm5/sbXJe2m" },
	{ "pässwörd", "$2a$10$uQC5E6lh0cGpkhaYiizLxO7XVey4f0YosxVRBbp5.KvZsJcCCTVu6" },
	{ "\xff\x80" "abc", "$2a$10$DRQssXFgcFjFGQex7w0nQ.vDY6JIOpXMkoEOfwkkeGu4Cf83K5okm" },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  "$2a$10$ocoPEktAdFcLQbt3SAQIkO///n2to9KpA7qXAT7Rksft1JmQbqVPS" },
};

START_TEST(test_bcrypt_helm_hashes)
{
	char hash[61];

	ck_assert(bcrypt_ok(helm_hashes[_i].pw, helm_hashes[_i].hash));
	/* as "$2b$", the algorithm lib/template/funcs hashes with */
	snprintf(hash, sizeof(hash), "%s", helm_hashes[_i].hash);
	hash[2] = 'b';
	{
		struct crypt_data *cd = calloc(1, sizeof(*cd));
		const char *h = crypt_r(helm_hashes[_i].pw, hash, cd);
		ck_assert_ptr_nonnull(h);
		ck_assert_str_eq(h + 3, helm_hashes[_i].hash + 3);
		free(cd);
	}
}
END_TEST

START_TEST(test_aes_roundtrip)
{
	static const char *const texts[] = { "x", "fifteen bytes!!", "sixteen bytes!!!", "seventeen bytes!!",
					     "héllo wörld, a text of several blocks of AES, with UTF-8 in it" };
	static const char *const keys[] = { "", "k", "0123456789abcdef0123456789abcdef",
					    "0123456789abcdef0123456789abcdef and more" };
	size_t i, j;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
			char text[512], *out, *p[4];
			size_t tl = strlen(texts[i]);
			snprintf(text, sizeof(text),
				 "{{$c := encryptAES \"%s\" \"%s\"}}{{$c}}@@{{encryptAES \"%s\" \"%s\"}}@@"
				 "{{decryptAES \"%s\" $c}}@@{{$c | b64dec | len}}",
				 keys[j], texts[i], keys[j], texts[i], keys[j]);
			out = must_render(text);
			split(out, p, 4);
			ck_assert_str_ne(p[0], p[1]); /* a random IV each time */
			ck_assert_str_eq(p[2], texts[i]);
			ck_assert_int_eq(atoi(p[3]), (int)(16 + (tl / 16 + 1) * 16));
			free(out);
		}
}
END_TEST

/* a key of 32 bytes and the same with more: the key is cut at 32 */
START_TEST(test_aes_key_cut)
{
	char *out = must_render("{{encryptAES \"0123456789abcdef0123456789abcdefXYZ\" \"t\" | "
				"decryptAES \"0123456789abcdef0123456789abcdef\"}}@@"
				"{{decryptAES \"k\" \"l4/VHgSbId6p0O/8oJQLH3vNhFCVUZCpkMFJ9BcNQIg=\"}}");
	char *p[2];

	split(out, p, 2);
	ck_assert_str_eq(p[0], "t");
	ck_assert_str_eq(p[1], "x"); /* helm's encryptAES "k" "x" */
	free(out);
}
END_TEST

static void check_alphabet(const char *s, size_t want_len, const char *set)
{
	size_t i;
	char seen[256] = { 0 };

	ck_assert_uint_eq(strlen(s), want_len);
	for (i = 0; s[i]; i++) {
		ck_assert_msg(strchr(set, s[i]) != NULL, "%c outside the alphabet", s[i]);
		seen[(unsigned char)s[i]] = 1;
	}
	/* 4000 draws over at most 95 characters reach every one of them */
	for (i = 0; set[i]; i++)
		ck_assert_msg(seen[(unsigned char)set[i]], "%c never drawn", set[i]);
}

START_TEST(test_rand_alphabets)
{
	char *out = must_render("{{randAlphaNum 4000}}\n{{randAlpha 4000}}\n{{randNumeric 4000}}\n{{randAscii 4000}}"
				"\n{{randAlpha 0}}{{randAscii -5}}\n{{randAlphaNum 1 | len}}");
	static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", lower[] = "abcdefghijklmnopqrstuvwxyz",
			  digits[] = "0123456789";
	char alnum[64], alpha[64], ascii[96], *p[6];
	int c;

	snprintf(alnum, sizeof(alnum), "%s%s%s", upper, lower, digits);
	snprintf(alpha, sizeof(alpha), "%s%s", upper, lower);
	for (c = 32; c < 127; c++)
		ascii[c - 32] = (char)c;
	ascii[95] = 0;
	split_at(out, "\n", p, 6);
	check_alphabet(p[0], 4000, alnum);
	check_alphabet(p[1], 4000, alpha);
	check_alphabet(p[2], 4000, digits);
	check_alphabet(p[3], 4000, ascii);
	ck_assert_str_eq(p[4], "");
	ck_assert_str_eq(p[5], "1");
	free(out);
}
END_TEST

START_TEST(test_uuid_bytes_ints)
{
	char *out = must_render("{{uuidv4}}@@{{uuidv4}}@@{{randBytes 32 | b64dec | len}}@@{{randBytes 8}}@@"
				"{{$ten := list 0 1 2 3 4 5 6 7 8 9}}{{range $ten}}{{range $ten}}{{range list 0 1 2}}"
				"{{randInt 3 13}},{{end}}{{end}}{{end}}");
	char *p[5], *s, *end;
	regex_t re;
	int seen[10] = { 0 }, i;

	split(out, p, 5);
	ck_assert_int_eq(regcomp(&re, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
				 REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regexec(&re, p[0], 0, NULL, 0), 0);
	ck_assert_int_eq(regexec(&re, p[1], 0, NULL, 0), 0);
	ck_assert_str_ne(p[0], p[1]);
	regfree(&re);
	ck_assert_str_eq(p[2], "32");
	ck_assert_uint_eq(strlen(p[3]), 12);
	ck_assert(p[3][11] == '=' && p[3][10] != '=');
	for (s = p[4]; *s; s = end + 1) {
		long v = strtol(s, &end, 10);
		ck_assert(*end == ',');
		ck_assert_int_ge(v, 3);
		ck_assert_int_lt(v, 13);
		seen[v - 3] = 1;
	}
	for (i = 0; i < 10; i++)
		ck_assert_msg(seen[i], "randInt never drew %d", i + 3);
	free(out);
}
END_TEST

/* a secret never reaches a function's error message (the engine names the call, as Go does) */
START_TEST(test_errors_hide_keys)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	char *out = render("{{$k := \"-----BEGIN RSA PRIVATE KEY-----\\nc2VjcmV0IGtleQ==\\n"
			   "-----END RSA PRIVATE KEY-----\\n\"}}{{genCAWithKey \"x\" 1 $k}}", &err);

	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err.msg, "parsing private key: parsing RSA private key from PEM"));
	ck_assert_ptr_null(strstr(err.msg, "c2VjcmV0IGtleQ"));
	out = render("{{$p := \"topsecretpassword\"}}{{decryptAES $p \"AAAA\"}}", &err);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err.msg, "slice bounds out of range"));
	ck_assert_ptr_null(strstr(err.msg, "topsecret"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("template funcs: crypto");
	TCase *tc = tcase_create("certs");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_signed_cert_verifies);
	tcase_add_test(tc, test_with_key_chain);
	tcase_add_test(tc, test_wrong_ca_fails);
	tcase_add_loop_test(tc, test_private_keys, 0, sizeof(key_types) / sizeof(key_types[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("hashes");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bcrypt_verifies);
	tcase_add_loop_test(tc, test_bcrypt_helm_hashes, 0, sizeof(helm_hashes) / sizeof(helm_hashes[0]));
	tcase_add_test(tc, test_aes_roundtrip);
	tcase_add_test(tc, test_aes_key_cut);
	tcase_add_test(tc, test_errors_hide_keys);
	suite_add_tcase(s, tc);
	tc = tcase_create("random");
	tcase_add_test(tc, test_rand_alphabets);
	tcase_add_test(tc, test_uuid_bytes_ints);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(suite());
}
