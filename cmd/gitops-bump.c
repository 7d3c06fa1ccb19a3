/* gitops-bump: new image tags into files, commit and push */
#include "lib/cli.h"

static const char usage[] = "gitops-bump [options] --file FILE --set PATH=VALUE...\n"
	"gitops-bump [options] --image NAME=REF [PATH...]";

static const char help[] =
	"Write new image tags or values into YAML files, keeping comments and layout.\n"
	"\n"
	"This version cannot edit image tags yet: it exits with status 2.\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n";

int main(int argc, char **argv)
{
	return gitops_cli_unavailable_main(argc, argv, "gitops-bump", usage, help, "edit image tags");
}
