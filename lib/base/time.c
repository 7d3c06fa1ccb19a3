/* time.c: Go's calendar, RFC 3339 reading and TZif zones (see time.h). */
#include "lib/base/time.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"

#define ZONE_DIR "/usr/share/zoneinfo/"
#define ZONE_FILE_MAX (1u << 20)   /* a zone file larger than this is not one */
#define ABBR_MAX 16

/* ---------- calendar ---------- */

/* int64 arithmetic that wraps as Go's does, instead of C's undefined overflow */
static int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

int64_t gitops_floordiv(int64_t a, int64_t b)
{
	return a / b - ((a % b) != 0 && ((a < 0) != (b < 0)));
}

int64_t gitops_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y = wadd(y, -(m <= 2));
	era = gitops_floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return wadd((int64_t)((uint64_t)era * 146097u), doe - 719468);
}

void gitops_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z = wadd(z, 719468);
	era = gitops_floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = wadd(yoe + era * 400, *m <= 2);
}

int gitops_is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int gitops_month_days(int64_t y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && gitops_is_leap(y) ? 29 : n[m - 1];
}

int gitops_weekday(int64_t days)
{
	return (int)(((days % 7) + 11) % 7);   /* 1970-01-01 was a Thursday */
}

/* ---------- RFC 3339 ---------- */

/* n digits at s, or -1 */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int gitops_time_rfc3339(const char *s, int64_t *sec, int32_t *nsec)
{
	int y, mo, d, h, mi, se, hd, oh = 0, om = 0;
	int32_t ns = 0;
	const char *p;

	if (!s)
		return -1;
	if ((y = digits(s, 4)) < 0 || s[4] != '-' || (mo = digits(s + 5, 2)) < 1 || mo > 12 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 1 || d > gitops_month_days(y, mo) || s[10] != 'T')
		return -1;
	/* the hour "15" of Go's layout takes one digit or two */
	p = s + 11;
	hd = p[0] && p[1] >= '0' && p[1] <= '9' ? 2 : 1;
	if ((h = digits(p, hd)) < 0 || h > 23)
		return -1;
	p += hd;
	if (p[0] != ':' || (mi = digits(p + 1, 2)) < 0 || mi > 59 || p[3] != ':' || (se = digits(p + 4, 2)) < 0 ||
	    se > 59)
		return -1;
	p += 6;
	if ((*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9') {
		int n = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 9)
				ns = ns * 10 + (*p - '0');
		for (; n < 9; n++)
			ns *= 10;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		if ((oh = digits(p + 1, 2)) < 0 || p[3] != ':' || (om = digits(p + 4, 2)) < 0)
			return -1;
		if (*p == '-')
			oh = -oh, om = -om;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	if (sec)
		*sec = gitops_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - (oh * 3600 + om * 60);
	if (nsec)
		*nsec = ns;
	return 0;
}

/* ---------- zones: TZif (RFC 8536) as Go's LoadLocationFromTZData reads it ---------- */

struct zone_type {
	int32_t off;
	unsigned char dst;
	char abbr[ABBR_MAX];
};

/* a footer rule: J (1..365, no Feb 29), D (0..365), M (month.week.day) */
struct tz_rule {
	char kind;
	int day, week, mon;
	int time;   /* seconds after local midnight */
};

struct gitops_zone {
	int64_t *tx;           /* transitions (Go appends one at the dawn of time when there are none) */
	unsigned char *txi;    /* the type after each */
	size_t ntx;
	struct zone_type *types;
	size_t ntypes;
	/* the footer's TZ string, read at load; has_rule 0 when absent or unreadable (Go then keeps the last transition's type) */
	int has_rule, has_dst;
	int std_off, dst_off;
	char std_abbr[ABBR_MAX], dst_abbr[ABBR_MAX];
	struct tz_rule start, end;
};

void gitops_zone_free(struct gitops_zone *z)
{
	if (!z)
		return;
	free(z->tx);
	free(z->txi);
	free(z->types);
	free(z);
}

/* Go's tzsetName: <...>, or three or more characters up to a digit, ',', '-' or '+' */
static const char *tz_name(const char *p, char *abbr)
{
	const char *q;
	size_t n;

	if (!*p)
		return NULL;
	if (*p == '<') {
		if (!(q = strchr(p, '>')))
			return NULL;
		n = (size_t)(q - p - 1);
		p++;
		q++;
	} else {
		for (q = p; *q && !(*q >= '0' && *q <= '9') && *q != ',' && *q != '-' && *q != '+'; q++)
			;
		if (q - p < 3)
			return NULL;
		n = (size_t)(q - p);
	}
	if (n >= ABBR_MAX)
		n = ABBR_MAX - 1;
	memcpy(abbr, p, n);
	abbr[n] = 0;
	return q;
}

/* Go's tzsetNum: digits, at most max (checked as they come), at least min */
static const char *tz_num(const char *p, int min, int max, int *out)
{
	int v = 0;
	const char *s = p;

	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (*p - '0')) > max)
			return NULL;
	if (p == s || v < min)
		return NULL;
	*out = v;
	return p;
}

