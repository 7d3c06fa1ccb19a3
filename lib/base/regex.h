/*
 * regex.h: Go's regexp package (RE2 syntax, Go semantics) on PCRE2, for
 * kustomize's patch targets and image names and Sprig's regex functions.
 *
 * A pattern is parsed as Go's regexp/syntax parses it (Go 1.23, with the
 * Perl flags regexp.Compile uses): what Go rejects is rejected with Go's
 * message ("error parsing regexp: missing closing ): `(a`"), and what Go
 * accepts is rewritten into an equivalent PCRE2 pattern: `.` does not match
 * \n unless (?s), `$` is the end of the text unless (?m), \d \s \w \b and the
 * POSIX classes are ASCII, (?U) swaps greedy and lazy, named groups are
 * (?P<name>re) and (?<name>re).  Matching is leftmost-first, as Go's.
 *
 * Offsets are byte offsets into the subject.  A group that took no part
 * in a match has offsets -1, -1, as in Go.  Matching stops with an error
 * (GITOPS_EXIT_INPUT) when the backtracking limits are reached instead of
 * running for ever.
 *
 * Matching backtracks, as PCRE2 does: a pattern like (?s).+x takes time
 * quadratic in the length of the subject, where Go's is linear.  The
 * limits stop exponential runs ((a+)+$), not these.
 *
 * Where this is not Go (each a corner no kustomize or chart should meet):
 *   - invalid UTF-8 in a subject: Go reads each bad byte as U+FFFD, which
 *     `.` or [^a] match; here no pattern matches a bad byte (valid text on
 *     either side still matches, and nothing fails);
 *   - loops inside loops that can match empty ((a*?)+?b): Go drops states
 *     it has seen at a position whatever path led there, which can change
 *     a group's offsets or the match; simple empty loops ((a*)+, (a|b?)+)
 *     are Go's; in (X){n,} with n > 1 over an X that can match empty, a
 *     group inside X set only by the first n-1 rounds reads as unset;
 *   - (?i) with \p: (?i)\p{Lu} and \p{Ll}, \p{Lt} are the cased letters
 *     (Go leaves out the few with no other case); other \p classes are not
 *     folded (Go adds U+00B5 to (?i)\p{Greek}, for one);
 *   - limits: PCRE2 nests non-capturing groups about 500 deep and compiles
 *     patterns up to 64 KiB, so some huge or deep patterns Go accepts fail
 *     here with "regexp: ... (PCRE2)"; \p{Kawi} and \p{Nag_Mundari}
 *     (Unicode 15) fail while PCRE2 knows Unicode 14 only; Go's limit on
 *     runes in classes ("expression too large") is not counted.
 *
 * Ownership: gitops_regex_compile gives the caller a regex to free with
 * gitops_regex_free (free(NULL)-like for NULL).  A compiled regex is only
 * read by the matching functions, so threads may share it.  Results come in
 * caller-owned structs: a gitops_regex_matches is emptied with
 * gitops_regex_matches_release; text is appended to a caller's gitops_buf.
 */
#ifndef GITOPS_REGEX_H
#define GITOPS_REGEX_H

#include <stddef.h>
#include "lib/base/buf.h"
#include "lib/base/err.h"

struct gitops_regex;

/*
 * Compile Go pattern `pat` (len bytes; it may hold NUL bytes).  0, or -1
 * with GITOPS_EXIT_INPUT and Go's message for a pattern Go rejects.
 */
int gitops_regex_compile(struct gitops_regex **out, const char *pat, size_t len, struct gitops_err *err);
void gitops_regex_free(struct gitops_regex *re);

/* The pattern as given (NUL-terminated; borrowed from re). */
const char *gitops_regex_pattern(const struct gitops_regex *re);
/* Go's NumSubexp: the number of capturing groups. */
size_t gitops_regex_nsub(const struct gitops_regex *re);
/* The name of group i (1..nsub), "" for an unnamed group or an i out of range. */
const char *gitops_regex_subexp_name(const struct gitops_regex *re, size_t i);
/* Go's SubexpIndex: the first group with that name, or -1. */
long gitops_regex_subexp_index(const struct gitops_regex *re, const char *name);

/* Go's MatchString: 1 when s matches somewhere, 0 when not, -1 on error (err may be NULL). */
int gitops_regex_match(const struct gitops_regex *re, const char *s, size_t len, struct gitops_err *err);

/*
 * Go's FindStringSubmatchIndex: the leftmost match.  idx has room for
 * 2 * (1 + nsub) offsets: idx[0], idx[1] the match, idx[2i], idx[2i+1] group i.
 * 1 when found, 0 when not (idx untouched), -1 on error.
 */
int gitops_regex_find(long *idx, const struct gitops_regex *re, const char *s, size_t len, struct gitops_err *err);

struct gitops_regex_matches {
	size_t n;      /* matches (or pieces, for split) */
	size_t width;  /* offsets per match: 2 * (1 + nsub); 2 for split */
	long *at;      /* n * width offsets; owned */
};

#define GITOPS_REGEX_MATCHES_INIT { 0, 0, NULL }

void gitops_regex_matches_release(struct gitops_regex_matches *m);

/*
 * Go's FindAllStringSubmatchIndex(s, n): successive non-overlapping matches,
 * at most n of them (all when n < 0).  An empty match right after the
 * previous match is skipped, as Go does.  Fills *out (released first).
 */
int gitops_regex_find_all(struct gitops_regex_matches *out, const struct gitops_regex *re, const char *s, size_t len,
			  long n, struct gitops_err *err);

/*
 * Go's Split(s, n): the pieces of s between matches, as [at[2i], at[2i+1])
 * spans of s (out->width is 2).  n == 0: no pieces; n < 0: all of them;
 * n > 0: at most n, the last holding the unsplit rest.
 */
int gitops_regex_split(struct gitops_regex_matches *out, const struct gitops_regex *re, const char *s, size_t len,
		       long n, struct gitops_err *err);

/*
 * Go's ReplaceAllString: s with every match replaced by the template
 * expanded as Go's Expand does it ($1, ${1}, $name, ${name}, $$; $1x means
 * ${1x}; a group that is missing or took no part gives ""), appended to out.
 */
int gitops_regex_replace_all(struct gitops_buf *out, const struct gitops_regex *re, const char *s, size_t len,
			     const char *tmpl, size_t tlen, struct gitops_err *err);
/* Go's ReplaceAllLiteralString: the same with repl copied as it is. */
int gitops_regex_replace_all_literal(struct gitops_buf *out, const struct gitops_regex *re, const char *s, size_t len,
				     const char *repl, size_t rlen, struct gitops_err *err);
/*
 * Go's Expand: the template expanded for one match (idx from
 * gitops_regex_find on the subject s), appended to out.
 */
int gitops_regex_expand(struct gitops_buf *out, const struct gitops_regex *re, const char *tmpl, size_t tlen,
			const char *s, const long *idx, struct gitops_err *err);

/* Go's QuoteMeta: s with \.+*?()|[]{}^$ escaped, appended to out.  0, or -1 when out of memory. */
int gitops_regex_quote_meta(struct gitops_buf *out, const char *s, size_t len);

#endif
