/* window.c: Argo CD's sync windows: robfig/cron schedules, Go durations, gobwas globs, zones (lib/base/time). */
#include "lib/ops/window.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/base/time.h"

/* ---------- zones (lib/base/time), with the names a window may give ---------- */

static int zone_name_ok(const char *name)
{
	const char *p;

	if (*name == '/' || strlen(name) > 255)
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	/* no ".." or "." components: '.' is not allowed at all */
	return 1;
}

static int zone_load(struct gitops_zone **out, const char *name, struct gitops_err *err)
{
	if (!strcmp(name, "Etc/UTC"))
		name = "UTC";
	if (!zone_name_ok(name))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "unknown time zone \"%s\"", name);
	return gitops_zone_load(out, name, err);
}

/* ---------- cron schedules as robfig/cron v3 parses them (5 fields) ---------- */

struct cron {
	uint64_t minute, hour, dom, month, dow;
	int dom_star, dow_star;
};

struct bounds {
	unsigned min, max;
	const char *const *names;    /* lower-case, index = value - names_base */
	unsigned names_base;
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static int cron_int(unsigned *out, const char *s, size_t n, const struct bounds *b, struct gitops_buf *msg)
{
	char tmp[32];
	unsigned long v = 0;
	size_t i = 0;

	if (n >= sizeof(tmp)) {
		gitops_buf_printf(msg, "failed to parse int from %.*s: value out of range", (int)n, s);
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = 0;
	if (b && b->names) {
		for (size_t k = 0; b->names[k]; k++)
			if (!strcasecmp(tmp, b->names[k])) {
				*out = (unsigned)k + b->names_base;
				return 0;
			}
	}
	if (tmp[0] == '+' || tmp[0] == '-')
		i = 1;
	if (!tmp[i]) {
		gitops_buf_printf(msg, "failed to parse int from %s: invalid syntax", tmp);
		return -1;
	}
	for (; tmp[i]; i++) {
		if (!isdigit((unsigned char)tmp[i])) {
			gitops_buf_printf(msg, "failed to parse int from %s: invalid syntax", tmp);
			return -1;
		}
		v = v * 10 + (unsigned long)(tmp[i] - '0');
		if (v > 1000000) {
			gitops_buf_printf(msg, "failed to parse int from %s: value out of range", tmp);
			return -1;
		}
	}
	if (tmp[0] == '-' && v) {
		gitops_buf_printf(msg, "negative number (-%lu) not allowed: %s", v, tmp);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int cron_range(uint64_t *bits, int *star, const char *expr, size_t len, const struct bounds *b, struct gitops_buf *msg)
{
	const char *slash = memchr(expr, '/', len), *rng_end = slash ? slash : expr + len;
	const char *dash = memchr(expr, '-', (size_t)(rng_end - expr));
	unsigned start, end, step = 1;
	int extra = 0;

	if (slash && memchr(slash + 1, '/', (size_t)(expr + len - slash - 1))) {
		gitops_buf_printf(msg, "too many slashes: %.*s", (int)len, expr);
		return -1;
	}
	/* the low end is "*" or "?" when it is exactly that (robfig ignores a high end after it) */
	if ((size_t)((dash ? dash : rng_end) - expr) == 1 && (*expr == '*' || *expr == '?')) {
		start = b->min;
		end = b->max;
		extra = 1;
	} else {
		if (cron_int(&start, expr, (size_t)((dash ? dash : rng_end) - expr), b, msg) < 0)
			return -1;
		end = start;
		if (dash) {
			if (memchr(dash + 1, '-', (size_t)(rng_end - dash - 1))) {
				gitops_buf_printf(msg, "too many hyphens: %.*s", (int)len, expr);
				return -1;
			}
			if (cron_int(&end, dash + 1, (size_t)(rng_end - dash - 1), b, msg) < 0)
				return -1;
		}
	}
	if (slash) {
		if (cron_int(&step, slash + 1, (size_t)(expr + len - slash - 1), NULL, msg) < 0)
			return -1;
		if (!dash)
			end = b->max;
		if (step > 1)
			extra = 0;
	}
	if (start < b->min) {
		gitops_buf_printf(msg, "beginning of range (%u) below minimum (%u): %.*s", start, b->min, (int)len, expr);
		return -1;
	}
	if (end > b->max) {
		gitops_buf_printf(msg, "end of range (%u) above maximum (%u): %.*s", end, b->max, (int)len, expr);
		return -1;
	}
	if (start > end) {
		gitops_buf_printf(msg, "beginning of range (%u) beyond end of range (%u): %.*s", start, end, (int)len, expr);
		return -1;
	}
	if (step == 0) {
		gitops_buf_printf(msg, "step of range should be a positive number: %.*s", (int)len, expr);
		return -1;
	}
	for (unsigned v = start; v <= end; v += step)
		*bits |= (uint64_t)1 << v;
	if (extra)
		*star = 1;
	return 0;
}

static int cron_field(uint64_t *bits, int *star, const char *f, size_t len, const struct bounds *b, struct gitops_buf *msg)
{
	const char *p = f, *end = f + len;

	*bits = 0;
	*star = 0;
	while (p < end) {   /* strings.FieldsFunc on ',': empty pieces vanish */
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *e = c ? c : end;

		if (e > p && cron_range(bits, star, p, (size_t)(e - p), b, msg) < 0)
			return -1;
		p = c ? c + 1 : end;
	}
	return 0;
}

static int cron_parse(struct cron *c, const char *spec, struct gitops_buf *msg)
{
	static const struct bounds bnd[5] = {
		{ 0, 59, NULL, 0 }, { 0, 23, NULL, 0 }, { 1, 31, NULL, 0 },
		{ 1, 12, month_names, 1 }, { 0, 6, dow_names, 0 },
	};
	const char *f[6];
	size_t fl[6];
	int n = 0, star;
	const char *p = spec;

	memset(c, 0, sizeof(*c));
	if (!*spec) {
		gitops_buf_addstr(msg, "empty spec string");
		return -1;
	}
	if (!strncmp(spec, "TZ=", 3) || !strncmp(spec, "CRON_TZ=", 8)) {
		gitops_buf_addstr(msg, "a time zone in the schedule is not supported: use the window's timeZone");
		return -1;
	}
	if (*spec == '@') {
		gitops_buf_printf(msg, "parser does not accept descriptors: %s", spec);
		return -1;
	}
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (n < 6) {
			f[n] = p;
		}
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (n < 6)
			fl[n] = (size_t)(p - f[n]);
		n++;
	}
	if (n != 5) {
		gitops_buf_printf(msg, "expected exactly 5 fields, found %d: %s", n, spec);
		return -1;
	}
	if (cron_field(&c->minute, &star, f[0], fl[0], &bnd[0], msg) < 0 ||
	    cron_field(&c->hour, &star, f[1], fl[1], &bnd[1], msg) < 0 ||
	    cron_field(&c->dom, &c->dom_star, f[2], fl[2], &bnd[2], msg) < 0 ||
	    cron_field(&c->month, &star, f[3], fl[3], &bnd[3], msg) < 0 ||
	    cron_field(&c->dow, &c->dow_star, f[4], fl[4], &bnd[4], msg) < 0)
		return -1;
	return 0;
}

static int cron_day_matches(const struct cron *c, int64_t days, int mday)
{
	int dom = (c->dom >> mday) & 1, dow = (c->dow >> gitops_weekday(days)) & 1;

	if (c->dom_star || c->dow_star)
		return dom && dow;
	return dom || dow;
}

/*
 * The latest wall-clock minute (seconds since the epoch of the zone's local
 * time) that the schedule fires at in (lo, hi]; 1 and *at when there is one.
 */
static int cron_latest(const struct cron *c, int64_t lo, int64_t hi, int64_t *at)
{
	int64_t day = gitops_floordiv(hi, 86400);
	int64_t limit = (hi - day * 86400) / 60;   /* the last minute of the day to consider */

	for (; day * 86400 + 86399 > lo; day--, limit = 1439) {
		int64_t y;
		int m, d;

		gitops_civil_from_days(day, &y, &m, &d);
		if (!((c->month >> m) & 1) || !cron_day_matches(c, day, d))
			continue;
		for (int h = (int)(limit / 60); h >= 0; h--) {
			int maxmin = h == limit / 60 ? (int)(limit % 60) : 59;

			if (!((c->hour >> h) & 1))
				continue;
			for (int mi = maxmin; mi >= 0; mi--) {
				if ((c->minute >> mi) & 1) {
					int64_t t = day * 86400 + h * 3600 + mi * 60;

					if (t <= lo)
						return 0;
					*at = t;
					return 1;
				}
			}
		}
	}
	return 0;
}

/* ---------- Go durations ---------- */

static int go_duration(int64_t *out, const char *s)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000ULL }, { "m", 60000000000ULL }, { "h", 3600000000000ULL },
	};
	const char *p = s;
	int neg = 0;
	uint64_t total = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!strcmp(p, "0")) {
		*out = 0;
		return 0;
	}
	if (!*p)
		return -1;
	while (*p) {
		uint64_t v = 0, frac = 0, scale = 1;
		int digits = 0, fdigits = 0;
		size_t ul = 0, k;

		while (isdigit((unsigned char)*p)) {
			if (v > (UINT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*p++ - '0');
			digits++;
		}
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p)) {
				if (scale < 1000000000000000000ULL) {
					frac = frac * 10 + (uint64_t)(*p - '0');
					scale *= 10;
				}
				p++;
				fdigits++;
			}
		}
		if (!digits && !fdigits)
			return -1;
		while (p[ul] && !isdigit((unsigned char)p[ul]) && p[ul] != '.')
			ul++;
		if (!ul)
			return -1;   /* missing unit */
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].unit) == ul && !memcmp(units[k].unit, p, ul))
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			return -1;   /* unknown unit */
		p += ul;
		if (v > (uint64_t)INT64_MAX / units[k].ns)
			return -1;
		v *= units[k].ns;
		v += (uint64_t)((long double)frac * (long double)units[k].ns / (long double)scale);
		total += v;
		if (total > (uint64_t)INT64_MAX)
			return -1;
	}
	*out = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

