/*
 * dates.c: Sprig's date functions (sprig v3.3 date.go, functions.go) over
 * Go 1.23's time package: now, ago, date, dateInZone/date_in_zone,
 * dateModify/date_modify, mustDateModify, duration, durationRound,
 * htmlDate, htmlDateInZone, toDate, mustToDate, unixEpoch.
 *
 * A time.Time is a struct value (typeOf "time.Time") whose hidden fields
 * hold the instant (Unix seconds and nanoseconds), its location (a zone
 * name, "Local", or "" for a fixed offset), the offset and abbreviation in
 * effect, and the monotonic reading now() takes; it prints as Go's
 * String() ("2006-01-02 15:04:05.999999999 -0700 MST", " m=+0.000012345"
 * after it for now()).  Its methods a template can call: Year, Month, Day,
 * Hour, Minute, Second, Nanosecond, Weekday, YearDay, Unix, UnixMilli,
 * UnixNano, Format, Add, AddDate, Truncate, Round, UTC, Local, Location,
 * IsZero, String, Before,
 * After, Equal, Sub (Month, Weekday and Sub's Duration are structs of
 * their Go type that print as Go prints them; unlike Go, they are no
 * integers to compare or compute with).
 *
 * Zones come from the system tzdata (/usr/share/zoneinfo, TZif), as Go's
 * LoadLocation reads them; Local is UTC, as helm's harness ran (TZ=UTC).
 * An instant after a zone's last transition keeps that transition's zone
 * (the files carry transitions to 2037).  Layouts are Go's: every std
 * element of nextStdChunk formats and parses as there, with time.Parse's
 * error texts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/base/time.h"
#include "lib/template/funcs/funcs_int.h"

#define TIME_TYPE "time.Time"
#define NS ((int64_t)1000000000)

/* a Go time.Time */
struct gtime {
	int64_t sec;     /* Unix seconds */
	int32_t nsec;    /* 0..999999999 */
	int64_t mono;    /* monotonic reading in ns, or -1 */
	char loc[64];    /* "UTC", "Local", a zone name, or "" (a fixed zone) */
	int32_t off;     /* offset east of UTC in effect, seconds */
	char abbr[16];   /* its abbreviation ("" for a fixed zone without a name) */
};

/* --- calendar --- */

/* nanoseconds across the whole range of times need more than 64 bits */
__extension__ typedef __int128 i128;

/* a Duration from a wider count: Go's Sub saturates at the ends */
static int64_t clamp_ns(i128 v)
{
	return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

/* int64 arithmetic that wraps as Go's does, instead of C's undefined overflow */
static int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wmul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

struct civil {
	int64_t year;
	int month, day, hour, min, sec, wday, yday; /* yday 1-based, wday 0 = Sunday */
};

static void to_civil(const struct gtime *t, struct civil *c)
{
	int64_t local = wadd(t->sec, t->off), days = gitops_floordiv(local, 86400), rem = (int64_t)((uint64_t)local - (uint64_t)days * 86400u);

	gitops_civil_from_days(days, &c->year, &c->month, &c->day);
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem % 3600 / 60);
	c->sec = (int)(rem % 60);
	c->wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	c->yday = (int)(days - gitops_days_from_civil(c->year, 1, 1)) + 1;
}

static const char *const long_month[] = { "January", "February", "March", "April", "May", "June", "July",
					   "August", "September", "October", "November", "December" };
static const char *const long_day[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
					 "Saturday" };

/* --- zones (lib/base/time) --- */

/*
 * The offset and abbreviation zone `name` gives at Unix time `sec`:
 * 0, or -1 when there is no such zone (Go's LoadLocation error).
 */
static int zone_lookup(const char *name, int64_t sec, int32_t *off, char *abbr, size_t asz)
{
	struct gitops_zone *z;
	const char *a;

	/* Local is UTC, as helm's harness ran */
	if (!strcmp(name, "Local"))
		name = "UTC";
	/* Go's containsDotDot and the other names LoadLocation refuses */
	if (strchr(name, '\\') || gitops_zone_load(&z, name, NULL) < 0)
		return -1;
	*off = gitops_zone_offset(z, sec, NULL, &a);
	snprintf(abbr, asz, "%s", a);
	gitops_zone_free(z);
	return 0;
}

/* t.In(loc) where loc is t->loc: recompute the offset for the instant */
static void relocate(struct gtime *t)
{
	if (!t->loc[0])
		return; /* a fixed zone keeps its offset */
	if (zone_lookup(t->loc, t->sec, &t->off, t->abbr, sizeof(t->abbr)) < 0) {
		t->off = 0;
		snprintf(t->abbr, sizeof(t->abbr), "UTC");
	}
}

static void set_loc(struct gtime *t, const char *loc)
{
	snprintf(t->loc, sizeof(t->loc), "%s", loc);
	t->mono = -1; /* setLoc strips the monotonic reading */
	relocate(t);
}

/* --- formatting --- */

enum std {
	S_NONE, S_LONG_MONTH, S_MONTH, S_NUM_MONTH, S_ZERO_MONTH, S_LONG_WEEKDAY, S_WEEKDAY, S_DAY, S_UNDER_DAY,
	S_ZERO_DAY, S_UNDER_YDAY, S_ZERO_YDAY, S_HOUR, S_HOUR12, S_ZERO_HOUR12, S_MINUTE, S_ZERO_MINUTE, S_SECOND,
	S_ZERO_SECOND, S_LONG_YEAR, S_YEAR, S_PM, S_pm, S_TZ, S_ISO_TZ, S_ISO_SEC_TZ, S_ISO_SHORT_TZ, S_ISO_COLON_TZ,
	S_ISO_COLON_SEC_TZ, S_NUM_TZ, S_NUM_SEC_TZ, S_NUM_SHORT_TZ, S_NUM_COLON_TZ, S_NUM_COLON_SEC_TZ, S_FRAC0,
	S_FRAC9,
};

struct chunk {
	size_t prefix;   /* literal bytes before the element */
	enum std std;
	size_t len;      /* the element's bytes in the layout */
	int digits;      /* fractional seconds: how many */
	char sep;        /* fractional seconds: '.' or ',' */
};

static int starts(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w);

	return n >= l && !memcmp(s, w, l);
}

