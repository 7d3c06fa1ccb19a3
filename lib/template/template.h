/*
 * template.h: Go's text/template language, as helm v3.17 (Go 1.23) executes it.
 *
 * Layer "template", on base and value.  The module owns the engine's values
 * (a tagged type with the Go types Helm's templates see), the lexer, the
 * parser, the executor, Go's fmt verbs and the text/template builtins.  It
 * knows nothing of charts: Sprig's and Helm's functions come in through a
 * function table (struct gitops_tmpl_func), filled by the caller.
 *
 * Values: struct gitops_tmpl_value is reference counted, because Go's maps
 * and slices are references (a function that sets a key of a map changes it
 * for every holder).  Every function returning a value hands the caller one
 * reference (gitops_tmpl_value_unref); functions given values borrow them
 * unless they say they take them.  Scalars never change once made.
 *
 * Numbers: an integer literal in a template is Go's `int`; a float literal
 * float64.  From a value tree (gitops_tmpl_value_from_tree), a number is
 * float64, as Helm reads values files (YAML -> JSON -> float64), unless
 * GITOPS_TMPL_TREE_INT64 is given: then an integer node (GITOPS_VALUE_INT, as
 * --set makes them) becomes int64, and only floats stay float64.
 *
 * A set (struct gitops_tmpl_set) holds named templates: parsing a text adds
 * the template named for the text and every {{define}}/{{block}} in it, as
 * text/template's Parse on one shared set.  No global state: everything an
 * execution needs hangs off the set and the call.
 *
 * Errors read as Go writes them ("template: NAME:LINE:COL: executing \"NAME\"
 * at <NODE>: MESSAGE", "template: NAME:LINE: unexpected EOF").
 */
#ifndef GITOPS_TEMPLATE_H
#define GITOPS_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

/* --- values --- */

enum gitops_tmpl_kind {
	GITOPS_TMPL_NIL,     /* a nil interface {} (a missing key, a YAML null) */
	GITOPS_TMPL_BOOL,
	GITOPS_TMPL_INT,     /* Go int (template literals, len, range indexes) */
	GITOPS_TMPL_INT64,   /* Go int64 (--set integers, Sprig's arithmetic) */
	GITOPS_TMPL_FLOAT64,
	GITOPS_TMPL_STRING,
	GITOPS_TMPL_LIST,    /* []interface {} */
	GITOPS_TMPL_STRLIST, /* []string (items are STRING values) */
	GITOPS_TMPL_MAP,     /* map[string]interface {}, or a named map type (type_name) */
	GITOPS_TMPL_UINT8,   /* Go uint8 (a byte: index of a string) */
	GITOPS_TMPL_COMPLEX128, /* Go complex128: only a template's own constants (1i, 2+3i) make one */
	GITOPS_TMPL_UINT64,  /* Go uint64 (semver's Major...), its bits in the int64 */
};

struct gitops_tmpl_value;

struct gitops_tmpl_value *gitops_tmpl_value_nil(void);
struct gitops_tmpl_value *gitops_tmpl_value_bool(int b);
struct gitops_tmpl_value *gitops_tmpl_value_int(int64_t i);
struct gitops_tmpl_value *gitops_tmpl_value_int64(int64_t i);
struct gitops_tmpl_value *gitops_tmpl_value_float(double d);
struct gitops_tmpl_value *gitops_tmpl_value_complex(double re, double im);
struct gitops_tmpl_value *gitops_tmpl_value_uint64(uint64_t u);
/* A string of len bytes (copied; may hold NUL). */
struct gitops_tmpl_value *gitops_tmpl_value_string(const char *s, size_t len);
/*
 * A string of s's len bytes without a copy: s stays the caller's, NUL-terminated at len and
 * unchanged for as long as the value (and any reference to it) lives.
 */
struct gitops_tmpl_value *gitops_tmpl_value_string_borrowed(const char *s, size_t len);
struct gitops_tmpl_value *gitops_tmpl_value_cstring(const char *s);
/* An empty []interface {} / []string / map (type_name NULL: map[string]interface {}). */
struct gitops_tmpl_value *gitops_tmpl_value_list(enum gitops_tmpl_kind kind);
struct gitops_tmpl_value *gitops_tmpl_value_map(const char *type_name);
/*
 * A struct as Go's templates see one (Helm's .Chart, .Capabilities): a map
 * of its fields, named by type_name ("*chart.Metadata"), whose missing
 * field is an error ("can't evaluate field X in type T"), not a zero value.
 */
