/*
 * funcs_int.h: what the function families share (not for other layers):
 * their tables, and Sprig's helpers (empty, strval) over the engine's values.
 */
#ifndef GITOPS_TMPL_FUNCS_INT_H
#define GITOPS_TMPL_FUNCS_INT_H

#include <stdint.h>

#include "lib/base/buf.h"
#include "lib/template/funcs/funcs.h"
#include "lib/template/tmpl_int.h"

extern const struct gitops_tmpl_func gitops_tmpl_funcs_defaults[];
extern const size_t gitops_tmpl_funcs_defaults_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_strings[];
extern const size_t gitops_tmpl_funcs_strings_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_helm[];
extern const size_t gitops_tmpl_funcs_helm_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_reflect[];
extern const size_t gitops_tmpl_funcs_reflect_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_math[];
extern const size_t gitops_tmpl_funcs_math_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_dicts[];
extern const size_t gitops_tmpl_funcs_dicts_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_strlists[];
extern const size_t gitops_tmpl_funcs_strlists_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_conversions[];
extern const size_t gitops_tmpl_funcs_conversions_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_lists[];
extern const size_t gitops_tmpl_funcs_lists_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_regex[];
extern const size_t gitops_tmpl_funcs_regex_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_semver[];
extern const size_t gitops_tmpl_funcs_semver_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_paths[];
extern const size_t gitops_tmpl_funcs_paths_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_dates[];
extern const size_t gitops_tmpl_funcs_dates_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_encoding[];
extern const size_t gitops_tmpl_funcs_encoding_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_random[];
extern const size_t gitops_tmpl_funcs_random_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_crypto[];
extern const size_t gitops_tmpl_funcs_crypto_n;
extern const struct gitops_tmpl_func gitops_tmpl_funcs_serialize[]; extern const size_t gitops_tmpl_funcs_serialize_n;

/* a function of the table, with the signature gitops_tmpl_fn */
#define FN(name) \
	static int name(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, \
			struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)

/* a string argument's bytes and length ("" for a value that is no string) */
static inline const char *fn_str(struct gitops_tmpl_value *v, size_t *len)
{
	const char *s = gitops_tmpl_value_str(v, len);

	if (!s) {
		*len = 0;
		return "";
	}
	return s;
}

/* spf13/cast's ToInt64 and ToFloat64, errors as 0 (Sprig's toInt64, toFloat64) */
int64_t fn_cast_int(const struct gitops_tmpl_value *v);
double fn_cast_float(const struct gitops_tmpl_value *v);
/* Go's reflect.Kind name of a value ("invalid" for nil, "slice", "map", "ptr"...) */
const char *fn_kind_name(const struct gitops_tmpl_value *v);
/* reflect.DeepEqual: same Go types, same contents */
int fn_deep_equal(const struct gitops_tmpl_value *a, const struct gitops_tmpl_value *b);

/*
 * Is target v itself, or inside it?  A map stored into a map it holds makes
 * a cycle: Go's fmt recurses on it until helm's stack overflows, and here
 * reference counts would never free it, so set and merge refuse it.
 */
int fn_holds(const struct gitops_tmpl_value *v, const struct gitops_tmpl_value *target, size_t depth);
#define FN_CYCLE_MSG "a map may not hold itself (helm recurses on it until its stack overflows)"

/*
 * A time.Time as Go's MarshalJSON / MarshalText write it (RFC 3339 with
 * nanoseconds), appended to b; json 1: a year outside [0,9999] is
 * MarshalJSON's error; json 2: as BurntSushi's toml writes it (its local
 * date, time and date-time kinds without a zone).  0, or -1 with err set.
 */
int fn_time_marshal(struct gitops_buf *b, const struct gitops_tmpl_value *v, int json, struct gitops_err *err);
/*
 * time.Parse(RFC 3339 with nanoseconds, s): a time.Time; fixed: the name of
 * a fixed zone of offset 0 to put it in instead (BurntSushi's "date-local").
 */
int fn_time_parse(struct gitops_tmpl_value **out, const char *s, size_t n, const char *fixed, struct gitops_err *err);
/* a struct of a type that Go marshals as its String() (*semver.Version): that string, else NULL */
const struct gitops_tmpl_value *fn_marshal_string(const struct gitops_tmpl_value *v);
int fn_is_time(const struct gitops_tmpl_value *v);

/* Sprig's empty(): nil, false, 0, "", and empty lists and maps (a struct never) */
int fn_empty(const struct gitops_tmpl_value *v);
/* Sprig's strval(): a string as it is, anything else as fmt's %v; appended to b. 0 or -1 (out of memory) */
int fn_strval(struct gitops_buf *b, struct gitops_tmpl_value *v);
/* a string result made of b's bytes (b released): 0, or -1 with err set (out of memory) */
int fn_ret_buf(struct gitops_tmpl_value **out, struct gitops_buf *b, struct gitops_err *err);
int fn_ret_str(struct gitops_tmpl_value **out, const char *s, size_t len, struct gitops_err *err);
/* a Go panic or error, as text/template's safeCall reports it */
int fn_fail(struct gitops_err *err, const char *fmt, ...) GITOPS_PRINTF(2, 3);
/* one UTF-8 rune of s (n bytes left): its value, or 0xFFFD for a bad byte (*size 1) */
int fn_rune(const char *s, size_t n, size_t *size);
/* the rune's UTF-8 bytes appended */
int fn_put_rune(struct gitops_buf *b, int r);

/* Go's unicode.IsUpper, IsLower, IsTitle, IsPunct, IsNumber (unicode.c, generated) */
enum fn_unicode_class { FN_UPPER, FN_LOWER, FN_TITLE, FN_PUNCT, FN_NUMBER };
int fn_unicode_is(enum fn_unicode_class c, int r);

#endif