/* ---------- gobwas/glob (no separators) ---------- */

/* 1 when pattern p[0..pn) is well formed */
static int glob_valid(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				return 0;
			p++;
		} else if (*p == '[') {
			p++;
			if (*p == '!')
				p++;
			if (*p == ']')
				return 0;
			while (*p && *p != ']')
				p++;
			if (!*p)
				return 0;
		} else if (*p == '{')
			depth++;
		else if (*p == '}') {
			if (!depth--)
				return 0;
		}
	}
	return depth == 0;
}

static const char *utf8_next(const char *s)
{
	s++;
	while ((*s & 0xC0) == 0x80)
		s++;
	return s;
}

static unsigned utf8_cp(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] < 0x80)
		return u[0];
	if ((u[0] & 0xE0) == 0xC0)
		return (u[0] & 0x1Fu) << 6 | (u[1] & 0x3Fu);
	if ((u[0] & 0xF0) == 0xE0)
		return (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 | (u[2] & 0x3Fu);
	return (u[0] & 0x07u) << 18 | (u[1] & 0x3Fu) << 12 | (u[2] & 0x3Fu) << 6 | (u[3] & 0x3Fu);
}

/* the end of the alternative group starting at '{' (the matching '}') */
static const char *brace_end(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '{')
			depth++;
		else if (*p == '}' && --depth == 0)
			return p;
	}
	return NULL;
}

