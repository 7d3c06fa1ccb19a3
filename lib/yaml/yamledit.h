/*
 * yamledit.h: edits of YAML files that keep them as the user wrote them.
 *
 * The file is parsed once with libyaml; every scalar, mapping and sequence
 * is located by libyaml's marks (character positions, turned into byte
 * offsets here, so non-ASCII text, a UTF-8 byte order mark and CRLF line
 * ends are handled).  An edit replaces the bytes of one value and nothing
 * else: comments, key order, indentation, blank lines, quoting style,
 * document separators and the other documents stay byte for byte.
 *
 * Values are written in the style of the value they replace: a plain
 * scalar stays plain unless the new text would read back as something else
 * (then it is double-quoted: "1.10" stays a string), single- and
 * double-quoted scalars keep their quotes, literal and folded block scalars
 * keep their block.  A string stays a string; a plain number, boolean or
 * null given a new plain value is written plain (`replicas: 3` -> `4`).
 *
 * Anchors and aliases: editing an anchored scalar (`tag: &t v1`) edits the
 * anchor, and every alias of it follows.  A path that goes through an
 * alias (`*t`), or names a key that only a merge key (`<<`) provides, is
 * refused with the line of the anchor: edit the anchor instead.
 *
 * Ownership: gitops_yamledit_new copies the input; everything the handle
 * returns (changes, output) is owned by it and lives until
 * gitops_yamledit_free (NULL is a no-op).
 */
#ifndef GITOPS_YAMLEDIT_H
#define GITOPS_YAMLEDIT_H

#include <stddef.h>
#include "lib/base/err.h"
#include "lib/base/image.h"
#include "lib/yaml/yaml.h"

struct gitops_yamledit;

/* Parse `data` (copied).  -1 with "NAME:LINE: problem" (GITOPS_EXIT_INPUT) when it is not YAML. */
int gitops_yamledit_new(struct gitops_yamledit **out, const void *data, size_t len, const char *name,
		     const struct gitops_limits *limits, struct gitops_err *err);
void gitops_yamledit_free(struct gitops_yamledit *y);

/*
 * Set the scalar at `path` to `value` in every document that has it.  Path
 * syntax: keys separated by '.', `[N]` for a sequence index, `[KEY=VALUE]`
 * for the mapping item of a sequence whose KEY is VALUE
 * (`spec.template.spec.containers[name=web].image`, `images[0].newTag`);
 * a backslash escapes '.', '[' and '\' inside a key (lib/value/path.h's
 * GITOPS_PATH_YAMLEDIT, which parses it).  When no document has
 * the path: an error naming the line where it stops, unless `create` is
 * set: then the missing keys are added to the first document, in the
 * mapping's own indentation style.  Returns the number of places that
 * hold the path (a place that already holds `value` counts, but changes
 * nothing), or -1.
 */
int gitops_yamledit_set(struct gitops_yamledit *y, const char *path, const char *value, int create,
		     struct gitops_err *err);

/* `--image NAME=REF` */
struct gitops_yamledit_image {
	const char *name;                       /* the image name to find (compared after normalisation) */
	const struct gitops_image_ref *ref;     /* new name (or NULL), tag, digest: what to write */
};

/* `--policy NS:NAME=REF`: the latest image of a Flux ImagePolicy, for `# {"$imagepolicy": ...}` markers */
struct gitops_yamledit_policy {
	const char *id;                         /* "ns:name" */
	const struct gitops_image_ref *ref;     /* name, tag, digest (each may be NULL) */
};

/*
 * Update every place that pins one of the images: `image:` scalars
 * (containers, initContainers, Helm-style "name:tag" values), Helm-style
 * `image: {registry, repository, tag, digest}` mappings, Kustomize
 * `images:` entries (newName, newTag, digest) and the scalars marked with
 * `# {"$imagepolicy": "ns:name[:tag|:name|:digest]"}` for the policies
 * given.  Returns the number of values changed, or -1.
 */
int gitops_yamledit_images(struct gitops_yamledit *y, const struct gitops_yamledit_image *images, size_t n_images,
			const struct gitops_yamledit_policy *policies, size_t n_policies, struct gitops_err *err);

struct gitops_yamledit_change {
	size_t line;          /* 1-based line of the value */
	const char *what;     /* the path, field or setter ("image", "newTag", "automation-ns:policy:tag") */
	const char *old;      /* the old value ("" when the key was added) */
	const char *new;      /* the new value ("" when the key was removed) */
};

size_t gitops_yamledit_nchanges(const struct gitops_yamledit *y);
const struct gitops_yamledit_change *gitops_yamledit_change_at(const struct gitops_yamledit *y, size_t i);

/*
 * The edited text (owned by y; valid until the next call on y).  Equal to
 * the input when nothing changed.
 */
int gitops_yamledit_output(struct gitops_yamledit *y, const char **out, size_t *len, struct gitops_err *err);

#endif
