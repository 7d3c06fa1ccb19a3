/*
 * Unit tests for lib/template: the language, Go's fmt, error messages as Go
 * writes them, the limits, and the API (sets, function tables, nested
 * execution as Helm's include and tpl use it, value conversions).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/template.h"
#include "lib/value/value.h"
#include "tests/unit/check_main.h"

/* --- test functions --- */

static int f_fail(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		  size_t n, struct gitops_err *err)
{
	(void)out, (void)call, (void)args, (void)n;
	return gitops_err_set(err, GITOPS_EXIT_INPUT, "boom");
}

static int f_include(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
		     struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;

	(void)n;
	if (gitops_tmpl_call_exec(&b, call, gitops_tmpl_value_str(args[0], NULL), args[1], err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	*out = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

static int f_tpl(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		 size_t n, struct gitops_err *err)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	size_t len;
	const char *text = gitops_tmpl_value_str(args[0], &len);

	(void)n;
	if (gitops_tmpl_call_parse_exec(&b, call, "tpl", text, len, args[1], err) < 0) {
		gitops_buf_release(&b);
		return -1;
	}
	*out = gitops_tmpl_value_string(b.data ? b.data : "", b.len);
	gitops_buf_release(&b);
	return *out ? 0 : gitops_err_oom(err);
}

static int f_strlist(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call,
		     struct gitops_tmpl_value *const *args, size_t n, struct gitops_err *err)
{
	size_t i;

	(void)call;
	*out = gitops_tmpl_value_list(GITOPS_TMPL_STRLIST);
	for (i = 0; *out && i < n; i++)
		if (gitops_tmpl_list_push(*out, gitops_tmpl_value_ref(args[i])) < 0)
			return gitops_err_oom(err);
	return *out ? 0 : gitops_err_oom(err);
}

static int f_int64(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		   size_t n, struct gitops_err *err)
{
	(void)call, (void)n;
	*out = gitops_tmpl_value_int64(gitops_tmpl_value_int_of(args[0]));
	return *out ? 0 : gitops_err_oom(err);
}

static int f_ctx(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		 size_t n, struct gitops_err *err)
{
	(void)args, (void)n;
	*out = gitops_tmpl_value_cstring(gitops_tmpl_call_ctx(call));
	return *out ? 0 : gitops_err_oom(err);
}

static const struct gitops_tmpl_func funcs[] = {
	{ "fail", f_fail, 0, 1, { GITOPS_TMPL_P_ANY }, NULL },
	{ "include", f_include, 2, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
	{ "tpl", f_tpl, 2, 0, { GITOPS_TMPL_P_STRING, GITOPS_TMPL_P_ANY }, NULL },
	{ "strlist", f_strlist, 0, 1, { GITOPS_TMPL_P_STRING }, NULL },
	{ "int64", f_int64, 1, 0, { GITOPS_TMPL_P_INT }, NULL },
	{ "ctx", f_ctx, 0, 0, { GITOPS_TMPL_P_ANY }, NULL },
	{ "fbool", f_ctx, 1, 0, { GITOPS_TMPL_P_BOOL }, NULL },
	{ "ffloat", f_ctx, 1, 0, { GITOPS_TMPL_P_FLOAT }, NULL },
	{ "fmap", f_ctx, 1, 0, { GITOPS_TMPL_P_MAP }, NULL },
};

static const char root_json[] = "{\"s\": \"hello\", \"n\": 42, \"f\": 3.5, \"big\": 1000000, \"t\": true,"
				"\"nul\": null, \"l\": [\"a\", \"b\", \"c\"], \"e\": [], \"m\": {\"b\": 2, \"a\": 1},"
				"\"lm\": [{\"name\": \"x\"}, {\"name\": \"y\"}], \"nested\": {\"p\": {\"q\": \"deep\"}}}";

/* render text as template "t" with root_json (numbers float64); the output, or "ERR: message" */
static char *render_opts(const char *text, const struct gitops_tmpl_options *opts)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_set *set = NULL;
	struct gitops_tmpl_value *root = NULL;
	struct gitops_buf out = GITOPS_BUF_INIT;
	cJSON *tree = cJSON_Parse(root_json);
	char *r = NULL;
	struct gitops_tmpl_options o = GITOPS_TMPL_OPTIONS_INIT;

	ck_assert_ptr_nonnull(tree);
	if (opts)
		o = *opts;
	o.set_name = "gotpl";
	ck_assert_int_eq(gitops_tmpl_set_new(&set, funcs, sizeof(funcs) / sizeof(funcs[0]), &o, "the-ctx", &err), 0);
	ck_assert_int_eq(gitops_tmpl_value_from_tree(&root, tree, 0, &err), 0);
	if (gitops_tmpl_set_parse(set, "t", text, strlen(text), &err) < 0 ||
	    gitops_tmpl_exec(&out, set, "t", root, &err) < 0) {
		ck_assert_msg(err.msg[0] && !strchr(err.msg, '\n'), "an error is one line: '%s'", err.msg);
		ck_assert_int_ne(asprintf(&r, "ERR: %s", err.msg), -1);
	} else {
		r = strdup(out.data ? out.data : "");
	}
	gitops_buf_release(&out);
	gitops_tmpl_value_unref(root);
	gitops_tmpl_set_free(set);
	cJSON_Delete(tree);
	return r;
}

static char *render(const char *text)
{
	return render_opts(text, NULL);
}

#define E(msg) "ERR: template: t:1: " msg
#define X(col, node, msg) "ERR: template: t:1:" #col ": executing \"t\" at <" node ">: " msg

static const struct {
	const char *in, *want;
} cases[] = {
	/* text, actions, trimming, comments */
	{ "plain", "plain" },
	{ "a {{- \"b\" -}} c", "abc" },
	{ "a {{-/* c */-}} b", E("illegal number syntax: \"-\"") },
	{ "a {{- /* c */ -}} b", "ab" },
	{ "[{{/* x */}}]", "[]" },
	{ "{{\"a\"}}{{`b\nc`}}", "ab\nc" },
	{ "{{`a\r\nb`}}", "a\nb" },
	{ "{{\"\\x41\\101\\u00e9\\U0001F600\"}}", "AA\xc3\xa9\xf0\x9f\x98\x80" },
	/* numbers: Go's untyped constants become int or float64 */
	{ "{{42}} {{-7}} {{+3}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}}", "42 -7 3 31 15 15 5 1000" },
	{ "{{3.50}} {{1e3}} {{1e6}} {{0x1p-2}} {{.5}} {{1.}}", "3.5 1000 1e+06 0.25 0.5 1" },
	{ "{{'a'}} {{'\\n'}} {{'é'}}", "97 10 233" },
	{ "{{printf \"%T %T %T %T\" 1 1.0 'a' 0x10}}", "int float64 int int" },
	{ "{{printf \"%T %T %T %T\" 0x1E -0x1E 0x1p4 1e2}} {{-0x1E}}", "int float64 float64 float64 -30" },
	{ "{{99999999999999999999}}", E("integer overflow: \"99999999999999999999\"") },
	{ "{{18446744073709551615}}", X(2, "18446744073709551615", "18446744073709551615 overflows int") },
	{ "{{1__0}}", E("illegal number syntax: \"1__0\"") },
	{ "{{0x}}", E("illegal number syntax: \"0x\"") },
	{ "{{08}}", E("integer overflow: \"08\"") },
	{ "{{1a}}", E("bad number syntax: \"1a\"") },
	{ "{{'ab'}}", E("malformed character constant: 'ab'") },
	{ "{{0x1i}}", E("illegal number syntax: \"0x1i\"") },
	{ "{{1i}}|{{2+3i}}|{{printf \"%T\" 2+0i}}", "(0+1i)|(2+3i)|complex128" },
	{ "{{1i+2i}}", E("syntax error scanning complex number") },
	/* fields and maps */
	{ "{{.s}} {{.nested.p.q}} {{$.s}}", "hello deep hello" },
	{ "[{{.nope}}] [{{.nul}}]", "[<no value>] [<no value>]" },
	{ "{{.nope.x}}", X(7, ".nope.x", "nil pointer evaluating interface {}.x") },
	{ "{{.s.x}}", X(4, ".s.x", "can't evaluate field x in type interface {}") },
	{ "{{$x := .s}}{{$x.y}}", X(16, "$x.y", "can't evaluate field y in type string") },
	{ "{{$x := .nope}}{{$x.y}}", "<no value>" },
	{ "{{.s 1}}", X(2, ".s", "s is not a method but has arguments") },
	{ "{{(.m).a}} {{(index .lm 1).name}}", "1 y" },
	{ "{{(printf \"%v\" 1 true).b}}", X(17, "true", "can't evaluate field b in type string") },
	{ "{{(len \"hello\").p}}", X(7, "\"hello\"", "can't evaluate field p in type int") },
	{ "{{nil.a}}", E("unexpected . after term \"nil\"") },
	{ "{{\"x\".a}}", E("unexpected . after term \"\\\"x\\\"\"") },
	/* printing */
	{ "{{.n}} {{.f}} {{.big}} {{.t}} {{.l}} {{.m}} {{.e}}", "42 3.5 1e+06 true [a b c] map[a:1 b:2] []" },
	{ "{{nil}}", X(2, "nil", "nil is not a command") },
	{ "{{print nil}} {{print .nope}}", "<nil> <nil>" },
	{ "{{\"a\" 1}}", X(2, "\"a\"", "can't give argument to non-function \"a\"") },
	/* variables */
	{ "{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{end}}{{$x}}", "2" },
	{ "{{$x := 1}}{{with $x := 5}}{{$x}}{{end}}{{$x}}", "51" },
	{ "{{$y}}", E("undefined variable \"$y\"") },
	{ "{{if true}}{{$z := 1}}{{end}}{{$z}}", E("undefined variable \"$z\"") },
	{ "{{$ := 1}}", "" },
	{ "{{$a, $b := 1}}", E("too many declarations in command") },
	/* control structures */
	{ "{{if .nope}}a{{else if .t}}b{{else}}c{{end}}", "b" },
	{ "{{with .e}}x{{else with .s}}{{.}}{{end}}", "hello" },
	{ "{{if .t}}x{{else with .s}}y{{end}}", E("unexpected <with> in input") },
	{ "{{range $i, $v := .l}}{{$i}}={{$v}},{{end}}", "0=a,1=b,2=c," },
	{ "{{range $k, $v := .m}}{{$k}}{{$v}}{{end}}", "a1b2" },
	{ "{{range .e}}x{{else}}empty{{end}}", "empty" },
	{ "{{range .nope}}x{{else}}none{{end}}", "none" },
	{ "{{range .l}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", "a" },
	{ "{{range .l}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", "ac" },
	{ "{{range .lm}}{{range $.l}}{{end}}{{.name}}{{end}}", "xy" },
	{ "{{range 3}}{{end}}", X(8, "3", "range can't iterate over 3") },
	{ "{{break}}", E("{{break}} outside {{range}}") },
	{ "{{range .l}}{{break 1}}{{end}}", E("unexpected \"1\" in {{break}}") },
	{ "{{if}}{{end}}", E("missing value for if") },
	{ "{{if true}}", E("unexpected EOF") },
	{ "{{end}}", E("unexpected {{end}}") },
	{ "{{else}}", E("unexpected {{else}}") },
	{ "{{range .l}}{{else}}{{else}}{{end}}", E("expected end; found {{else}}") },
	{ "{{1 | 2}}", E("non executable command in pipeline stage 2") },
	{ "{{}}", E("missing value for command") },
	{ "{{ | printf}}", E("unexpected \"|\" in command") },
	{ "{{(1}}", E("unclosed left paren") },
	{ "{{1)}}", E("unexpected right paren") },
	{ "{{\"abc}}", E("unterminated quoted string") },
	{ "{{/* x }}", E("unclosed comment") },
	{ "{{.a-b}}", E("bad character U+002D '-'") },
	{ "{{#}}", E("unexpected \"#\" in command") },
	{ "{{foo}}", E("function \"foo\" not defined") },
	{ "{{.s\n", "ERR: template: t:2: unclosed action started at t:1" },
	{ "{{with 1}}{{\nelse with print .Value{{s}}{{end}}", "ERR: template: t:2: bad character U+007B '{'" },
	/* define, template, block */
	{ "{{define \"a\"}}A{{.}}{{end}}{{template \"a\" 1}}", "A1" },
	{ "{{define \"a\"}}[{{.}}]{{end}}{{template \"a\"}}", "[<no value>]" },
	{ "{{block \"b\" .s}}<{{.}}>{{end}}", "<hello>" },
	{ "{{template \"zz\"}}", X(11, "{{template \"zz\"}}", "template \"zz\" not defined") },
	{ "{{define \"a\"}}1{{end}}{{define \"a\"}}2{{end}}", E("template: multiple definition of template \"a\"") },
	{ "{{define \"a\"}}1{{end}}{{define \"a\"}} {{end}}{{template \"a\"}}", "1" },
	{ "{{$x := 1}}{{define \"a\"}}{{$x}}{{end}}", E("undefined variable \"$x\"") },
	{ "{{define \"a\"}}{{$}}{{end}}{{template \"a\" 5}}", "5" },
	/* and, or, not */
	{ "{{and 1 \"x\" \"y\"}}|{{and 1 0 \"y\"}}|{{or 0 \"\" \"z\"}}|{{or 0 \"\"}}|{{not 0}}", "y|0|z||true" },
	{ "{{and false (fail)}}{{or true (fail)}}", "falsetrue" },
	{ "{{and}}", X(2, "and", "wrong number of args for and: want at least 1 got 0") },
	{ "{{\"x\" | and 1}}", "x" },
	/* comparisons */
	{ "{{eq 1 1}} {{eq 1 2 1}} {{eq \"a\" \"a\"}} {{ne 1 2}} {{eq .nul nil}} {{eq nil nil}} {{eq .t true}}",
	  "true true true true true true true" },
	{ "{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}} {{lt 1 (int64 2)}}", "true true true false true" },
	{ "{{eq .n 42}}", X(2, "eq .n 42", "error calling eq: incompatible types for comparison") },
	{ "{{eq .n 42.0}} {{eq 1 .nope}}", "true false" },
	{ "{{lt true false}}", X(2, "lt true false", "error calling lt: invalid type for comparison") },
	{ "{{eq .l .l}}", X(2, "eq .l .l", "error calling eq: non-comparable type [a b c]: []interface {}") },
	{ "{{eq .l .m}}",
	  X(2, "eq .l .m", "error calling eq: non-comparable types [a b c]: []interface {}, map[string]interface {}: map[a:1 b:2]") },
	{ "{{eq 1}}", X(2, "eq 1", "error calling eq: missing argument for comparison") },
	{ "{{ne 1}}", X(2, "ne", "wrong number of args for ne: want 2 got 1") },
	/* index, slice, len */
	{ "{{index .l 1}} {{index .lm 1 \"name\"}} {{index .m \"a\"}} [{{index .m \"zz\"}}] {{index \"abc\" 1}}",
	  "b y 1 [<no value>] 98" },
	{ "{{index .l 3}}", X(2, "index .l 3", "error calling index: reflect: slice index out of range") },
	{ "{{index .l 4}}", X(2, "index .l 4", "error calling index: index out of range: 4") },
	{ "{{index \"abc\" 3}} {{index \"abc\" 1 0}}",
	  X(2, "index \"abc\" 3", "error calling index: reflect: string index out of range") },
	{ "{{printf \"%T %v %c\" (index \"abc\" 1) (index \"abc\" 1) (index \"abc\" 1)}} {{eq (index \"abc\" 1) 98}}",
	  "uint8 98 b true" },
	{ "{{index \"abc\" 1 0}}", X(2, "index \"abc\" 1 0", "error calling index: can't index item of type uint8") },
	{ "{{index .l \"x\"}}", X(2, "index .l \"x\"", "error calling index: cannot index slice/array with type string") },
	{ "{{index .m 1}}", X(2, "index .m 1", "error calling index: value has type int; should be string") },
	{ "{{index .s 9}}", X(2, "index .s 9", "error calling index: index out of range: 9") },
	{ "{{index .s 5}}", X(2, "index .s 5", "error calling index: reflect: string index out of range") },
	{ "{{index .n 0}}", X(2, "index .n 0", "error calling index: can't index item of type float64") },
	{ "{{index .nul 0}}", X(2, "index .nul 0", "error calling index: index of untyped nil") },
	{ "{{index .l}}", "[a b c]" },
	{ "{{slice .l 1 2}} {{slice .l 1}} {{slice \"hello\" 1 3}} {{slice .l 0 1 2}}", "[b] [b c] el [a]" },
	{ "{{slice .l 2 1}}", X(2, "slice .l 2 1", "error calling slice: invalid slice index: 2 > 1") },
	{ "{{slice \"abc\" 0 1 2}}", X(2, "slice \"abc\" 0 1 2", "error calling slice: cannot 3-index slice a string") },
	{ "{{len .l}} {{len .m}} {{len \"é\"}} {{len .e}}", "3 2 2 0" },
	{ "{{len 3}}", X(2, "len 3", "error calling len: len of type int") },
	{ "{{len .nul}}", X(2, "len .nul", "error calling len: len of nil pointer") },
	/* print, printf, println */
	{ "{{print 1 2 \"a\" 3 \"b\" \"c\"}}|{{println 1 \"a\"}}|", "1 2a3bc|1 a\n|" },
	{ "{{printf \"%5d|%-5d|%05d|%+d|% d|%x|%X|%#x|%o|%#o|%O|%b\" 42 42 42 5 5 255 255 255 8 8 8 5}}",
	  "   42|42   |00042|+5| 5|ff|FF|0xff|10|010|0o10|101" },
	{ "{{printf \"%.2f|%e|%E|%g|%G|%v|%6.2v|%08.3f|%x|%.3e\" 3.14159 1234.5678 1234.5678 1e21 1e-7 1e6 3.14159 -3.14159 1.5 0.0}}",
	  "3.14|1.234568e+03|1.234568E+03|1e+21|1E-07|1e+06|   3.1|-003.142|0x1.8p+00|0.000e+00" },
	{ "{{printf \"%s|%q|%+q|%#q|%x|% x|%X|%5.1s|%-4s|%v\" \"é\" \"é\" \"é\" \"a`b\" \"hi\" \"hi\" \"hi\" \"abc\" \"ab\" \"s\"}}",
	  "é|\"é\"|\"\\u00e9\"|\"a`b\"|6869|68 69|6869|    a|ab  |s" },
	{ "{{printf \"%c|%U|%#U|%q|%c\" 65 233 233 65 128512}}", "A|U+00E9|U+00E9 'é'|'A'|\xf0\x9f\x98\x80" },
	{ "{{printf \"%t|%v|%d\" true false 1.5}}", "true|false|%!d(float64=1.5)" },
	{ "{{printf \"%d|%s|%z\" \"x\" 1 true}}", "%!d(string=x)|%!s(int=1)|%!z(bool=true)" },
	{ "{{printf \"%d %d\" 1}}", "1 %!d(MISSING)" },
	{ "{{printf \"%d\" 1 \"a\" nil}}", "1%!(EXTRA string=a, <nil>)" },
	{ "{{printf \"%[2]d %[1]d|%[3]d\" 1 2}}", "2 1|%!d(BADINDEX)" },
	{ "{{printf \"%*d|%.*d|%-*d|\" 4 1 3 2 3 9}}", "   1|002|9  |" },
	{ "{{printf \"%!|%\" }}", "%!!(MISSING)|%!(NOVERB)" },
	{ "{{printf \"%v|%+v|%#v|%T\" .l .m .lm .m}}",
	  "[a b c]|map[a:1 b:2]|[]interface {}{map[string]interface {}{\"name\":\"x\"}, map[string]interface {}{\"name\":\"y\"}}|map[string]interface {}" },
	{ "{{printf \"%#v|%#v|%#v|%v|%s|%d\" \"s\" 42.0 nil nil nil .nope}}", "\"s\"|42|<nil>|<nil>|%!s(<nil>)|%!d(<nil>)" },
	{ "{{printf \"%s|%d|%q|%x\" .l (strlist \"a\") .l (strlist \"hi\")}}", "[a b c]|[%!d(string=a)]|[\"a\" \"b\" \"c\"]|[6869]" },
	{ "{{printf \"%T %T %T\" (strlist) (int64 1) .nope}}", "[]string int64 <nil>" },
	{ "{{printf \"%q\" \"\\x00\\t\\x7f\\xff\"}}", "\"\\x00\\t\\x7f\\xff\"" },
	{ "{{printf \"%6.2f|%-8.3e|%+.1f|% .0f\" 3.14159 1234.5 2.25 2.5}}", "  3.14|1.234e+03|+2.2| 2" },
	{ "{{printf \"%v %v %v\" 100000.0 123456789.0 0.00001}}", "100000 1.23456789e+08 1e-05" },
	{ "{{printf \"%.0X|%x|%x|%x|%.3x|%x\" 1e6 1.5 0.0 -1e6 3.14159 5e-324}}",
	  "0X1P+20|0x1.8p+00|0x0p+00|-0x1.e848p+19|0x1.922p+01|0x1p-1074" },
	{ "{{printf \"%#t|%#.3g|%#g|%#.0f|%#e|%#g\" 0.0 1.0 100000.0 3.0 1.0 1e7}}",
	  "%!t(float64=0.00000)|1.00|100000.|3.|1.000000e+00|1.00000e+07" },
	{ "{{printf}}", X(2, "printf", "wrong number of args for printf: want at least 1 got 0") },
	{ "{{printf 1}}", X(9, "1", "expected string; found 1") },
	/* html, js, urlquery, call */
	{ "{{html \"<a href='x'>&\\\"\"}}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;" },
	{ "{{js \"it's <b> & = \\\\ \\n é\"}}", "it\\'s \\u003Cb\\u003E \\u0026 \\u003D \\\\ \\u000A é" },
	{ "{{urlquery \"a b&c=d/é?\"}} {{urlquery 1 2}}", "a+b%26c%3Dd%2F%C3%A9%3F 1+2" },
	{ "{{call .s}}", X(2, "call .s", "error calling call: non-function .s of type string") },
	{ "{{call .nope}}", X(2, "call .nope", "error calling call: call of nil") },
	/* functions from the table */
	{ "{{fail 1}}", X(2, "fail 1", "error calling fail: boom") },
	{ "{{int64 \"x\"}}", X(8, "\"x\"", "expected integer; found \"x\"") },
	{ "{{int64 .n}}", X(8, ".n", "wrong type for value; expected int; got float64") },
	{ "{{int64 1.5}}", X(8, "1.5", "expected integer; found 1.5") },
	{ "{{int64 1.0}} {{3 | int64}} {{printf \"%T\" (int64 1)}}", "1 3 int64" },
	{ "{{$x := .nope}}{{int64 $x}}", X(23, "$x", "invalid value; expected int") },
	{ "{{int64 nil}}", X(8, "nil", "cannot assign nil to int") },
	{ "{{fbool 1}}", X(8, "1", "expected bool; found 1") },
	{ "{{ffloat 1}} {{ffloat 1.5}} {{ffloat .n}}", "the-ctx the-ctx the-ctx" },
	{ "{{fmap .m}} {{fmap nil}}", "the-ctx the-ctx" },
	{ "{{fmap 1}}", X(7, "1", "can't handle 1 for arg of type map[string]interface {}") },
	{ "{{int64 1 2}}", X(2, "int64", "wrong number of args for int64: want 1 got 2") },
	{ "{{ctx}}", "the-ctx" },
	{ "{{define \"a\"}}<{{.}}>{{end}}{{include \"a\" 1}}{{include \"a\" .s | printf \"%q\"}}", "<1>\"<hello>\"" },
	{ "{{include \"zz\" 1}}",
	  X(2, "include \"zz\" 1", "error calling include: template: no template \"zz\" associated with template \"gotpl\"") },
	{ "{{define \"a\"}}A{{end}}{{tpl \"{{template \\\"a\\\"}}{{.}}\" 5}}{{tpl \"{{define \\\"a\\\"}}B{{end}}\" 1}}{{template \"a\"}}",
	  "A5A" },
	{ "{{tpl \"{{.x.y}}\" .}}",
	  X(2, "tpl \"{{.x.y}}\" .", "error calling tpl: template: tpl:1:4: executing \"tpl\" at <.x.y>: nil pointer evaluating interface {}.y") },
};

START_TEST(test_cases)
{
	char *got = render(cases[_i].in);

	ck_assert_msg(!strcmp(got, cases[_i].want), "template %s\n  want: %s\n  got:  %s", cases[_i].in, cases[_i].want,
		      got);
	free(got);
}
END_TEST

START_TEST(test_error_location)
{
	char *got = render("line1\n  {{.s}}{{.nope.deeper}}");

	ck_assert_str_eq(got, "ERR: template: t:2:15: executing \"t\" at <.nope.deeper>: nil pointer evaluating "
			      "interface {}.deeper");
	free(got);
	got = render("a\n{{if\ntrue}}\n{{end}}{{range $x := 1}}{{end}}{{$x}}");
	ck_assert_str_eq(got, "ERR: template: t:4: undefined variable \"$x\"");
	free(got);
}
END_TEST

START_TEST(test_missingkey_error)
{
	struct gitops_tmpl_options o = GITOPS_TMPL_OPTIONS_INIT;
	char *got;

	o.missingkey_error = 1;
	got = render_opts("{{.s}}{{.nope}}", &o);
	ck_assert_str_eq(got, X(8, ".nope", "map has no entry for key \"nope\""));
	free(got);
	got = render_opts("{{$x := .nul}}{{$x.a}}", &o);
	ck_assert_str_eq(got, X(18, "$x.a", "nil data; no entry for key \"a\""));
	free(got);
}
END_TEST

START_TEST(test_limits)
{
	struct gitops_tmpl_options o = GITOPS_TMPL_OPTIONS_INIT;
	struct gitops_buf deep = GITOPS_BUF_INIT;
	char *got;
	int i;

	/* Go's maxExecDepth, whatever max_depth says (it bounds includes and tpl) */
	o.max_depth = 10;
	got = render_opts("{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}", &o);
	ck_assert_str_eq(got, "ERR: template: t:1:25: executing \"r\" at <{{template \"r\" .}}>: exceeded maximum "
			      "template depth (100000)");
	free(got);
	got = render_opts("{{define \"r\"}}{{include \"r\" .}}{{end}}{{include \"r\" .}}", &o);
	ck_assert_msg(strstr(got, "error calling include: template: r: exceeded maximum template depth (10)"), "%s", got);
	free(got);

	o = (struct gitops_tmpl_options)GITOPS_TMPL_OPTIONS_INIT;
	o.max_output = 10;
	got = render_opts("{{range .l}}0123{{end}}", &o);
	ck_assert_str_eq(got, "ERR: template: t: output exceeds 10 bytes");
	free(got);

	o = (struct gitops_tmpl_options)GITOPS_TMPL_OPTIONS_INIT;
	o.max_range = 5;
	got = render_opts("{{range .l}}{{range $.l}}{{end}}{{end}}", &o);
	ck_assert_str_eq(got, "ERR: template: t:1:21: executing \"t\" at <$.l>: range iterations exceed the limit of 5");
	free(got);

	o = (struct gitops_tmpl_options)GITOPS_TMPL_OPTIONS_INIT;
	o.max_string = 100;
	got = render_opts("{{printf \"%200d\" 1}}", &o);
	ck_assert_str_eq(got, "ERR: template: t:1:2: executing \"t\" at <printf \"%200d\" 1>: string of 200 bytes "
			      "exceeds the limit of 100 bytes");
	free(got);

	/* nesting in one text: an error, never a stack overflow */
	for (i = 0; i < 5000; i++)
		ck_assert_int_eq(gitops_buf_addstr(&deep, "{{if true}}"), 0);
	got = render(deep.data);
	ck_assert_str_eq(got, "ERR: template: t:1: max expression depth exceeded");
	free(got);
	gitops_buf_release(&deep);
	ck_assert_int_eq(gitops_buf_addstr(&deep, "{{"), 0);
	for (i = 0; i < 5000; i++)
		ck_assert_int_eq(gitops_buf_addstr(&deep, "("), 0);
	got = render(deep.data);
	ck_assert_str_eq(got, "ERR: template: t:1: max expression depth exceeded");
	free(got);
	gitops_buf_release(&deep);

	/* a long node and a long message: cut in the middle, the message's end kept */
	for (i = 0; i < 3000; i++)
		ck_assert_int_eq(gitops_buf_addstr(&deep, "x"), 0);
	{
		char *text = NULL;
		ck_assert_int_ne(asprintf(&text, "{{template \"%s\"}}", deep.data), -1);
		got = render(text);
		free(text);
	}
	ck_assert_uint_lt(strlen(got), GITOPS_ERR_MSG_MAX + 5);
	ck_assert_msg(strstr(got, "xxx ... xxx") && !strcmp(got + strlen(got) - 16, "xxx\" not defined"), "%.80s",
		      got + strlen(got) - 80);
	free(got);
	gitops_buf_release(&deep);

	/* a long chain of includes stays within the stack budget */
	o = (struct gitops_tmpl_options)GITOPS_TMPL_OPTIONS_INIT;
	o.max_depth = 100000;
	o.max_stack = 4u << 20;
	got = render_opts("{{define \"r\"}}{{include \"r\" .}}{{end}}{{include \"r\" .}}", &o);
	ck_assert_msg(strstr(got, "exceeded maximum template depth (nesting too deep for"), "%.300s", got);
	ck_assert_uint_lt(strlen(got), GITOPS_ERR_MSG_MAX + 5);
	free(got);
}
END_TEST

START_TEST(test_set)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_set *set = NULL;
	struct gitops_buf out = GITOPS_BUF_INIT;

	ck_assert_int_eq(gitops_tmpl_set_new(&set, funcs, 1, NULL, NULL, &err), 0);
	/* a later non-empty definition replaces an earlier one; an empty one never does */
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "a.tpl", "{{define \"d\"}}one{{end}}", 24, &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "b.tpl", "{{define \"d\"}} {{end}}", 22, &err), 0);
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "d", NULL, &err), 0);
	ck_assert_str_eq(out.data, "one");
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "c.tpl", "{{define \"d\"}}two{{end}}", 24, &err), 0);
	out.len = 0;
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "d", NULL, &err), 0);
	ck_assert_str_eq(out.data, "two");
	/* a failed parse leaves the set as it was */
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "e.tpl", "{{define \"d\"}}three{{end}}{{", 28, &err), -1);
	ck_assert_str_eq(err.msg, "template: e.tpl:1: unclosed action");
	ck_assert(gitops_tmpl_set_has(set, "d"));
	ck_assert(gitops_tmpl_set_has(set, "a.tpl"));
	ck_assert(!gitops_tmpl_set_has(set, "e.tpl"));
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "nope", NULL, &err), -1);
	ck_assert_str_eq(err.msg, "template: no template \"nope\" associated with template \"nope\"");
	gitops_buf_release(&out);
	gitops_tmpl_set_free(set);
	gitops_tmpl_set_free(NULL);
}
END_TEST