static int glob_match_depth(const char *p, const char *s, int depth);

/* match alternatives: p is at '{'; each alternative followed by the rest after '}' */
static int glob_alts(const char *p, const char *s, int depth)
{
	const char *close = brace_end(p), *a = p + 1, *q;
	int inner = 0;

	for (q = a; q <= close; q++) {
		if (*q == '\\' && q < close) {
			q++;
			continue;
		}
		if (*q == '{')
			inner++;
		else if (*q == '}' && inner && q != close)
			inner--;
		else if ((*q == ',' && !inner) || q == close) {
			size_t al = (size_t)(q - a), rl = strlen(close + 1);
			char *tmp = malloc(al + rl + 1);
			int r;

			if (!tmp)
				return 0;
			memcpy(tmp, a, al);
			memcpy(tmp + al, close + 1, rl + 1);
			r = glob_match_depth(tmp, s, depth + 1);
			free(tmp);
			if (r)
				return 1;
			a = q + 1;
		}
	}
	return 0;
}

static int glob_match_depth(const char *p, const char *s, int depth)
{
	if (depth > 32)
		return 0;
	for (;;) {
		switch (*p) {
		case 0:
			return *s == 0;
		case '*':
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			for (;;) {
				if (glob_match_depth(p, s, depth + 1))
					return 1;
				if (!*s)
					return 0;
				s = utf8_next(s);
			}
		case '?':
			if (!*s)
				return 0;
			s = utf8_next(s);
			p++;
			break;
		case '[': {
			int neg = 0, hit = 0;
			unsigned c;

			if (!*s)
				return 0;
			c = utf8_cp(s);
			p++;
			if (*p == '!') {
				neg = 1;
				p++;
			}
			while (*p != ']') {
				unsigned lo = utf8_cp(p), hi;

				p = utf8_next(p);
				hi = lo;
				if (*p == '-' && p[1] != ']' && p[1]) {
					hi = utf8_cp(p + 1);
					p = utf8_next(p + 1);
				}
				if (c >= lo && c <= hi)
					hit = 1;
			}
			p++;
			if (hit == neg)
				return 0;
			s = utf8_next(s);
			break;
		}
		case '{':
			return glob_alts(p, s, depth);
		case '\\':
			p++;
			/* fall through */
		default:
			if (*p != *s)
				return 0;
			p++;
			s++;
		}
	}
}

