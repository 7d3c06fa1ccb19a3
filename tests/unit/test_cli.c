/* cli: durations, sizes, the common and kube options, limits from the environment, colour choices, usage errors. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/check_main.h"
#include "cmd/tool/cli.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *in;
	int ok;
	long ms;
} duration_cases[] = {
	{ "0", 1, 0 },
	{ "30", 1, 30000 },          /* a bare number is seconds */
	{ "1.5", 1, 1500 },
	{ "90s", 1, 90000 },
	{ "5m", 1, 300000 },
	{ "1h", 1, 3600000 },
	{ "1h30m", 1, 5400000 },
	{ "2m30s", 1, 150000 },
	{ "250ms", 1, 250 },
	{ "1s500ms", 1, 1500 },
	{ ".5s", 1, 500 },
	{ "0s", 1, 0 },
	{ "", 0, 0 },
	{ "s", 0, 0 },
	{ "-1s", 0, 0 },
	{ "+1s", 0, 0 },
	{ " 1s", 0, 0 },
	{ "1d", 0, 0 },
	{ "1x", 0, 0 },
	{ "1s2", 0, 0 },             /* a bare number only alone */
	{ "1 s", 0, 0 },
	{ "abc", 0, 0 },
	{ "9999999999h", 0, 0 },     /* beyond what a request timeout can mean */
};

START_TEST(test_duration)
{
	long ms = -42;
	int ret = gitops_parse_duration(duration_cases[_i].in, &ms);

	if (duration_cases[_i].ok) {
		ck_assert_msg(ret == 0, "'%s' refused", duration_cases[_i].in);
		ck_assert_int_eq(ms, duration_cases[_i].ms);
	} else {
		ck_assert_msg(ret == -1, "'%s' accepted as %ld ms", duration_cases[_i].in, ms);
		ck_assert_int_eq(ms, -42);   /* untouched */
	}
}
END_TEST

static const struct {
	const char *in;
	int ok;
	size_t size;
} size_cases[] = {
	{ "1", 1, 1 },
	{ "1024", 1, 1024 },
	{ "1K", 1, 1024 },
	{ "1k", 1, 1024 },
	{ "16M", 1, 16u << 20 },
	{ "16m", 1, 16u << 20 },
	{ "2G", 1, (size_t)2 << 30 },
	{ "2g", 1, (size_t)2 << 30 },
	{ "0", 0, 0 },
	{ "0K", 0, 0 },
	{ "", 0, 0 },
	{ "-1", 0, 0 },
	{ "K", 0, 0 },
	{ "abc", 0, 0 },
	{ "1KB", 0, 0 },
	{ "1T", 0, 0 },
	{ "1.5M", 0, 0 },
	{ "12 ", 0, 0 },
	{ "99999999999999999999", 0, 0 },   /* beyond unsigned long long */
	{ "18446744073709551615G", 0, 0 },  /* overflows once shifted */
};

START_TEST(test_size)
{
	size_t n = 42;
	int ret = gitops_parse_size(size_cases[_i].in, &n);

	if (size_cases[_i].ok) {
		ck_assert_msg(ret == 0, "'%s' refused", size_cases[_i].in);
		ck_assert_uint_eq(n, size_cases[_i].size);
	} else {
		ck_assert_msg(ret == -1, "'%s' accepted as %zu", size_cases[_i].in, n);
		ck_assert_uint_eq(n, 42);
	}
}
END_TEST

/* What a parse leaves on stdout and stderr: both sent to files of a private directory. */
static char tmpdir[4096], out_path[4200], err_path[4200];

static void capture_start(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/gitops-test-cli.XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(out_path, sizeof(out_path), "%s/stdout", tmpdir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmpdir);
	fflush(stdout);
	fflush(stderr);
	ck_assert_ptr_nonnull(freopen(out_path, "w", stdout));
	ck_assert_ptr_nonnull(freopen(err_path, "w", stderr));
}

