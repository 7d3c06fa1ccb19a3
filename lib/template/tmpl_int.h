/*
 * tmpl_int.h: what the template module's files share (not for other layers).
 *
 * Values (struct gitops_tmpl_value), the parse tree (struct tmpl_node, owned
 * by its struct tmpl_tree), the lexer's items, the set, and the executor's
 * "reflect.Value" (struct tmpl_rv: a value, or none, and whether its static
 * type is interface {}).
 */
#ifndef GITOPS_TMPL_INT_H
#define GITOPS_TMPL_INT_H

#include <stddef.h>
#include <stdint.h>
#include "lib/template/template.h"

struct tmpl_entry {
	char *key;
	size_t klen;
	struct gitops_tmpl_value *val;
};

struct gitops_tmpl_value {
	enum gitops_tmpl_kind kind;
	unsigned refs;
	int go_nil;   /* LIST, STRLIST, MAP: Go's nil slice or map (empty; null when serialized) */
	int borrowed; /* STRING: the bytes are not freed on their own: the creator's, who keeps them past
			 the value, or in the value's own allocation (gitops_tmpl_value_string) */
	union {
		int b;
		int64_t i;
		double f;
		struct {
			double re, im;
		} c;
		struct {
			char *s;
			size_t len;
		} str;
		struct {
			struct gitops_tmpl_value **items;
			size_t n, cap;
			char *type_name;      /* NULL: []interface {} or []string */
			size_t gocap;         /* Go's capacity, when more than n (0: n) */
			struct gitops_tmpl_value *tail; /* NULL, or the LIST whose backing array this
							   slice shares (a slice's, Sprig's slice): item i
							   past n is the tail's item tail_off + i, up to
							   the tail's length, then nils; never a slice
							   with a tail itself */
			size_t tail_off;
		} list;
		struct {
			struct tmpl_entry *e; /* sorted by key, bytewise */
			size_t n, cap;
			char *type_name;      /* NULL: map[string]interface {} */
			int is_struct;        /* a struct's fields: a missing one is an error */
		} map;
	} u;
};

/*
 * A value of a named integer type with String() (time.Month, time.Weekday,
 * time.Duration: a struct holding GITOPS_TMPL_INTEGER): its number (an
 * INT64 value, borrowed), which Go's comparisons, truth, kinds and
 * encoders see; NULL for any other value.
 */
const struct gitops_tmpl_value *tmpl_named_int(const struct gitops_tmpl_value *v);

/*
 * Go's slice capacities (a slice may be resliced past its length up to
 * them: Sprig's slice).  tmpl_go_cap: a list's.  tmpl_go_append_cap: the
 * capacity after appending one item at a time from a slice of capacity cap0
 * until it holds n (growslice, Go 1.23: doubling below 256, then 1.25x plus
 * 192, rounded up to malloc's size classes); esize: 16 for interface {} and
 * string items, 8 for int (noscan).
 */
size_t tmpl_go_cap(const struct gitops_tmpl_value *l);
size_t tmpl_go_grow(size_t oldcap, size_t newlen, size_t esize, int noscan);
size_t tmpl_go_append_cap(size_t cap0, size_t n, size_t esize, int noscan);
/* a list's Go capacity, from appends one at a time from cap0 (0: a nil or empty slice) */
void tmpl_set_append_cap(struct gitops_tmpl_value *l, size_t cap0);

/* bytewise comparison of two keys, as Go compares strings */
int tmpl_keycmp(const char *a, size_t alen, const char *b, size_t blen);
/*
 * gitops_tmpl_map_set with a key already malloc'ed (klen bytes and a NUL):
 * takes key and val, keeping key as the entry's (freed when the map has
 * the key already, or out of memory), no copy made.
 */
int tmpl_map_set_owned(struct gitops_tmpl_value *map, char *key, size_t klen, struct gitops_tmpl_value *val);
/* a pattern compiled for a set's functions (lib/base/regex.h's regex) */
struct gitops_regex;
struct tmpl_regex {
	char *pat;
	size_t len;
	struct gitops_regex *re;
};
/*
 * Go's regexp.Compile of pat (len bytes) for a function the set of call
 * runs: compiled the first time, then the same compiled pattern (a regex
 * is only read when matching), kept by the set and freed with it: *out is
 * borrowed.  0, or -1 with err as gitops_regex_compile fills it (a pattern
 * that fails is compiled again, for its message, each time).
 */
int tmpl_call_regex(struct gitops_regex **out, struct gitops_tmpl_call *call, const char *pat, size_t len,
		    struct gitops_err *err);
/* a string value owning s (malloc'ed, len bytes and a NUL; freed with the value, or now when out of memory) */
struct gitops_tmpl_value *tmpl_value_string_owned(char *s, size_t len);