static int glob_match(const char *pattern, const char *s)
{
	if (!strcmp(pattern, "*"))
		return 1;
	return glob_match_depth(pattern, s, 0);
}

/* ---------- windows ---------- */

struct list {
	char **v;
	size_t n;
};

struct window {
	int deny;
	char *schedule, *duration;
	struct cron cron;
	int64_t dur_ns;
	struct list apps, nss, clusters;
	int manual, and_op;
	char *zone_name;
	struct gitops_zone *zone;
};

struct gitops_ops_windows {
	struct window *w;
	size_t n;
};

static void list_release(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void gitops_ops_windows_free(struct gitops_ops_windows *ws)
{
	if (!ws)
		return;
	for (size_t i = 0; i < ws->n; i++) {
		struct window *w = &ws->w[i];

		free(w->schedule);
		free(w->duration);
		free(w->zone_name);
		list_release(&w->apps);
		list_release(&w->nss);
		list_release(&w->clusters);
		gitops_zone_free(w->zone);
	}
	free(ws->w);
	free(ws);
}

size_t gitops_ops_windows_count(const struct gitops_ops_windows *w)
{
	return w ? w->n : 0;
}

static int parse_list(struct list *l, const cJSON *a, size_t idx, const char *field, struct gitops_err *err)
{
	const cJSON *it;
	int n;

	if (!a || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].%s: must be a list of strings", idx, field);
	n = cJSON_GetArraySize(a);
	if (n > 10000)
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].%s: more than 10000 entries", idx, field);
	l->v = calloc((size_t)n + 1, sizeof(*l->v));
	if (!l->v)
		return gitops_err_oom(err);
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].%s[%zu]: must be a string", idx, field, l->n);
		if (!glob_valid(it->valuestring))
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].%s[%zu]: bad glob \"%s\"", idx, field, l->n, it->valuestring);
		if (!(l->v[l->n] = strdup(it->valuestring)))
			return gitops_err_oom(err);
		l->n++;
	}
	return 0;
}