struct gitops_tmpl_value *gitops_tmpl_value_struct(const char *type_name);
/*
 * A struct with a String() method (time.Time, *semver.Version): fmt prints
 * it as the string value of its hidden field GITOPS_TMPL_STRINGER (a key no
 * template can name) for the verbs that take a string (%v %s %q %x %X), as
 * Go's fmt calls a Stringer.
 */
#define GITOPS_TMPL_STRINGER "String()"
/* A named integer type with String() (time.Month): its number, an int64, for the other verbs (%d). */
#define GITOPS_TMPL_INTEGER "int()"

/*
 * A struct's declared fields (Helm's .Chart, .Capabilities): its hidden
 * field GITOPS_TMPL_FIELDS, a STRLIST of "Name" or "Name TAG" (TAG as Go's
 * json tag: "name,omitempty", "-"), in declared order; "{Name" and "}"
 * around the fields of an embedded struct.  fmt prints the fields in that
 * order ({{a b} c}, %+v {Name:{A:a B:b} C:c}); toJson and toYaml write an
 * object of them as encoding/json does (TAG's name, omitempty, "-";
 * embedded fields promoted).  Other keys (methods, hidden ones) are not
 * printed or written.
 */
#define GITOPS_TMPL_FIELDS "fields()"

/*
 * A Go []byte of len bytes (copied): a list ([]uint8) of UINT8 items, which
 * prints as [104 105] (%s %q %x as a string), toString gives as a string,
 * toJson and toYaml write as base64.  NULL when out of memory.
 */
struct gitops_tmpl_value *gitops_tmpl_value_bytes(const void *data, size_t len);
/* Is v a []byte (gitops_tmpl_value_bytes)?  Its bytes into b (appended): 0, -1 out of memory. */
int gitops_tmpl_value_is_bytes(const struct gitops_tmpl_value *v);
int gitops_tmpl_value_bytes_of(struct gitops_buf *b, const struct gitops_tmpl_value *v);

/* A list of a named type ("chartutil.VersionSet"), which may have methods; kind LIST or STRLIST. */
struct gitops_tmpl_value *gitops_tmpl_value_named_list(enum gitops_tmpl_kind kind, const char *type_name);
/*
 * Go's nil slice or nil map of a kind (LIST, STRLIST, MAP): empty, printed [] or map[] by fmt, false, of the
 * same Go type as an empty one, but null to the serializers (toJson,
 * toYaml), unequal to an empty one for deepEqual, and a map no key can be
 * set in.  Sprig's concat, rest, regexFindAll... give them, as Go does.
 * Appending to one makes it an ordinary list.
 */
struct gitops_tmpl_value *gitops_tmpl_value_nil_of(enum gitops_tmpl_kind kind);
/* The same of a named type ("[]*chart.Maintainer", "map[string]string"): a struct field's zero value. */
struct gitops_tmpl_value *gitops_tmpl_value_named_nil_of(enum gitops_tmpl_kind kind, const char *type_name);
/* Is v a nil slice or map (not a nil interface: that is GITOPS_TMPL_NIL)? */
int gitops_tmpl_value_is_nil_of(const struct gitops_tmpl_value *v);
/* Append to a list: takes item.  0, or -1 when out of memory (item freed). */
int gitops_tmpl_list_push(struct gitops_tmpl_value *list, struct gitops_tmpl_value *item);
/* Set a map's key: takes val.  0, or -1 when out of memory (val freed). */
int gitops_tmpl_map_set(struct gitops_tmpl_value *map, const char *key, size_t klen, struct gitops_tmpl_value *val);
/* A map's value for key (borrowed) or NULL. */
struct gitops_tmpl_value *gitops_tmpl_map_get(const struct gitops_tmpl_value *map, const char *key, size_t klen);
/* Remove a key; 1 removed, 0 absent. */
int gitops_tmpl_map_delete(struct gitops_tmpl_value *map, const char *key, size_t klen);

struct gitops_tmpl_value *gitops_tmpl_value_ref(struct gitops_tmpl_value *v);
void gitops_tmpl_value_unref(struct gitops_tmpl_value *v);