static char *slurp(const char *path)
{
	struct gitops_buf b = GITOPS_BUF_INIT;
	struct gitops_err err = GITOPS_ERR_INIT;

	ck_assert_msg(gitops_buf_read_file(&b, path, 1u << 20, &err) == 0, "%s", err.msg);
	return gitops_buf_detach(&b);
}

/* Files closed and read back; the directory removed. */
static void capture_end(char **out, char **errout)
{
	fflush(stdout);
	fflush(stderr);
	*out = slurp(out_path);
	*errout = slurp(err_path);
	unlink(out_path);
	unlink(err_path);
	rmdir(tmpdir);
}

#define USAGE "gitops-test [options] FILE...\ngitops-test --other"
#define SYNOPSIS "usage: gitops-test [options] FILE...\n   or: gitops-test --other\n"
#define HELP "  -x   an option of the program\n"

/* The program's own options, which the callback records. */
struct own {
	int x;
	const char *name;
};

static int own_option(struct gitops_cli *cli, int opt, const char *arg, void *ctx)
{
	struct own *o = ctx;

	switch (opt) {
	case 'x':
		o->x++;
		return 0;
	case 300:
		if (!strcmp(arg, "bad"))
			return gitops_cli_usage_error(cli, "--name cannot be '%s'", arg);
		o->name = arg;
		return 0;
	}
	return gitops_cli_usage_error(cli, "unexpected option %d", opt);
}

static const struct option own_longopts[] = {
	{ "name", required_argument, NULL, 300 },
	{ NULL, 0, NULL, 0 },
};

#define NOT_SET -99