/* Go's tzsetOffset: [+-]hh[:mm[:ss]], hh up to 24*7 */
static const char *tz_offset(const char *p, int *out)
{
	int neg = 0, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!(p = tz_num(p, 0, 24 * 7, &h)))
		return NULL;
	if (*p == ':') {
		if (!(p = tz_num(p + 1, 0, 59, &m)))
			return NULL;
		if (*p == ':' && !(p = tz_num(p + 1, 0, 59, &s)))
			return NULL;
	}
	*out = (h * 3600 + m * 60 + s) * (neg ? -1 : 1);
	return p;
}

/* Go's tzsetRule */
static const char *tz_rule(const char *p, struct tz_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (*p == 'J') {
		r->kind = 'J';
		p = tz_num(p + 1, 1, 365, &r->day);
	} else if (*p == 'M') {
		r->kind = 'M';
		if (!(p = tz_num(p + 1, 1, 12, &r->mon)) || *p != '.' || !(p = tz_num(p + 1, 1, 5, &r->week)) ||
		    *p != '.')
			return NULL;
		p = tz_num(p + 1, 0, 6, &r->day);
	} else {
		r->kind = 'D';
		p = tz_num(p, 0, 365, &r->day);
	}
	if (!p)
		return NULL;
	r->time = 2 * 3600;
	if (*p == '/')
		p = tz_offset(p + 1, &r->time);
	return p;
}

/* the TZ string of a footer into z (Go's tzset, the part that does not depend on the instant); 0 or -1 */
static int tz_parse(struct gitops_zone *z, const char *s)
{
	const char *p = s;

	if (!(p = tz_name(p, z->std_abbr)) || !(p = tz_offset(p, &z->std_off)))
		return -1;
	z->std_off = -z->std_off;
	if (!*p || *p == ',')
		return 0;   /* no daylight saving time */
	if (!(p = tz_name(p, z->dst_abbr)))
		return -1;
	if (!*p || *p == ',') {
		z->dst_off = z->std_off + 3600;
	} else {
		if (!(p = tz_offset(p, &z->dst_off)))
			return -1;
		z->dst_off = -z->dst_off;
	}
	if (!*p)
		p = ",M3.2.0,M11.1.0";   /* tzcode's default rule */
	if ((*p != ',' && *p != ';') || !(p = tz_rule(p + 1, &z->start)) || *p != ',' ||
	    !(p = tz_rule(p + 1, &z->end)) || *p)
		return -1;
	z->has_dst = 1;
	return 0;
}

/* Go's tzruleTime: seconds after the start of the year (UTC) the rule fires */
static int64_t tz_rule_time(int64_t year, const struct tz_rule *r, int off)
{
	int64_t s;

	if (r->kind == 'J') {
		s = (int64_t)(r->day - 1) * 86400;
		if (gitops_is_leap(year) && r->day >= 60)
			s += 86400;
	} else if (r->kind == 'D') {
		s = (int64_t)r->day * 86400;
	} else {
		int64_t first = gitops_days_from_civil(year, r->mon, 1);
		int d = r->day - gitops_weekday(first);

		if (d < 0)
			d += 7;
		for (int i = 1; i < r->week; i++) {
			if (d + 7 >= gitops_month_days(year, r->mon))
				break;
			d += 7;
		}
		s = (first - gitops_days_from_civil(year, 1, 1) + d) * 86400;
	}
	return s + r->time - off;
}