static int parse_string(char **out, const cJSON *w, const char *field, int required, size_t idx, struct gitops_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(w, field);

	if (!v || cJSON_IsNull(v)) {
		if (required)
			return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].%s: missing", idx, field);
		*out = strdup("");
	} else if (!cJSON_IsString(v)) {
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].%s: must be a string, not %s", idx, field,
				      cJSON_IsNumber(v) ? "a number" : cJSON_IsBool(v) ? "a boolean" : "an object or list");
	} else {
		*out = strdup(v->valuestring);
	}
	return *out ? 0 : gitops_err_oom(err);
}

static int parse_bool(int *out, const cJSON *w, const char *field, size_t idx, struct gitops_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(w, field);

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].%s: must be true or false", idx, field);
	*out = cJSON_IsTrue(v);
	return 0;
}

static int parse_window(struct window *w, const cJSON *o, size_t idx, struct gitops_err *err)
{
	static const char *const known[] = { "kind", "schedule", "duration", "applications", "namespaces", "clusters",
					     "manualSync", "timeZone", "andOperator", "description", "syncOverrun", NULL };
	struct gitops_buf msg = GITOPS_BUF_INIT;
	char *kind = NULL, *desc = NULL;
	const cJSON *it;
	int ret = -1, ignored;

	if (!cJSON_IsObject(o)) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu]: must be an object", idx);
		goto done;
	}
	cJSON_ArrayForEach(it, o) {
		size_t k;

		for (k = 0; known[k] && strcmp(known[k], it->string); k++)
			;
		if (!known[k]) {
			gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu]: unknown field \"%s\"", idx, it->string);
			goto done;
		}
	}
	if (parse_string(&kind, o, "kind", 1, idx, err) < 0)
		goto done;
	if (strcmp(kind, "allow") && strcmp(kind, "deny")) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].kind: kind '%s' mismatch: can only be allow or deny", idx, kind);
		goto done;
	}
	w->deny = !strcmp(kind, "deny");
	if (parse_string(&w->schedule, o, "schedule", 1, idx, err) < 0)
		goto done;
	if (cron_parse(&w->cron, w->schedule, &msg) < 0) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].schedule: cannot parse schedule '%s': %s", idx,
			       w->schedule, msg.data ? msg.data : "out of memory");
		goto done;
	}
	if (parse_string(&w->duration, o, "duration", 1, idx, err) < 0)
		goto done;
	if (go_duration(&w->dur_ns, w->duration) < 0) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].duration: cannot parse duration '%s': "
			       "a Go duration such as 1h, 30m or 1h30m", idx, w->duration);
		goto done;
	}
	if (w->dur_ns <= 0) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows[%zu].duration: '%s' must be longer than 0", idx, w->duration);
		goto done;
	}
	if (parse_list(&w->apps, cJSON_GetObjectItemCaseSensitive(o, "applications"), idx, "applications", err) < 0 ||
	    parse_list(&w->nss, cJSON_GetObjectItemCaseSensitive(o, "namespaces"), idx, "namespaces", err) < 0 ||
	    parse_list(&w->clusters, cJSON_GetObjectItemCaseSensitive(o, "clusters"), idx, "clusters", err) < 0 ||
	    parse_bool(&w->manual, o, "manualSync", idx, err) < 0 ||
	    parse_bool(&w->and_op, o, "andOperator", idx, err) < 0 ||
	    parse_bool(&ignored, o, "syncOverrun", idx, err) < 0 ||
	    parse_string(&desc, o, "description", 0, idx, err) < 0 ||
	    parse_string(&w->zone_name, o, "timeZone", 0, idx, err) < 0)
		goto done;
	if (zone_load(&w->zone, w->zone_name, err) < 0) {
		gitops_err_prefix(err, "syncWindows[%zu].timeZone", idx);
		goto done;
	}
	ret = 0;
