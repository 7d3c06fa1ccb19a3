#include "cmd/tool/cli.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/value/jsonio.h"

#define COLOR_ERR "\033[1;31m"
#define COLOR_WARN "\033[1;33m"
#define COLOR_RESET "\033[0m"

static int color_wanted(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fd);
}

void gitops_cli_init(struct gitops_cli *cli, const char *prog, const char *usage, const char *help)
{
	struct gitops_limits def = GITOPS_LIMITS_INIT;

	memset(cli, 0, sizeof(*cli));
	cli->prog = prog;
	cli->usage = usage;
	cli->help = help;
	cli->format = GITOPS_FORMAT_YAML;
	cli->limits = def;
	cli->color_err = color_wanted(2);
	cli->color_out = color_wanted(1);
}

void gitops_cli_print_usage(const struct gitops_cli *cli, FILE *fp)
{
	const char *p = cli->usage;
	int first = 1;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(fp, "%s%.*s\n", first ? "usage: " : "   or: ", (int)n, p);
		first = 0;
		p += n + (nl ? 1 : 0);
	}
}

/* the live line: one per process, on standard error */
static struct {
	int shown;              /* a line is on the terminal now */
	int registered;         /* cleared at exit */
	struct timespec last;
} live;

int gitops_cli_live_on(const struct gitops_cli *cli)
{
	const char *term = getenv("TERM");

	return cli->verbosity >= 0 && !(term && !strcmp(term, "dumb")) && isatty(2);
}

void gitops_cli_live_clear(void)
{
	if (live.shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		live.shown = 0;
	}
}

void gitops_cli_live(const struct gitops_cli *cli, const char *fmt, ...)
{
	struct timespec now;
	char msg[256];
	va_list ap;

	if (!gitops_cli_live_on(cli))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (live.shown && (now.tv_sec - live.last.tv_sec) * 1000 + (now.tv_nsec - live.last.tv_nsec) / 1000000 < 100)
		return;
	live.last = now;
	if (!live.registered) {
		atexit(gitops_cli_live_clear);
		live.registered = 1;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one terminal line: cut at 100 columns rather than wrap (a wrapped line cannot be rewritten) */
	fprintf(stderr, "\r\033[K%s: %.100s", cli->prog, msg);
	fflush(stderr);
	live.shown = 1;
}

void gitops_cli_on_live(void *cli, const char *msg)
{
	gitops_cli_live(cli, "%s", msg);
}

static void vmessage(const struct gitops_cli *cli, const char *color, const char *tag, const char *fmt, va_list ap)
{
	char msg[GITOPS_ERR_MSG_MAX + 64];

	gitops_cli_live_clear();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cli->color_err && color)
		fprintf(stderr, "%s%s:%s %s%s\n", color, cli->prog, COLOR_RESET, tag, msg);
	else
		fprintf(stderr, "%s: %s%s\n", cli->prog, tag, msg);
}

int gitops_cli_error(const struct gitops_cli *cli, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cli, COLOR_ERR, "", fmt, ap);
	va_end(ap);
	return code;
}

int gitops_cli_fail(const struct gitops_cli *cli, const struct gitops_err *err)
{
	gitops_cli_error(cli, err->code, "%s", err->msg[0] ? err->msg : "unknown error");
	return err->code ? err->code : GITOPS_EXIT_INTERNAL;
}

int gitops_cli_usage_error(const struct gitops_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cli, COLOR_ERR, "", fmt, ap);
	va_end(ap);
	gitops_cli_print_usage(cli, stderr);
	return GITOPS_EXIT_USAGE;
}

void gitops_cli_warn(const struct gitops_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->verbosity < 0)
		return;
	va_start(ap, fmt);
	vmessage(cli, COLOR_WARN, "warning: ", fmt, ap);
	va_end(ap);
}

void gitops_cli_info(const struct gitops_cli *cli, int level, const char *fmt, ...)
{
	va_list ap;

	if (cli->verbosity < level)
		return;
	va_start(ap, fmt);
	vmessage(cli, NULL, "", fmt, ap);
	va_end(ap);
}