static int is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* Go's nextStdChunk over layout[0..n) */
static void next_std(const char *l, size_t n, struct chunk *c)
{
	size_t i;
	static const struct {
		const char *s;
		enum std std;
	} tz[] = { { "-07:00:00", S_NUM_COLON_SEC_TZ }, { "-070000", S_NUM_SEC_TZ }, { "-07:00", S_NUM_COLON_TZ },
		   { "-0700", S_NUM_TZ }, { "-07", S_NUM_SHORT_TZ }, { "Z07:00:00", S_ISO_COLON_SEC_TZ },
		   { "Z070000", S_ISO_SEC_TZ }, { "Z07:00", S_ISO_COLON_TZ }, { "Z0700", S_ISO_TZ },
		   { "Z07", S_ISO_SHORT_TZ } };

	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		const char *s = l + i;
		size_t r = n - i, k;
		c->prefix = i;
		switch (s[0]) {
		case 'J':
			if (starts(s, r, "Jan")) {
				if (starts(s, r, "January")) {
					c->std = S_LONG_MONTH, c->len = 7;
					return;
				}
				if (!(r > 3 && is_lower(s[3]))) {
					c->std = S_MONTH, c->len = 3;
					return;
				}
			}
			break;
		case 'M':
			if (starts(s, r, "Mon")) {
				if (starts(s, r, "Monday")) {
					c->std = S_LONG_WEEKDAY, c->len = 6;
					return;
				}
				if (!(r > 3 && is_lower(s[3]))) {
					c->std = S_WEEKDAY, c->len = 3;
					return;
				}
			}
			if (starts(s, r, "MST")) {
				c->std = S_TZ, c->len = 3;
				return;
			}
			break;
		case '0':
			if (r >= 2 && s[1] >= '1' && s[1] <= '6') {
				static const enum std z[] = { S_ZERO_MONTH, S_ZERO_DAY, S_ZERO_HOUR12, S_ZERO_MINUTE,
							      S_ZERO_SECOND, S_YEAR };
				c->std = z[s[1] - '1'], c->len = 2;
				return;
			}
			if (r >= 3 && s[1] == '0' && s[2] == '2') {
				c->std = S_ZERO_YDAY, c->len = 3;
				return;
			}
			break;
		case '1':
			if (r >= 2 && s[1] == '5') {
				c->std = S_HOUR, c->len = 2;
				return;
			}
			c->std = S_NUM_MONTH, c->len = 1;
			return;
		case '2':
			if (starts(s, r, "2006")) {
				c->std = S_LONG_YEAR, c->len = 4;
				return;
			}
			c->std = S_DAY, c->len = 1;
			return;
		case '_':
			if (r >= 2 && s[1] == '2') {
				/* _2006 is really a literal _, followed by stdLongYear */
				if (starts(s + 1, r - 1, "2006")) {
					c->prefix = i + 1;
					c->std = S_LONG_YEAR, c->len = 4;
					return;
				}
				c->std = S_UNDER_DAY, c->len = 2;
				return;
			}
			if (r >= 3 && s[1] == '_' && s[2] == '2') {
				c->std = S_UNDER_YDAY, c->len = 3;
				return;
			}
			break;
		case '3':
			c->std = S_HOUR12, c->len = 1;
			return;
		case '4':
			c->std = S_MINUTE, c->len = 1;
			return;
		case '5':
			c->std = S_SECOND, c->len = 1;
			return;
		case 'P':
			if (r >= 2 && s[1] == 'M') {
				c->std = S_PM, c->len = 2;
				return;
			}
			break;
		case 'p':
			if (r >= 2 && s[1] == 'm') {
				c->std = S_pm, c->len = 2;
				return;
			}
			break;
		case '-':
		case 'Z':
			for (k = 0; k < sizeof(tz) / sizeof(tz[0]); k++)
				if (tz[k].s[0] == s[0] && starts(s, r, tz[k].s)) {
					c->std = tz[k].std, c->len = strlen(tz[k].s);
					return;
				}
			break;
		case '.':
		case ',':
			if (r >= 2 && (s[1] == '0' || s[1] == '9')) {
				char ch = s[1];
				size_t j = 1;
				while (j < r && s[j] == ch)
					j++;
				if (!(j < r && s[j] >= '0' && s[j] <= '9')) {
					c->std = ch == '0' ? S_FRAC0 : S_FRAC9;
					c->len = j;
					c->digits = (int)(j - 1);
					c->sep = s[0];
					return;
				}
			}
			break;
		}
	}
	c->prefix = n;
	c->std = S_NONE;
}

/* appendInt: x with at least width digits, zero padded */
static int put_int(struct gitops_buf *b, int64_t x, int width)
{
	char tmp[32];
	uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
	int i = (int)sizeof(tmp), w = 0;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
		w++;
	} while (u);
	while (w < width) {
		tmp[--i] = '0';
		w++;
	}
	if (x < 0)
		tmp[--i] = '-';
	return gitops_buf_add(b, tmp + i, sizeof(tmp) - (size_t)i);
}

static int put_nano(struct gitops_buf *b, int32_t nsec, int digits, char sep, int trim)
{
	char tmp[10];
	int k;

	if (digits > 9)
		digits = 9;
	if (trim && (digits == 0 || nsec == 0))
		return 0;
	snprintf(tmp, sizeof(tmp), "%09d", (int)nsec);
	k = digits;
	if (trim)
		while (k > 0 && tmp[k - 1] == '0')
			k--;
	if (trim && k == 0)
		return 0;
	return gitops_buf_add(b, &sep, 1) < 0 || gitops_buf_add(b, tmp, (size_t)k) < 0 ? -1 : 0;
}

/* Time.AppendFormat */
static int format(struct gitops_buf *b, const struct gtime *t, const char *l, size_t n)
{
	struct civil c;
	struct chunk ch;
	int r = 0;

	to_civil(t, &c);
	while (n > 0 && r == 0) {
		next_std(l, n, &ch);
		if (ch.prefix && gitops_buf_add(b, l, ch.prefix) < 0)
			return -1;
		if (ch.std == S_NONE)
			break;
		l += ch.prefix + ch.len;
		n -= ch.prefix + ch.len;
		switch (ch.std) {
		case S_YEAR:
			r = put_int(b, (c.year < 0 ? -c.year : c.year) % 100, 2);
			break;
		case S_LONG_YEAR:
			r = put_int(b, c.year, 4);
			break;
		case S_MONTH:
			r = gitops_buf_add(b, long_month[c.month - 1], 3);
			break;
		case S_LONG_MONTH:
			r = gitops_buf_addstr(b, long_month[c.month - 1]);
			break;
		case S_NUM_MONTH:
			r = put_int(b, c.month, 0);
			break;
		case S_ZERO_MONTH:
			r = put_int(b, c.month, 2);
			break;
		case S_WEEKDAY:
			r = gitops_buf_add(b, long_day[c.wday], 3);
			break;
		case S_LONG_WEEKDAY:
			r = gitops_buf_addstr(b, long_day[c.wday]);
			break;
		case S_DAY:
			r = put_int(b, c.day, 0);
			break;
		case S_UNDER_DAY:
			r = (c.day < 10 && gitops_buf_add(b, " ", 1) < 0) ? -1 : put_int(b, c.day, 0);
			break;
		case S_ZERO_DAY:
			r = put_int(b, c.day, 2);
			break;
		case S_UNDER_YDAY:
			if ((c.yday < 100 && gitops_buf_add(b, " ", 1) < 0) || (c.yday < 10 && gitops_buf_add(b, " ", 1) < 0))
				return -1;
			r = put_int(b, c.yday, 0);
			break;
		case S_ZERO_YDAY:
			r = put_int(b, c.yday, 3);
			break;
		case S_HOUR:
			r = put_int(b, c.hour, 2);
			break;
		case S_HOUR12:
		case S_ZERO_HOUR12:
			r = put_int(b, c.hour % 12 ? c.hour % 12 : 12, ch.std == S_HOUR12 ? 0 : 2);
			break;
		case S_MINUTE:
		case S_ZERO_MINUTE:
			r = put_int(b, c.min, ch.std == S_MINUTE ? 0 : 2);
			break;
		case S_SECOND:
		case S_ZERO_SECOND:
			r = put_int(b, c.sec, ch.std == S_SECOND ? 0 : 2);
			break;
		case S_PM:
			r = gitops_buf_add(b, c.hour >= 12 ? "PM" : "AM", 2);
			break;
		case S_pm:
			r = gitops_buf_add(b, c.hour >= 12 ? "pm" : "am", 2);
			break;
		case S_ISO_TZ:
		case S_ISO_SEC_TZ:
		case S_ISO_SHORT_TZ:
		case S_ISO_COLON_TZ:
		case S_ISO_COLON_SEC_TZ:
			if (t->off == 0) {
				r = gitops_buf_add(b, "Z", 1);
				break;
			}
			/* fall through */
		case S_NUM_TZ:
		case S_NUM_SEC_TZ:
		case S_NUM_SHORT_TZ:
		case S_NUM_COLON_TZ:
		case S_NUM_COLON_SEC_TZ: {
			int zone = t->off / 60, abs = t->off, colon, secs;
			if (zone < 0) {
				r = gitops_buf_add(b, "-", 1);
				zone = -zone;
				abs = -abs;
			} else {
				r = gitops_buf_add(b, "+", 1);
			}
			colon = ch.std == S_ISO_COLON_TZ || ch.std == S_NUM_COLON_TZ || ch.std == S_ISO_COLON_SEC_TZ ||
				ch.std == S_NUM_COLON_SEC_TZ;
			secs = ch.std == S_ISO_SEC_TZ || ch.std == S_NUM_SEC_TZ || ch.std == S_NUM_COLON_SEC_TZ ||
			       ch.std == S_ISO_COLON_SEC_TZ;
			if (r < 0 || put_int(b, zone / 60, 2) < 0 || (colon && gitops_buf_add(b, ":", 1) < 0))
				return -1;
			if (ch.std != S_NUM_SHORT_TZ && ch.std != S_ISO_SHORT_TZ && put_int(b, zone % 60, 2) < 0)
				return -1;
			if (secs && ((colon && gitops_buf_add(b, ":", 1) < 0) || put_int(b, abs % 60, 2) < 0))
				return -1;
			break;
		}
		case S_TZ:
			if (t->abbr[0]) {
				r = gitops_buf_addstr(b, t->abbr);
			} else {
				int zone = t->off / 60;
				r = gitops_buf_add(b, zone < 0 ? "-" : "+", 1);
				if (zone < 0)
					zone = -zone;
				if (r == 0)
					r = put_int(b, zone / 60, 2) < 0 || put_int(b, zone % 60, 2) < 0 ? -1 : 0;
			}
			break;
		case S_FRAC0:
		case S_FRAC9:
			r = put_nano(b, t->nsec, ch.digits, ch.sep, ch.std == S_FRAC9);
			break;
		case S_NONE:
			break;
		}
	}
	return r;
}

