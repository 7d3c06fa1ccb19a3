/*
 * libFuzzer target: Sprig's URL and path functions
 * (lib/template/funcs/paths.c): net/url's parser on any text, urlJoin of
 * what it gives and of any parts, the path functions.
 */
#include "tests/fuzz/sprig_call.h"

static const char *const templates[] = {
	"{{urlParse .a}}",
	"{{urlParse .a | urlJoin}}",
	"{{urlJoin (dict \"scheme\" .a \"host\" .b \"path\" .c \"query\" .a \"fragment\" .b \"opaque\" .c)}}",
	"{{urlJoin (dict \"scheme\" .a \"host\" .b \"userinfo\" .c)}}",
	"{{base .a}}|{{dir .a}}|{{clean .a}}|{{ext .a}}|{{isAbs .a}}|{{osDir .b}}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sprig(data, size, templates, sizeof(templates) / sizeof(templates[0]));
	return 0;
}
