/*
 * libFuzzer target: Sprig's regex functions (lib/template/funcs/regex.c)
 * with pattern .a, subject .b and replacement .c: MustCompile's panic
 * text, expansion of $ templates, empty matches, splits.
 */
#include "tests/fuzz/sprig_call.h"

static const char *const templates[] = {
	"{{regexMatch .a .b}}",
	"{{mustRegexMatch .a .b}}",
	"{{regexFindAll .a .b -1}}|{{regexFind .a .b}}",
	"{{regexReplaceAll .a .b .c}}",
	"{{regexReplaceAllLiteral .a .b .c}}",
	"{{regexSplit .a .b 3}}|{{regexSplit .a .b -1}}",
	"{{regexQuoteMeta .a}}|{{regexMatch (regexQuoteMeta .a) .a}}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sprig(data, size, templates, sizeof(templates) / sizeof(templates[0]));
	return 0;
}