enum gitops_tmpl_kind gitops_tmpl_value_kind(const struct gitops_tmpl_value *v);
int gitops_tmpl_value_bool_of(const struct gitops_tmpl_value *v);
int64_t gitops_tmpl_value_int_of(const struct gitops_tmpl_value *v);
double gitops_tmpl_value_float_of(const struct gitops_tmpl_value *v);
/* A string's bytes (borrowed, NUL-terminated) and length. */
const char *gitops_tmpl_value_str(const struct gitops_tmpl_value *v, size_t *len);
/* Items of a list or entries of a map (maps in sorted key order). */
size_t gitops_tmpl_value_len(const struct gitops_tmpl_value *v);
struct gitops_tmpl_value *gitops_tmpl_value_item(const struct gitops_tmpl_value *v, size_t i);
const char *gitops_tmpl_value_key(const struct gitops_tmpl_value *v, size_t i, size_t *klen);
/* Go's type name: "int", "float64", "[]interface {}", "map[string]interface {}", "<nil>"... */
const char *gitops_tmpl_value_type_name(const struct gitops_tmpl_value *v);
/* text/template's truth: false, 0, nil, "", empty list or map are false. */
int gitops_tmpl_value_truth(const struct gitops_tmpl_value *v);

/*
 * A value tree (lib/value/value.h) as the engine's value; flags below.  Its
 * lists get the capacity Helm's decoding leaves them (encoding/json appends
 * one item at a time), which Sprig's slice may reach past their length.
 */
enum { GITOPS_TMPL_TREE_INT64 = 1 };
int gitops_tmpl_value_from_tree(struct gitops_tmpl_value **out, const cJSON *tree, unsigned flags,
				struct gitops_err *err);
/*
 * The same, the tree's strings (its string values and keys) moved into the
 * value, not copied: the tree is left without them (empty strings, no
 * keys), only to be freed (cJSON_Delete, still the caller's).
 */
int gitops_tmpl_value_from_tree_take(struct gitops_tmpl_value **out, cJSON *tree, unsigned flags,
				     struct gitops_err *err);
/* The value as a value tree (ints as GITOPS_VALUE_INT, floats as float64); NULL when out of memory. */
cJSON *gitops_tmpl_value_to_tree(const struct gitops_tmpl_value *v);
/*
 * The same for a value about to be unref'd: the strings and map keys only
 * it holds move into the tree, not copied; v is left without them (empty
 * strings, keyless maps) and serves for nothing but gitops_tmpl_value_unref.
 */
cJSON *gitops_tmpl_value_to_tree_take(struct gitops_tmpl_value *v);

/*
 * fmt.Sprint / Sprintln / Sprintf of values, into b (appended).  0, -1 (out
 * of memory), or GITOPS_TMPL_TOO_DEEP: a value nests deeper than 10,000
 * levels, as a map that holds itself does (merge or set can make one; Go's
 * fmt recurses until its stack overflows, helm crashes).
 */
#define GITOPS_TMPL_TOO_DEEP (-2)
int gitops_tmpl_sprint(struct gitops_buf *b, struct gitops_tmpl_value *const *args, size_t n);
int gitops_tmpl_sprintln(struct gitops_buf *b, struct gitops_tmpl_value *const *args, size_t n);
int gitops_tmpl_sprintf(struct gitops_buf *b, const char *format, size_t flen, struct gitops_tmpl_value *const *args,
			size_t n);

/* Go's utf8.DecodeRuneInString: the rune at s (n bytes) and its length; 0xFFFD and 1 for a bad byte. */
unsigned gitops_tmpl_decode_rune(const char *s, size_t n, size_t *size);

/* --- functions --- */

