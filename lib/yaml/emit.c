/*
 * emit.c: go-yaml v2's encoder and emitter (gopkg.in/yaml.v2: encode.go,
 * sorter.go, resolve.go and emitterc.go; ported from v2.2.8's source, which
 * v2.4.0 - the fork in sigs.k8s.io/yaml v1.4.0 that helm 3.17 and kubectl
 * 1.32 print with - keeps as it is, line folding at 80 included), for the
 * value tree, written straight into bytes.  The emitter's state machine is
 * followed as Go runs it for the events its encoder sends: block mappings
 * and sequences, flow style only for empty ones, scalars with no tag and no
 * anchor.  Function names follow the Go ones where they are a port.
 */
#include "lib/yaml/emit.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/enc.h"
#include "lib/value/value.h"
#include "lib/yaml/emit_tables.h"
#include "lib/yaml/scalar.h"

#define MAX_DEPTH 10000

enum style { PLAIN, SINGLE, DOUBLE, LITERAL };

/*
 * A mapping's keys are sorted in a scratch buffer: one kept per nesting
 * level (a deeper mapping is written while a shallower one's keys are in
 * use), so that a stream of documents allocates none after the first few.
 */
#define SCRATCH_LEVELS 32
#define SCRATCH_MAX (1u << 20) /* a bigger one is allocated for its mapping alone */

struct scratch {
	void *p;
	size_t cap;
};

static void scratch_release(struct scratch *s)
{
	size_t i;

	for (i = 0; i < SCRATCH_LEVELS; i++) {
		free(s[i].p);
		s[i].p = NULL;
		s[i].cap = 0;
	}
}

struct gitops_yaml_emitter {
	struct scratch scratch[SCRATCH_LEVELS];
	struct gitops_yaml_style st;
	gitops_write_fn write;
	void *ctx;
	size_t docs;
	size_t piece;           /* hand a document on in pieces of this size (0: whole); gitops_yaml_emitter_pieces */
	struct gitops_buf text; /* one document's text, the buffer kept from one document to the next */
};

/* one document's emitter state, as yaml_emitter_t holds it */
struct em {
	const struct gitops_yaml_style *st;
	struct gitops_buf *out;
	struct gitops_err *err;
	struct scratch *scratch; /* SCRATCH_LEVELS of them */
	int best_indent, best_width;
	int indent;             /* -1 at the root */
	long column;
	int whitespace, indention;
	int flow_level;
	int failed;             /* out of memory, or the writer failed (then err says so) */
	int write_failed;
	const struct gitops_yaml_emitter *pieces; /* the writer takes the text in pieces: its write and size */
};

/* a scalar with its analysis (yaml_emitter_analyze_scalar) */
struct scalar {
	const unsigned char *v;
	size_t len;
	enum style want;
	int multiline, flow_plain, block_plain, single_ok, block_ok;
	int tabs_block;         /* yaml.v3: a tab rules out plain and single-quoted styles only */
};

/* ------------------------------------------------------------ UTF-8 */

/* Go's utf8.DecodeRune: the rune and its width, or -1 and width 1 for a bad byte. */
static int32_t decode_rune(const unsigned char *s, size_t len, size_t *w)
{
	unsigned char c = s[0];
	int32_t r;
	size_t n, k;

	*w = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, r = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, r = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, r = c & 0x07;
	else
		return -1;
	if (len < n)
		return -1;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return -1;
		r = (r << 6) | (s[k] & 0x3F);
	}
	if ((n == 3 && (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF))) || (n == 4 && (r < 0x10000 || r > 0x10FFFF)))
		return -1;
	*w = n;
	return r;
}

/* a character go-yaml v2's reader refuses ("control characters are not allowed") */
static int yaml_refuses(int32_t r)
{
	return r == 0x7F || (r >= 0x80 && r <= 0x9F && r != 0x85) || r == 0xFFFE || r == 0xFFFF;
}

/*
 * The string as it comes out of sigs.k8s.io/yaml's JSON -> YAML: each byte
 * that is not part of valid UTF-8 becomes U+FFFD (encoding/json), and a
 * U+0085 (which encoding/json leaves raw) is a line break to go-yaml v2's
 * reader, folded as in any double-quoted scalar: the spaces around it go,
 * a lone one becomes a space, each further one a line feed.  *out is s
 * itself when nothing changes, or a malloc'ed copy (*copy, for the caller
 * to free).  -1 when out of memory; -2 for a character the YAML reader
 * refuses; -3 when the YAML reader fails on the line breaks.
 */
static int json_string(const char **out, char **copy, const char *s, size_t len, int json)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, w, bad = 0, nel = 0;
	char *c, *p;

	*copy = NULL;
	*out = s;
	for (i = 0; i < len; i += w) {
		int32_t r;
		/* ASCII below DEL needs no decoding and no check: skip the run */
		while (i < len && u[i] < 0x7F)
			i++;
		if (i == len)
			break;
		r = decode_rune(u + i, len - i, &w);
		if (r < 0)
			bad++;
		else if (json && r == 0x85)
			nel++;
		else if (json && yaml_refuses(r))
			return -2;
	}
	if (!bad && !nel)
		return 0;
	c = malloc(len + 2 * bad + 1);
	if (!c)
		return -1;
	for (i = 0, p = c; i < len;) {
		int32_t r = decode_rune(u + i, len - i, &w);
		if (r < 0) {
			memcpy(p, "\xEF\xBF\xBD", 3);
			p += 3;
			i += w;
		} else if (json && r == 0x85) {
			size_t breaks = 0;
			while (p > c && p[-1] == ' ')
				p--;
			for (;;) {
				if (i < len && u[i] == ' ')
					i++;
				else if (i + 1 < len && u[i] == 0xC2 && u[i + 1] == 0x85)
					i += 2, breaks++;
				else
					break;
			}
			/* a line that starts with a document marker ends the scalar: an error */
			if (i + 3 < len && u[i - 1] == 0x85 && (!memcmp(u + i, "---", 3) || !memcmp(u + i, "...", 3)) &&
			    (u[i + 3] == ' ' || u[i + 3] == '\t' || u[i + 3] == '\n' || u[i + 3] == '\r' ||
			     (u[i + 3] == 0xC2 && i + 4 < len && u[i + 4] == 0x85))) {
				free(c);
				return -3;
			}
			if (breaks == 1)
				*p++ = ' ';
			for (; breaks > 1; breaks--)
				*p++ = '\n';
		} else {
			memcpy(p, s + i, w);
			p += w;
			i += w;
		}
	}
	*p = '\0';
	*out = *copy = c;
	return 0;
}

