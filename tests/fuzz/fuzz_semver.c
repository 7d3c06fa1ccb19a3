/*
 * libFuzzer target: Sprig's semver and semverCompare
 * (lib/template/funcs/semver.c): any version, any constraint, the
 * methods of the *semver.Version they give.
 */
#include "tests/fuzz/sprig_call.h"

static const char *const templates[] = {
	"{{semver .a}}",
	"{{semverCompare .a .b}}",
	"{{semverCompare .b .a}}",
	"{{(semver .a).Compare (semver .b)}}|{{(semver .a).Major}}|{{(semver .a).Original}}",
	"{{(semver .a).IncPatch}}|{{(semver .a).IncMinor}}|{{(semver .a).IncMajor}}|{{(semver .a).Prerelease}}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sprig(data, size, templates, sizeof(templates) / sizeof(templates[0]));
	return 0;
}
