/*
 * render.h: turning sources into plain objects.
 *
 * Plain manifests: files, directories (recursive; *.yaml, *.yml, *.json;
 * each directory's entries in byte order, as kubectl -R and Argo CD walk
 * them; hidden entries skipped) and streams.  Kustomize overlays and Helm
 * charts are recognised and refused until their renderers exist.
 */
#ifndef GITOPS_RENDER_H
#define GITOPS_RENDER_H

#include "lib/err.h"
#include "lib/stream.h"
#include "lib/yaml.h"

/* Called for every object, in order; borrows obj (the callee may take obj->json, setting it NULL). */
typedef int (*gitops_object_fn)(void *ctx, struct gitops_object *obj, struct gitops_err *err);

struct gitops_render_stats {
	size_t files;
	size_t objects;
};

/*
 * Render a file or a directory.  Symbolic links are followed only to
 * regular files inside the directory given; a link that leads outside it
 * is an error.
 */
int gitops_render_path(const char *path, const struct gitops_limits *limits, gitops_object_fn fn, void *ctx,
		       struct gitops_render_stats *stats, struct gitops_err *err);

/* Render a stream read from fd (not closed); `name` names it in messages. */
int gitops_render_fd(int fd, const char *name, const struct gitops_limits *limits, gitops_object_fn fn,
		     void *ctx, struct gitops_render_stats *stats, struct gitops_err *err);

#endif