START_TEST(test_set_defer)
{
	struct gitops_tmpl_options o = GITOPS_TMPL_OPTIONS_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_set *set = NULL;
	struct gitops_buf out = GITOPS_BUF_INIT;
	static const char lazy[] = "L{{ .x }}", bad[] = "{{ if }}", defines[] = "{{define \"e\"}}E{{end}}x",
			  named[] = "file", inc[] = "{{ include \"lazy\" . }}|{{ template \"lazy\" . }}|{{ tpl \"{{ include \\\"lazy\\\" . }}\" . }}";
	struct gitops_tmpl_value *dot = gitops_tmpl_value_map(NULL);

	ck_assert_ptr_nonnull(dot);
	ck_assert_int_eq(gitops_tmpl_map_set(dot, "x", 1, gitops_tmpl_value_cstring("1")), 0);
	o.borrow_texts = 1;
	ck_assert_int_eq(gitops_tmpl_set_new(&set, funcs, sizeof(funcs) / sizeof(*funcs), &o, NULL, &err), 0);
	/* deferred: known by name, a parse error only where it is needed */
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "lazy", lazy, strlen(lazy), &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "bad", bad, strlen(bad), &err), 0);
	ck_assert(gitops_tmpl_set_has(set, "lazy"));
	ck_assert(gitops_tmpl_set_has(set, "bad"));
	ck_assert_int_eq(gitops_tmpl_set_check(set, "bad", bad, strlen(bad), &err), -1);
	ck_assert_str_eq(err.msg, "template: bad:1: missing value for if");
	ck_assert_int_eq(gitops_tmpl_set_check(set, "lazy", lazy, strlen(lazy), &err), 0);
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "bad", dot, &err), -1);
	ck_assert_str_eq(err.msg, "template: bad:1: missing value for if");
	/* a text that may define is parsed at once: its definitions are there before any execution */
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "defines", defines, strlen(defines), &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "inc", inc, strlen(inc), &err), 0);
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "e", dot, &err), 0);
	ck_assert_str_eq(out.data, "E");
	/* executed, included, named by {{template}} and from tpl's copy of the set; parsed again after unparse */
	for (int round = 0; round < 2; round++) {
		out.len = 0;
		ck_assert_int_eq(gitops_tmpl_exec(&out, set, "lazy", dot, &err), 0);
		ck_assert_str_eq(out.data, "L1");
		gitops_tmpl_set_unparse(set, "lazy");
		out.len = 0;
		ck_assert_int_eq(gitops_tmpl_exec(&out, set, "inc", dot, &err), 0);
		ck_assert_str_eq(out.data, "L1|L1|L1");
		gitops_tmpl_set_unparse(set, "lazy");
	}
	/* a keyword opening an action, after a trim marker or spaces, is a definition; the words elsewhere are not */
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "t1", "{{-\tdefine \"x1\" }}X1{{ end }}", 29, &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "t2", "{{  block \"x2\" . }}B{{ end }}", 29, &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "t3", "define block {{ if }}", 21, &err), 0);
	out.len = 0;
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "x1", dot, &err), 0);
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "x2", dot, &err), 0);
	ck_assert_str_eq(out.data, "X1B");
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "t3", dot, &err), -1);
	ck_assert_str_eq(err.msg, "template: t3:1: missing value for if");
	/* a name the set has already is parsed at once, by a parse's rules (an empty text keeps the old) */
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "e", " ", 1, &err), 0);
	out.len = 0;
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "e", dot, &err), 0);
	ck_assert_str_eq(out.data, "E");
	/* a later definition of a deferred name replaces it; an empty one does not */
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "named", named, strlen(named), &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "p1", "{{define \"named\"}} {{end}}", 26, &err), 0);
	out.len = 0;
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "named", dot, &err), 0);
	ck_assert_str_eq(out.data, "file");
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "p2", "{{define \"named\"}}def{{end}}", 28, &err), 0);
	gitops_tmpl_set_unparse(set, "named"); /* replaced: nothing to free, still defined */
	out.len = 0;
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "named", dot, &err), 0);
	ck_assert_str_eq(out.data, "def");
	gitops_buf_release(&out);
	gitops_tmpl_set_free(set);
	/* without borrowed texts, deferring is parsing */
	ck_assert_int_eq(gitops_tmpl_set_new(&set, funcs, 1, NULL, NULL, &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_defer(set, "bad", bad, strlen(bad), &err), -1);
	ck_assert_str_eq(err.msg, "template: bad:1: missing value for if");
	ck_assert(!gitops_tmpl_set_has(set, "bad"));
	gitops_tmpl_set_free(set);
	gitops_tmpl_value_unref(dot);
}
END_TEST

