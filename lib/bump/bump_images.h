/*
 * bump_images.h: the edits gitops-bump makes, in a file and in a stream.
 *
 * In a file (through yamledit, keeping every other byte): --set values
 * (named files only), --image in `image:` scalars, Helm-style image
 * mappings and Kustomize `images:`, --policy at Flux setter markers.  In a
 * stream (objects, not text): --image in the containers of workloads,
 * which lib/podspec locates.
 */
#ifndef GITOPS_BUMP_IMAGES_H
#define GITOPS_BUMP_IMAGES_H

#include <stddef.h>
#include "lib/bump/bump.h"
#include "lib/yaml/yamledit.h"

/*
 * The edits of one file's `data`.  *out: the edited file (the caller's, to
 * gitops_yamledit_free), or NULL when nothing changed; *parsed: whether the
 * file held something worth parsing (a cheap byte screen comes first).
 * named: the file was named (--file or a PATH), so it must be YAML and
 * --set applies; a file a walk found that is not YAML is skipped with a
 * notice.
 */
int gitops_bump_images_edit(struct gitops_yamledit **out, int *parsed, const struct gitops_bump_options *o,
			    const struct gitops_limits *limits, const char *path, const char *data, size_t len,
			    int named, struct gitops_err *err);

/*
 * The stream on `in` to `out` (-1: not written) with the --image images
 * set in every workload's containers; each change goes to o->on_change.
 * Completeness passes on: the end marker only if the input had a valid one.
 */
int gitops_bump_images_stream(const struct gitops_bump_options *o, const struct gitops_limits *limits, int in,
			      int out, struct gitops_err *err);

#endif
