/*
 * cli.h: what the five programs share on the command line: common options
 * (--help, --version, -q, -v, -o, --color), messages on stderr in git's
 * style ("gitops-render: in.yaml:3: ..."), colour only on a terminal and
 * never with NO_COLOR, and the limits read from the environment.
 *
 * This is the tool layer: unlike the rest of lib/, it prints.
 */
#ifndef GITOPS_CLI_H
#define GITOPS_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "lib/base/err.h"
#include "lib/base/parse.h"
#include "lib/kube/kube.h"
#include "lib/kube/kubeconfig.h"
#include "lib/k8s/stream.h"
#include "lib/yaml/yaml.h"

struct gitops_cli {
	const char *prog;
	const char *usage;      /* synopsis lines, '\n'-separated, each starting with the program name */
	const char *help;       /* what --help prints after the synopsis */
	int verbosity;          /* -1 with -q, 0, 1.. with -v */
	int color_err;          /* colour on stderr */
	int color_out;          /* colour on stdout */
	enum gitops_format format;
	struct gitops_limits limits;
	int optind;             /* first operand after gitops_cli_parse */
	/* set by gitops_cli_kube_options: the API server's options are taken, into these */
	struct gitops_kube_options *kube;
	struct gitops_kube_client_options *kube_client;
};

/* The common options; a program's own long options use values >= 256 or letters not listed here. */
#define GITOPS_CLI_SHORTOPTS "hVqvo:"
enum { GITOPS_OPT_COLOR = 200, GITOPS_OPT_CONTEXT, GITOPS_OPT_KUBECONFIG, GITOPS_OPT_PARALLEL,
       GITOPS_OPT_REQUEST_TIMEOUT };

/*
 * The options of the programs that talk to the API server, with kubectl's
 * names (git's option groups in spirit): -n/--namespace, --context and
 * --kubeconfig into `kube`; --parallel and --request-timeout into `client`.
 * Call before gitops_cli_parse.  Their --help lines: -n (whose meaning each
 * program says itself), then GITOPS_CLI_KUBE_HELP.
 */
void gitops_cli_kube_options(struct gitops_cli *cli, struct gitops_kube_options *kube,
			     struct gitops_kube_client_options *client);

#define GITOPS_CLI_KUBE_HELP \
	"      --context NAME      kubeconfig context to use\n" \
	"      --kubeconfig FILE   kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)\n" \
	"      --request-timeout DURATION  give up on a request the server has not answered\n" \
	"                          within DURATION, retries included (30s, 1m; 0: never; default 30s)\n" \
	"      --parallel N        requests in flight at most, fixed (default: adapts, 32 to 256)\n"

void gitops_cli_init(struct gitops_cli *cli, const char *prog, const char *usage, const char *help);

/* A program's own option: return 0, or an exit code (after printing) to stop. */
typedef int (*gitops_cli_option_fn)(struct gitops_cli *cli, int opt, const char *arg, void *ctx);

/*
 * Parse argv with getopt_long: the program's short and long options plus the
 * common ones.  Returns -1 to go on (operands from cli->optind), or the exit
 * code main should return (0 after --help/--version, 2 for a bad option).
 */
int gitops_cli_parse(struct gitops_cli *cli, int argc, char **argv, const char *shortopts,
		     const struct option *longopts, gitops_cli_option_fn fn, void *ctx);

/* "prog: message" on stderr; returns GITOPS_EXIT_... given. */
int gitops_cli_error(const struct gitops_cli *cli, int code, const char *fmt, ...) GITOPS_PRINTF(3, 4);
/* Print a library error; returns its exit code. */
int gitops_cli_fail(const struct gitops_cli *cli, const struct gitops_err *err);
/* A usage error: the message, then the synopsis, on stderr; returns GITOPS_EXIT_USAGE. */
int gitops_cli_usage_error(const struct gitops_cli *cli, const char *fmt, ...) GITOPS_PRINTF(2, 3);
/* "prog: warning: ..." unless -q. */
void gitops_cli_warn(const struct gitops_cli *cli, const char *fmt, ...) GITOPS_PRINTF(2, 3);
/*
 * A program's -o json document on stdout (tab-indented, a newline after it),
 * taking doc over (freed here).  0, or -1 when it could not be written.
 */
int gitops_cli_print_json(cJSON *doc);
/* Progress and details on stderr when verbosity >= level. */
void gitops_cli_info(const struct gitops_cli *cli, int level, const char *fmt, ...) GITOPS_PRINTF(3, 4);

/*
 * A live status line on a terminal (standard error a terminal, TERM not
 * dumb, no -q): "PROG: MSG" rewritten in place at most ten times a second;
 * nothing anywhere else.  Every message on standard error, and the
 * program's exit, clear it first; gitops_cli_live_clear clears it before
 * writing to a standard output that shares the terminal.
 */
void gitops_cli_live(const struct gitops_cli *cli, const char *fmt, ...) GITOPS_PRINTF(2, 3);
void gitops_cli_live_clear(void);
/* Whether gitops_cli_live shows anything. */
int gitops_cli_live_on(const struct gitops_cli *cli);
/* The library's message callbacks (ctx: the struct gitops_cli): said unless -q, said with -v, a warning. */
void gitops_cli_on_notice(void *cli, const char *msg);
void gitops_cli_on_detail(void *cli, const char *msg);
/* gitops_cli_live, as a library's callback (ctx: the cli) */
void gitops_cli_on_live(void *cli, const char *msg);
void gitops_cli_on_warning(void *cli, const char *msg);


/* The synopsis as --help prints it ("usage: ...\n   or: ...\n"). */
void gitops_cli_print_usage(const struct gitops_cli *cli, FILE *fp);

/*
 * main() of a program whose capability this version does not have yet:
 * --help and --version work; anything else says so and exits 2.
 */
int gitops_cli_unavailable_main(int argc, char **argv, const char *prog, const char *usage,
				const char *help, const char *what);

#endif