/* Time.String(): the layout below, then the monotonic reading, if any */
static int time_string(struct gitops_buf *b, const struct gtime *t)
{
	static const char layout[] = "2006-01-02 15:04:05.999999999 -0700 MST";

	if (format(b, t, layout, sizeof(layout) - 1) < 0)
		return -1;
	if (t->mono >= 0) {
		if (gitops_buf_printf(b, " m=+%" PRId64 ".%09" PRId64, t->mono / NS, t->mono % NS) < 0)
			return -1;
	}
	return gitops_buf_add(b, "", 0);
}

/* --- values --- */

static int set_field(struct gitops_tmpl_value *m, const char *k, struct gitops_tmpl_value *v)
{
	return v ? gitops_tmpl_map_set(m, k, strlen(k), v) : -1;
}

static int time_value(struct gitops_tmpl_value **out, const struct gtime *t, struct gitops_err *err)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_struct(TIME_TYPE);
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (!m || time_string(&b, t) < 0 || set_field(m, GITOPS_TMPL_STRINGER, gitops_tmpl_value_string(b.data, b.len)) < 0 ||
	    set_field(m, "sec()", gitops_tmpl_value_int64(t->sec)) < 0 ||
	    set_field(m, "nsec()", gitops_tmpl_value_int64(t->nsec)) < 0 ||
	    set_field(m, "mono()", gitops_tmpl_value_int64(t->mono)) < 0 ||
	    set_field(m, "loc()", gitops_tmpl_value_cstring(t->loc)) < 0 ||
	    set_field(m, "off()", gitops_tmpl_value_int64(t->off)) < 0 ||
	    set_field(m, "abbr()", gitops_tmpl_value_cstring(t->abbr)) < 0) {
		gitops_tmpl_value_unref(m);
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	gitops_buf_release(&b);
	*out = m;
	return 0;
}

static int64_t field_i(const struct gitops_tmpl_value *m, const char *k)
{
	return gitops_tmpl_value_int_of(gitops_tmpl_map_get(m, k, strlen(k)));
}

static void field_s(char *dst, size_t sz, const struct gitops_tmpl_value *m, const char *k)
{
	size_t len;
	const char *s = gitops_tmpl_value_str(gitops_tmpl_map_get(m, k, strlen(k)), &len);

	snprintf(dst, sz, "%.*s", s ? (int)len : 0, s ? s : "");
}

/* 1 and *t filled when v is a time.Time, else 0 */
static int time_of(struct gtime *t, const struct gitops_tmpl_value *v)
{
	if (gitops_tmpl_value_kind(v) != GITOPS_TMPL_MAP || strcmp(gitops_tmpl_value_type_name(v), TIME_TYPE))
		return 0;
	t->sec = field_i(v, "sec()");
	t->nsec = (int32_t)field_i(v, "nsec()");
	t->mono = field_i(v, "mono()");
	t->off = (int32_t)field_i(v, "off()");
	field_s(t->loc, sizeof(t->loc), v, "loc()");
	field_s(t->abbr, sizeof(t->abbr), v, "abbr()");
	return 1;
}

static void time_unix(struct gtime *t, int64_t sec, int32_t nsec)
{
	memset(t, 0, sizeof(*t));
	t->sec = sec;
	t->nsec = nsec;
	t->mono = -1;
	set_loc(t, "Local");
}

/* the process's monotonic clock since it started, as Go's m=+ reading counts */
static int64_t mono_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static void time_now(struct gtime *t)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	time_unix(t, ts.tv_sec, (int32_t)ts.tv_nsec);
	t->mono = mono_now();
}

/* t.Add(d) (keeps the monotonic reading) */
static void time_add(struct gtime *t, int64_t d)
{
	int64_t ns = t->nsec + d % NS;

	t->sec = wadd(t->sec, d / NS);
	if (ns >= NS) {
		t->sec++;
		ns -= NS;
	} else if (ns < 0) {
		t->sec--;
		ns += NS;
	}
	t->nsec = (int32_t)ns;
	if (t->mono >= 0)
		t->mono = wadd(t->mono, d);
	relocate(t);
}

/* --- durations --- */

/* time's quote() */
static int tquote(struct gitops_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (gitops_buf_add(b, "\"", 1) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || c < ' ') {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			if (gitops_buf_add(b, e, 4) < 0)
				return -1;
		} else if ((c == '"' || c == '\\') ? gitops_buf_add(b, "\\", 1) < 0 || gitops_buf_add(b, (char *)&c, 1) < 0
						   : gitops_buf_add(b, (char *)&c, 1) < 0) {
			return -1;
		}
	}
	return gitops_buf_add(b, "\"", 1) < 0 ? -1 : gitops_buf_add(b, "", 0);
}

static int dur_fail(struct gitops_err *err, const char *pre, const char *unit, size_t ulen, const char *s, size_t n)
{
	struct gitops_buf q = GITOPS_BUF_INIT, u = GITOPS_BUF_INIT;

	if (tquote(&q, s, n) < 0 || (unit && tquote(&u, unit, ulen) < 0)) {
		gitops_buf_release(&q);
		gitops_buf_release(&u);
		return gitops_err_oom(err);
	}
	if (unit)
		fn_fail(err, "time: unknown unit %s in duration %s", u.data, q.data);
	else
		fn_fail(err, "%s%s", pre, q.data);
	gitops_buf_release(&q);
	gitops_buf_release(&u);
	return -1;
}

/* time.ParseDuration */
static int parse_duration(int64_t *out, const char *s, size_t n, struct gitops_err *err)
{
	static const struct {
		const char *u;
		uint64_t ns;
	} units[] = { { "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 }, { "ms", 1000000 },
		      { "s", 1000000000ULL }, { "m", 60000000000ULL }, { "h", 3600000000000ULL } };
	const char *orig = s, *inv = "time: invalid duration ";
	size_t on = n, i;
	uint64_t d = 0;
	int neg = 0;

	if (n && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++, n--;
	}
	if (n == 1 && s[0] == '0') {
		*out = 0;
		return 0;
	}
	if (!n)
		return dur_fail(err, inv, NULL, 0, orig, on);
	while (n) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		size_t pl = n;
		int pre, post = 0, overflow = 0, found = 0;
		if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9')))
			return dur_fail(err, inv, NULL, 0, orig, on);
		while (n && s[0] >= '0' && s[0] <= '9') {
			if (v > (1ULL << 63) / 10)
				return dur_fail(err, inv, NULL, 0, orig, on);
			v = v * 10 + (uint64_t)(s[0] - '0');
			if (v > 1ULL << 63)
				return dur_fail(err, inv, NULL, 0, orig, on);
			s++, n--;
		}
		pre = pl != n;
		if (n && s[0] == '.') {
			s++, n--;
			pl = n;
			while (n && s[0] >= '0' && s[0] <= '9') {
				if (!overflow) {
					if (f > ((1ULL << 63) - 1) / 10) {
						overflow = 1;
					} else {
						uint64_t y = f * 10 + (uint64_t)(s[0] - '0');
						if (y > 1ULL << 63)
							overflow = 1;
						else {
							f = y;
							scale *= 10;
						}
					}
				}
				s++, n--;
			}
			post = pl != n;
		}
		if (!pre && !post)
			return dur_fail(err, inv, NULL, 0, orig, on);
		for (i = 0; i < n && !(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')); i++)
			;
		if (i == 0)
			return dur_fail(err, "time: missing unit in duration ", NULL, 0, orig, on);
		for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].u) == i && !memcmp(units[k].u, s, i)) {
				unit = units[k].ns;
				found = 1;
			}
		if (!found)
			return dur_fail(err, NULL, s, i, orig, on);
		s += i, n -= i;
		if (v > (1ULL << 63) / unit)
			return dur_fail(err, inv, NULL, 0, orig, on);
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > 1ULL << 63)
				return dur_fail(err, inv, NULL, 0, orig, on);
		}
		d += v;
		if (d > 1ULL << 63)
			return dur_fail(err, inv, NULL, 0, orig, on);
	}
	if (neg) {
		*out = (int64_t)(0 - d);
		return 0;
	}
	if (d > (1ULL << 63) - 1)
		return dur_fail(err, inv, NULL, 0, orig, on);
	*out = (int64_t)d;
	return 0;
}