/* Go's tzset for instant t past the last transition (at last) */
static int32_t tz_at(const struct gitops_zone *z, int64_t t, int64_t last, int64_t *start, const char **abbr)
{
	int64_t days = gitops_floordiv(t, 86400), y, ystart, ysec, a, b;
	int m, d, soff = z->std_off, doff = z->dst_off;
	const char *sname = z->std_abbr, *dname = z->dst_abbr;

	if (!z->has_dst) {
		*start = last;
		*abbr = sname;
		return soff;
	}
	gitops_civil_from_days(days, &y, &m, &d);
	ystart = gitops_days_from_civil(y, 1, 1) * 86400;
	ysec = t - ystart;
	a = tz_rule_time(y, &z->start, soff);
	b = tz_rule_time(y, &z->end, doff);
	if (b < a) {
		/* the southern hemisphere: the year starts in summer time */
		int64_t tt = a;
		const char *tn = sname;
		int to = soff;

		a = b, b = tt;
		sname = dname, dname = tn;
		soff = doff, doff = to;
	}
	if (ysec < a) {
		*start = ystart;
		*abbr = sname;
		return soff;
	}
	if (ysec >= b) {
		*start = ystart + b;
		*abbr = sname;
		return soff;
	}
	*start = ystart + a;
	*abbr = dname;
	return doff;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* the TZif data into z: 0, or -1 when it is no valid TZif file */
static int tzif_read(struct gitops_zone *z, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len, *times, *idx, *types, *chars;
	uint32_t isut, isstd, leap, ntime, ntype, nchar;
	size_t tsize = 4, need;

	for (int pass = 0;; pass++) {
		if ((size_t)(end - p) < 44 || memcmp(p, "TZif", 4))
			return -1;
		isut = be32(p + 20);
		isstd = be32(p + 24);
		leap = be32(p + 28);
		ntime = be32(p + 32);
		ntype = be32(p + 36);
		nchar = be32(p + 40);
		if (ntime > 1000000 || ntype == 0 || ntype > 256 || nchar > 65536 || leap > 1000000 || isut > 256 ||
		    isstd > 256)
			return -1;
		need = (size_t)ntime * (tsize + 1) + (size_t)ntype * 6 + nchar + (size_t)leap * (tsize + 4) + isstd + isut;
		p += 44;
		if ((size_t)(end - p) < need)
			return -1;
		/* version 2 and later: the 32-bit block first, then a second header and the 64-bit one */
		if (pass == 0 && p[-40] >= '2') {
			p += need;
			tsize = 8;
			continue;
		}
		break;
	}
	times = p;
	idx = times + (size_t)ntime * tsize;
	types = idx + ntime;
	chars = types + (size_t)ntype * 6;
	z->ntypes = ntype;
	if (!(z->types = calloc(ntype, sizeof(*z->types))))
		return -2;
	for (uint32_t i = 0; i < ntype; i++) {
		uint32_t ai = types[i * 6 + 5];
		size_t n = 0;

		z->types[i].off = (int32_t)be32(types + i * 6);
		z->types[i].dst = types[i * 6 + 4] != 0;
		if (ai >= nchar)
			return -1;
		while (ai + n < nchar && chars[ai + n] && n + 1 < ABBR_MAX) {
			z->types[i].abbr[n] = (char)chars[ai + n];
			n++;
		}
	}
	z->ntx = ntime ? ntime : 1;
	z->tx = calloc(z->ntx, sizeof(*z->tx));
	z->txi = calloc(z->ntx, 1);
	if (!z->tx || !z->txi)
		return -2;
	if (!ntime)
		z->tx[0] = INT64_MIN;   /* Go: one transition at the dawn of time, to the first type */
	for (uint32_t i = 0; i < ntime; i++) {
		z->tx[i] = tsize == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
		if (idx[i] >= ntype)
			return -1;
		z->txi[i] = idx[i];
	}
	/* the footer of a 64-bit file: "\nTZ\n" */
	p += need;
	if (tsize == 8 && end - p > 2 && *p == '\n' && end[-1] == '\n') {
		size_t n = (size_t)(end - p - 2);
		char *tz = malloc(n + 1);

		if (!tz)
			return -2;
		memcpy(tz, p + 1, n);
		tz[n] = 0;
		z->has_rule = !memchr(tz, 0, n) && tz_parse(z, tz) == 0;
		free(tz);
	}
	return 0;
}

int gitops_zone_load(struct gitops_zone **out, const char *name, struct gitops_err *err)
{
	struct gitops_buf path = GITOPS_BUF_INIT, file = GITOPS_BUF_INIT;
	struct gitops_zone *z = calloc(1, sizeof(*z));
	int ret = -1, rc;

	*out = NULL;
	if (!z)
		return gitops_err_oom(err);
	if (!*name || !strcmp(name, "UTC")) {
		z->ntypes = 1;
		if (!(z->types = calloc(1, sizeof(*z->types)))) {
			gitops_err_oom(err);
			goto done;
		}
		strcpy(z->types[0].abbr, "UTC");
		ret = 0;
		goto done;
	}
	/* LoadLocation's errLocation */
	if (name[0] == '/' || name[0] == '\\' || strstr(name, "..")) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "unknown time zone \"%s\"", name);
		goto done;
	}
	if (gitops_buf_addstr(&path, ZONE_DIR) < 0 || gitops_buf_addstr(&path, name) < 0) {
		gitops_err_oom(err);
		goto done;
	}
	if (gitops_buf_read_file(&file, path.data, ZONE_FILE_MAX, err) < 0) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "unknown time zone \"%s\" (no %s)", name, path.data);
		goto done;
	}
	if ((rc = tzif_read(z, (const unsigned char *)file.data, file.len)) == -2)
		gitops_err_oom(err);
	else if (rc < 0)
		gitops_err_set(err, GITOPS_EXIT_INPUT, "time zone \"%s\": %s is no valid TZif file", name, path.data);
	else
		ret = 0;