/* --- fmt (tmpl_fmt.c) --- */
/* strconv.Quote (ascii: QuoteToASCII), appended */
/* Go's utf8.DecodeRune: the rune and its length (0xFFFD and 1 for a bad byte; 0xFFFD and 0 when n is 0) */
unsigned tmpl_rune(const char *s, size_t n, size_t *size);
int tmpl_fmt_quote(struct gitops_buf *b, const char *s, size_t len, int ascii);
/* err := prefix + msg (an input error), keeping msg's end when the whole is too long: -1 */
int tmpl_set_msg(struct gitops_err *err, const char *prefix, const char *msg);
int tmpl_fmt_printf(struct gitops_buf *b, const char *format, size_t flen, struct gitops_tmpl_value *const *args,
		    size_t n);

/* --- Go's unicode.IsLetter, IsDigit, IsPrint (tmpl_unicode.c, generated) --- */
int tmpl_unicode_is_letter(int r);
int tmpl_unicode_is_digit(int r);
int tmpl_unicode_is_print(int r);
int tmpl_unicode_is_space(int r);    /* unicode.IsSpace (White_Space) */
int tmpl_unicode_to(int which, int r); /* unicode.ToUpper (0), ToLower (1), ToTitle (2) */

/* --- strconv (tmpl_parse.c): ParseInt(s, 0, 64) and ParseFloat(s, 64); 0, -1 syntax, -2 range --- */
int tmpl_strconv_parse_int(int64_t *out, const char *s, size_t n);
int tmpl_strconv_parse_float(double *out, const char *s, size_t n);

/* --- lexer (tmpl_lex.c) --- */
enum tmpl_item {
	I_ERROR, I_BOOL, I_CHAR, I_CHARCONST, I_COMMENT, I_COMPLEX, I_ASSIGN, I_DECLARE, I_EOF, I_FIELD,
	I_IDENT, I_LDELIM, I_LPAREN, I_NUMBER, I_PIPE, I_RAWSTRING, I_RDELIM, I_RPAREN, I_SPACE, I_STRING,
	I_TEXT, I_VARIABLE,
	I_KEYWORD, /* keywords after this */
	I_BLOCK, I_BREAK, I_CONTINUE, I_DOT, I_DEFINE, I_ELSE, I_END, I_IF, I_NIL, I_RANGE, I_TEMPLATE, I_WITH,
};

struct tmpl_token {
	unsigned char typ; /* enum tmpl_item */
	unsigned char esc; /* a string or character constant holds a backslash; a raw string a \r */
	int line;         /* 0: the line of pos (tmpl_lex_line) */
	size_t pos;       /* byte offset in the text */
	const char *val;  /* into the text, or into the lexer's error message */
	size_t len;
};

struct tmpl_lexer {
	const char *input;
	size_t len, pos, start;
	size_t done_pos;  /* done: where the line of the EOF items that follow is */
	int inside, paren_depth, done;
	char errmsg[200];
};

/* input[len] must be '\0' (a sentinel the scanning loops stop at) */
void tmpl_lex_init(struct tmpl_lexer *l, const char *input, size_t len);
void tmpl_lex_next(struct tmpl_lexer *l, struct tmpl_token *out);
/*
 * The line of an item: counted only when asked (an error), from the start
 * of the text: 1 + the newlines before the item (the EOF items after an
 * error or the end: before where lexing stopped; a comment's newlines are
 * not counted when it ends badly).
 */
int tmpl_lex_line(const struct tmpl_lexer *l, const struct tmpl_token *t);

/* --- parse tree (tmpl_parse.c) --- */
enum tmpl_ntype {
	N_TEXT, N_ACTION, N_BOOL, N_CHAIN, N_COMMAND, N_DOT, N_FIELD, N_IDENT, N_IF, N_LIST, N_NIL, N_NUMBER,
	N_PIPE, N_RANGE, N_STRING, N_TEMPLATE, N_VARIABLE, N_WITH, N_COMMENT, N_BREAK, N_CONTINUE, N_ELSE, N_END,
};

struct tmpl_tree;

/* a number constant's values (Go's NumberNode): only number nodes carry one */
struct tmpl_num {
	int64_t i64;
	uint64_t u64;
	double f64, c_re, c_im;       /* a complex constant's parts (is_complex) */
};

/*
 * A parse node, packed (a chart's templates make tens of thousands): counts
 * and offsets are 32 bits (tmpl_parse refuses a text of 4 GB or more).
 */
struct tmpl_node {
	unsigned char type;           /* enum tmpl_ntype */
	unsigned char is_assign;
	unsigned char is_int, is_uint, is_float, is_complex, bval; /* number and bool constants */
	int func;                     /* identifiers: index in the set's table, or -1-builtin */
	uint32_t nkids, nident, ndecl;
	uint32_t tlen;
	uint32_t pos;
	struct tmpl_node **kids;      /* list items, command args, pipeline commands (capacity implied) */
	struct tmpl_node *pipe;       /* control, template, action; chain's operand */
	char *text;                   /* string value, identifier, template name; N_TEXT: in the source, tlen long, no NUL */
	struct tmpl_src *src;         /* the text the node was parsed from (its file name), which owns it */
	/* what only some types have, sharing the space (a parse makes ~20,000 nodes for a large chart) */
	union {
		struct {
			struct tmpl_node *list, *else_list; /* if, range, with */
		};
		struct {
			char **ident;         /* field/variable/chain names ("Values", "$x") */
			struct tmpl_node **decl; /* pipeline declarations (variables) */
		};
		struct {
			char *quoted;         /* a string as written; a number's text */
			struct tmpl_num *num; /* N_NUMBER's values */
			/* string, number and bool constants: the value the executor made of it the
			   first time (a number's ideal constant), kept by the src, shared read-only */
			struct gitops_tmpl_value *cval;
		};
	};
};