static int utf8_valid(const char *s, size_t len)
{
	size_t i, w;

	for (i = 0; i < len; i += w)
		if (decode_rune((const unsigned char *)s + i, len - i, &w) < 0)
			return 0;
	return 1;
}

/* ------------------------------------------------------------ key order (sorter.go) */

static int in_ranges(int32_t r, const uint32_t (*t)[2], size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uint32_t)r < t[mid][0])
			hi = mid;
		else if ((uint32_t)r > t[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* unicode.IsLetter */
static int go_is_letter(int32_t r)
{
	if (r < 0)
		return 0;
	if (r <= 0xFF)
		return (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r == 0xAA || r == 0xB5 || r == 0xBA ||
		       (r >= 0xC0 && r <= 0xFF && r != 0xD7 && r != 0xF7);
	return in_ranges(r, letter_ranges, sizeof(letter_ranges) / sizeof(letter_ranges[0]));
}

/* unicode.IsDigit */
static int go_is_digit(int32_t r)
{
	if (r < 0)
		return 0;
	if (r <= 0xFF)
		return r >= '0' && r <= '9';
	return in_ranges(r, digit_ranges, sizeof(digit_ranges) / sizeof(digit_ranges[0]));
}

/* []rune(s) into r (room for strlen(s) runes): bad bytes become U+FFFD, one each; the count */
static size_t runes_into(int32_t *r, const char *s, size_t len)
{
	size_t i, w, k = 0;

	for (i = 0; i < len; i += w) {
		int32_t c = decode_rune((const unsigned char *)s + i, len - i, &w);
		r[k++] = c < 0 ? 0xFFFD : c;
	}
	return k;
}

static int32_t *to_runes(const char *s, size_t *n)
{
	size_t len = strlen(s);
	int32_t *r = malloc((len + 1) * sizeof(*r));

	if (!r)
		return NULL;
	*n = runes_into(r, s, len);
	return r;
}

/* keyList.Less for two strings, on their runes */
static int runes_less(const int32_t *ar, size_t na, const int32_t *br, size_t nb, int v3)
{
	size_t i;
	int digits = 0;

	for (i = 0; i < na && i < nb; i++) {
		int al, bl;
		size_t ai, bi;
		uint64_t an = 0, bn = 0; /* Go's int64, wrapping */

		if (ar[i] == br[i]) {
			digits = go_is_digit(ar[i]);
			continue;
		}
		al = go_is_letter(ar[i]);
		bl = go_is_letter(br[i]);
		if (al && bl)
			return ar[i] < br[i];
		/* yaml.v3: right after equal digits a letter comes first ("1e3" < "1_0"); v2: always last */
		if (al || bl)
			return v3 && digits ? al : bl;
		if (ar[i] == '0' || br[i] == '0') {
			size_t j;
			for (j = i; j-- > 0 && go_is_digit(ar[j]);) {
				if (ar[j] != '0') {
					an = 1;
					bn = 1;
					break;
				}
			}
		}
		for (ai = i; ai < na && go_is_digit(ar[ai]); ai++)
			an = an * 10 + (uint64_t)(int64_t)(ar[ai] - '0');
		for (bi = i; bi < nb && go_is_digit(br[bi]); bi++)
			bn = bn * 10 + (uint64_t)(int64_t)(br[bi] - '0');
		if (an != bn)
			return (int64_t)an < (int64_t)bn;
		if (ai != bi)
			return ai < bi;
		return ar[i] < br[i];
	}
	return na < nb;
}

int gitops_yaml_key_less(const char *a, const char *b)
{
	size_t na, nb;
	int32_t *ar = to_runes(a, &na), *br = to_runes(b, &nb);
	int less = ar && br ? runes_less(ar, na, br, nb, 0) : strcmp(a, b) < 0;

	free(ar);
	free(br);
	return less;
}

struct key {
	const cJSON *item;
	const char *s;          /* the key as JSON has it (valid UTF-8) */
	char *copy;             /* owned, when s had to be repaired */
	int32_t *runes;         /* GITOPS_YAML_KEYS_GO only: in the same allocation as the keys */
	size_t nrunes;
};

static int key_less(const struct key *a, const struct key *b, enum gitops_yaml_key_order order)
{
	if (order == GITOPS_YAML_KEYS_GO || order == GITOPS_YAML_KEYS_GO_V3)
		return runes_less(a->runes, a->nrunes, b->runes, b->nrunes, order == GITOPS_YAML_KEYS_GO_V3);
	return strcmp(a->s, b->s) < 0;
}

/* a stable merge sort: deterministic, and Go's result whenever its order is total */
static void sort_keys(struct key *k, struct key *tmp, size_t n, enum gitops_yaml_key_order order)
{
	size_t mid = n / 2, i = 0, j = mid, o = 0;

	if (n < 2)
		return;
	sort_keys(k, tmp, mid, order);
	sort_keys(k + mid, tmp, n - mid, order);
	while (i < mid && j < n) {
		if (key_less(&k[j], &k[i], order))
			tmp[o++] = k[j++];
		else
			tmp[o++] = k[i++];
	}
	while (i < mid)
		tmp[o++] = k[i++];
	while (j < n)
		tmp[o++] = k[j++];
	memcpy(k, tmp, n * sizeof(*k));
}

/* ------------------------------------------------------------ resolve.go */

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* go-yaml v2's parseTimestamp */
static int go_is_timestamp(const char *s, size_t len)
{
	struct gitops_timestamp t;

	return gitops_scalar_timestamp(s, len, &t);
}

/* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static int go_is_base60(const char *s, size_t len)
{
	size_t i = 0;
	int groups = 0;

	if (!len || !memchr(s, ':', len))
		return 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	if (i >= len || !is_digit((unsigned char)s[i]))
		return 0;
	while (i < len && (is_digit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	while (i < len && s[i] == ':') {
		i++;
		if (i + 1 < len && s[i] >= '0' && s[i] <= '5' && is_digit((unsigned char)s[i + 1]))
			i += 2;
		else if (i < len && is_digit((unsigned char)s[i]))
			i++;
		else
			return 0;
		groups++;
	}
	if (!groups)
		return 0;
	if (i < len && s[i] == '.')
		for (i++; i < len && (is_digit((unsigned char)s[i]) || s[i] == '_'); i++)
			;
	return i == len;
}

/* stringv's canUsePlain: resolve("", s) is !!str and s is no base 60 float */
static int go_plain_is_string(const char *s, size_t len)
{
	struct gitops_scalar sc;

	gitops_scalar_resolve(s, len, &sc);
	if (sc.kind != GITOPS_SCALAR_STRING)
		return 0;
	if (s[0] == '+' || s[0] == '-' || is_digit((unsigned char)s[0]))
		return !go_is_timestamp(s, len) && !go_is_base60(s, len);
	return 1;
}

/* ------------------------------------------------------------ numbers */

/* does decimal text (optional '-') fit Go's int64 or, without a sign, its uint64? */
static int fits_64(const char *t)
{
	int neg = *t == '-';
	const char *d = t + (neg || *t == '+');
	size_t n = strlen(d);
	const char *lim = neg ? "9223372036854775808" : "18446744073709551615";

	if (*t == '+')
		return 0;
	if (n == 0 || strspn(d, "0123456789") != n)
		return 0;
	while (n > 1 && *d == '0')
		d++, n--;
	return n < strlen(lim) || (n == strlen(lim) && strcmp(d, lim) <= 0);
}

/*
 * A number's text.  JSON: as encoding/json writes it and go-yaml v2 reads
 * that back and writes it again.  TYPED: as go-yaml v2 writes an int64 or
 * a float64.
 */
/* an integer's decimal digits, into buf (at least 24 bytes) */
static void format_int(char *buf, int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[i++] = '-';
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
}

static int format_number(struct em *e, const char **out, char *buf, size_t size, const cJSON *n)
{
	int json = e->st->numbers == GITOPS_YAML_NUMBERS_JSON;

	*out = buf;
	/*
	 * the common case first, without printf: an integer a double holds
	 * exactly, or (through JSON) a float with such an integral value,
	 * which encoding/json writes as digits and go-yaml reads as an int
	 */
	if (fabs(n->valuedouble) <= 9007199254740992.0 && n->valuedouble == trunc(n->valuedouble) &&
	    ((n->type & GITOPS_VALUE_INT) ? !n->valuestring && !gitops_value_is_bigint(n) :
	     json && !(n->valuedouble == 0 && signbit(n->valuedouble)))) {
		format_int(buf, (int64_t)n->valuedouble);
		return 0;
	}
	if (n->type & GITOPS_VALUE_INT) {
		const char *t = gitops_value_is_bigint(n) ? n->valuestring :
			gitops_value_format_number(buf, size, n);
		if (!t || !*t)
			return gitops_err_set(e->err, GITOPS_EXIT_INPUT, "a number has no text");
		*out = t;
		if (json && !fits_64(t)) {
			/* beyond 64 bits go-yaml v2 reads a float, or a string where ParseFloat overflows */
			double d;
			errno = 0;
			d = strtod(t, NULL);
			if (!(errno == ERANGE && isinf(d))) {
				gitops_value_format_float(buf, size, d, GITOPS_FLOAT_G);
				*out = buf;
			}
		}
		return 0;
	}
	if (isnan(n->valuedouble) || isinf(n->valuedouble)) {
		if (json)
			return gitops_err_set(e->err, GITOPS_EXIT_INPUT, "json: unsupported value: %s",
					      isnan(n->valuedouble) ? "NaN" : n->valuedouble > 0 ? "+Inf" : "-Inf");
		snprintf(buf, size, "%s", isnan(n->valuedouble) ? ".nan" : n->valuedouble > 0 ? ".inf" : "-.inf");
		return 0;
	}
	if (json && n->valuedouble == trunc(n->valuedouble) && fabs(n->valuedouble) < 1e21) {
		/*
		 * encoding/json writes it as shortest digits padded with zeros and
		 * no '.'; go-yaml v2 reads that as an integer when 64 bits hold it
		 */
		gitops_value_format_float(buf, size, n->valuedouble, GITOPS_FLOAT_JSON);
		if (strcmp(buf, "-0") == 0)
			snprintf(buf, size, "0");
		if (fits_64(buf))
			return 0;
	}
	gitops_value_format_float(buf, size, n->valuedouble, GITOPS_FLOAT_G);
	return 0;
}

/* ------------------------------------------------------------ output */

/*
 * The buffer is full: what it holds goes to the writer first when it takes
 * a document in pieces (a big document is never held whole), else the
 * buffer grows.
 */
static void out_full(struct em *e, const void *p, size_t n)
{
	struct gitops_buf *b = e->out;

	if (e->failed)
		return;
	if (e->pieces && b->len >= e->pieces->piece) {
		if (e->pieces->write(e->pieces->ctx, b->data, b->len, e->err) < 0) {
			e->failed = e->write_failed = 1;
			return;
		}
		b->len = 0;
	}
	if (gitops_buf_add(b, p, n) < 0)
		e->failed = 1;
}

/* n bytes into the document's text: a plain copy while there is room */
static inline void out_bytes(struct em *e, const void *p, size_t n)
{
	struct gitops_buf *b = e->out;

	if (b->data && b->len + n < b->cap) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else {
		out_full(e, p, n);
	}
}

static void put(struct em *e, char c)
{
	out_bytes(e, &c, 1);
	e->column++;
}

static void put_break(struct em *e)
{
	out_bytes(e, "\n", 1);
	e->column = 0;
}

static size_t width(unsigned char c)
{
	return (c & 0x80) == 0 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
}

/* copy one character */
static void write_ch(struct em *e, const unsigned char *v, size_t *i)
{
	size_t w = width(v[*i]);

	out_bytes(e, v + *i, w);
	e->column++;
	*i += w;
}

static void write_all(struct em *e, const char *s)
{
	size_t i = 0;

	while (s[i])
		write_ch(e, (const unsigned char *)s, &i);
}

static int is_break(const unsigned char *b, size_t i)
{
	return b[i] == '\r' || b[i] == '\n' || (b[i] == 0xC2 && b[i + 1] == 0x85) ||
	       (b[i] == 0xE2 && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9));
}

static int is_blank(const unsigned char *b, size_t i)
{
	return b[i] == ' ' || b[i] == '\t';
}

static int is_blankz(const unsigned char *b, size_t i)
{
	return is_blank(b, i) || is_break(b, i) || b[i] == 0;
}

static int is_printable(const unsigned char *b, size_t i)
{
	return b[i] == 0x0A || (b[i] >= 0x20 && b[i] <= 0x7E) || (b[i] == 0xC2 && b[i + 1] >= 0xA0) ||
	       (b[i] > 0xC2 && b[i] < 0xED) || (b[i] == 0xED && b[i + 1] < 0xA0) || b[i] == 0xEE ||
	       (b[i] == 0xEF && !(b[i + 1] == 0xBB && b[i + 2] == 0xBF) &&
		!(b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF)));
}

static void write_break(struct em *e, const unsigned char *v, size_t *i)
{
	if (v[*i] == '\n') {
		put_break(e);
		(*i)++;
	} else {
		write_ch(e, v, i);
		e->column = 0;
	}
}

static void write_indent(struct em *e)
{
	int indent = e->indent < 0 ? 0 : e->indent;

	if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
		put_break(e);
	while (e->column < indent) {
		static const char blanks[] = "                                ";
		long n = indent - e->column;

		if (n > (long)sizeof(blanks) - 1)
			n = (long)sizeof(blanks) - 1;
		out_bytes(e, blanks, (size_t)n);
		e->column += n;
	}
	e->whitespace = 1;
	e->indention = 1;
}

static void write_indicator(struct em *e, const char *ind, int need_whitespace, int is_whitespace, int is_indention)
{
	if (need_whitespace && !e->whitespace)
		put(e, ' ');
	write_all(e, ind);
	e->whitespace = is_whitespace;
	e->indention = e->indention && is_indention;
}

static void increase_indent(struct em *e, int flow, int indentless)
{
	if (e->indent < 0)
		e->indent = flow ? e->best_indent : 0;
	else if (!indentless)
		e->indent += e->best_indent;
}

/* ------------------------------------------------------------ scalars */

/* Bytes that set none of analyze_scalar's flags: first in the scalar, and after the first */
static inline int plain_next(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '/' || c == '-' || c == '=' || c == '+' || c == '(' || c == ')' || c == '$' || c == '~' || c == ';' ||
	       c == '<' || c == '>' || c == '^' || c == '\\' || c == '!' || c == '&' || c == '*' || c == '|' || c == '%' ||
	       c == '@' || c == '`' || c == '\'' || c == '"';
}

static inline int plain_first(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '/' || c == '=' || c == '+' || c == '(' || c == ')' || c == '$' || c == '~' || c == ';' || c == '<' ||
	       c == '^' || c == '\\';
}

/*
 * Printable ASCII that, after the first byte, sets none of analyze_scalar's
 * flags: not a blank, not a break, not an indicator it looks at there
 * (, ? [ ] { } : #).  A run of them only clears prev_space, prev_break and
 * preceded_ws.
 */
#define ASCII_BIT(c) (1ULL << ((c) & 63))
static const uint64_t neutral_lo = 0xFFFFFFFE00000000ULL & ~(ASCII_BIT('#') | ASCII_BIT(',') | ASCII_BIT(':') | ASCII_BIT('?'));
static const uint64_t neutral_hi = 0x7FFFFFFFFFFFFFFFULL & ~(ASCII_BIT('[') | ASCII_BIT(']') | ASCII_BIT('{') | ASCII_BIT('}'));

static inline int neutral(unsigned char c)
{
	return c < 64 ? (int)((neutral_lo >> c) & 1) : c < 128 ? (int)((neutral_hi >> (c - 64)) & 1) : 0;
}

static void analyze_scalar(struct scalar *sc)
{
	const unsigned char *v = sc->v;
	size_t len = sc->len, i, w;
	int block_ind = 0, flow_ind = 0, line_breaks = 0, special = 0;
	int leading_space = 0, leading_break = 0, trailing_space = 0, trailing_break = 0;
	int break_space = 0, space_break = 0, preceded_ws = 1, followed_ws, prev_space = 0, prev_break = 0;
	int tabs = 0;

	if (len == 0) {
		sc->multiline = 0;
		sc->flow_plain = 0;
		sc->block_plain = 1;
		sc->single_ok = 1;
		sc->block_ok = 0;
		return;
	}
	if (len >= 3 && ((v[0] == '-' && v[1] == '-' && v[2] == '-') || (v[0] == '.' && v[1] == '.' && v[2] == '.')))
		block_ind = flow_ind = 1;
	/* most scalars are words of ASCII letters, digits and a few marks: nothing below can fire */
	if (plain_first(v[0])) {
		for (i = 1; i < len && plain_next(v[i]); i++)
			;
		if (i == len) {
			sc->multiline = 0;
			sc->flow_plain = sc->block_plain = !block_ind;
			sc->single_ok = sc->block_ok = 1;
			return;
		}
	}
	for (i = 0; i < len; i += w) {
		if (i > 0 && neutral(v[i])) {
			size_t j = i + 1;
			while (j < len && neutral(v[j]))
				j++;
			prev_space = prev_break = 0;
			preceded_ws = 0;
			w = j - i;
			continue;
		}
		w = width(v[i]);
		followed_ws = i + w >= len || is_blank(v, i + w);
		if (i == 0) {
			switch (v[i]) {
			case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*':
			case '!': case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
				flow_ind = block_ind = 1;
				break;
			case '?': case ':':
				flow_ind = 1;
				if (followed_ws)
					block_ind = 1;
				break;
			case '-':
				if (followed_ws)
					flow_ind = block_ind = 1;
				break;
			}
		} else {
			switch (v[i]) {
			case ',': case '?': case '[': case ']': case '{': case '}':
				flow_ind = 1;
				break;
			case ':':
				flow_ind = 1;
				if (followed_ws)
					block_ind = 1;
				break;
			case '#':
				if (preceded_ws)
					flow_ind = block_ind = 1;
				break;
			}
		}
		if (v[i] == '\t' && sc->tabs_block)
			tabs = 1;
		else if (!is_printable(v, i))
			special = 1; /* unicode output: non-ASCII is fine */
		if (v[i] == ' ') {
			if (i == 0)
				leading_space = 1;
			if (i + w == len)
				trailing_space = 1;
			if (prev_break)
				break_space = 1;
			prev_space = 1;
			prev_break = 0;
		} else if (is_break(v, i)) {
			line_breaks = 1;
			if (i == 0)
				leading_break = 1;
			if (i + w == len)
				trailing_break = 1;
			if (prev_space)
				space_break = 1;
			prev_space = 0;
			prev_break = 1;
		} else {
			prev_space = prev_break = 0;
		}
		preceded_ws = is_blankz(v, i);
	}
	sc->multiline = line_breaks;
	sc->flow_plain = sc->block_plain = sc->single_ok = sc->block_ok = 1;
	if (leading_space || leading_break || trailing_space || trailing_break)
		sc->flow_plain = sc->block_plain = 0;
	if (trailing_space)
		sc->block_ok = 0;
	if (break_space)
		sc->flow_plain = sc->block_plain = sc->single_ok = 0;
	if (space_break || special)
		sc->flow_plain = sc->block_plain = sc->single_ok = sc->block_ok = 0;
	if (line_breaks)
		sc->flow_plain = sc->block_plain = 0;
	if (flow_ind)
		sc->flow_plain = 0;
	if (block_ind)
		sc->block_plain = 0;
	if (tabs)
		sc->flow_plain = sc->block_plain = sc->single_ok = 0;
}

static enum style select_style(const struct em *e, const struct scalar *sc, int simple_key)
{
	enum style style = sc->want;

	if (simple_key && sc->multiline)
		style = DOUBLE;
	if (style == PLAIN) {
		if ((e->flow_level > 0 && !sc->flow_plain) || (e->flow_level == 0 && !sc->block_plain))
			style = SINGLE;
		if (sc->len == 0 && (e->flow_level > 0 || simple_key))
			style = SINGLE;
	}
	if (style == SINGLE && !sc->single_ok)
		style = DOUBLE;
	if (style == LITERAL && (!sc->block_ok || e->flow_level > 0 || simple_key))
		style = DOUBLE;
	return style;
}

static void write_plain(struct em *e, const unsigned char *v, size_t len, int allow_breaks)
{
	int spaces = 0, breaks = 0;
	size_t i = 0;

	if (!e->whitespace)
		put(e, ' ');
	while (i < len) {
		if (v[i] == ' ') {
			if (allow_breaks && !spaces && e->column > e->best_width && v[i + 1] != ' ') {
				write_indent(e);
				i++;
			} else {
				write_ch(e, v, &i);
			}
			spaces = 1;
		} else if (is_break(v, i)) {
			if (!breaks && v[i] == '\n')
				put_break(e);
			write_break(e, v, &i);
			e->indention = 1;
			breaks = 1;
		} else {
			size_t j = i, chars = 0;

			if (breaks)
				write_indent(e);
			/* the run up to the next blank or possible break, copied whole: a column per character */
			while (j < len && v[j] != ' ' && v[j] != '\n' && v[j] != '\r' && v[j] != 0xC2 && v[j] != 0xE2) {
				chars += (v[j] & 0xC0) != 0x80;
				j++;
			}
			if (j == i) {
				write_ch(e, v, &i);
			} else {
				out_bytes(e, v + i, j - i);
				e->column += (long)chars;
				i = j;
			}
			e->indention = 0;
			spaces = breaks = 0;
		}
	}
	e->whitespace = 0;
	e->indention = 0;
}

static void write_single(struct em *e, const unsigned char *v, size_t len, int allow_breaks)
{
	int spaces = 0, breaks = 0;
	size_t i = 0;

	write_indicator(e, "'", 1, 0, 0);
	while (i < len) {
		if (v[i] == ' ') {
			if (allow_breaks && !spaces && e->column > e->best_width && i > 0 && i < len - 1 &&
			    v[i + 1] != ' ') {
				write_indent(e);
				i++;
			} else {
				write_ch(e, v, &i);
			}
			spaces = 1;
		} else if (is_break(v, i)) {
			if (!breaks && v[i] == '\n')
				put_break(e);
			write_break(e, v, &i);
			e->indention = 1;
			breaks = 1;
		} else {
			if (breaks)
				write_indent(e);
			if (v[i] == '\'')
				put(e, '\'');
			write_ch(e, v, &i);
			e->indention = 0;
			spaces = breaks = 0;
		}
	}
	write_indicator(e, "'", 0, 0, 0);
	e->whitespace = 0;
	e->indention = 0;
}

static void write_double(struct em *e, const unsigned char *v, size_t len, int allow_breaks)
{
	/* go-yaml's is_bom looks at the start of the value, whatever the position */
	int bom = len >= 3 && v[0] == 0xEF && v[1] == 0xBB && v[2] == 0xBF;
	int spaces = 0;
	size_t i = 0;

	write_indicator(e, "\"", 1, 0, 0);
	while (i < len) {
		if (!is_printable(v, i) || bom || is_break(v, i) || v[i] == '"' || v[i] == '\\') {
			unsigned char c = v[i];
			size_t w = width(c), k;
			uint32_t r = c < 0x80 ? c : (c & 0xE0) == 0xC0 ? c & 0x1F : (c & 0xF0) == 0xE0 ? c & 0x0F : c & 0x07;
			const char *esc = NULL;
			char hex[12];

			for (k = 1; k < w; k++)
				r = (r << 6) + (v[i + k] & 0x3F);
			i += w;
			put(e, '\\');
			switch (r) {
			case 0x00: esc = "0"; break;
			case 0x07: esc = "a"; break;
			case 0x08: esc = "b"; break;
			case 0x09: esc = "t"; break;
			case 0x0A: esc = "n"; break;
			case 0x0B: esc = "v"; break;
			case 0x0C: esc = "f"; break;
			case 0x0D: esc = "r"; break;
			case 0x1B: esc = "e"; break;
			case 0x22: esc = "\""; break;
			case 0x5C: esc = "\\"; break;
			case 0x85: esc = "N"; break;
			case 0xA0: esc = "_"; break;
			case 0x2028: esc = "L"; break;
			case 0x2029: esc = "P"; break;
			default:
				if (r <= 0xFF)
					snprintf(hex, sizeof(hex), "x%02X", (unsigned)r);
				else if (r <= 0xFFFF)
					snprintf(hex, sizeof(hex), "u%04X", (unsigned)r);
				else
					snprintf(hex, sizeof(hex), "U%08X", (unsigned)r);
				esc = hex;
			}
			for (k = 0; esc[k]; k++)
				put(e, esc[k]);
			spaces = 0;
		} else if (v[i] == ' ') {
			if (allow_breaks && !spaces && e->column > e->best_width && i > 0 && i < len - 1) {
				write_indent(e);
				if (v[i + 1] == ' ')
					put(e, '\\');
				i++;
			} else {
				write_ch(e, v, &i);
			}
			spaces = 1;
		} else {
			write_ch(e, v, &i);
			spaces = 0;
		}
	}
	write_indicator(e, "\"", 0, 0, 0);
	e->whitespace = 0;
	e->indention = 0;
}

static void write_block_hints(struct em *e, const unsigned char *v, size_t len)
{
	char chomp[2] = { 0, 0 };

	if (len && (v[0] == ' ' || is_break(v, 0))) {
		char hint[2] = { (char)('0' + e->best_indent), 0 };
		write_indicator(e, hint, 0, 0, 0);
	}
	if (len == 0) {
		chomp[0] = '-';
	} else {
		size_t i = len - 1;
		while ((v[i] & 0xC0) == 0x80)
			i--;
		if (!is_break(v, i)) {
			chomp[0] = '-';
		} else if (i == 0) {
			chomp[0] = '+';
		} else {
			i--;
			while ((v[i] & 0xC0) == 0x80)
				i--;
			if (is_break(v, i))
				chomp[0] = '+';
		}
	}
	if (chomp[0])
		write_indicator(e, chomp, 0, 0, 0);
}

static void write_literal(struct em *e, const unsigned char *v, size_t len)
{
	int breaks = 1;
	size_t i = 0;

	write_indicator(e, "|", 1, 0, 0);
	write_block_hints(e, v, len);
	put_break(e);
	e->indention = 1;
	e->whitespace = 1;
	while (i < len) {
		if (is_break(v, i)) {
			write_break(e, v, &i);
			e->indention = 1;
			breaks = 1;
		} else {
			size_t j = i, chars = 0;

			if (breaks)
				write_indent(e);
			/* the run up to the next possible break, copied whole (v is valid UTF-8): a column per character */
			while (j < len && v[j] != '\n' && v[j] != '\r' && v[j] != 0xC2 && v[j] != 0xE2) {
				chars += (v[j] & 0xC0) != 0x80;
				j++;
			}
			if (j == i) {
				write_ch(e, v, &i);
			} else {
				out_bytes(e, v + i, j - i);
				e->column += (long)chars;
				i = j;
			}
			e->indention = 0;
			breaks = 0;
		}
	}
}

/* yaml_emitter_emit_scalar */
static void emit_scalar(struct em *e, const struct scalar *sc, int simple_key)
{
	enum style style = select_style(e, sc, simple_key);
	int saved = e->indent;

	increase_indent(e, 1, 0);
	switch (style) {
	case PLAIN:
		write_plain(e, sc->v, sc->len, !simple_key);
		break;
	case SINGLE:
		write_single(e, sc->v, sc->len, !simple_key);
		break;
	case DOUBLE:
		write_double(e, sc->v, sc->len, !simple_key);
		break;
	case LITERAL:
		write_literal(e, sc->v, sc->len);
		break;
	}
	e->indent = saved;
}

/* stringv: the style go-yaml v2's encoder asks for */
static void string_scalar(struct scalar *sc, const char *s, size_t len, int tabs_block)
{
	sc->tabs_block = tabs_block;
	sc->v = (const unsigned char *)s;
	sc->len = len;
	if (memchr(s, '\n', len))
		sc->want = LITERAL;
	else if (len && go_plain_is_string(s, len))
		sc->want = PLAIN;
	else
		sc->want = DOUBLE;
	analyze_scalar(sc);
}

/* ------------------------------------------------------------ nodes */

static int emit_node(struct em *e, const cJSON *n, int mapping, size_t depth);

static int through_json(const struct em *e)
{
	return e->st->numbers == GITOPS_YAML_NUMBERS_JSON;
}

/* owned: k was allocated for this mapping alone (not a level's scratch) */
static void keys_release(struct key *k, size_t n, int owned)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < n; i++)
		free(k[i].copy);
	if (owned)
		free(k);
}

