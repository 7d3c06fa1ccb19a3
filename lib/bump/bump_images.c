/* bump_images.c: gitops-bump's edits of files (yamledit) and of streams (podspec). */
#include "lib/bump/bump_images.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/buf.h"
#include "lib/bump/bump_newer.h"
#include "lib/bump/bump_walk.h"
#include "lib/k8s/podspec.h"
#include "lib/k8s/stream.h"

/* The bytes a file must hold for an --image or --policy edit to be possible: parsed only then. */
static int screened_in(const struct gitops_bump_options *o, const char *data, size_t len)
{
	size_t i, blen;

	for (i = 0; i < o->nimages; i++) {
		const char *base = gitops_image_basename(o->images[i].name, strlen(o->images[i].name), &blen);
		if (memmem(data, len, base, blen))
			return 1;
	}
	return o->npolicies && memmem(data, len, "$imagepolicy", 12);
}

int gitops_bump_images_edit(struct gitops_yamledit **out, int *parsed, const struct gitops_bump_options *o,
			    const struct gitops_limits *limits, const char *path, const char *data, size_t len,
			    int named, struct gitops_err *err)
{
	struct gitops_yamledit_image ims[GITOPS_BUMP_MAX_ARGS];
	struct gitops_yamledit_policy pols[GITOPS_BUMP_MAX_ARGS];
	struct gitops_yamledit *y = NULL;
	char *pathv = NULL;
	size_t i;
	int error = -1;

	*out = NULL;
	*parsed = 0;
	if (!o->nsets && !screened_in(o, data, len))
		return 0;
	*parsed = 1;
	if (gitops_yamledit_new(&y, data, len, path, limits, err) < 0) {
		if (named || gitops_bump_walk_is_yaml(path))
			return -1;
		gitops_bump_notice(o, 1, "skipping %s: not YAML (%s)", path, err->msg);
		err->code = 0;
		return 0;
	}
	for (i = 0; i < o->nsets && named; i++) {
		char *eq;
		if (!(pathv = strdup(o->sets[i]))) {
			gitops_err_oom(err);
			goto done;
		}
		eq = gitops_bump_set_split(pathv);
		*eq = '\0';
		if (gitops_yamledit_set(y, pathv, eq + 1, o->create, err) < 0)
			goto done;
		free(pathv);
		pathv = NULL;
	}
	for (i = 0; i < o->nimages; i++) {
		ims[i].name = o->images[i].name;
		ims[i].ref = &o->images[i].ref;
	}
	for (i = 0; i < o->npolicies; i++) {
		pols[i].id = o->policies[i].id;
		pols[i].ref = &o->policies[i].ref;
	}
	if ((o->nimages || o->npolicies) && gitops_yamledit_images(y, ims, o->nimages, pols, o->npolicies, err) < 0)
		goto done;
	if (gitops_yamledit_nchanges(y)) {
		*out = y;
		y = NULL;
	}
	error = 0;
done:
	free(pathv);
	gitops_yamledit_free(y);
	return error;
}

struct stream_edit {
	const struct gitops_bump_options *o;
	const struct gitops_object *obj;
};

/* One container: its image set when it is one of --image's. */
static int set_image(void *ctx, cJSON *c, struct gitops_err *err)
{
	struct stream_edit *se = ctx;
	const struct gitops_bump_options *o = se->o;
	cJSON *img = cJSON_GetObjectItemCaseSensitive(c, "image");
	struct gitops_image_ref old = GITOPS_IMAGE_REF_INIT;
	struct gitops_err ignored = GITOPS_ERR_INIT;
	char *s = NULL;
	size_t i;
	int error = -1;

	if (!cJSON_IsString(img) || gitops_image_parse(&old, img->valuestring, &ignored) < 0)
		return 0;
	for (i = 0; i < o->nimages; i++) {
		const struct gitops_image_ref *ref = &o->images[i].ref;
		struct gitops_image_ref m;
		if (!gitops_image_same_name(old.name, strlen(old.name), o->images[i].name, strlen(o->images[i].name)))
			continue;
		m.name = ref->name ? ref->name : old.name;
		m.tag = ref->tag ? ref->tag : old.tag;
		m.digest = ref->digest ? ref->digest : ref->tag ? NULL : old.digest;
		if (!(s = gitops_image_format(&m))) {
			gitops_err_oom(err);
			goto done;
		}
		if (strcmp(s, img->valuestring)) {
			struct gitops_bump_change ch = { se->obj->source, se->obj->line, "image", img->valuestring, s };
			if (gitops_bump_newer_change(o, &ch, 0, err) < 0)
				goto done;
			if (o->on_change)
				o->on_change(o->ctx, &ch);
			if (!cJSON_ReplaceItemInObjectCaseSensitive(c, "image", cJSON_CreateString(s))) {
				gitops_err_oom(err);
				goto done;
			}
		}
		break;
	}
	error = 0;
done:
	free(s);
	gitops_image_release(&old);
	return error;
}

int gitops_bump_images_stream(const struct gitops_bump_options *o, const struct gitops_limits *limits, int in,
			      int out, struct gitops_err *err)
{
	struct gitops_stream_reader *rd = NULL;
	struct gitops_stream_writer *w = NULL;
	struct gitops_spool *spool = NULL;
	struct gitops_stream_status st;
	struct gitops_object obj;
	struct stream_edit se = { o, &obj };
	int n, error = -1;

	memset(&obj, 0, sizeof(obj));
	if (gitops_stream_reader_fd(&rd, in, "<stdin>", limits, 0, err) < 0 ||
	    gitops_spool_new(&spool, 2u << 20, err) < 0 ||
	    gitops_stream_writer_new(&w, GITOPS_FORMAT_YAML, gitops_spool_write, spool, err) < 0)
		goto done;
	while ((n = gitops_stream_read(rd, &obj, err)) > 0) {
		if (gitops_podspec_foreach_container(obj.json, set_image, &se, err) < 0 ||
		    gitops_stream_writer_put(w, obj.json, err) < 0)
			goto done;
		gitops_object_release(&obj);
	}
	if (n < 0)
		goto done;
	gitops_stream_reader_status(rd, &st);
	if (st.marker == GITOPS_MARKER_BAD) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "<stdin>: end-of-stream check failed: %s", st.problem);
		goto done;
	}
	if (!o->allow_empty_input && gitops_stream_check_empty(&st, "<stdin>", err) < 0)
		goto done;
	if (gitops_stream_writer_finish_as(w, st.marker == GITOPS_MARKER_OK ? GITOPS_STREAM_COMPLETE
					   : GITOPS_STREAM_UNVOUCHED, err) < 0)
		goto done;
	if (out >= 0 && gitops_spool_copy_to_fd(spool, out, err) < 0)
		goto done;
	error = 0;
done:
	gitops_object_release(&obj);
	gitops_stream_writer_free(w);
	gitops_spool_free(spool);
	gitops_stream_reader_free(rd);
	return error;
}
