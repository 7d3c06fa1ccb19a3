/* gitops-diff: desired objects against the live cluster */
#include "lib/cli.h"

static const char usage[] = "gitops-diff [options] [-f FILE]";

static const char help[] =
	"Show how the live cluster differs from the objects of a stream (exit 1 when it does).\n"
	"\n"
	"This version cannot diff against a cluster yet: it exits with status 2.\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n";

int main(int argc, char **argv)
{
	return gitops_cli_unavailable_main(argc, argv, "gitops-diff", usage, help, "diff against a cluster");
}