done:
	gitops_buf_release(&path);
	gitops_buf_release(&file);
	if (ret < 0)
		gitops_zone_free(z);
	else
		*out = z;
	return ret;
}

/* Go's lookupFirstZone: the type of the times before the first transition */
static size_t first_type(const struct gitops_zone *z)
{
	int used = 0;

	for (size_t i = 0; i < z->ntx && !used; i++)
		used = z->txi[i] == 0;
	if (!used)
		return 0;
	if (z->ntx && z->types[z->txi[0]].dst)
		for (size_t i = z->txi[0]; i-- > 0;)
			if (!z->types[i].dst)
				return i;
	for (size_t i = 0; i < z->ntypes; i++)
		if (!z->types[i].dst)
			return i;
	return 0;
}

int32_t gitops_zone_offset(const struct gitops_zone *z, int64_t t, int64_t *start, const char **abbr)
{
	size_t lo = 0, hi;
	int64_t from;
	const struct zone_type *ty;

	if (!start)
		start = &from;
	if (!z->ntx) {   /* UTC */
		*start = INT64_MIN;
		*abbr = z->types[0].abbr;
		return z->types[0].off;
	}
	if (t < z->tx[0]) {
		ty = &z->types[first_type(z)];
		*start = INT64_MIN;
		*abbr = ty->abbr;
		return ty->off;
	}
	for (hi = z->ntx; hi - lo > 1;) {   /* the last transition at or before t */
		size_t mid = lo + (hi - lo) / 2;

		if (t < z->tx[mid])
			hi = mid;
		else
			lo = mid;
	}
	if (lo == z->ntx - 1 && z->has_rule) {
		int32_t off = tz_at(z, t, z->tx[lo], start, abbr);

		/* Go's start may be the year's; never earlier than the transition */
		if (*start < z->tx[lo])
			*start = z->tx[lo];
		return off;
	}
	ty = &z->types[z->txi[lo]];
	*start = z->tx[lo];
	*abbr = ty->abbr;
	return ty->off;
}
