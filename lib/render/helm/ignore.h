/*
 * ignore.h: a chart's .helmignore rules, as Helm v3.17's pkg/ignore reads and
 * applies them, and Go's filepath.Match they are made of.
 *
 * Layer "render/helm".  A rule set is the caller's to free with
 * gitops_helm_ignore_free.  Helm's quirks are kept on purpose, because a
 * chart must load the same files here as under `helm template`:
 *   - a line is trimmed of Unicode white space; blank lines and lines
 *     starting with '#' are skipped; a rule holding "**" is an error
 *     ("double-star (**) syntax is not supported"), and so is a malformed
 *     glob ("syntax error in pattern"); a line of 64 KiB or more is
 *     "bufio.Scanner: token too long";
 *   - a leading '!' negates, a trailing '/' matches directories only, a
 *     leading '/' matches from the chart's root (each time the rule is tried
 *     one leading '/' more is dropped, as Helm's closure does), a rule with
 *     a '/' matches the whole relative path, one without matches the base
 *     name;
 *   - rules are tried in order and the first that decides wins: a plain
 *     rule that matches ignores the path; a negated rule that does NOT match
 *     (or wants a directory and meets a file) ignores the path, one that
 *     matches goes on to the next rule.  So "!a.txt" alone ignores every
 *     path but a.txt, as it does in Helm;
 *   - a pattern that only fails when matched (a trailing '\' after a
 *     trailing '/' was dropped) matches nothing.
 */
#ifndef GITOPS_HELM_IGNORE_H
#define GITOPS_HELM_IGNORE_H
#include <stddef.h>
#include "lib/base/err.h"

/*
 * Go's filepath.Match on Unix: does `name` match the shell pattern?  '*'
 * and '?' stop at '/', '[...]' and '[^...]' classes of runes, '\' escapes.
 * 1 match, 0 no match, -1 a malformed pattern (Go's "syntax error in
 * pattern", which Go reports even when the name fails to match first).
 */
int gitops_helm_path_match(const char *pattern, size_t plen, const char *name, size_t nlen);

struct gitops_helm_ignore;

/*
 * The rules of a .helmignore holding len bytes of text (text may be NULL
 * when len is 0: no rules).  Errors are Helm's messages, word for word.
 */
int gitops_helm_ignore_parse(struct gitops_helm_ignore **out, const char *text, size_t len, struct gitops_err *err);

/* Helm's rules.AddDefaults: the rule "templates/.?*" after the file's own. */
int gitops_helm_ignore_add_defaults(struct gitops_helm_ignore *r, struct gitops_err *err);

/*
 * Is the chart's file or directory `path` (relative, '/'-separated) ignored?
 * 1 or 0.  Not const: a root rule ("/x") drops a leading '/' each time it is
 * tried, as Helm's does.
 */
int gitops_helm_ignore_match(struct gitops_helm_ignore *r, const char *path, int is_dir);

void gitops_helm_ignore_free(struct gitops_helm_ignore *r);

#endif
