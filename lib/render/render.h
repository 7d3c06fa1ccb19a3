/*
 * render.h: turning sources into plain objects.
 *
 * Plain manifests: files, directories (recursive; *.yaml, *.yml, *.json;
 * each directory's entries in byte order, as kubectl -R and Argo CD walk
 * them; hidden entries skipped) and streams, and the Source documents of
 * gitops-fetch found on standard input or in a file named.  A directory
 * with a kustomization file is built as `kubectl kustomize` builds it
 * (lib/kustomize) instead of walked; a directory with Chart.yaml, or a
 * packaged chart (.tgz) named, is rendered as `helm template` renders it
 * (lib/render/helm).
 */
#ifndef GITOPS_RENDER_H
#define GITOPS_RENDER_H

#include "lib/base/err.h"
#include "lib/k8s/stream.h"
#include "lib/kustomize/kustomize.h"
#include "lib/render/helm/helm.h"
#include "lib/yaml/yaml.h"

/*
 * Called for every object, in order; borrows obj (the callee may take
 * obj->json, setting it NULL).  The syntax of its name and namespace is not
 * checked: gitops_object_check_names says, for a warning, as kustomize
 * outputs such names.
 */
typedef int (*gitops_object_fn)(void *ctx, struct gitops_object *obj, struct gitops_err *err);

struct gitops_render_stats {
	size_t files;
	size_t objects;
};

/*
 * What one input vouches for.  A file or a directory is read whole: its
 * objects are all there are.  A stream (standard input, or a pipe or device
 * named as a path) is whole only when an end-of-stream marker with a matching
 * count closed it; a marker whose count is wrong is an error already.  A
 * caller that passes the objects on writes the marker only if every input
 * was whole, and refuses a stream that held neither an object nor a marker
 * (gitops_stream_check_empty) unless told to accept it.
 */
struct gitops_render_input {
	int whole;                          /* its objects are all there are */
	int streamed;                       /* read as a stream: `status` says how it ended */
	struct gitops_stream_status status; /* marker NONE or OK; objects, Source documents counted */
};

/*
 * Render a file or a directory.  Symbolic links are followed only to
 * regular files inside the directory given; a link that leads outside it
 * is an error.  Source documents are expanded in a file named here, and
 * refused in the files a directory walk finds (a repository must not point
 * the renderer at any directory of this machine).
 */
int gitops_render_path(struct gitops_render_input *out, const char *path, const struct gitops_limits *limits,
		       gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err);

/* The same, kustomizations built with these options (NULL: kustomize's defaults). */
int gitops_render_path_kustomize(struct gitops_render_input *out, const char *path, const struct gitops_limits *limits,
				 const struct gitops_kustomize_options *kustomize, gitops_object_fn fn, void *ctx,
				 struct gitops_render_stats *stats, struct gitops_err *err);

/* The same, charts rendered with helm template's options (NULL: its defaults). */
int gitops_render_path_with(struct gitops_render_input *out, const char *path, const struct gitops_limits *limits,
			    const struct gitops_kustomize_options *kustomize, const struct gitops_helm_options *helm,
			    gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err);

/* Render a stream read from fd (not closed); `name` names it in messages. */
int gitops_render_fd(struct gitops_render_input *out, int fd, const char *name, const struct gitops_limits *limits,
		     gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err);
/* The same, the kustomizations and charts of its Source documents built with these options (NULL: the defaults). */
int gitops_render_fd_with(struct gitops_render_input *out, int fd, const char *name, const struct gitops_limits *limits,
			  const struct gitops_kustomize_options *kustomize, const struct gitops_helm_options *helm,
			  gitops_object_fn fn, void *ctx, struct gitops_render_stats *stats, struct gitops_err *err);

#endif