/* How an argument reaches a function, as Go converts it for the parameter's type. */
enum gitops_tmpl_param {
	GITOPS_TMPL_P_ANY,    /* interface {}: anything, nil for a missing value */
	GITOPS_TMPL_P_STRING, /* string */
	GITOPS_TMPL_P_INT,    /* int */
	GITOPS_TMPL_P_INT64,  /* int64 */
	GITOPS_TMPL_P_FLOAT,  /* float64 */
	GITOPS_TMPL_P_BOOL,   /* bool */
	GITOPS_TMPL_P_LIST,   /* []interface {} */
	GITOPS_TMPL_P_MAP,    /* map[string]interface {} */
	GITOPS_TMPL_P_TIME,   /* time.Time: a struct of that type (lib/template/funcs/dates.c makes them) */
	GITOPS_TMPL_P_UINT32, /* uint32 (Sprig's derivePassword): an unsigned constant, truncated as
				 reflect's SetUint does; no value of the engine has the type */
	GITOPS_TMPL_P_CERTIFICATE, /* sprig.certificate (genSignedCert's CA): a struct of that type
				      (lib/template/funcs/crypto.c makes them) */
	GITOPS_TMPL_P_RAW = 100, /* reflect.Value, as the builtins take them: no conversion */
};

struct gitops_tmpl_call;

/*
 * A function: *out gets its result (one reference; NULL means nil).  On
 * failure return -1 with err's message, which the engine reports as
 * "error calling NAME: MESSAGE".
 */
typedef int (*gitops_tmpl_fn)(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
			      struct gitops_tmpl_value *const *args, size_t nargs, struct gitops_err *err);

#define GITOPS_TMPL_MAX_PARAMS 8
struct gitops_tmpl_func {
	const char *name;
	gitops_tmpl_fn fn;
	size_t nparams;          /* fixed parameters */
	int variadic;            /* further arguments of type `params[nparams]` */
	enum gitops_tmpl_param params[GITOPS_TMPL_MAX_PARAMS];
	/*
	 * A method instead of a function: of the maps or lists whose type is
	 * named so (gitops_tmpl_value_map("chartutil.Values"),
	 * gitops_tmpl_value_named_list(..., "chartutil.VersionSet")), reached as a field
	 * (.Values.Table "a"), ahead of a key of the same name; the function
	 * gets the receiver as args[0], then the arguments `params` describe.
	 */
	const char *receiver;
};

/*
 * What a function may do with the call it runs in: execute another template
 * of the same set into a string (Helm's include), parse and execute a new
 * text against the same set (tpl), reach the caller's context.
 */
void *gitops_tmpl_call_ctx(const struct gitops_tmpl_call *call);
/* The name of the template executing the call. */
const char *gitops_tmpl_call_template(const struct gitops_tmpl_call *call);
int gitops_tmpl_call_exec(struct gitops_buf *out, struct gitops_tmpl_call *call, const char *name,
			  struct gitops_tmpl_value *dot, struct gitops_err *err);
/*
 * tpl: parse text as template `name` into a copy of the call's set (its
 * definitions visible, its own not kept) and execute it with dot.  -2 when
 * the text does not parse, -1 when its execution fails (err set either way).
 */
int gitops_tmpl_call_parse_exec(struct gitops_buf *out, struct gitops_tmpl_call *call, const char *name,
				const char *text, size_t len, struct gitops_tmpl_value *dot, struct gitops_err *err);

/* --- sets --- */

struct gitops_tmpl_options {
	int missingkey_error;  /* missingkey=error (Helm --strict); else missingkey=zero, as Helm */
	size_t max_depth;      /* nested executions: include and tpl calls ({{template}}: Go's 100,000) */
	size_t max_parse_depth;/* nested parentheses and control structures in one text */
	size_t max_output;     /* bytes one execution writes, nested ones included */
	size_t max_range;      /* range iterations in one execution, nested ones included */
	size_t max_string;     /* bytes of one string made by print/printf/a function */
	size_t max_stack;      /* bytes of C stack one execution may use (the set's executor stack) */
	const char *set_name;  /* the set's name in "no template X associated with template NAME" (Helm:
				  "gotpl"); NULL: the calling template's (borrowed: a static string) */
	int borrow_texts;      /* the texts given to gitops_tmpl_set_parse are NUL-terminated and outlive
				  the set: its trees point into them instead of a copy (not tpl's texts) */
};

#define GITOPS_TMPL_OPTIONS_INIT                                                                           \
	{ .missingkey_error = 0, .max_depth = 100000, .max_parse_depth = 1000, .max_output = 64u << 20,      \
	  .max_range = 10000000, .max_string = 16u << 20, .max_stack = 512u << 20, .set_name = NULL,         \
	  .borrow_texts = 0 }

struct gitops_tmpl_set;

/*
 * A new empty set.  funcs (n entries) is copied; names may repeat (the last
 * wins) and may replace builtins (Sprig's slice does).  opts may be NULL.
 */
