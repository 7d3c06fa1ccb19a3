/* gitops-fetch: Git repository, ref and paths to Source documents */
#include "lib/cli.h"

static const char usage[] = "gitops-fetch [options] REPO [--ref REF] [--path PATH]...";

static const char help[] =
	"Fetch REF of the Git repository REPO and write one Source document per PATH.\n"
	"\n"
	"This version cannot fetch from Git yet: it exits with status 2.\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n";

int main(int argc, char **argv)
{
	return gitops_cli_unavailable_main(argc, argv, "gitops-fetch", usage, help, "fetch from Git");
}
