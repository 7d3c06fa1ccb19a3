/* gitops-apply: server-side apply of a stream, ordered, pruned, waited for */
#include "lib/cli.h"

static const char usage[] = "gitops-apply [options] [-f FILE]";

static const char help[] =
	"Apply the objects of a stream to the cluster with server-side apply.\n"
	"\n"
	"This version cannot apply to a cluster yet: it exits with status 2.\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n";

int main(int argc, char **argv)
{
	return gitops_cli_unavailable_main(argc, argv, "gitops-apply", usage, help, "apply to a cluster");
}
