/*
 * parse.h: the numbers options and files give as text: Go durations, sizes
 * with K/M/G suffixes, bounded unsigned numbers.  0 or -1; nothing is
 * allocated, nothing printed.  The one parser of each, for the programs'
 * options (cmd/tool) and the library's option tables alike.
 */
#ifndef GITOPS_PARSE_H
#define GITOPS_PARSE_H

#include <stddef.h>

/* A duration as Go and kubectl write them ("90s", "5m", "1h30m", "250ms"; a bare number is seconds). 0 or -1. */
int gitops_parse_duration(const char *s, long *out_ms);

/* A size in bytes with an optional K, M or G suffix (powers of 1024), above 0. 0 or -1. */
int gitops_parse_size(const char *s, size_t *out);
/* A decimal number from 0 to max (no sign, nothing after it). 0 or -1. */
int gitops_parse_uint(const char *s, unsigned long max, unsigned long *out);

#endif