/* fmtFrac: v's last prec digits as a fraction without trailing zeros, into buf ending at *w */
static uint64_t fmt_frac(char *buf, int *w, uint64_t v, int prec)
{
	int i, print = 0;

	for (i = 0; i < prec; i++) {
		int digit = (int)(v % 10);
		print = print || digit != 0;
		if (print)
			buf[--*w] = (char)('0' + digit);
		v /= 10;
	}
	if (print)
		buf[--*w] = '.';
	return v;
}

static void fmt_uint(char *buf, int *w, uint64_t v)
{
	if (v == 0) {
		buf[--*w] = '0';
		return;
	}
	while (v > 0) {
		buf[--*w] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Duration.String() */
static int duration_string(struct gitops_buf *b, int64_t d)
{
	char buf[40];
	int w = (int)sizeof(buf);
	uint64_t u = (uint64_t)d;
	int neg = d < 0;

	if (neg)
		u = 0 - u;
	if (u < (uint64_t)NS) {
		int prec;
		buf[--w] = 's';
		if (u == 0) {
			buf[--w] = '0';
			return gitops_buf_add(b, buf + w, sizeof(buf) - (size_t)w);
		} else if (u < 1000) {
			prec = 0;
			buf[--w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			buf[--w] = '\xb5';
			buf[--w] = '\xc2';
		} else {
			prec = 6;
			buf[--w] = 'm';
		}
		u = fmt_frac(buf, &w, u, prec);
		fmt_uint(buf, &w, u);
	} else {
		buf[--w] = 's';
		u = fmt_frac(buf, &w, u, 9);
		fmt_uint(buf, &w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			fmt_uint(buf, &w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				fmt_uint(buf, &w, u);
			}
		}
	}
	if (neg)
		buf[--w] = '-';
	return gitops_buf_add(b, buf + w, sizeof(buf) - (size_t)w);
}

static int ret_duration(struct gitops_tmpl_value **out, int64_t d, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	if (gitops_buf_add(&b, "", 0) < 0 || duration_string(&b, d) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

/* time.Since(t) in ns (wall clocks: no monotonic reading survives a template) */
static int64_t since(const struct gtime *t)
{
	struct gtime now;

	time_now(&now);
	if (t->mono >= 0 && now.mono >= 0)
		return now.mono - t->mono;
	return clamp_ns((i128)(now.sec - (i128)t->sec) * NS + (now.nsec - t->nsec));
}

/* --- parsing (time.Parse) --- */

struct perr {
	const char *msg;     /* ": month out of range" style, or NULL for cannot parse */
	const char *velem;   /* what could not be parsed */
	size_t vlen;
	const char *lelem;
	size_t llen;
};

static int getnum(const char *s, size_t n, int fixed, int *v, size_t *used)
{
	if (!n || s[0] < '0' || s[0] > '9')
		return -1;
	if (n < 2 || s[1] < '0' || s[1] > '9') {
		if (fixed)
			return -1;
		*v = s[0] - '0';
		*used = 1;
		return 0;
	}
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	*used = 2;
	return 0;
}

static int getnum3(const char *s, size_t n, int fixed, int *v, size_t *used)
{
	int x = 0;
	size_t i;

	for (i = 0; i < 3 && i < n && s[i] >= '0' && s[i] <= '9'; i++)
		x = x * 10 + (s[i] - '0');
	if (i == 0 || (fixed && i != 3))
		return -1;
	*v = x;
	*used = i;
	return 0;
}

static int lookup_name(const char *const *tab, size_t cnt, size_t len, const char *s, size_t n, int *idx,
		       size_t *used)
{
	size_t i, k;

	for (i = 0; i < cnt; i++) {
		size_t l = len ? len : strlen(tab[i]);
		if (n < l)
			continue;
		for (k = 0; k < l; k++) {
			char a = tab[i][k], b = s[k];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (char)(b + 32);
			if (a != b)
				break;
		}
		if (k == l) {
			*idx = (int)i;
			*used = l;
			return 0;
		}
	}
	return -1;
}

/* Go's parseTimeZone: how many bytes of s are a zone abbreviation, or 0 */
static size_t parse_tz_abbr(const char *s, size_t n)
{
	size_t k;

	if (n < 3)
		return 0;
	if (n >= 4 && (!memcmp(s, "ChST", 4) || !memcmp(s, "MeST", 4)))
		return 4;
	if (!memcmp(s, "GMT", 3)) {
		/* parseGMT: GMT followed by a signed hour offset */
		size_t i = 3;
		if (i < n && (s[i] == '+' || s[i] == '-')) {
			size_t j = i + 1;
			int x = 0;
			while (j < n && s[j] >= '0' && s[j] <= '9' && x < 100)
				x = x * 10 + (s[j++] - '0');
			if (j > i + 1 && x <= 23)
				return j;
		}
		return 3;
	}
	if (s[0] == '+' || s[0] == '-') {
		/* parseSignedOffset */
		size_t j = 1;
		int x = 0;
		while (j < n && s[j] >= '0' && s[j] <= '9' && x < 100)
			x = x * 10 + (s[j++] - '0');
		return j > 1 && x <= 23 ? j : 0;
	}
	for (k = 0; k < 6 && k < n && s[k] >= 'A' && s[k] <= 'Z'; k++)
		;
	switch (k) {
	case 0:
	case 1:
	case 2:
		return 0;
	case 5:
		return s[4] == 'T' ? 5 : 0;
	case 4:
		return s[3] == 'T' || !memcmp(s, "WITA", 4) ? 4 : 0;
	case 3:
		return 3;
	default:
		return 0;
	}
}

/* time.ParseInLocation(layout, value, Local); -1 with pe filled */
static int parse_time(struct gtime *t, const char *layout, size_t ln, const char *value, size_t vn,
		      struct perr *pe)
{
	int64_t year = 0;
	int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0, nsec = 0, pm_set = 0, pm = 0;
	int zone_off = -1, has_zone_off = 0, utc_lit = 0;
	char zone_name[16] = "";
	const char *l = layout, *v = value;
	size_t lr = ln, vr = vn;
	struct chunk ch;

	memset(pe, 0, sizeof(*pe));
	for (;;) {
		size_t used = 0, k;
		int x, bad = 0;
		const char *hold = v;
		size_t hold_n = vr;
		next_std(l, lr, &ch);
		/* the literal prefix must match (skipping spaces as Go's skip does) */
		{
			const char *p = l;
			size_t pn = ch.prefix;
			while (pn > 0) {
				if (p[0] == ' ') {
					if (vr > 0 && v[0] != ' ')
						goto cannot_lit;
					while (pn > 0 && p[0] == ' ')
						p++, pn--;
					while (vr > 0 && v[0] == ' ')
						v++, vr--;
					continue;
				}
				if (vr == 0 || v[0] != p[0])
					goto cannot_lit;
				p++, pn--;
				v++, vr--;
			}
		}
		if (ch.std == S_NONE) {
			if (vr != 0) {
				pe->msg = ": extra text: ";
				pe->velem = v;
				pe->vlen = vr;
				return -1;
			}
			break;
		}
		pe->lelem = l + ch.prefix;
		pe->llen = ch.len;
		l += ch.prefix + ch.len;
		lr -= ch.prefix + ch.len;
		hold = v;
		hold_n = vr;
		switch (ch.std) {
		case S_YEAR:
			if (vr < 2 || v[0] < '0' || v[0] > '9' || v[1] < '0' || v[1] > '9') {
				bad = 1;
				break;
			}
			x = (v[0] - '0') * 10 + (v[1] - '0');
			year = x >= 69 ? x + 1900 : x + 2000;
			used = 2;
			break;
		case S_LONG_YEAR:
			if (vr < 4 || !(v[0] >= '0' && v[0] <= '9')) {
				bad = 1;
				break;
			}
			for (k = 0, year = 0; k < 4; k++) {
				if (v[k] < '0' || v[k] > '9') {
					bad = 1;
					break;
				}
				year = year * 10 + (v[k] - '0');
			}
			used = 4;
			break;
		case S_MONTH:
			bad = lookup_name(long_month, 12, 3, v, vr, &month, &used) < 0;
			month++;
			break;
		case S_LONG_MONTH:
			bad = lookup_name(long_month, 12, 0, v, vr, &month, &used) < 0;
			month++;
			break;
		case S_NUM_MONTH:
		case S_ZERO_MONTH:
			bad = getnum(v, vr, ch.std == S_ZERO_MONTH, &month, &used) < 0;
			if (!bad && (month <= 0 || month > 12)) {
				pe->msg = ": month out of range";
				return -1;
			}
			break;
		case S_WEEKDAY:
			bad = lookup_name(long_day, 7, 3, v, vr, &x, &used) < 0;
			break;
		case S_LONG_WEEKDAY:
			bad = lookup_name(long_day, 7, 0, v, vr, &x, &used) < 0;
			break;
		case S_DAY:
		case S_UNDER_DAY:
		case S_ZERO_DAY:
			if (ch.std == S_UNDER_DAY && vr > 0 && v[0] == ' ')
				v++, vr--;
			bad = getnum(v, vr, ch.std == S_ZERO_DAY, &day, &used) < 0;
			break;
		case S_UNDER_YDAY:
		case S_ZERO_YDAY:
			for (k = 0; k < 2 && ch.std == S_UNDER_YDAY && vr > 0 && v[0] == ' '; k++)
				v++, vr--;
			bad = getnum3(v, vr, ch.std == S_ZERO_YDAY, &yday, &used) < 0;
			break;
		case S_HOUR:
			bad = getnum(v, vr, 0, &hour, &used) < 0;
			if (!bad && (hour < 0 || hour >= 24)) {
				pe->msg = ": hour out of range";
				return -1;
			}
			break;
		case S_HOUR12:
		case S_ZERO_HOUR12:
			bad = getnum(v, vr, ch.std == S_ZERO_HOUR12, &hour, &used) < 0;
			if (!bad && (hour < 0 || hour > 12)) {
				pe->msg = ": hour out of range";
				return -1;
			}
			break;
		case S_MINUTE:
		case S_ZERO_MINUTE:
			bad = getnum(v, vr, ch.std == S_ZERO_MINUTE, &min, &used) < 0;
			if (!bad && (min < 0 || min >= 60)) {
				pe->msg = ": minute out of range";
				return -1;
			}
			break;
		case S_SECOND:
		case S_ZERO_SECOND:
			bad = getnum(v, vr, ch.std == S_ZERO_SECOND, &sec, &used) < 0;
			if (!bad && (sec < 0 || sec >= 60)) {
				pe->msg = ": second out of range";
				return -1;
			}
			if (!bad && vr >= used + 2 && (v[used] == '.' || v[used] == ',') && v[used + 1] >= '0' &&
			    v[used + 1] <= '9') {
				/* a fraction the layout does not name: taken unless the layout's next element is one */
				struct chunk nx;
				next_std(l, lr, &nx);
				if (!(nx.std == S_FRAC0 || nx.std == S_FRAC9)) {
					size_t j = used + 1;
					int64_t f = 0, digits = 0;
					while (j < vr && v[j] >= '0' && v[j] <= '9') {
						if (digits < 9) {
							f = f * 10 + (v[j] - '0');
							digits++;
						}
						j++;
					}
					while (digits < 9) {
						f *= 10;
						digits++;
					}
					nsec = (int)f;
					used = j;
				}
			}
			break;
		case S_PM:
		case S_pm:
			if (vr < 2) {
				bad = 1;
				break;
			}
			if ((ch.std == S_PM && !memcmp(v, "PM", 2)) || (ch.std == S_pm && !memcmp(v, "pm", 2)))
				pm = 1;
			else if (!((ch.std == S_PM && !memcmp(v, "AM", 2)) || (ch.std == S_pm && !memcmp(v, "am", 2))))
				bad = 1;
			pm_set = 1;
			used = 2;
			break;
		case S_ISO_TZ:
		case S_ISO_SEC_TZ:
		case S_ISO_SHORT_TZ:
		case S_ISO_COLON_TZ:
		case S_ISO_COLON_SEC_TZ:
			if (vr >= 1 && v[0] == 'Z') {
				used = 1;
				snprintf(zone_name, sizeof(zone_name), "UTC");
				zone_off = 0;
				has_zone_off = 2; /* time.UTC */
				break;
			}
			/* fall through */
		case S_NUM_TZ:
		case S_NUM_SEC_TZ:
		case S_NUM_SHORT_TZ:
		case S_NUM_COLON_TZ:
		case S_NUM_COLON_SEC_TZ: {
			int hh, mm = 0, ss = 0, colon = ch.std == S_ISO_COLON_TZ || ch.std == S_NUM_COLON_TZ ||
							   ch.std == S_ISO_COLON_SEC_TZ || ch.std == S_NUM_COLON_SEC_TZ;
			int secs = ch.std == S_ISO_SEC_TZ || ch.std == S_NUM_SEC_TZ || ch.std == S_ISO_COLON_SEC_TZ ||
				   ch.std == S_NUM_COLON_SEC_TZ;
			int shrt = ch.std == S_ISO_SHORT_TZ || ch.std == S_NUM_SHORT_TZ;
			size_t need = 3 + (shrt ? 0 : 2 + colon) + (secs ? 2 + colon : 0), j = 3;
			if (vr < need || (v[0] != '+' && v[0] != '-')) {
				bad = 1;
				break;
			}
			if (getnum(v + 1, 2, 1, &hh, &k) < 0) {
				bad = 1;
				break;
			}
			if (!shrt) {
				if (colon && v[j++] != ':') {
					bad = 1;
					break;
				}
				if (getnum(v + j, 2, 1, &mm, &k) < 0) {
					bad = 1;
					break;
				}
				j += 2;
			}
			if (secs) {
				if (colon && v[j++] != ':') {
					bad = 1;
					break;
				}
				if (getnum(v + j, 2, 1, &ss, &k) < 0) {
					bad = 1;
					break;
				}
				j += 2;
			}
			if (ss > 60)
				pe->msg = ": time zone offset second out of range";
			if (mm > 60)
				pe->msg = ": time zone offset minute out of range";
			if (hh > 24)
				pe->msg = ": time zone offset hour out of range";
			if (pe->msg)
				return -1;
			zone_off = (hh * 60 + mm) * 60 + ss;
			if (v[0] == '-')
				zone_off = -zone_off;
			has_zone_off = 1;
			used = j;
			break;
		}
		case S_TZ:
			if (vr >= 3 && !memcmp(v, "UTC", 3)) {
				snprintf(zone_name, sizeof(zone_name), "UTC");
				utc_lit = 1;
				used = 3;
				break;
			}
			used = parse_tz_abbr(v, vr);
			if (!used) {
				bad = 1;
				break;
			}
			snprintf(zone_name, sizeof(zone_name), "%.*s", (int)used, v);
			break;
		case S_FRAC0:
		case S_FRAC9: {
			size_t nd = (size_t)ch.digits, j;
			int64_t f = 0, digits = 0;
			if (ch.std == S_FRAC0) {
				if (vr < nd + 1 || (v[0] != '.' && v[0] != ',')) {
					bad = 1;
					break;
				}
				for (j = 1; j <= nd; j++)
					if (v[j] < '0' || v[j] > '9')
						bad = 1;
				if (bad)
					break;
				used = nd + 1;
			} else {
				if (vr < 2 || (v[0] != '.' && v[0] != ',') || v[1] < '0' || v[1] > '9')
					break; /* fractional second omitted: fine */
				for (j = 1; j < vr && v[j] >= '0' && v[j] <= '9'; j++)
					;
				used = j;
			}
			for (j = 1; j < used; j++)
				if (digits < 9) {
					f = f * 10 + (v[j] - '0');
					digits++;
				}
			while (digits < 9) {
				f *= 10;
				digits++;
			}
			nsec = (int)f;
			break;
		}
		case S_NONE:
			break;
		}
		if (bad) {
			pe->velem = hold;
			pe->vlen = hold_n;
			return -1;
		}
		v += used;
		vr -= used;
		continue;
cannot_lit:
		pe->lelem = l;
		pe->llen = ch.prefix;
		pe->velem = v;
		pe->vlen = vr;
		/* Go reports the prefix it could not match */
		return -1;
	}
	if (pm_set) {
		if (pm && hour < 12)
			hour += 12;
		else if (!pm && hour == 12)
			hour = 0;
	}
	if (yday >= 0) {
		int m = 1, d = yday;
		if (yday < 1 || yday > 365 + gitops_is_leap(year)) {
			pe->msg = ": day-of-year out of range";
			return -1;
		}
		while (d > gitops_month_days(year, m)) {
			d -= gitops_month_days(year, m);
			m++;
		}
		if (month >= 0 && month != m) {
			pe->msg = ": day-of-year does not match month";
			return -1;
		}
		if (day >= 0 && day != d) {
			pe->msg = ": day-of-year does not match day";
			return -1;
		}
		month = m;
		day = d;
	} else {
		if (month < 0)
			month = 1;
		if (day < 0)
			day = 1;
	}
	if (day < 1 || day > gitops_month_days(year, month)) {
		pe->msg = ": day out of range";
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->mono = -1;
	t->nsec = nsec;
	t->sec = gitops_days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
	if (has_zone_off == 2 || (!has_zone_off && !strcmp(zone_name, "UTC") && utc_lit)) {
		set_loc(t, "UTC");
		return 0;
	}
	if (has_zone_off) {
		t->sec -= zone_off;
		if (zone_off == 0 && (!zone_name[0] || !strcmp(zone_name, "UTC"))) {
			/* the local zone (UTC) has this offset and name: the time is Local */
			set_loc(t, "Local");
		} else {
			t->loc[0] = 0;
			t->off = zone_off;
			snprintf(t->abbr, sizeof(t->abbr), "%s", zone_name);
		}
		return 0;
	}
	if (zone_name[0]) {
		if (!strcmp(zone_name, "UTC")) {
			set_loc(t, "Local");
			return 0;
		}
		/* an abbreviation Local (UTC) does not know: a fixed zone of that name, the clock read as UTC */
		t->loc[0] = 0;
		t->off = 0;
		if (strlen(zone_name) > 3 && !memcmp(zone_name, "GMT", 3))
			t->off = atoi(zone_name + 3) * 3600;
		t->mono = -1;
		snprintf(t->abbr, sizeof(t->abbr), "%s", zone_name);
		return 0;
	}
	set_loc(t, "Local");
	return 0;
}

static int parse_fail(struct gitops_err *err, const struct perr *pe, const char *layout, size_t ln,
		      const char *value, size_t vn)
{
	struct gitops_buf q = GITOPS_BUF_INIT, b = GITOPS_BUF_INIT;
	int r = -1;

	if (tquote(&q, value, vn) < 0)
		goto oom;
	if (pe->msg && pe->velem) {
		/* extra text */
		if (tquote(&b, pe->velem, pe->vlen) < 0)
			goto oom;
		fn_fail(err, "parsing time %s%s%s", q.data, pe->msg, b.data);
	} else if (pe->msg) {
		fn_fail(err, "parsing time %s%s", q.data, pe->msg);
	} else {
		struct gitops_buf ql = GITOPS_BUF_INIT, qv = GITOPS_BUF_INIT, qe = GITOPS_BUF_INIT;
		if (tquote(&ql, layout, ln) < 0 || tquote(&qv, pe->velem, pe->vlen) < 0 ||
		    tquote(&qe, pe->lelem, pe->llen) < 0) {
			gitops_buf_release(&ql);
			gitops_buf_release(&qv);
			gitops_buf_release(&qe);
			goto oom;
		}
		fn_fail(err, "parsing time %s as %s: cannot parse %s as %s", q.data, ql.data, qv.data, qe.data);
		gitops_buf_release(&ql);
		gitops_buf_release(&qv);
		gitops_buf_release(&qe);
	}
	goto done;
oom:
	gitops_err_oom(err);
done:
	gitops_buf_release(&q);
	gitops_buf_release(&b);
	return r;
}

/* --- the functions --- */

static int to_date(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int must,
		   struct gitops_err *err)
{
	struct gtime t;
	struct perr pe;
	size_t ln, vn;
	const char *l = fn_str(args[0], &ln), *v = fn_str(args[1], &vn);

	if (parse_time(&t, l, ln, v, vn, &pe) < 0) {
		if (must)
			return parse_fail(err, &pe, l, ln, v, vn);
		/* the zero time.Time */
		memset(&t, 0, sizeof(t));
		t.sec = -62135596800LL;
		t.mono = -1;
		snprintf(t.loc, sizeof(t.loc), "UTC");
		snprintf(t.abbr, sizeof(t.abbr), "UTC");
	}
	return time_value(out, &t, err);
}

FN(f_to_date)
{
	(void)call, (void)n;
	return to_date(out, args, 0, err);
}

FN(f_must_to_date)
{
	(void)call, (void)n;
	return to_date(out, args, 1, err);
}

FN(f_now)
{
	struct gtime t;

	(void)call, (void)n, (void)args;
	time_now(&t);
	return time_value(out, &t, err);
}

/* dateInZone's switch: a time.Time, an int, int64 (or int32) epoch; anything else is now */
static void date_arg(struct gtime *t, const struct gitops_tmpl_value *v)
{
	if (time_of(t, v))
		return;
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_INT || gitops_tmpl_value_kind(v) == GITOPS_TMPL_INT64)
		time_unix(t, gitops_tmpl_value_int_of(v), 0);
	else
		time_now(t);
}

static int date_in_zone(struct gitops_tmpl_value **out, const char *layout, size_t ln, struct gitops_tmpl_value *date,
			const char *zone, size_t zn, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gtime t;
	char name[64];
	int32_t off;
	char abbr[16];

	date_arg(&t, date);
	snprintf(name, sizeof(name), "%.*s", (int)zn, zone);
	if (zn >= sizeof(name) || memchr(zone, 0, zn) || zone_lookup(name, t.sec, &off, abbr, sizeof(abbr)) < 0)
		snprintf(name, sizeof(name), "UTC");
	set_loc(&t, name);
	if (gitops_buf_add(&b, "", 0) < 0 || format(&b, &t, layout, ln) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(f_date)
{
	size_t ln;
	const char *l = fn_str(args[0], &ln);

	(void)call, (void)n;
	return date_in_zone(out, l, ln, args[1], "Local", 5, err);
}

FN(f_date_in_zone)
{
	size_t ln, zn;
	const char *l = fn_str(args[0], &ln), *z = fn_str(args[2], &zn);

	(void)call, (void)n;
	return date_in_zone(out, l, ln, args[1], z, zn, err);
}

FN(f_html_date)
{
	(void)call, (void)n;
	return date_in_zone(out, "2006-01-02", 10, args[0], "Local", 5, err);
}

FN(f_html_date_in_zone)
{
	size_t zn;
	const char *z = fn_str(args[1], &zn);

	(void)call, (void)n;
	return date_in_zone(out, "2006-01-02", 10, args[0], z, zn, err);
}

int fn_time_marshal(struct gitops_buf *b, const struct gitops_tmpl_value *v, int json, struct gitops_err *err)
{
	const char *layout = "2006-01-02T15:04:05.999999999Z07:00";
	struct gtime t;
	struct civil c;

	if (!time_of(&t, v))
		return fn_fail(err, "not a time.Time");
	to_civil(&t, &c);
	if (json == 1 && (c.year < 0 || c.year > 9999))
		return fn_fail(err, "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]");
	if (json == 2 && !t.loc[0] && t.off == 0) {
		/* BurntSushi's local kinds, written without what they lack */
		if (!strcmp(t.abbr, "datetime-local"))
			layout = "2006-01-02T15:04:05.999999999";
		else if (!strcmp(t.abbr, "date-local"))
			layout = "2006-01-02";
		else if (!strcmp(t.abbr, "time-local"))
			layout = "15:04:05.999999999";
	}
	if (format(b, &t, layout, strlen(layout)) < 0 || gitops_buf_add(b, "", 0) < 0)
		return gitops_err_oom(err);
	return 0;
}


int fn_time_parse(struct gitops_tmpl_value **out, const char *s, size_t n, const char *fixed, struct gitops_err *err)
{
	static const char layout[] = "2006-01-02T15:04:05.999999999Z07:00";
	struct gtime t;
	struct perr pe;

	if (parse_time(&t, layout, sizeof(layout) - 1, s, n, &pe) < 0)
		return parse_fail(err, &pe, layout, sizeof(layout) - 1, s, n);
	if (fixed) {
		/* the wall clock in a fixed zone of that name, offset 0 */
		t.loc[0] = '\0';
		t.off = 0;
		snprintf(t.abbr, sizeof(t.abbr), "%s", fixed);
	}
	return time_value(out, &t, err);
}

static int need_time(struct gtime *t, struct gitops_tmpl_value *v, struct gitops_err *err)
{
	if (time_of(t, v))
		return 0;
	if (gitops_tmpl_value_kind(v) == GITOPS_TMPL_NIL)
		return fn_fail(err, "invalid value; expected time.Time");
	return fn_fail(err, "wrong type for value; expected time.Time; got %s", gitops_tmpl_value_type_name(v));
}

static int date_modify(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int must,
		       struct gitops_err *err)
{
	struct gtime t;
	struct gitops_err e = GITOPS_ERR_INIT;
	size_t dn;
	const char *d = fn_str(args[0], &dn);
	int64_t dur;

	if (need_time(&t, args[1], err) < 0)
		return -1;
	if (parse_duration(&dur, d, dn, &e) < 0) {
		if (e.code == GITOPS_EXIT_INTERNAL)
			return gitops_err_oom(err);
		if (must)
			return fn_fail(err, "%s", e.msg);
		*out = gitops_tmpl_value_ref(args[1]);
		return 0;
	}
	time_add(&t, dur);
	return time_value(out, &t, err);
}

FN(f_date_modify)
{
	(void)call, (void)n;
	return date_modify(out, args, 0, err);
}

FN(f_must_date_modify)
{
	(void)call, (void)n;
	return date_modify(out, args, 1, err);
}

FN(f_ago)
{
	struct gtime t;
	int64_t d, r, m = NS;

	(void)call, (void)n;
	if (!time_of(&t, args[0])) {
		if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_INT || gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_INT64)
			time_unix(&t, gitops_tmpl_value_int_of(args[0]), 0);
		else
			time_now(&t);
	}
	d = since(&t);
	/* Duration.Round(time.Second) */
	r = d % m;
	if (d < 0) {
		r = -r;
		d = (uint64_t)r + (uint64_t)r < (uint64_t)m ? d + r : clamp_ns((i128)d - m + r);
	} else {
		d = (uint64_t)r + (uint64_t)r < (uint64_t)m ? d - r : clamp_ns((i128)d + m - r);
	}
	return ret_duration(out, d, err);
}

FN(f_duration)
{
	int64_t sec = 0;
	size_t len;
	const char *s;

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_STRING) {
		s = fn_str(args[0], &len);
		/* strconv.ParseInt(s, 10, 64): errors give 0 (a range error the nearest int64) */
		{
			size_t i = 0;
			int neg = 0, ok = len > 0;
			uint64_t u = 0, lim;
			if (len && (s[0] == '+' || s[0] == '-')) {
				neg = s[0] == '-';
				i = 1;
				ok = len > 1;
			}
			lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
			for (; ok && i < len; i++) {
				if (s[i] < '0' || s[i] > '9') {
					ok = 0;
					break;
				}
				if (u > (lim - (uint64_t)(s[i] - '0')) / 10)
					u = lim + 1;
				else
					u = u * 10 + (uint64_t)(s[i] - '0');
			}
			if (ok)
				sec = u > lim ? (neg ? INT64_MIN : INT64_MAX) : neg ? (int64_t)(0 - u) : (int64_t)u;
		}
	} else if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_INT64) {
		sec = gitops_tmpl_value_int_of(args[0]);
	}
	/* time.Duration(n) * time.Second, wrapping as Go's int64 does */
	return ret_duration(out, (int64_t)((uint64_t)sec * (uint64_t)NS), err);
}

FN(f_duration_round)
{
	int64_t d = 0;
	uint64_t u;
	struct gtime t;
	struct gitops_err e = GITOPS_ERR_INIT;
	size_t len;
	const char *s;
	char buf[32];
	static const struct {
		uint64_t ns;
		const char *unit;
	} steps[] = { { 3600ULL * 24 * 365 * NS, "y" }, { 3600ULL * 24 * 30 * NS, "mo" }, { 3600ULL * 24 * NS, "d" },
		      { 3600ULL * NS, "h" }, { 60ULL * NS, "m" }, { (uint64_t)NS, "s" } };
	size_t i;

	(void)call, (void)n;
	if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_STRING) {
		s = fn_str(args[0], &len);
		if (parse_duration(&d, s, len, &e) < 0) {
			if (e.code == GITOPS_EXIT_INTERNAL)
				return gitops_err_oom(err);
			d = 0;
		}
	} else if (gitops_tmpl_value_kind(args[0]) == GITOPS_TMPL_INT64) {
		d = gitops_tmpl_value_int_of(args[0]);
	} else if (time_of(&t, args[0])) {
		d = since(&t);
	}
	u = (uint64_t)d;
	if (d < 0)
		u = 0 - u;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (u > steps[i].ns) {
			snprintf(buf, sizeof(buf), "%" PRIu64 "%s", u / steps[i].ns, steps[i].unit);
			return fn_ret_str(out, buf, strlen(buf), err);
		}
	return fn_ret_str(out, "0s", 2, err);
}

FN(f_unix_epoch)
{
	struct gtime t;
	char buf[32];

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%" PRId64, t.sec);
	return fn_ret_str(out, buf, strlen(buf), err);
}

/* --- time.Time's methods --- */

#define METHOD_INT(name, expr)                          \
	FN(name)                                        \
	{                                               \
		struct gtime t;                         \
		struct civil c;                         \
		(void)call, (void)n;                    \
		if (need_time(&t, args[0], err) < 0)    \
			return -1;                      \
		to_civil(&t, &c);                       \
		(void)c;                                \
		*out = gitops_tmpl_value_int(expr);     \
		return *out ? 0 : gitops_err_oom(err);  \
	}
METHOD_INT(m_year, c.year)
METHOD_INT(m_day, c.day)
METHOD_INT(m_hour, c.hour)
METHOD_INT(m_minute, c.min)
METHOD_INT(m_second, c.sec)
METHOD_INT(m_nanosecond, t.nsec)
METHOD_INT(m_yday, c.yday)

#define METHOD_INT64(name, expr)                        \
	FN(name)                                        \
	{                                               \
		struct gtime t;                         \
		(void)call, (void)n;                    \
		if (need_time(&t, args[0], err) < 0)    \
			return -1;                      \
		*out = gitops_tmpl_value_int64(expr);   \
		return *out ? 0 : gitops_err_oom(err);  \
	}
METHOD_INT64(m_unix, t.sec)
METHOD_INT64(m_unix_milli, wadd(wmul(t.sec, 1000), t.nsec / 1000000))
METHOD_INT64(m_unix_nano, wadd(wmul(t.sec, NS), t.nsec))

/* a value of a named Go type with a String() method (time.Month, time.Weekday, time.Duration) */
static int ret_named_int(struct gitops_tmpl_value **out, const char *type, const char *s, size_t len, int64_t num,
			 int is_int, struct gitops_err *err)
{
	struct gitops_tmpl_value *m = gitops_tmpl_value_struct(type);

	if (!m || set_field(m, GITOPS_TMPL_STRINGER, gitops_tmpl_value_string(s, len)) < 0 ||
	    (is_int && set_field(m, GITOPS_TMPL_INTEGER, gitops_tmpl_value_int64(num)) < 0)) {
		gitops_tmpl_value_unref(m);
		return gitops_err_oom(err);
	}
	*out = m;
	return 0;
}

static int ret_named(struct gitops_tmpl_value **out, const char *type, const char *s, size_t len,
		     struct gitops_err *err)
{
	return ret_named_int(out, type, s, len, 0, 0, err);
}

FN(m_month)
{
	struct gtime t;
	struct civil c;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	to_civil(&t, &c);
	return ret_named_int(out, "time.Month", long_month[c.month - 1], strlen(long_month[c.month - 1]), c.month, 1, err);
}

FN(m_weekday)
{
	struct gtime t;
	struct civil c;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	to_civil(&t, &c);
	return ret_named_int(out, "time.Weekday", long_day[c.wday], strlen(long_day[c.wday]), c.wday, 1, err);
}

FN(m_format)
{
	struct gtime t;
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t ln;
	const char *l = fn_str(args[1], &ln);

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	if (gitops_buf_add(&b, "", 0) < 0 || format(&b, &t, l, ln) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(m_string)
{
	struct gtime t;
	struct gitops_buf b = GITOPS_BUF_INIT;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	if (time_string(&b, &t) < 0) {
		gitops_buf_release(&b);
		return gitops_err_oom(err);
	}
	return fn_ret_buf(out, &b, err);
}

FN(m_add)
{
	struct gtime t;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	time_add(&t, gitops_tmpl_value_int_of(args[1]));
	return time_value(out, &t, err);
}

/* Truncate (round 0) and Round (round 1): to a multiple of d since the zero time, monotonic reading dropped */
static int trunc_round(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int round,
		       struct gitops_err *err)
{
	struct gtime t;
	int64_t d = gitops_tmpl_value_int_of(args[1]);

	if (need_time(&t, args[0], err) < 0)
		return -1;
	t.mono = -1;
	if (d > 0) {
		i128 abs = ((i128)t.sec + 62135596800LL) * NS + t.nsec, r = abs % d;
		if (r < 0)
			r += d;
		if (!round || (uint64_t)r + (uint64_t)r < (uint64_t)d)
			time_add(&t, -(int64_t)r);
		else
			time_add(&t, d - (int64_t)r);
	}
	return time_value(out, &t, err);
}

FN(m_truncate)
{
	(void)call, (void)n;
	return trunc_round(out, args, 0, err);
}

FN(m_round)
{
	(void)call, (void)n;
	return trunc_round(out, args, 1, err);
}

FN(m_add_date)
{
	struct gtime t;
	struct civil c;
	int64_t y, days, mo;
	int m;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	to_civil(&t, &c);
	y = wadd(c.year, gitops_tmpl_value_int_of(args[1]));
	mo = wadd(c.month - 1, gitops_tmpl_value_int_of(args[2]));
	y = wadd(y, gitops_floordiv(mo, 12));
	m = (int)(((mo % 12) + 12) % 12) + 1;
	/* time.Date normalises an overflowing day into the next month */
	days = wadd(wadd(gitops_days_from_civil(y, m, 1), c.day - 1), gitops_tmpl_value_int_of(args[3]));
	t.sec = wadd(wmul(days, 86400), c.hour * 3600 + c.min * 60 + c.sec - t.off);
	relocate(&t);
	return time_value(out, &t, err);
}

FN(m_utc)
{
	struct gtime t;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	set_loc(&t, "UTC");
	return time_value(out, &t, err);
}

FN(m_local)
{
	struct gtime t;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	set_loc(&t, "Local");
	return time_value(out, &t, err);
}

/* Location(): a *time.Location printing as its name ("UTC", "Local", a zone's, "" for a fixed zone) */
FN(m_location)
{
	struct gtime t;
	const char *name;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	name = t.loc[0] || !t.abbr[0] ? t.loc : t.abbr;
	return ret_named(out, "*time.Location", name, strlen(name), err);
}

FN(m_is_zero)
{
	struct gtime t;

	(void)call, (void)n;
	if (need_time(&t, args[0], err) < 0)
		return -1;
	*out = gitops_tmpl_value_bool(t.sec == -62135596800LL && t.nsec == 0);
	return *out ? 0 : gitops_err_oom(err);
}

static int cmp_times(struct gitops_tmpl_value **out, struct gitops_tmpl_value *const *args, int what,
		     struct gitops_err *err)
{
	struct gtime a, b;
	int d;

	if (need_time(&a, args[0], err) < 0 || need_time(&b, args[1], err) < 0)
		return -1;
	if (what == 3) {
		struct gitops_buf s = GITOPS_BUF_INIT;
		int r;
		int64_t ns = clamp_ns(((i128)a.sec - b.sec) * NS + (a.nsec - b.nsec));
		if (duration_string(&s, ns) < 0) {
			gitops_buf_release(&s);
			return gitops_err_oom(err);
		}
		r = ret_named_int(out, "time.Duration", s.data, s.len, ns, 1, err);
		gitops_buf_release(&s);
		return r;
	}
	d = a.sec < b.sec ? -1 : a.sec > b.sec ? 1 : a.nsec < b.nsec ? -1 : a.nsec > b.nsec;
	*out = gitops_tmpl_value_bool(what == 0 ? d < 0 : what == 1 ? d > 0 : d == 0);
	return *out ? 0 : gitops_err_oom(err);
}

FN(m_before)
{
	(void)call, (void)n;
	return cmp_times(out, args, 0, err);
}

FN(m_after)
{
	(void)call, (void)n;
	return cmp_times(out, args, 1, err);
}

FN(m_equal)
{
	(void)call, (void)n;
	return cmp_times(out, args, 2, err);
}

FN(m_sub)
{
	(void)call, (void)n;
	return cmp_times(out, args, 3, err);
}

#define S GITOPS_TMPL_P_STRING
#define A GITOPS_TMPL_P_ANY
#define T TIME_TYPE
const struct gitops_tmpl_func gitops_tmpl_funcs_dates[] = {
	{ "now", f_now, 0, 0, { 0 }, NULL },
	{ "ago", f_ago, 1, 0, { A }, NULL },
	{ "date", f_date, 2, 0, { S, A }, NULL },
	{ "dateInZone", f_date_in_zone, 3, 0, { S, A, S }, NULL },
	{ "date_in_zone", f_date_in_zone, 3, 0, { S, A, S }, NULL },
	{ "dateModify", f_date_modify, 2, 0, { S, GITOPS_TMPL_P_TIME }, NULL },
	{ "date_modify", f_date_modify, 2, 0, { S, GITOPS_TMPL_P_TIME }, NULL },
	{ "mustDateModify", f_must_date_modify, 2, 0, { S, GITOPS_TMPL_P_TIME }, NULL },
	{ "must_date_modify", f_must_date_modify, 2, 0, { S, GITOPS_TMPL_P_TIME }, NULL },
	{ "duration", f_duration, 1, 0, { A }, NULL },
	{ "durationRound", f_duration_round, 1, 0, { A }, NULL },
	{ "htmlDate", f_html_date, 1, 0, { A }, NULL },
	{ "htmlDateInZone", f_html_date_in_zone, 2, 0, { A, S }, NULL },
	{ "toDate", f_to_date, 2, 0, { S, S }, NULL },
	{ "mustToDate", f_must_to_date, 2, 0, { S, S }, NULL },
	{ "unixEpoch", f_unix_epoch, 1, 0, { GITOPS_TMPL_P_TIME }, NULL },
	{ "Year", m_year, 0, 0, { 0 }, T },
	{ "Month", m_month, 0, 0, { 0 }, T },
	{ "Day", m_day, 0, 0, { 0 }, T },
	{ "Hour", m_hour, 0, 0, { 0 }, T },
	{ "Minute", m_minute, 0, 0, { 0 }, T },
	{ "Second", m_second, 0, 0, { 0 }, T },
	{ "Nanosecond", m_nanosecond, 0, 0, { 0 }, T },
	{ "Weekday", m_weekday, 0, 0, { 0 }, T },
	{ "YearDay", m_yday, 0, 0, { 0 }, T },
	{ "Unix", m_unix, 0, 0, { 0 }, T },
	{ "UnixMilli", m_unix_milli, 0, 0, { 0 }, T },
	{ "UnixNano", m_unix_nano, 0, 0, { 0 }, T },
	{ "Format", m_format, 1, 0, { S }, T },
	{ "String", m_string, 0, 0, { 0 }, T },
	{ "Add", m_add, 1, 0, { GITOPS_TMPL_P_INT64 }, T },
	{ "AddDate", m_add_date, 3, 0, { GITOPS_TMPL_P_INT, GITOPS_TMPL_P_INT, GITOPS_TMPL_P_INT }, T },
	{ "UTC", m_utc, 0, 0, { 0 }, T },
	{ "Local", m_local, 0, 0, { 0 }, T },
	{ "IsZero", m_is_zero, 0, 0, { 0 }, T },
	{ "Location", m_location, 0, 0, { 0 }, T },
	{ "Truncate", m_truncate, 1, 0, { GITOPS_TMPL_P_INT64 }, T },
	{ "Round", m_round, 1, 0, { GITOPS_TMPL_P_INT64 }, T },
	{ "Before", m_before, 1, 0, { GITOPS_TMPL_P_TIME }, T },
	{ "After", m_after, 1, 0, { GITOPS_TMPL_P_TIME }, T },
	{ "Equal", m_equal, 1, 0, { GITOPS_TMPL_P_TIME }, T },
	{ "Sub", m_sub, 1, 0, { GITOPS_TMPL_P_TIME }, T },
};
const size_t gitops_tmpl_funcs_dates_n = sizeof(gitops_tmpl_funcs_dates) / sizeof(gitops_tmpl_funcs_dates[0]);