void gitops_cli_on_notice(void *cli, const char *msg)
{
	gitops_cli_info(cli, 0, "%s", msg);
}

void gitops_cli_on_detail(void *cli, const char *msg)
{
	gitops_cli_info(cli, 1, "%s", msg);
}

void gitops_cli_on_warning(void *cli, const char *msg)
{
	gitops_cli_warn(cli, "%s", msg);
}



static int limits_from_env(struct gitops_cli *cli)
{
	static const struct { const char *name; size_t off; const char *what; } vars[] = {
		{ "GITOPS_MAX_DOCUMENT_BYTES", offsetof(struct gitops_limits, max_document_bytes), "size" },
		{ "GITOPS_MAX_STREAM_BYTES", offsetof(struct gitops_limits, max_stream_bytes), "size" },
		{ "GITOPS_MAX_DEPTH", offsetof(struct gitops_limits, max_depth), "number" },
		{ "GITOPS_MAX_ALIAS_NODES", offsetof(struct gitops_limits, max_alias_nodes), "number" },
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i].name);
		size_t n;
		if (!v)
			continue;
		if (gitops_parse_size(v, &n) < 0)
			return gitops_cli_error(cli, GITOPS_EXIT_USAGE, "%s: not a positive %s: '%s'", vars[i].name,
						vars[i].what, v);
		*(size_t *)((char *)&cli->limits + vars[i].off) = n;
	}
	return -1;
}

static const struct option common_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "output", required_argument, NULL, 'o' },
	{ "color", optional_argument, NULL, GITOPS_OPT_COLOR },
};
#define N_COMMON (sizeof(common_longopts) / sizeof(common_longopts[0]))

static int common_option(struct gitops_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case 'h':
		gitops_cli_print_usage(cli, stdout);
		if (cli->help && *cli->help)
			printf("\n%s", cli->help);
		return fflush(stdout) == 0 ? GITOPS_EXIT_OK : GITOPS_EXIT_IO;
	case 'V':
		printf("%s %s\n", cli->prog, GITOPS_VERSION);
		return fflush(stdout) == 0 ? GITOPS_EXIT_OK : GITOPS_EXIT_IO;
	case 'q':
		cli->verbosity = -1;
		return -1;
	case 'v':
		cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1;
		return -1;
	case 'o':
		if (!strcmp(arg, "yaml"))
			cli->format = GITOPS_FORMAT_YAML;
		else if (!strcmp(arg, "json"))
			cli->format = GITOPS_FORMAT_JSON;
		else
			return gitops_cli_usage_error(cli, "unknown output format '%s' (yaml or json)", arg);
		return -1;
	case GITOPS_OPT_COLOR:
		if (!arg || !strcmp(arg, "always"))
			cli->color_err = cli->color_out = 1;
		else if (!strcmp(arg, "never"))
			cli->color_err = cli->color_out = 0;
		else if (!strcmp(arg, "auto"))
			cli->color_err = color_wanted(2), cli->color_out = color_wanted(1);
		else
			return gitops_cli_usage_error(cli, "--color takes always, never or auto, not '%s'", arg);
		return -1;
	}
	return -2;
}

static const struct option kube_longopts[] = {
	{ "namespace", required_argument, NULL, 'n' },
	{ "context", required_argument, NULL, GITOPS_OPT_CONTEXT },
	{ "kubeconfig", required_argument, NULL, GITOPS_OPT_KUBECONFIG },
	{ "parallel", required_argument, NULL, GITOPS_OPT_PARALLEL },
	{ "request-timeout", required_argument, NULL, GITOPS_OPT_REQUEST_TIMEOUT },
};
#define N_KUBE (sizeof(kube_longopts) / sizeof(kube_longopts[0]))

void gitops_cli_kube_options(struct gitops_cli *cli, struct gitops_kube_options *kube,
			     struct gitops_kube_client_options *client)
{
	cli->kube = kube;
	cli->kube_client = client;
}