/* gitops_tmpl_set_run: executions from one switch onto the set's stack, each as from outside */
struct run_arg {
	struct gitops_tmpl_set *set;
	struct gitops_buf *out;
	struct gitops_err *err;
	int depth;
};

static int run_two(void *arg)
{
	struct run_arg *a = arg;

	if (gitops_tmpl_exec(a->out, a->set, "a", NULL, a->err) < 0)
		return -1;
	/* a run inside a run: the function is simply called */
	if (a->depth++ == 0 && gitops_tmpl_set_run(a->set, run_two, a, a->err) != 0)
		return -1;
	return gitops_tmpl_exec(a->out, a->set, "deep", NULL, a->err);
}

START_TEST(test_set_run)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_set *set = NULL;
	struct gitops_buf out = GITOPS_BUF_INIT;
	struct run_arg a = { NULL, &out, &err, 0 };
	static const char deep[] = "{{define \"r\"}}{{if lt (len .) 200}}{{template \"r\" (print . \"x\")}}{{else}}{{len .}}{{end}}{{end}}{{template \"r\" \"\"}}";

	ck_assert_int_eq(gitops_tmpl_set_new(&set, funcs, sizeof(funcs) / sizeof(*funcs), NULL, NULL, &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "a", "A{{ include \"b\" . }}", 20, &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "b", "B", 1, &err), 0);
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "deep", deep, strlen(deep), &err), 0);
	a.set = set;
	ck_assert_int_eq(gitops_tmpl_set_run(set, run_two, &a, &err), 0);
	ck_assert_str_eq(out.data, "ABAB200200");
	/* an execution's error comes back through the function's value, the set usable after it */
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "a", "{{ fail }}", 10, &err), 0);
	a.depth = 1;
	out.len = 0;
	ck_assert_int_eq(gitops_tmpl_set_run(set, run_two, &a, &err), -1);
	ck_assert_str_eq(err.msg, "template: a:1:3: executing \"a\" at <fail>: error calling fail: boom");
	ck_assert_int_eq(gitops_tmpl_set_parse(set, "a", "A", 1, &err), 0);
	out.len = 0;
	ck_assert_int_eq(gitops_tmpl_exec(&out, set, "a", NULL, &err), 0);
	ck_assert_str_eq(out.data, "A");
	gitops_buf_release(&out);
	gitops_tmpl_set_free(set);
}
END_TEST

