/* gitops-render: sources -> one normalised stream of plain Kubernetes objects. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/cli.h"
#include "lib/render.h"
#include "lib/stream.h"

static const char usage[] = "gitops-render [options] [PATH...]";

static const char help[] =
	"Render manifests into one stream of plain Kubernetes objects on standard output.\n"
	"PATH is a file or a directory (searched recursively for *.yaml, *.yml and *.json);\n"
	"'-' or no PATH reads a stream from standard input.  A Source document (from\n"
	"gitops-fetch) is replaced by the objects of its checkout, each annotated with\n"
	"gitops.dev/source and gitops.dev/revision.  Nothing is written unless every\n"
	"input is valid.\n"
	"\n"
	"options:\n"
	"  -o, --output FORMAT   yaml (default) or json\n"
	"  -q, --quiet           no warnings\n"
	"  -v, --verbose         say what was read\n"
	"      --color[=WHEN]    colour messages: always (when WHEN is left out), never,\n"
	"                        or auto (the default: only on a terminal, never with NO_COLOR)\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n";

/* Output is held in a spool and reaches stdout only when every input was good. */
#define SPOOL_MEMORY (2u << 20)

static int put_object(void *ctx, struct gitops_object *obj, struct gitops_err *err)
{
	return gitops_stream_writer_put(ctx, obj->json, err);
}

int main(int argc, char **argv)
{
	struct gitops_cli cli;
	struct gitops_err err = GITOPS_ERR_INIT;
	struct gitops_spool *spool = NULL;
	struct gitops_stream_writer *w = NULL;
	struct gitops_render_stats stats = { 0, 0 };
	int ret, i, code = GITOPS_EXIT_OK;

	gitops_cli_init(&cli, "gitops-render", usage, help);
	ret = gitops_cli_parse(&cli, argc, argv, "", NULL, NULL, NULL);
	if (ret >= 0)
		return ret;

	if (gitops_spool_new(&spool, SPOOL_MEMORY, &err) < 0 ||
	    gitops_stream_writer_new(&w, cli.format, gitops_spool_write, spool, &err) < 0)
		goto fail;

	for (i = cli.optind; i < argc || (i == argc && cli.optind == argc); i++) {
		const char *arg = i < argc ? argv[i] : "-";
		if (!strcmp(arg, "-"))
			ret = gitops_render_fd(0, "<stdin>", &cli.limits, put_object, w, &stats, &err);
		else
			ret = gitops_render_path(arg, &cli.limits, put_object, w, &stats, &err);
		if (ret < 0)
			goto fail;
		if (i == argc)
			break;
	}
	if (gitops_stream_writer_finish(w, &err) < 0)
		goto fail;
	if (gitops_spool_copy_to_fd(spool, 1, &err) < 0)
		goto fail;
	gitops_cli_info(&cli, 1, "%zu object%s from %zu input%s", stats.objects, stats.objects == 1 ? "" : "s",
			stats.files, stats.files == 1 ? "" : "s");
	goto done;
fail:
	if (spool && gitops_spool_error(spool)->msg[0])
		err = *gitops_spool_error(spool);
	code = gitops_cli_fail(&cli, &err);
done:
	gitops_stream_writer_free(w);
	gitops_spool_free(spool);
	return code;
}