/* -1: taken; -2: not a kube option; else the exit code (after the message). */
static int kube_option(struct gitops_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case 'n':
		cli->kube->namespace = arg;
		return -1;
	case GITOPS_OPT_CONTEXT:
		cli->kube->context = arg;
		return -1;
	case GITOPS_OPT_KUBECONFIG:
		cli->kube->kubeconfig = arg;
		return -1;
	case GITOPS_OPT_PARALLEL: {
		char *end;
		long v = strtol(arg, &end, 10);
		if (!*arg || *end || v < 1 || v > 1024)
			return gitops_cli_usage_error(cli, "--parallel takes a number from 1 to 1024, not '%s'", arg);
		cli->kube_client->parallel = (int)v;
		cli->kube_client->adaptive = 0;
		return -1;
	}
	case GITOPS_OPT_REQUEST_TIMEOUT:
		if (gitops_parse_duration(arg, &cli->kube_client->timeout_ms) < 0)
			return gitops_cli_usage_error(cli, "--request-timeout takes a duration (30s, 1m; 0: never), "
						      "not '%s'", arg);
		return -1;
	}
	return -2;
}

int gitops_cli_parse(struct gitops_cli *cli, int argc, char **argv, const char *shortopts,
		     const struct option *longopts, gitops_cli_option_fn fn, void *ctx)
{
	struct option all[64];
	char shorts[128];
	size_t n = 0, i;
	int ret;

	ret = limits_from_env(cli);
	if (ret >= 0)
		return ret;
	snprintf(shorts, sizeof(shorts), ":%s%s%s", GITOPS_CLI_SHORTOPTS, cli->kube ? "n:" : "",
		 shortopts ? shortopts : "");
	for (i = 0; i < N_COMMON; i++)
		all[n++] = common_longopts[i];
	for (i = 0; cli->kube && i < N_KUBE; i++)
		all[n++] = kube_longopts[i];
	for (i = 0; longopts && longopts[i].name && n < 63; i++)
		all[n++] = longopts[i];
	memset(&all[n], 0, sizeof(all[n]));

	opterr = 0;
	optind = 1;
	for (;;) {
		int opt = getopt_long(argc, argv, shorts, all, NULL);
		if (opt == -1)
			break;
		if (opt == '?') {
			if (optopt)
				return gitops_cli_usage_error(cli, "unknown option '-%c'", optopt);
			return gitops_cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
		}
		if (opt == ':') {
			if (optopt && optopt < 128 && argv[optind - 1][1] != '-')
				return gitops_cli_usage_error(cli, "option '-%c' needs a value", optopt);
			return gitops_cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
		}
		ret = common_option(cli, opt, optarg);
		if (ret == -2 && cli->kube)
			ret = kube_option(cli, opt, optarg);
		if (ret == -1)
			continue;
		if (ret >= 0)
			return ret;
		ret = fn ? fn(cli, opt, optarg, ctx) : gitops_cli_usage_error(cli, "unknown option");
		if (ret != 0)
			return ret;
	}
	cli->optind = optind;
	return -1;
}

int gitops_cli_unavailable_main(int argc, char **argv, const char *prog, const char *usage,
				const char *help, const char *what)
{
	struct gitops_cli cli;
	int i;

	gitops_cli_init(&cli, prog, usage, help);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return common_option(&cli, 'h', NULL);
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version"))
			return common_option(&cli, 'V', NULL);
	}
	return gitops_cli_error(&cli, GITOPS_EXIT_USAGE, "this version cannot %s yet", what);
}

int gitops_cli_print_json(cJSON *doc)
{
	char *text = NULL;
	int ret = doc && !gitops_json_print(&text, doc, GITOPS_JSON_INDENT, NULL) && printf("%s\n", text) >= 0 ? 0 : -1;

	free(text);
	cJSON_Delete(doc);
	return ret;
}