START_TEST(test_values)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	cJSON *tree = cJSON_Parse("{\"a\": 1, \"b\": [1.5, \"x\", null, true], \"c\": {\"z\": 1, \"y\": 2}}");
	struct gitops_tmpl_value *v = NULL, *m;
	cJSON *back;
	char *text;

	ck_assert_ptr_nonnull(tree);
	gitops_value_set_int(cJSON_GetObjectItem(tree, "a"), 7);
	ck_assert_int_eq(gitops_tmpl_value_from_tree(&v, tree, 0, &err), 0);
	ck_assert_int_eq(gitops_tmpl_value_kind(gitops_tmpl_map_get(v, "a", 1)), GITOPS_TMPL_FLOAT64);
	gitops_tmpl_value_unref(v);
	ck_assert_int_eq(gitops_tmpl_value_from_tree(&v, tree, GITOPS_TMPL_TREE_INT64, &err), 0);
	ck_assert_int_eq(gitops_tmpl_value_kind(gitops_tmpl_map_get(v, "a", 1)), GITOPS_TMPL_INT64);
	m = gitops_tmpl_map_get(v, "c", 1);
	ck_assert_str_eq(gitops_tmpl_value_key(m, 0, NULL), "y");
	ck_assert_int_eq(gitops_tmpl_map_delete(m, "y", 1), 1);
	ck_assert_int_eq(gitops_tmpl_map_delete(m, "y", 1), 0);
	ck_assert_uint_eq(gitops_tmpl_value_len(m), 1);
	back = gitops_tmpl_value_to_tree(v);
	ck_assert_ptr_nonnull(back);
	text = cJSON_PrintUnformatted(back);
	ck_assert_str_eq(text, "{\"a\":7,\"b\":[1.5,\"x\",null,true],\"c\":{\"z\":1}}");
	free(text);
	cJSON_Delete(back);
	ck_assert_str_eq(gitops_tmpl_value_type_name(v), "map[string]interface {}");
	ck_assert(gitops_tmpl_value_truth(v));
	gitops_tmpl_value_unref(v);
	cJSON_Delete(tree);
}
END_TEST

