#include "lib/base/parse.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int gitops_parse_duration(const char *s, long *out_ms)
{
	double total = 0;
	int parts = 0;

	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end), unit;
		if (end == s || v < 0 || (*s != '.' && (*s < '0' || *s > '9')))
			return -1;
		s = end;
		if (!strncmp(s, "ms", 2))
			unit = 1, s += 2;
		else if (*s == 's')
			unit = 1000, s++;
		else if (*s == 'm')
			unit = 60000, s++;
		else if (*s == 'h')
			unit = 3600000, s++;
		else if (!*s && !parts)
			unit = 1000;
		else
			return -1;
		total += v * unit;
		parts++;
	}
	if (total > 1e12)
		return -1;
	*out_ms = (long)total;
	return 0;
}

int gitops_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end || v == 0 || v > (unsigned long long)(SIZE_MAX >> shift))
		return -1;
	v <<= shift;
	*out = (size_t)v;
	return 0;
}

int gitops_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}
