/* http, enc: the backoff formula, durations, response headers; base64, hex, SHA-256. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check_main.h"
#include "lib/base/enc.h"
#include "lib/net/http.h"

START_TEST(test_backoff)
{
	unsigned retry, r;

	/* 50-100% of base doubled per retry, at most max */
	for (retry = 1; retry <= 10; retry++) {
		unsigned long d = 200ul << (retry - 1);
		if (d > 12800)
			d = 12800;
		for (r = 0; r <= 1000; r += 250) {
			unsigned ms = gitops_http_backoff_ms(retry, 200, 12800, r);
			ck_assert_uint_ge(ms, d / 2);
			ck_assert_uint_le(ms, d);
		}
	}
	ck_assert_uint_eq(gitops_http_backoff_ms(1, 200, 5000, 0), 100);
	ck_assert_uint_eq(gitops_http_backoff_ms(1, 200, 5000, 1000), 200);
	ck_assert_uint_eq(gitops_http_backoff_ms(40, 200, 5000, 1000), 5000);
}
END_TEST

static const struct {
	long ms;
	const char *want;
} durations[] = {
	{ 250, "250ms" }, { 1000, "1s" }, { 1500, "1.5s" }, { 30000, "30s" }, { 90000, "1m30s" }, { 3600000, "1h" },
};

START_TEST(test_duration)
{
	char buf[32];

	gitops_http_format_duration(buf, sizeof(buf), durations[_i].ms);
	ck_assert_str_eq(buf, durations[_i].want);
}
END_TEST

START_TEST(test_header)
{
	struct gitops_http_request r;
	char *v;

	memset(&r, 0, sizeof(r));
	ck_assert_ptr_null(gitops_http_header(&r, "Link"));
	gitops_buf_addstr(&r.header, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			  "link:  </v2/x/tags/list?n=2&last=b>; rel=\"next\" \r\nRetry-After: 1\r\n\r\n");
	v = gitops_http_header(&r, "Link");
	ck_assert_str_eq(v, "</v2/x/tags/list?n=2&last=b>; rel=\"next\"");
	free(v);
	v = gitops_http_header(&r, "retry-after");
	ck_assert_str_eq(v, "1");
	free(v);
	ck_assert_ptr_null(gitops_http_header(&r, "Content"));
	gitops_http_request_release(&r);
}
END_TEST

static const struct {
	const char *plain;
	unsigned flags;
	const char *want;
} b64[] = {
	{ "", 0, "" },
	{ "f", 0, "Zg==" },
	{ "fo", 0, "Zm8=" },
	{ "foo", 0, "Zm9v" },
	{ "ci:s3cret", 0, "Y2k6czNjcmV0" },
	{ "f", GITOPS_BASE64_NOPAD, "Zg" },
	{ "\xfb\xff", 0, "+/8=" },
	{ "\xfb\xff", GITOPS_BASE64_URL | GITOPS_BASE64_NOPAD, "-_8" },
};

START_TEST(test_base64)
{
	struct gitops_buf dec = GITOPS_BUF_INIT;
	char *enc = NULL;

	ck_assert_int_eq(gitops_base64_encode(&enc, b64[_i].plain, strlen(b64[_i].plain), b64[_i].flags), 0);
	ck_assert_str_eq(enc, b64[_i].want);
	if (!(b64[_i].flags & GITOPS_BASE64_URL)) {
		ck_assert_int_eq(gitops_base64_decode(&dec, enc), 0);
		ck_assert_uint_eq(dec.len, strlen(b64[_i].plain));
		ck_assert(!dec.len || !memcmp(dec.data, b64[_i].plain, dec.len));
	}
	free(enc);
	gitops_buf_release(&dec);
}
END_TEST

START_TEST(test_base64_bad)
{
	struct gitops_buf dec = GITOPS_BUF_INIT;

	ck_assert_int_eq(gitops_base64_decode(&dec, "Zm9v\nYmFy"), 0); /* line breaks are fine */
	ck_assert_str_eq(dec.data, "foobar");
	ck_assert_int_lt(gitops_base64_decode(&dec, "Zm9v!"), 0);
	gitops_buf_release(&dec);
}
END_TEST

START_TEST(test_sha256)
{
	char hex[65], h[7];
	const unsigned char bytes[3] = { 0x00, 0xab, 0xff };

	gitops_sha256_hex(hex, "abc", 3);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	gitops_hex_encode(h, bytes, 3);
	ck_assert_str_eq(h, "00abff");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");

	tcase_add_test(tc, test_backoff);
	tcase_add_loop_test(tc, test_duration, 0, (int)(sizeof(durations) / sizeof(durations[0])));
	tcase_add_test(tc, test_header);
	tcase_add_loop_test(tc, test_base64, 0, (int)(sizeof(b64) / sizeof(b64[0])));
	tcase_add_test(tc, test_base64_bad);
	tcase_add_test(tc, test_sha256);
	suite_add_tcase(s, tc);
	return gitops_check_run(s);
}