/* the take conversions give what the copying ones give; a value also held elsewhere keeps its text */
START_TEST(test_values_take)
{
	struct gitops_err err = GITOPS_ERR_INIT;
	const char *json = "{\"a\":7,\"b\":[1.5,\"x\",null,true],\"c\":{\"z\":\"zz\",\"y\":\"\"}}";
	cJSON *tree = cJSON_Parse(json), *copy, *back;
	struct gitops_tmpl_value *v = NULL, *w = NULL, *shared;
	char *a, *b;

	ck_assert_ptr_nonnull(tree);
	gitops_value_set_int(cJSON_GetObjectItem(tree, "a"), 7);
	copy = cJSON_Duplicate(tree, 1);
	ck_assert_int_eq(gitops_tmpl_value_from_tree(&v, copy, GITOPS_TMPL_TREE_INT64, &err), 0);
	ck_assert_int_eq(gitops_tmpl_value_from_tree_take(&w, tree, GITOPS_TMPL_TREE_INT64, &err), 0);
	cJSON_Delete(tree);
	cJSON_Delete(copy);
	/* one string shared with a list: it stays in w after w's tree is made */
	shared = gitops_tmpl_value_ref(gitops_tmpl_map_get(gitops_tmpl_map_get(w, "c", 1), "z", 1));
	copy = gitops_tmpl_value_to_tree(v);
	back = gitops_tmpl_value_to_tree_take(w);
	ck_assert_ptr_nonnull(copy);
	ck_assert_ptr_nonnull(back);
	a = cJSON_PrintUnformatted(copy);
	b = cJSON_PrintUnformatted(back);
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(gitops_tmpl_value_str(shared, NULL), "zz");
	free(a);
	free(b);
	cJSON_Delete(copy);
	cJSON_Delete(back);
	gitops_tmpl_value_unref(shared);
	gitops_tmpl_value_unref(v);
	gitops_tmpl_value_unref(w);
}
END_TEST