done:
	free(kind);
	free(desc);
	gitops_buf_release(&msg);
	return ret;
}

int gitops_ops_windows_parse(struct gitops_ops_windows **out, const cJSON *windows, struct gitops_err *err)
{
	struct gitops_ops_windows *ws = calloc(1, sizeof(*ws));
	const cJSON *it;
	int n;

	*out = NULL;
	if (!ws)
		return gitops_err_oom(err);
	if (!windows || cJSON_IsNull(windows)) {
		*out = ws;
		return 0;
	}
	if (!cJSON_IsArray(windows)) {
		gitops_ops_windows_free(ws);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows: must be a list of windows");
	}
	n = cJSON_GetArraySize(windows);
	if (n > 1000) {
		gitops_ops_windows_free(ws);
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "syncWindows: more than 1000 windows");
	}
	ws->w = calloc((size_t)n + 1, sizeof(*ws->w));
	if (!ws->w) {
		gitops_ops_windows_free(ws);
		return gitops_err_oom(err);
	}
	cJSON_ArrayForEach(it, windows) {
		if (parse_window(&ws->w[ws->n], it, ws->n, err) < 0) {
			ws->n++;
			gitops_ops_windows_free(ws);
			return -1;
		}
		ws->n++;
	}
	*out = ws;
	return 0;
}

static int list_match(const struct list *l, const char *s)
{
	if (!s || !*s)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (glob_match(l->v[i], s))
			return 1;
	return 0;
}

static int window_matches(const struct window *w, const char *app, const char *ns, const char *cluster)
{
	if (w->and_op) {
		if (!w->apps.n && !w->nss.n && !w->clusters.n)
			return 0;
		return (!w->apps.n || list_match(&w->apps, app)) && (!w->nss.n || list_match(&w->nss, ns)) &&
		       (!w->clusters.n || list_match(&w->clusters, cluster));
	}
	return list_match(&w->apps, app) || list_match(&w->nss, ns) || list_match(&w->clusters, cluster);
}

/* 1 and *start (UTC) when a fire time lies in (now - duration, now] */
static int window_active(const struct window *w, int64_t now, int64_t *start)
{
	int64_t secs = w->dur_ns / 1000000000, lo, hi = now;

	lo = now - secs - (w->dur_ns % 1000000000 ? 1 : 0);   /* exclusive */
	while (hi > lo) {
		int64_t seg, at;
		const char *abbr;
		int32_t off = gitops_zone_offset(w->zone, hi, &seg, &abbr);
		int64_t from = seg == INT64_MIN || seg - 1 < lo ? lo : seg - 1;

		if (cron_latest(&w->cron, from + off, hi + off, &at)) {
			*start = at - off;
			return 1;
		}
		if (from <= lo)
			break;
		hi = from;
	}
	return 0;
}

static void fmt_local(char *buf, size_t size, const struct gitops_zone *z, int64_t t, int64_t now)
{
	int64_t seg, y;
	const char *abbr;
	int32_t off = gitops_zone_offset(z, t, &seg, &abbr);
	int64_t l = t + off, day = gitops_floordiv(l, 86400), sod = l - day * 86400;
	int m, d;

	gitops_civil_from_days(day, &y, &m, &d);
	if (t - now < 86400 && t >= now)
		snprintf(buf, size, "%02d:%02d %s", (int)(sod / 3600), (int)(sod % 3600 / 60), abbr);
	else
		snprintf(buf, size, "%04lld-%02d-%02d %02d:%02d %s", (long long)y, m, d, (int)(sod / 3600),
			 (int)(sod % 3600 / 60), abbr);
}

