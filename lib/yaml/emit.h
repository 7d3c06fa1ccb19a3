/*
 * emit.h: value trees written byte for byte as the Go tools print them.
 *
 * Helm's toYaml and `kubectl kustomize` both print through sigs.k8s.io/yaml:
 * the object goes to JSON (encoding/json), the JSON is read back by go-yaml
 * v2 into untyped maps, and go-yaml v2's Marshal writes those.  This module
 * owns that output: a port of go-yaml v2's (v2.4.0) encoder and emitter for
 * the trees lib/value holds, written directly as bytes:
 *
 *   - mapping keys in go-yaml v2's order (its sorter's keyList.Less: runs of
 *     digits compare as numbers, letters before other characters), or
 *     bytewise, or as they are in the tree;
 *   - strings plain when go-yaml v2 would read them back as the same string,
 *     otherwise double-quoted; single-quoted or double-quoted when the
 *     emitter's scalar analysis rules plain out; literal blocks (`|`, `|-`,
 *     `|+`, `|2-`) for strings with a line break; long lines folded at 80;
 *   - numbers as they come out of the JSON round trip: an integral float
 *     within 64 bits prints as an integer (1000000), others as Go's
 *     strconv.FormatFloat(f, 'g', -1, 64) (3.14, 1.5e+21, 1e-07);
 *   - sequences not indented under their key, two-space indent, `{}` and
 *     `[]` for empty collections, `null`, no `---` before a document.
 *
 * Through JSON, a string changes as Go's round trip changes it: bytes that
 * are not UTF-8 become U+FFFD, a U+0085 (left raw by encoding/json) is a
 * line break to go-yaml's reader and is folded; characters that reader
 * refuses (U+007F, C1 controls, U+FFFE/FFFF) make an error, as
 * sigs.k8s.io/yaml fails on them.
 *
 * Where Go itself is not deterministic this writer picks one answer: go-yaml
 * v2's key comparison is not transitive for some keys mixing digit runs and
 * letters ("001" < "10" < "1a" < "001"), and Go sorts a map's keys as its
 * random iteration hands them over; here a stable merge sort over the tree's
 * order decides.  Letters and digits beyond Latin-1 are Unicode 14 plus
 * Unicode 15's CJK Extension H (emit_tables.h); Go 1.23 has Unicode 15.
 *
 * The tree is borrowed; output goes to a write callback or a malloc'ed string
 * (the caller frees it).  Nothing is printed.
 */
#ifndef GITOPS_EMIT_H
#define GITOPS_EMIT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "lib/base/err.h"
#include "lib/yaml/yaml.h"

enum gitops_yaml_key_order {
	GITOPS_YAML_KEYS_GO = 0,   /* go-yaml v2's sorter (toYaml, kustomize) */
	GITOPS_YAML_KEYS_BYTES,    /* bytewise, as Go's sort.Strings */
	GITOPS_YAML_KEYS_TREE,     /* as the tree holds them */
	GITOPS_YAML_KEYS_GO_V3,    /* gopkg.in/yaml.v3's sorter (toYamlPretty): after a digit, letters first */
};

enum gitops_yaml_numbers {
	GITOPS_YAML_NUMBERS_JSON = 0, /* through JSON as sigs.k8s.io/yaml: 1e6 as a float prints 1000000 */
	GITOPS_YAML_NUMBERS_TYPED,    /* as go-yaml v2 Marshal of int64/float64 directly: 1e+06 */
};

struct gitops_yaml_style {
	enum gitops_yaml_key_order keys;
	enum gitops_yaml_numbers numbers;
	int width;              /* fold lines longer than this (go-yaml v2: 80); < 0: never */
	const char *separator;  /* written between documents (kustomize: "---\n"); NULL: none */
	int indent_seqs;        /* gopkg.in/yaml.v3 (Helm's toYamlPretty): a sequence under a key is indented */
	int binary;             /* yaml.v3: a string that is not UTF-8 is written `!!binary BASE64` */
	int tabs_block;         /* yaml.v3: a tab rules out plain and single quotes, not a literal block */
};

/* sigs.k8s.io/yaml.Marshal, as Helm's toYaml (before it trims the final newline) and kustomize print */
#define GITOPS_YAML_STYLE_INIT \
	{ .keys = GITOPS_YAML_KEYS_GO, .numbers = GITOPS_YAML_NUMBERS_JSON, .width = 80, .separator = "---\n", \
	  .indent_seqs = 0, .binary = 0, .tabs_block = 0 }

struct gitops_yaml_emitter;

/* An emitter writing through `write` (as the YAML writer's); style is copied (NULL: the default). */
int gitops_yaml_emitter_new(struct gitops_yaml_emitter **out, gitops_write_fn write, void *ctx,
			    const struct gitops_yaml_style *style, struct gitops_err *err);
/*
 * One document, ended by a line break; the separator before every document
 * but the first.  Errors: a float that is not finite (JSON has none), a
 * tree nested deeper than 10000.  Strings that are not UTF-8 are written
 * with U+FFFD for each bad byte, as encoding/json does.
 */
int gitops_yaml_emitter_doc(struct gitops_yaml_emitter *e, const cJSON *root, struct gitops_err *err);
/*
 * Hand a document to the writer in pieces of about `piece` bytes (0: whole,
 * the default), so that a big one is never held whole here.  A document
 * that fails half-way then leaves its first pieces written: only for a
 * writer whose output is thrown away when anything fails (a spool).
 */
void gitops_yaml_emitter_pieces(struct gitops_yaml_emitter *e, size_t piece);
void gitops_yaml_emitter_free(struct gitops_yaml_emitter *e);

/* One tree as one document into a malloc'ed string (caller frees). */
int gitops_yaml_dump_style(char **out, const cJSON *root, const struct gitops_yaml_style *style,
			   struct gitops_err *err);

/*
 * Key order only: is a before b in go-yaml v2's order (its keyList.Less for
 * two strings)?  Exposed for renderers that sort as go-yaml v2 does.
 */
int gitops_yaml_key_less(const char *a, const char *b);

#endif