/*
 * a mapping's members in the order to write them; duplicates keep the last.
 * *owned says whether *out is the mapping's own allocation (else the scratch of its level).
 */
static int mapping_keys(struct em *e, struct key **out, size_t *nout, int *owned, const cJSON *map, size_t depth)
{
	enum gitops_yaml_key_order order = e->st->keys;
	struct key *k = NULL, *tmp = NULL;
	const cJSON *c;
	size_t n = 0, i, o, keys_size, runes_size, need;
	int ret = -1;

	int32_t *runes;
	size_t total = 0;

	/* the keys, their runes and the sort's scratch in one block (a key has at most as many runes as bytes) */
	for (c = map->child; c; c = c->next, n++)
		total += (c->string ? strlen(c->string) : 0) + 1;
	keys_size = n * sizeof(*k);
	runes_size = order == GITOPS_YAML_KEYS_GO || order == GITOPS_YAML_KEYS_GO_V3 ? total * sizeof(int32_t) : 0;
	runes_size = (runes_size + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
	need = keys_size + runes_size + (order != GITOPS_YAML_KEYS_TREE ? keys_size : 0);
	*owned = 1;
	if (e->scratch && depth < SCRATCH_LEVELS && need <= SCRATCH_MAX) {
		struct scratch *sc = &e->scratch[depth];

		if (sc->cap < need) {
			size_t cap = need < 1024 ? 1024 : need;
			void *p = realloc(sc->p, cap);

			if (!p)
				goto oom;
			sc->p = p;
			sc->cap = cap;
		}
		k = sc->p;
		memset(k, 0, keys_size);
		*owned = 0;
	} else if (!(k = calloc(1, need ? need : 1))) {
		goto oom;
	}
	runes = (int32_t *)(void *)(k + n);
	for (i = 0, c = map->child; c; c = c->next, i++) {
		const char *s = c->string ? c->string : "";
		size_t slen = strlen(s);
		int r = json_string(&k[i].s, &k[i].copy, s, slen, through_json(e));

		k[i].item = c;
		if (r == -2)
			goto refused;
		if (r == -3 || (r == 0 && through_json(e) && strstr(s, "\xC2\x85")))
			goto breaks;
		if (r < 0)
			goto oom;
		if (order == GITOPS_YAML_KEYS_GO || order == GITOPS_YAML_KEYS_GO_V3) {
			/* a repaired key (U+FFFD for bad bytes) has as many runes as the original has bytes at most */
			k[i].runes = runes;
			k[i].nrunes = runes_into(runes, k[i].s, k[i].copy ? strlen(k[i].s) : slen);
			runes += slen + 1;
		}
	}
	if (order != GITOPS_YAML_KEYS_TREE) {
		tmp = (struct key *)(void *)((char *)k + keys_size + runes_size);
		sort_keys(k, tmp, n, order);
		/* a JSON object has each key once: the last one counts, as encoding/json reads it */
		for (i = 0, o = 0; i < n; i++) {
			if (i + 1 < n && strcmp(k[i].s, k[i + 1].s) == 0) {
				free(k[i].copy);
				continue;
			}
			k[o++] = k[i];
		}
		n = o;
	}
	*out = k;
	*nout = n;
	k = NULL;
	ret = 0;
	goto done;
breaks:
	/* a key broken over lines cannot be an implicit key in the JSON's flow mapping */
	gitops_err_set(e->err, GITOPS_EXIT_INPUT, "yaml: did not find expected ',' or '}'");
	goto done;
refused:
	gitops_err_set(e->err, GITOPS_EXIT_INPUT, "yaml: control characters are not allowed");
	goto done;
oom:
	gitops_err_oom(e->err);
done:
	if (k)
		keys_release(k, n, *owned);
	return ret;
}

static int emit_mapping(struct em *e, const cJSON *map, size_t depth)
{
	struct key *k = NULL;
	size_t n = 0, i;
	int saved = e->indent, ret = -1, owned = 1;

	if (mapping_keys(e, &k, &n, &owned, map, depth) < 0)
		return -1;
	increase_indent(e, 0, 0);
	for (i = 0; i < n; i++) {
		struct scalar sc;
		string_scalar(&sc, k[i].s, strlen(k[i].s), e->st->tabs_block);
		write_indent(e);
		if (!sc.multiline && sc.len <= 128) {
			emit_scalar(e, &sc, 1);
			write_indicator(e, ":", 0, 0, 0);
		} else {
			write_indicator(e, "?", 1, 0, 1);
			emit_scalar(e, &sc, 0);
			write_indent(e);
			write_indicator(e, ":", 1, 0, 1);
		}
		if (emit_node(e, k[i].item, 1, depth + 1) < 0)
			goto done;
	}
	ret = 0;
done:
	e->indent = saved;
	keys_release(k, n, owned);
	return ret;
}

static int emit_sequence(struct em *e, const cJSON *seq, int mapping, size_t depth)
{
	const cJSON *c;
	int saved = e->indent;

	increase_indent(e, 0, mapping && !e->indention && !e->st->indent_seqs);
	for (c = seq->child; c; c = c->next) {
		write_indent(e);
		write_indicator(e, "-", 1, 0, 1);
		if (emit_node(e, c, 0, depth + 1) < 0)
			return -1;
	}
	e->indent = saved;
	return 0;
}

/* yaml_emitter_emit_node for a value (not a key): `mapping` is the mapping context */
static int emit_node(struct em *e, const cJSON *n, int mapping, size_t depth)
{
	struct scalar sc;
	char num[64];

	if (depth > MAX_DEPTH)
		return gitops_err_set(e->err, GITOPS_EXIT_INPUT, "a tree is nested deeper than %d", MAX_DEPTH);
	switch (n->type & 0xff) {
	case cJSON_Object:
	case cJSON_Array:
		if (!n->child) {
			write_indicator(e, cJSON_IsObject(n) ? "{" : "[", 1, 1, 0);
			write_indicator(e, cJSON_IsObject(n) ? "}" : "]", 0, 0, 0);
			return 0;
		}
		return cJSON_IsObject(n) ? emit_mapping(e, n, depth) : emit_sequence(e, n, mapping, depth);
	case cJSON_String: {
		const char *s;
		char *copy;
		const char *v = n->valuestring ? n->valuestring : "";
		int r;
		if (e->st->binary && !through_json(e) && !utf8_valid(v, strlen(v))) {
			/* yaml.v3's stringv: base64 under the !!binary tag, a plain scalar */
			char *b64 = NULL;
			if (gitops_base64_encode(&b64, v, strlen(v), 0) < 0)
				return gitops_err_oom(e->err);
			write_indicator(e, "!!binary", 1, 0, 0);
			if (strlen(b64) >= 70) {
				/* encodeBase64: lines of 70, each ended by a line feed */
				size_t bl = strlen(b64), k, o = 0;
				char *w = malloc(bl + bl / 70 + 2);
				if (!w) {
					free(b64);
					return gitops_err_oom(e->err);
				}
				for (k = 0; k < bl; k += 70) {
					size_t m = bl - k < 70 ? bl - k : 70;
					memcpy(w + o, b64 + k, m);
					o += m;
					w[o++] = '\n';
				}
				w[o] = '\0';
				free(b64);
				b64 = w;
			}
			string_scalar(&sc, b64, strlen(b64), e->st->tabs_block);
			emit_scalar(e, &sc, 0);
			free(b64);
			return 0;
		}
		r = json_string(&s, &copy, v, strlen(v), through_json(e));
		if (r == -2)
			return gitops_err_set(e->err, GITOPS_EXIT_INPUT, "yaml: control characters are not allowed");
		if (r == -3)
			return gitops_err_set(e->err, GITOPS_EXIT_INPUT, "yaml: found unexpected document indicator");
		if (r < 0)
			return gitops_err_oom(e->err);
		string_scalar(&sc, s, strlen(s), e->st->tabs_block);
		emit_scalar(e, &sc, 0);
		free(copy);
		return 0;
	}
	case cJSON_Number:
	{
		const char *t;
		if (format_number(e, &t, num, sizeof(num), n) < 0)
			return -1;
		sc.v = (const unsigned char *)t;
		break;
	}
	case cJSON_True:
		sc.v = (const unsigned char *)"true";
		break;
	case cJSON_False:
		sc.v = (const unsigned char *)"false";
		break;
	default:
		sc.v = (const unsigned char *)"null";
		break;
	}
	sc.len = strlen((const char *)sc.v);
	sc.want = PLAIN;
	sc.tabs_block = 0;
	analyze_scalar(&sc);
	emit_scalar(e, &sc, 0);
	return 0;
}

/* ------------------------------------------------------------ the emitter */

static int emit_doc(struct gitops_buf *out, const cJSON *root, const struct gitops_yaml_style *st,
		    struct scratch *scratch, const struct gitops_yaml_emitter *pieces, struct gitops_err *err)
{
	struct em e;

	memset(&e, 0, sizeof(e));
	e.pieces = pieces;
	e.scratch = scratch;
	e.st = st;
	e.out = out;
	e.err = err;
	e.best_indent = 2;
	e.best_width = st->width < 0 ? 2147483647 : st->width <= 4 ? 80 : st->width;
	e.indent = -1;
	e.whitespace = 1;
	e.indention = 1;
	if (emit_node(&e, root, 0, 0) < 0)
		return -1;
	write_indent(&e);
	if (e.write_failed)
		return err->msg[0] ? -1 : gitops_err_set(err, GITOPS_EXIT_IO, "cannot write the output");
	if (e.failed)
		return gitops_err_oom(err);
	return 0;
}

int gitops_yaml_emitter_new(struct gitops_yaml_emitter **out, gitops_write_fn write, void *ctx,
			    const struct gitops_yaml_style *style, struct gitops_err *err)
{
	struct gitops_yaml_style def = GITOPS_YAML_STYLE_INIT;
	struct gitops_yaml_emitter *e = calloc(1, sizeof(*e));

	if (!e)
		return gitops_err_oom(err);
	e->st = style ? *style : def;
	e->write = write;
	e->ctx = ctx;
	*out = e;
	return 0;
}

int gitops_yaml_emitter_doc(struct gitops_yaml_emitter *e, const cJSON *root, struct gitops_err *err)
{
	struct gitops_buf *b = &e->text;
	int ret = -1;

	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	if (e->docs && e->st.separator && gitops_buf_addstr(b, e->st.separator) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (emit_doc(b, root, &e->st, e->scratch, e->piece ? e : NULL, err) < 0)
		goto done;
	if (e->write(e->ctx, b->data, b->len, err) < 0)
		goto done;
	e->docs++;
	ret = 0;
done:
	/* a huge document's buffer is not kept for the next */
	if (b->cap > (1u << 20))
		gitops_buf_release(b);
	return ret;
}

void gitops_yaml_emitter_pieces(struct gitops_yaml_emitter *e, size_t piece)
{
	e->piece = piece;
}

void gitops_yaml_emitter_free(struct gitops_yaml_emitter *e)
{
	if (e) {
		gitops_buf_release(&e->text);
		scratch_release(e->scratch);
	}
	free(e);
}

int gitops_yaml_dump_style(char **out, const cJSON *root, const struct gitops_yaml_style *style,
			   struct gitops_err *err)
{
	struct gitops_yaml_style def = GITOPS_YAML_STYLE_INIT;
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct scratch scratch[SCRATCH_LEVELS];
	int ret = -1;

	memset(scratch, 0, sizeof(scratch));
	if (emit_doc(&b, root, style ? style : &def, scratch, NULL, err) < 0)
		goto done;
	*out = gitops_buf_detach(&b);
	ret = *out ? 0 : gitops_err_oom(err);
done:
	scratch_release(scratch);
	gitops_buf_release(&b);
	return ret;
}
