/*
 * libFuzzer target: Sprig's date functions (lib/template/funcs/dates.c):
 * toDate/mustToDate with any layout and value, Format with any layout,
 * zones by any name, ParseDuration through dateModify and durationRound.
 */
#include "tests/fuzz/sprig_call.h"

static const char *const templates[] = {
	"{{toDate .a .b}}",
	"{{mustToDate .a .b}}",
	"{{(toDate .a .b).Format .c}}|{{(toDate .a .b).Unix}}|{{(toDate .a .b).Weekday}}",
	"{{dateInZone .a (toDate .b .c) .b}}|{{dateInZone .c 1700000000 .a}}",
	"{{date .a (toDate \"2006-01-02\" \"2024-03-15\")}}",
	"{{dateModify .a (toDate .b .c)}}",
	"{{mustDateModify .a (toDate \"2006\" \"2024\")}}",
	"{{duration .a}}|{{durationRound .a}}|{{durationRound .b}}",
	"{{htmlDateInZone (toDate .b .c) .a}}|{{(toDate .a .b).AddDate 1 -13 40}}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_sprig(data, size, templates, sizeof(templates) / sizeof(templates[0]));
	return 0;
}
