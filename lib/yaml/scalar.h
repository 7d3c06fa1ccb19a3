/*
 * scalar.h: what a plain YAML scalar means, as the readers gitops' output
 * meets read it (go-yaml v2 in kubectl: YAML 1.1; YAML 1.2 core), and how a
 * number is written so that it reads back the same: the resolution the
 * reader (lib/yaml) and the format-preserving editor (lib/yamledit) share,
 * and the quoting the writer decides with.  Pure functions, no allocation.
 */
#ifndef GITOPS_SCALAR_H
#define GITOPS_SCALAR_H

#include <stddef.h>

enum gitops_scalar_kind {
	GITOPS_SCALAR_STRING,
	GITOPS_SCALAR_NULL,
	GITOPS_SCALAR_BOOL,
	GITOPS_SCALAR_INT,
	GITOPS_SCALAR_BIGINT,   /* an integer that a double cannot hold exactly */
	GITOPS_SCALAR_FLOAT,
	GITOPS_SCALAR_NONFINITE /* .inf/.nan: not representable in JSON */
};

struct gitops_scalar {
	enum gitops_scalar_kind kind;
	int boolean;
	double number;
	char bigint[32];        /* decimal text for GITOPS_SCALAR_BIGINT */
};

/* How a YAML 1.1 reader (go-yaml v2, as kubectl) reads a plain scalar. */
void gitops_scalar_resolve(const char *s, size_t len, struct gitops_scalar *out);
/* True when a plain `s` would not read back as the same string in YAML 1.1 or 1.2. */
int gitops_scalar_needs_quotes(const char *s, size_t len);
/* The shortest text that reads back as the same number; buf of at least 32 bytes. */
void gitops_number_format(double d, char *buf, size_t size);

/*
 * A plain scalar go-yaml v2 reads as a time (parseTimestamp: time.Parse with
 * "2006-1-2T15:4:5.999999999Z07:00", the same with 't', "2006-1-2
 * 15:4:5.999999999" and "2006-1-2"; dates checked): 1 and *t filled, or 0.
 */
struct gitops_timestamp {
	int year, month, day, hour, min, sec;
	long nsec;
	int offset_min; /* east of UTC; 0 for UTC and for a layout without a zone */
};
int gitops_scalar_timestamp(const char *s, size_t len, struct gitops_timestamp *t);
/* The time as Go's time.Time MarshalJSON writes it (RFC 3339, fraction trimmed, Z for UTC); buf >= 40 bytes. */
void gitops_timestamp_format(char *buf, size_t size, const struct gitops_timestamp *t);

#endif