static int m_get(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		 size_t n, struct gitops_err *err)
{
	struct gitops_tmpl_value *v;
	size_t len;
	const char *key = gitops_tmpl_value_str(args[1], &len);

	(void)call, (void)n;
	if (!strcmp(key, "bad"))
		return gitops_err_set(err, GITOPS_EXIT_INPUT, "\"%s\" is not a table", key);
	v = gitops_tmpl_map_get(args[0], key, len);
	*out = v ? gitops_tmpl_value_ref(v) : gitops_tmpl_value_cstring("");
	return *out ? 0 : gitops_err_oom(err);
}

static int m_has(struct gitops_tmpl_value **out, struct gitops_tmpl_call *call, struct gitops_tmpl_value *const *args,
		 size_t n, struct gitops_err *err)
{
	size_t i, len, l2;
	const char *want = gitops_tmpl_value_str(args[1], &len);
	int found = 0;

	(void)call, (void)n;
	for (i = 0; i < gitops_tmpl_value_len(args[0]); i++) {
		const char *v = gitops_tmpl_value_str(gitops_tmpl_value_item(args[0], i), &l2);
		found |= l2 == len && !memcmp(v, want, len);
	}
	*out = gitops_tmpl_value_bool(found);
	return *out ? 0 : gitops_err_oom(err);
}