int gitops_tmpl_set_new(struct gitops_tmpl_set **out, const struct gitops_tmpl_func *funcs, size_t n,
			const struct gitops_tmpl_options *opts, void *ctx, struct gitops_err *err);
/* The same, funcs (malloc'ed) taken instead of copied: the set frees it (also on error). */
int gitops_tmpl_set_new_take(struct gitops_tmpl_set **out, struct gitops_tmpl_func *funcs, size_t n,
			     const struct gitops_tmpl_options *opts, void *ctx, struct gitops_err *err);
void gitops_tmpl_set_free(struct gitops_tmpl_set *set);

/*
 * Parse text (len bytes) as the template `name` (a file's name: errors name
 * it).  Its {{define}} and {{block}} add templates to the set: a non-empty
 * definition replaces an earlier one, an empty one never does, two
 * non-empty ones in one text are an error.  On error the set is unchanged.
 */
int gitops_tmpl_set_parse(struct gitops_tmpl_set *set, const char *name, const char *text, size_t len,
			  struct gitops_err *err);
/*
 * As gitops_tmpl_set_parse, but the text is parsed only when the template is
 * first needed (executed, or named by {{template}}, include or tpl), and
 * gitops_tmpl_set_unparse frees that parse again: a chart's templates then
 * take the memory of one at a time.  Only for a set whose texts are
 * borrowed (borrow_texts), and only a text that holds no definition: one
 * that might ("{{", a trim marker or not and spaces, then "define" or
 * "block", anywhere in it), one whose name the set already has, or any in
 * a set without borrow_texts is parsed now, as gitops_tmpl_set_parse.  Its parse errors then come from where it is
 * first needed (gitops_tmpl_set_check finds them in a caller's own order).
 */
int gitops_tmpl_set_defer(struct gitops_tmpl_set *set, const char *name, const char *text, size_t len,
			  struct gitops_err *err);
/* Free the parse of a deferred template (none made, or replaced since by a definition: nothing). */
void gitops_tmpl_set_unparse(struct gitops_tmpl_set *set, const char *name);
/* Parse text as gitops_tmpl_set_parse would, without adding it: 0, or -1 and its parse error. */
int gitops_tmpl_set_check(const struct gitops_tmpl_set *set, const char *name, const char *text, size_t len,
			  struct gitops_err *err);
/* Is a template of this name defined (a deferred one, parsed or not)? */
int gitops_tmpl_set_has(const struct gitops_tmpl_set *set, const char *name);

/*
 * Execute template `name` with dot (borrowed; NULL = no value), appending its output to out.
 *
 * Depth, as Go and helm bound it: nested {{template}} calls stop at Go's
 * maxExecDepth, "exceeded maximum template depth (100000)", counted per
 * execution (an include or a tpl starts a new one, as ExecuteTemplate does
 * in Go); Helm's include stops at 1,000 nested calls of one name (its
 * function, outside this module).  Go's only bound on nested executions is
 * its 1 GB goroutine stack: here max_depth (100,000) and max_stack bound
 * them, with "exceeded maximum template depth (...)" errors.  The executor
 * recurses in C, some 500 bytes a {{template}} level (-O2; several times
 * that under sanitizers), so an execution runs on a stack of the set's own
 * (swapcontext onto max_stack bytes, 512 MiB mapped once with
 * MAP_NORESERVE: only the pages a template reaches are touched, and a
 * deep execution's are given back): Go's 100,000 levels fit in it, and a
 * guard turns anything deeper into the error above instead of a crash.
 */
int gitops_tmpl_exec(struct gitops_buf *out, struct gitops_tmpl_set *set, const char *name,
		     struct gitops_tmpl_value *dot, struct gitops_err *err);

/*
 * Call fn(arg) on the set's executor stack, so that the executions it makes
 * (gitops_tmpl_exec on this set, each as if called from outside) switch
 * stacks once in all instead of once each: a switch costs three system
 * calls (the signal mask saved and restored).  Returns fn's value, or -1
 * with err set when the stack could not be had.  fn must not return before
 * its executions have, nor keep pointers into its frame past its return.
 */
int gitops_tmpl_set_run(struct gitops_tmpl_set *set, int (*fn)(void *), void *arg, struct gitops_err *err);

#endif