static const struct {
	const char *args;         /* blank-separated */
	int kube;                 /* the kube options taken */
	int ret;                  /* what gitops_cli_parse returns: -1 to go on */
	const char *out;          /* stdout, exact */
	const char *err;          /* stderr, exact */
	int verbosity, format, color, x, optind, parallel;
	long timeout_ms;
	const char *name, *ns, *context, *kubeconfig;
} parse_cases[] = {
	{ "", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 1, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "a b", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 1, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "-v", 0, -1, "", "", 1, GITOPS_FORMAT_YAML, 0, 0, 2, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "-v -v --verbose", 0, -1, "", "", 3, GITOPS_FORMAT_YAML, 0, 0, 4, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "-q", 0, -1, "", "", -1, GITOPS_FORMAT_YAML, 0, 0, 2, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--quiet -v", 0, -1, "", "", 1, GITOPS_FORMAT_YAML, 0, 0, 3, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "-v -q", 0, -1, "", "", -1, GITOPS_FORMAT_YAML, 0, 0, 3, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "-o json", 0, -1, "", "", 0, GITOPS_FORMAT_JSON, 0, 0, 3, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--output=json -o yaml", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 4, NOT_SET, NOT_SET, NULL, NULL, NULL,
	  NULL },
	{ "-ojson", 0, -1, "", "", 0, GITOPS_FORMAT_JSON, 0, 0, 2, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--color", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 1, 0, 2, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--color=always", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 1, 0, 2, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--color=always --color=never", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 3, NOT_SET, NOT_SET, NULL, NULL,
	  NULL, NULL },
	/* NO_COLOR is set for every case: auto means none */
	{ "--color=always --color=auto", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 3, NOT_SET, NOT_SET, NULL, NULL,
	  NULL, NULL },
	/* operands first, options after them (getopt_long permutes), and -- ends the options */
	{ "f1 -x f2 --name n", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 1, 4, NOT_SET, NOT_SET, "n", NULL, NULL, NULL },
	{ "-xx --name=v -- -v", 0, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 2, 4, NOT_SET, NOT_SET, "v", NULL, NULL, NULL },
	{ "--help", 0, 0, SYNOPSIS "\n" HELP, "", 0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET, NOT_SET, NOT_SET, NULL, NULL,
	  NULL, NULL },
	{ "-v -h -x", 0, 0, SYNOPSIS "\n" HELP, "", 1, GITOPS_FORMAT_YAML, 0, 0, NOT_SET, NOT_SET, NOT_SET, NULL, NULL,
	  NULL, NULL },
	{ "--version", 0, 0, "gitops-test " GITOPS_VERSION "\n", "", 0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET, NOT_SET,
	  NOT_SET, NULL, NULL, NULL, NULL },
	{ "-V", 0, 0, "gitops-test " GITOPS_VERSION "\n", "", 0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET, NOT_SET, NOT_SET,
	  NULL, NULL, NULL, NULL },
	/* usage errors: the message, then the synopsis, on stderr; exit 2 */
	{ "-o xml", 0, 2, "", "gitops-test: unknown output format 'xml' (yaml or json)\n" SYNOPSIS, 0,
	  GITOPS_FORMAT_YAML, 0, 0, NOT_SET, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "-o", 0, 2, "", "gitops-test: option '-o' needs a value\n" SYNOPSIS, 0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET,
	  NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--output", 0, 2, "", "gitops-test: option '--output' needs a value\n" SYNOPSIS, 0, GITOPS_FORMAT_YAML, 0, 0,
	  NOT_SET, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--color=sometimes", 0, 2, "", "gitops-test: --color takes always, never or auto, not 'sometimes'\n" SYNOPSIS,
	  0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "-z", 0, 2, "", "gitops-test: unknown option '-z'\n" SYNOPSIS, 0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET, NOT_SET,
	  NOT_SET, NULL, NULL, NULL, NULL },
	{ "--nope", 0, 2, "", "gitops-test: unknown option '--nope'\n" SYNOPSIS, 0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET,
	  NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--name bad", 0, 2, "", "gitops-test: --name cannot be 'bad'\n" SYNOPSIS, 0, GITOPS_FORMAT_YAML, 0, 0,
	  NOT_SET, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	/* the kube options only when the program takes them */
	{ "-n ns", 0, 2, "", "gitops-test: unknown option '-n'\n" SYNOPSIS, 0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET,
	  NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "--context c", 0, 2, "", "gitops-test: unknown option '--context'\n" SYNOPSIS, 0, GITOPS_FORMAT_YAML, 0, 0,
	  NOT_SET, NOT_SET, NOT_SET, NULL, NULL, NULL, NULL },
	{ "", 1, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 1, 256, 30000, NULL, NULL, NULL, NULL },
	{ "-n ns --context c --kubeconfig k.yaml", 1, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 7, 256, 30000, NULL, "ns",
	  "c", "k.yaml" },
	{ "--namespace=other", 1, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 2, 256, 30000, NULL, "other", NULL, NULL },
	{ "--parallel 1 --request-timeout 1m30s", 1, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 5, 1, 90000, NULL, NULL,
	  NULL, NULL },
	{ "--parallel=1024 --request-timeout=0", 1, -1, "", "", 0, GITOPS_FORMAT_YAML, 0, 0, 3, 1024, 0, NULL, NULL,
	  NULL, NULL },
	{ "--parallel 0", 1, 2, "", "gitops-test: --parallel takes a number from 1 to 1024, not '0'\n" SYNOPSIS, 0,
	  GITOPS_FORMAT_YAML, 0, 0, NOT_SET, 256, 30000, NULL, NULL, NULL, NULL },
	{ "--parallel 1025", 1, 2, "", "gitops-test: --parallel takes a number from 1 to 1024, not '1025'\n" SYNOPSIS,
	  0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET, 256, 30000, NULL, NULL, NULL, NULL },
	{ "--parallel=", 1, 2, "", "gitops-test: --parallel takes a number from 1 to 1024, not ''\n" SYNOPSIS, 0,
	  GITOPS_FORMAT_YAML, 0, 0, NOT_SET, 256, 30000, NULL, NULL, NULL, NULL },
	{ "--parallel 4x", 1, 2, "", "gitops-test: --parallel takes a number from 1 to 1024, not '4x'\n" SYNOPSIS, 0,
	  GITOPS_FORMAT_YAML, 0, 0, NOT_SET, 256, 30000, NULL, NULL, NULL, NULL },
	{ "--request-timeout soon", 1, 2, "",
	  "gitops-test: --request-timeout takes a duration (30s, 1m; 0: never), not 'soon'\n" SYNOPSIS, 0,
	  GITOPS_FORMAT_YAML, 0, 0, NOT_SET, 256, 30000, NULL, NULL, NULL, NULL },
	{ "-n", 1, 2, "", "gitops-test: option '-n' needs a value\n" SYNOPSIS, 0, GITOPS_FORMAT_YAML, 0, 0, NOT_SET, 256,
	  30000, NULL, NULL, NULL, NULL },
	{ "--kubeconfig", 1, 2, "", "gitops-test: option '--kubeconfig' needs a value\n" SYNOPSIS, 0,
	  GITOPS_FORMAT_YAML, 0, 0, NOT_SET, 256, 30000, NULL, NULL, NULL, NULL },
};

START_TEST(test_parse)
{
	struct gitops_kube_options kube = { NULL, NULL, NULL };
	struct gitops_kube_client_options client = GITOPS_KUBE_CLIENT_OPTIONS_INIT;
	struct own own = { 0, NULL };
	struct gitops_cli cli;
	char args[256], *argv[32], *p, *out, *errout;
	int argc = 0, ret;

	setenv("NO_COLOR", "1", 1);
	snprintf(args, sizeof(args), "%s", parse_cases[_i].args);
	argv[argc++] = "gitops-test";
	for (p = strtok(args, " "); p; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	gitops_cli_init(&cli, "gitops-test", USAGE, HELP);
	if (parse_cases[_i].kube)
		gitops_cli_kube_options(&cli, &kube, &client);
	capture_start();
	ret = gitops_cli_parse(&cli, argc, argv, "x", own_longopts, own_option, &own);
	capture_end(&out, &errout);

	ck_assert_int_eq(ret, parse_cases[_i].ret);
	ck_assert_str_eq(out, parse_cases[_i].out);
	ck_assert_str_eq(errout, parse_cases[_i].err);
	ck_assert_int_eq(cli.verbosity, parse_cases[_i].verbosity);
	ck_assert_int_eq(cli.format, parse_cases[_i].format);
	ck_assert_int_eq(cli.color_out, parse_cases[_i].color);
	ck_assert_int_eq(cli.color_err, parse_cases[_i].color);
	ck_assert_int_eq(own.x, parse_cases[_i].x);
	if (parse_cases[_i].optind != NOT_SET)
		ck_assert_int_eq(cli.optind, parse_cases[_i].optind);
	if (parse_cases[_i].name)
		ck_assert_str_eq(own.name, parse_cases[_i].name);
	else
		ck_assert_ptr_null(own.name);
	if (parse_cases[_i].kube) {
		ck_assert_int_eq(client.parallel, parse_cases[_i].parallel);
		/* requests in flight adapt up to the cap unless --parallel fixes them */
		ck_assert_int_eq(client.adaptive, !(parse_cases[_i].ret < 0 && strstr(parse_cases[_i].args, "--parallel")));
		ck_assert_int_eq(client.timeout_ms, parse_cases[_i].timeout_ms);
		ck_assert_pstr_eq(kube.namespace, parse_cases[_i].ns);
		ck_assert_pstr_eq(kube.context, parse_cases[_i].context);
		ck_assert_pstr_eq(kube.kubeconfig, parse_cases[_i].kubeconfig);
	}
	free(out);
	free(errout);
}
END_TEST

/* Limits from the environment, read by gitops_cli_parse before any option. */
static const struct {
	const char *var, *value;
	int ret;
	const char *err;
	size_t depth, alias, document, stream;
} limit_cases[] = {
	{ NULL, NULL, -1, "", 256, 1000000, 32u << 20, 1u << 30 },
	{ "GITOPS_MAX_DEPTH", "5", -1, "", 5, 1000000, 32u << 20, 1u << 30 },
	{ "GITOPS_MAX_ALIAS_NODES", "1K", -1, "", 256, 1024, 32u << 20, 1u << 30 },
	{ "GITOPS_MAX_DOCUMENT_BYTES", "1M", -1, "", 256, 1000000, 1u << 20, 1u << 30 },
	{ "GITOPS_MAX_STREAM_BYTES", "2G", -1, "", 256, 1000000, 32u << 20, (size_t)2 << 30 },
	{ "GITOPS_MAX_DEPTH", "0", 2, "gitops-test: GITOPS_MAX_DEPTH: not a positive number: '0'\n", 0, 0, 0, 0 },
	{ "GITOPS_MAX_ALIAS_NODES", "", 2, "gitops-test: GITOPS_MAX_ALIAS_NODES: not a positive number: ''\n", 0, 0, 0,
	  0 },
	{ "GITOPS_MAX_STREAM_BYTES", "abc", 2, "gitops-test: GITOPS_MAX_STREAM_BYTES: not a positive size: 'abc'\n", 0,
	  0, 0, 0 },
	{ "GITOPS_MAX_DOCUMENT_BYTES", "-5", 2, "gitops-test: GITOPS_MAX_DOCUMENT_BYTES: not a positive size: '-5'\n",
	  0, 0, 0, 0 },
};

START_TEST(test_limits_env)
{
	struct gitops_cli cli;
	char *argv[] = { "gitops-test", "--help", NULL };
	char *out, *errout;
	int ret;

	setenv("NO_COLOR", "1", 1);
	unsetenv("GITOPS_MAX_DEPTH");
	unsetenv("GITOPS_MAX_ALIAS_NODES");
	unsetenv("GITOPS_MAX_DOCUMENT_BYTES");
	unsetenv("GITOPS_MAX_STREAM_BYTES");
	if (limit_cases[_i].var)
		setenv(limit_cases[_i].var, limit_cases[_i].value, 1);
	gitops_cli_init(&cli, "gitops-test", USAGE, "");
	capture_start();
	/* a bad limit wins over --help; a good one lets --help answer */
	ret = gitops_cli_parse(&cli, 2, argv, NULL, NULL, NULL, NULL);
	capture_end(&out, &errout);
	ck_assert_str_eq(errout, limit_cases[_i].err);
	if (limit_cases[_i].ret == 2) {
		ck_assert_int_eq(ret, GITOPS_EXIT_USAGE);
		ck_assert_str_eq(out, "");
	} else {
		ck_assert_int_eq(ret, 0);
		ck_assert_str_eq(out, SYNOPSIS);   /* no help text: the synopsis alone */
		ck_assert_uint_eq(cli.limits.max_depth, limit_cases[_i].depth);
		ck_assert_uint_eq(cli.limits.max_alias_nodes, limit_cases[_i].alias);
		ck_assert_uint_eq(cli.limits.max_document_bytes, limit_cases[_i].document);
		ck_assert_uint_eq(cli.limits.max_stream_bytes, limit_cases[_i].stream);
	}
	free(out);
	free(errout);
}
END_TEST

/* Colour at start-up: never with NO_COLOR (non-empty) or TERM=dumb, and never off a terminal. */
static const struct {
	const char *no_color, *term;
} color_cases[] = {
	{ "1", "xterm" },
	{ "yes", NULL },
	{ NULL, "dumb" },
	{ "", "dumb" },
	{ NULL, "xterm" },   /* the test's stdout and stderr are files: no colour */
	{ "", "xterm" },     /* NO_COLOR empty counts as unset */
};

START_TEST(test_color_init)
{
	struct gitops_cli cli;
	char *out, *errout;

	if (color_cases[_i].no_color)
		setenv("NO_COLOR", color_cases[_i].no_color, 1);
	else
		unsetenv("NO_COLOR");
	if (color_cases[_i].term)
		setenv("TERM", color_cases[_i].term, 1);
	else
		unsetenv("TERM");
	capture_start();
	gitops_cli_init(&cli, "gitops-test", USAGE, HELP);
	ck_assert_int_eq(cli.color_out, 0);
	ck_assert_int_eq(cli.color_err, 0);
	/* messages without colour: git's plain form */
	gitops_cli_warn(&cli, "careful with '%s'", "x");
	ck_assert_int_eq(gitops_cli_error(&cli, 5, "cannot reach %s", "h"), 5);
	capture_end(&out, &errout);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(errout, "gitops-test: warning: careful with 'x'\ngitops-test: cannot reach h\n");
	free(out);
	free(errout);
}
END_TEST

/* The message functions, by verbosity and colour. */
START_TEST(test_messages)
{
	struct gitops_cli cli;
	struct gitops_err err = GITOPS_ERR_INIT, none = GITOPS_ERR_INIT;
	char *out, *errout;

	setenv("NO_COLOR", "1", 1);
	gitops_cli_init(&cli, "gitops-test", USAGE, HELP);
	capture_start();
	gitops_cli_info(&cli, 1, "hidden at verbosity 0");
	cli.verbosity = 1;
	gitops_cli_info(&cli, 1, "shown at %d", 1);
	gitops_cli_info(&cli, 2, "hidden at verbosity 1");
	cli.verbosity = -1;
	gitops_cli_warn(&cli, "hidden with -q");
	ck_assert_int_eq(gitops_cli_error(&cli, 3, "errors are never quiet"), 3);
	gitops_err_set(&err, GITOPS_EXIT_AUTH, "in.yaml: denied");
	ck_assert_int_eq(gitops_cli_fail(&cli, &err), GITOPS_EXIT_AUTH);
	/* an empty error is an internal one */
	ck_assert_int_eq(gitops_cli_fail(&cli, &none), GITOPS_EXIT_INTERNAL);
	cli.color_err = 1;
	ck_assert_int_eq(gitops_cli_usage_error(&cli, "bad %s", "thing"), GITOPS_EXIT_USAGE);
	gitops_cli_info(&cli, -1, "info is never coloured");
	capture_end(&out, &errout);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(errout, "gitops-test: shown at 1\n"
				 "gitops-test: errors are never quiet\n"
				 "gitops-test: in.yaml: denied\n"
				 "gitops-test: unknown error\n"
				 "\033[1;31mgitops-test:\033[0m bad thing\n" SYNOPSIS
				 "gitops-test: info is never coloured\n");
	free(out);
	free(errout);
}
END_TEST

static const struct {
	const char *args;
	int ret;
	const char *out, *err;
} unavailable_cases[] = {
	{ "", 2, "", "gitops-test: this version cannot fly yet\n" },
	{ "--help", 0, SYNOPSIS "\n" HELP, "" },
	{ "x -h", 0, SYNOPSIS "\n" HELP, "" },
	{ "--version", 0, "gitops-test " GITOPS_VERSION "\n", "" },
	{ "-- --help", 2, "", "gitops-test: this version cannot fly yet\n" },
	{ "--other", 2, "", "gitops-test: this version cannot fly yet\n" },
};

START_TEST(test_unavailable)
{
	char args[128], *argv[16], *p, *out, *errout;
	int argc = 0, ret;

	setenv("NO_COLOR", "1", 1);
	snprintf(args, sizeof(args), "%s", unavailable_cases[_i].args);
	argv[argc++] = "gitops-test";
	for (p = strtok(args, " "); p; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	capture_start();
	ret = gitops_cli_unavailable_main(argc, argv, "gitops-test", USAGE, HELP, "fly");
	capture_end(&out, &errout);
	ck_assert_int_eq(ret, unavailable_cases[_i].ret);
	ck_assert_str_eq(out, unavailable_cases[_i].out);
	ck_assert_str_eq(errout, unavailable_cases[_i].err);
	free(out);
	free(errout);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tv = tcase_create("values"), *tp = tcase_create("parse"), *tm = tcase_create("messages");

	tcase_add_loop_test(tv, test_duration, 0, N(duration_cases));
	tcase_add_loop_test(tv, test_size, 0, N(size_cases));
	tcase_add_loop_test(tp, test_parse, 0, N(parse_cases));
	tcase_add_loop_test(tp, test_limits_env, 0, N(limit_cases));
	tcase_add_loop_test(tm, test_color_init, 0, N(color_cases));
	tcase_add_test(tm, test_messages);
	tcase_add_loop_test(tm, test_unavailable, 0, N(unavailable_cases));
	suite_add_tcase(s, tv);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, tm);
	return gitops_check_run(s);
}