START_TEST(test_methods)
{
	static const struct gitops_tmpl_func methods[] = {
		{ "Get", m_get, 1, 0, { GITOPS_TMPL_P_STRING }, "chartutil.Values" },
		{ "Has", m_has, 1, 0, { GITOPS_TMPL_P_STRING }, "chartutil.VersionSet" },
	};
	static const struct {
		const char *in, *want;
	} c[] = {
		{ "{{.V.Get \"a\"}}|{{.V.a}}|{{\"a\" | .V.Get}}|{{printf \"%T\" .V}}|{{.S.Name}}|{{printf \"%T\" .S}}",
		  "1|1|1|chartutil.Values|n|*chart.Metadata" },
		{ "{{.V.Get}}", "ERR: template: t:1:4: executing \"t\" at <.V.Get>: wrong number of args for Get: want 1 got 0" },
		{ "{{.V.Get \"bad\"}}", "ERR: template: t:1:4: executing \"t\" at <.V.Get>: error calling Get: \"bad\" is not a table" },
		{ "{{.S.name}}", "ERR: template: t:1:4: executing \"t\" at <.S.name>: can't evaluate field name in type interface {}" },
		{ "{{Get}}", "ERR: template: t:1: function \"Get\" not defined" },
		{ "{{.A.Has \"v1\"}} {{.A.Has \"v2\"}} {{printf \"%T %v\" .A .A}} {{len .A}}", "true false chartutil.VersionSet [v1] 1" },
		{ "{{.A.x}}", "ERR: template: t:1:4: executing \"t\" at <.A.x>: can't evaluate field x in type interface {}" },
	};
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_tmpl_value *root = gitops_tmpl_value_map(NULL), *v = gitops_tmpl_value_map("chartutil.Values");
	struct gitops_tmpl_value *st = gitops_tmpl_value_struct("*chart.Metadata");
	size_t i;

	ck_assert_int_eq(gitops_tmpl_map_set(v, "a", 1, gitops_tmpl_value_int(1)), 0);
	ck_assert_int_eq(gitops_tmpl_map_set(st, "Name", 4, gitops_tmpl_value_cstring("n")), 0);
	ck_assert_int_eq(gitops_tmpl_map_set(root, "V", 1, v), 0);
	ck_assert_int_eq(gitops_tmpl_map_set(root, "S", 1, st), 0);
	{
		struct gitops_tmpl_value *a = gitops_tmpl_value_named_list(GITOPS_TMPL_STRLIST, "chartutil.VersionSet");
		ck_assert_int_eq(gitops_tmpl_list_push(a, gitops_tmpl_value_cstring("v1")), 0);
		ck_assert_int_eq(gitops_tmpl_map_set(root, "A", 1, a), 0);
	}
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct gitops_tmpl_set *set = NULL;
		struct gitops_buf out = GITOPS_BUF_INIT;
		char got[2048];
		ck_assert_int_eq(gitops_tmpl_set_new(&set, methods, 2, NULL, NULL, &err), 0);
		if (gitops_tmpl_set_parse(set, "t", c[i].in, strlen(c[i].in), &err) < 0 ||
		    gitops_tmpl_exec(&out, set, "t", root, &err) < 0)
			snprintf(got, sizeof(got), "ERR: %s", err.msg);
		else
			snprintf(got, sizeof(got), "%s", out.data);
		ck_assert_str_eq(got, c[i].want);
		gitops_buf_release(&out);
		gitops_tmpl_set_free(set);
	}
	gitops_tmpl_value_unref(root);
}
END_TEST

static Suite *template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("template");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_error_location);
	tcase_add_test(tc, test_missingkey_error);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_set);
	tcase_add_test(tc, test_set_defer);
	tcase_add_test(tc, test_set_run);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_values_take);
	tcase_add_test(tc, test_methods);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gitops_check_run(template_suite());
}