static void why_window(char *why, size_t size, const char *lead, const struct gitops_ops_windows *ws, size_t i,
		       int active, int64_t start, int64_t now, const char *tail)
{
	const struct window *w = &ws->w[i];
	char until[64] = "";
	int64_t secs = w->dur_ns / 1000000000;

	if (!why || !size)
		return;
	if (active)
		fmt_local(until, sizeof(until), w->zone, start + secs + (w->dur_ns % 1000000000 ? 1 : 0), now);
	snprintf(why, size, "%s%s window %zu (%s, %s)%s%s%s", lead, w->deny ? "deny" : "allow", i, w->schedule,
		 w->duration, active ? " active until " : "", until, tail);
}

int gitops_ops_windows_allow_dest(const struct gitops_ops_windows *ws, const char *app, const char *ns,
				  const char *cluster, time_t now, int manual, char *why, size_t whysize)
{
	int any = 0, deny_active = 0, deny_manual = 1, allow_active = 0, inactive_allow = 0, inactive_manual = 1;
	size_t first_deny = 0, first_deny_nomanual = SIZE_MAX, first_allow = 0, first_inactive = 0, first_inactive_nomanual = SIZE_MAX;
	int64_t deny_start = 0, allow_start = 0;

	if (why && whysize)
		why[0] = 0;
	for (size_t i = 0; ws && i < ws->n; i++) {
		const struct window *w = &ws->w[i];
		int64_t start = 0;
		int active;

		if (!window_matches(w, app, ns, cluster))
			continue;
		any = 1;
		active = window_active(w, (int64_t)now, &start);
		if (w->deny && active) {
			if (!deny_active) {
				first_deny = i;
				deny_start = start;
			}
			deny_active = 1;
			if (!w->manual) {
				if (deny_manual)
					first_deny_nomanual = i;
				deny_manual = 0;
			}
		} else if (!w->deny && active) {
			if (!allow_active) {
				first_allow = i;
				allow_start = start;
			}
			allow_active = 1;
		} else if (!w->deny) {
			if (!inactive_allow)
				first_inactive = i;
			inactive_allow = 1;
			if (!w->manual) {
				if (inactive_manual)
					first_inactive_nomanual = i;
				inactive_manual = 0;
			}
		}
	}
	if (!any) {
		if (why && whysize)
			snprintf(why, whysize, "no sync window applies");
		return 1;
	}
	if (deny_active) {
		if (manual && deny_manual) {
			why_window(why, whysize, "", ws, first_deny, 1, deny_start, now, "; manual sync allowed");
			return 1;
		}
		if (first_deny_nomanual != SIZE_MAX && first_deny_nomanual != first_deny) {
			int64_t st = 0;

			window_active(&ws->w[first_deny_nomanual], now, &st);
			why_window(why, whysize, "", ws, first_deny_nomanual, 1, st, now, "");
		} else {
			why_window(why, whysize, "", ws, first_deny, 1, deny_start, now, "");
		}
		return 0;
	}
	if (allow_active) {
		why_window(why, whysize, "", ws, first_allow, 1, allow_start, now, "");
		return 1;
	}
	if (inactive_allow) {
		if (manual && inactive_manual) {
			why_window(why, whysize, "outside ", ws, first_inactive, 0, 0, now, "; manual sync allowed");
			return 1;
		}
		why_window(why, whysize, "outside ", ws, first_inactive_nomanual != SIZE_MAX ? first_inactive_nomanual : first_inactive,
			   0, 0, now, "");
		return 0;
	}
	if (why && whysize)
		snprintf(why, whysize, "no active deny window");
	return 1;
}

int gitops_ops_windows_allow(const struct gitops_ops_windows *w, const char *app, const char *ns,
			     time_t now, int manual, char *why, size_t whysize)
{
	return gitops_ops_windows_allow_dest(w, app, ns, NULL, now, manual, why, whysize);
}
