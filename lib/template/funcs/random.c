/*
 * random.c: Sprig's random functions (sprig v3.3 crypto.go, strings.go,
 * functions.go, network.go), all from the kernel's CSPRNG (getrandom(2), as
 * Go's crypto/rand reads it; libcrypto's DRBG took longer to set up than a
 * small chart takes to render):
 * randBytes (base64 of COUNT bytes), uuidv4, randAlphaNum, randAlpha,
 * randNumeric, randAscii (goutils' CryptoRandom alphabets: [A-Za-z0-9],
 * [A-Za-z], [0-9], the printable ASCII 32..126; a count of 0 or less is
 * ""), randInt (MIN <= n < MAX; math/rand's panic when MAX <= MIN), and
 * getHostByName, which is "" as helm template has it without --enable-dns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/random.h>

#include "lib/base/enc.h"
#include "lib/template/funcs/funcs_int.h"

/* the longest random string made: a bound before allocating, not Go's */
#define MAX_RANDOM (64u << 20)

static int rand_fill(void *buf, size_t len, struct gitops_err *err)
{
	while (len) {
		ssize_t k = getrandom(buf, len > (1u << 25) ? 1u << 25 : len, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return fn_fail(err, "crypto/rand: reading random bytes failed");
		buf = (char *)buf + k;
		len -= (size_t)k;
	}
	return 0;
}

/* a uniform value below bound (> 0), by rejection */
static int rand_below(uint64_t *out, uint64_t bound, struct gitops_err *err)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % bound, v;

	do {
		if (rand_fill(&v, sizeof(v), err) < 0)
			return -1;
	} while (v >= lim);
	*out = v % bound;
	return 0;
}

/* randBytes COUNT: base64 of COUNT random bytes; make's panic for a negative count */
FN(f_rand_bytes)
{
	int64_t count = gitops_tmpl_value_int_of(args[0]);
	unsigned char *buf;
	char *enc = NULL;
	int r;

	(void)call, (void)n;
	if (count < 0)
		return fn_fail(err, "runtime error: makeslice: len out of range");
	if ((uint64_t)count > MAX_RANDOM)
		return fn_fail(err, "randBytes: %lld bytes is more than this renderer makes", (long long)count);
	buf = malloc(count ? (size_t)count : 1);
	if (!buf)
		return gitops_err_oom(err);
	if (rand_fill(buf, (size_t)count, err) < 0) {
		free(buf);
		return -1;
	}
	r = gitops_base64_encode(&enc, buf, (size_t)count, 0);
	free(buf);
	if (r < 0)
		return gitops_err_oom(err);
	r = fn_ret_str(out, enc, strlen(enc), err);
	free(enc);
	return r;
}

/* google/uuid's New(): version 4, variant RFC 4122, lowercase */
FN(f_uuidv4)
{
	unsigned char b[16];
	char s[37];
	size_t i, k = 0;

	(void)call, (void)n, (void)args;
	if (rand_fill(b, sizeof(b), err) < 0)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[k++] = '-';
		gitops_hex_encode(s + k, b + i, 1);
		k += 2;
	}
	return fn_ret_str(out, s, 36, err);
}

static const char alpha_num[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* COUNT characters drawn uniformly from set (nset bytes); "" for a count of 0 or less */
static int rand_string(struct gitops_tmpl_value **out, int64_t count, const char *set, size_t nset,
		       struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	int64_t i;

	if (count <= 0)
		return fn_ret_str(out, "", 0, err);
	if ((uint64_t)count > MAX_RANDOM)
		return fn_fail(err, "%lld random characters are more than this renderer makes", (long long)count);
	for (i = 0; i < count; i++) {
		uint64_t k;
		if (rand_below(&k, nset, err) < 0) {
			gitops_buf_release(&b);
			return -1;
		}
		if (gitops_buf_add(&b, set + k, 1) < 0) {
			gitops_buf_release(&b);
			return gitops_err_oom(err);
		}
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_rand_alpha_num)
{
	(void)call, (void)n;
	return rand_string(out, gitops_tmpl_value_int_of(args[0]), alpha_num, 62, err);
}

FN(f_rand_alpha)
{
	(void)call, (void)n;
	return rand_string(out, gitops_tmpl_value_int_of(args[0]), alpha_num, 52, err);
}

FN(f_rand_numeric)
{
	(void)call, (void)n;
	return rand_string(out, gitops_tmpl_value_int_of(args[0]), alpha_num + 52, 10, err);
}

FN(f_rand_ascii)
{
	char set[95];
	int i;

	(void)call, (void)n;
	for (i = 0; i < 95; i++)
		set[i] = (char)(32 + i);
	return rand_string(out, gitops_tmpl_value_int_of(args[0]), set, sizeof(set), err);
}

/* randInt MIN MAX: rand.Intn(MAX-MIN)+MIN, Go's wrapping int arithmetic */
FN(f_rand_int)
{
	int64_t lo = gitops_tmpl_value_int_of(args[0]), hi = gitops_tmpl_value_int_of(args[1]);
	int64_t span = (int64_t)((uint64_t)hi - (uint64_t)lo);
	uint64_t k;

	(void)call, (void)n;
	if (span <= 0)
		return fn_fail(err, "invalid argument to Intn");
	if (rand_below(&k, (uint64_t)span, err) < 0)
		return -1;
	*out = gitops_tmpl_value_int((int64_t)(k + (uint64_t)lo));
	return *out ? 0 : gitops_err_oom(err);
}

/* helm template (no --enable-dns) replaces Sprig's lookup with a function returning "" */
FN(f_get_host_by_name)
{
	(void)call, (void)n, (void)args;
	return fn_ret_str(out, "", 0, err);
}

#define I GITOPS_TMPL_P_INT
const struct gitops_tmpl_func gitops_tmpl_funcs_random[] = {
	{ "randBytes", f_rand_bytes, 1, 0, { I }, NULL },
	{ "uuidv4", f_uuidv4, 0, 0, { 0 }, NULL },
	{ "randAlphaNum", f_rand_alpha_num, 1, 0, { I }, NULL },
	{ "randAlpha", f_rand_alpha, 1, 0, { I }, NULL },
	{ "randNumeric", f_rand_numeric, 1, 0, { I }, NULL },
	{ "randAscii", f_rand_ascii, 1, 0, { I }, NULL },
	{ "randInt", f_rand_int, 2, 0, { I, I }, NULL },
	{ "getHostByName", f_get_host_by_name, 1, 0, { GITOPS_TMPL_P_STRING }, NULL },
};
const size_t gitops_tmpl_funcs_random_n = sizeof(gitops_tmpl_funcs_random) / sizeof(gitops_tmpl_funcs_random[0]);