/* The text a tree was parsed from, shared by the trees of one parse; owns every node (an arena). */
struct tmpl_chunk;
struct tmpl_src {
	unsigned refs;
	char *parse_name;
	char *text;               /* a copy, or the caller's (borrowed: the set's borrow_texts) */
	size_t len;
	int borrowed;
	struct tmpl_chunk *chunks;
	struct gitops_tmpl_value **consts; /* the nodes' cval, released with the src */
	size_t nconsts, capconsts;
};
/* keep v (a constant node's value) until src is freed: 0, or -1 out of memory */
int tmpl_src_keep(struct tmpl_src *src, struct gitops_tmpl_value *v);
void tmpl_src_unref(struct tmpl_src *src);

struct tmpl_tree {
	unsigned refs;
	char *name;
	struct tmpl_src *src;
	struct tmpl_node *root;
};

void tmpl_tree_unref(struct tmpl_tree *t);
/* Go's Node.String(), appended. */
int tmpl_node_string(struct gitops_buf *b, const struct tmpl_node *n);
int tmpl_tree_is_empty(const struct tmpl_node *root);

/* --- builtins (tmpl_exec.c) --- */
enum tmpl_builtin {
	B_AND, B_CALL, B_HTML, B_INDEX, B_SLICE, B_JS, B_LEN, B_NOT, B_OR, B_PRINT, B_PRINTF, B_PRINTLN,
	B_URLQUERY, B_EQ, B_GE, B_GT, B_LE, B_LT, B_NE, B_COUNT
};
extern const char *const tmpl_builtin_names[B_COUNT];
int tmpl_builtin_find(const char *name, size_t len);

/* --- sets --- */
/* a template given to gitops_tmpl_set_defer: its text, parsed when first needed */
struct tmpl_lazy {
	char *name;
	const char *text;                /* borrowed (the set's borrow_texts) */
	size_t len;
};

struct tmpl_def {
	const char *name;                /* the tree's own name, or its lazy's */
	struct tmpl_tree *tree;          /* NULL: lazy, not parsed (now) */
	const struct tmpl_lazy *lazy;    /* a deferred template not replaced since (else NULL) */
};

struct gitops_tmpl_set {
	struct gitops_tmpl_func *funcs;  /* owned copy */
	size_t nfuncs;
	struct gitops_tmpl_options opts;
	void *ctx;
	struct tmpl_def *defs;
	size_t ndefs, capdefs;
	uint32_t *dindex;                /* defs by name: open addressing, slots hold index + 1 */
	size_t dindex_cap;               /* a power of two, at least twice ndefs */
	uint32_t *findex;                /* funcs (no receiver) by name, the last of a name; as dindex */
	size_t findex_cap;
	uint32_t *mindex;                /* funcs with a receiver by receiver and name, the last winning; as dindex */
	size_t mindex_cap;
	uint64_t mfirst[4];              /* the first bytes of the methods' names: a field no method can be */
	struct tmpl_regex *regexes;      /* the patterns its functions compiled (tmpl_call_regex), kept */
	size_t nregexes, capregexes;
	int borrowed_funcs;              /* a tpl copy: funcs, findex and mindex belong to the parent */
	struct tmpl_lazy **lazies;       /* the deferred templates' texts (a tpl copy's: the parent's) */
	size_t nlazies, caplazies;
	void *stack;                     /* the executor's stack (tmpl_exec.c), mapped at the first execution */
	size_t stack_size;
	int stack_busy;                  /* an execution runs on it (1), or gitops_tmpl_set_run's function (2) */
	size_t run_used;                 /* the deepest an execution went during gitops_tmpl_set_run */
};

long tmpl_set_find_func(const struct gitops_tmpl_set *set, const char *name, size_t len);
/* name's tree, a deferred one parsed now: NULL if none, TMPL_TREE_FAILED (err set) if its parse failed */
#define TMPL_TREE_FAILED ((struct tmpl_tree *)(uintptr_t)1)
struct tmpl_tree *tmpl_set_lookup(struct gitops_tmpl_set *set, const char *name, struct gitops_err *err);

/* parse text into a list of trees (the file's own first), honouring the set's functions */
int tmpl_parse(struct tmpl_tree ***out, size_t *n, const struct gitops_tmpl_set *set, const char *name,
	       const char *text, size_t len, struct gitops_err *err);

#endif
