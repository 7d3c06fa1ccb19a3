#include "lib/k8s/objset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/k8s/object.h"

static int add(struct gitops_objset *s, size_t *cap, struct gitops_object *obj, struct gitops_err *err)
{
	if (s->n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct gitops_object *p = realloc(s->objs, c * sizeof(*p));
		if (!p) {
			gitops_object_release(obj);
			return gitops_err_oom(err);
		}
		s->objs = p;
		*cap = c;
	}
	s->objs[s->n++] = *obj;
	return 0;
}

/* The same object twice would race with itself: an invalid stream. */
static int check_unique(struct gitops_objset *s, struct gitops_err *err)
{
	struct gitops_idset *ids = NULL;
	size_t i;
	int ret = 0;

	if (gitops_idset_new(&ids) < 0)
		return gitops_err_oom(err);
	for (i = 0; i < s->n && ret == 0; i++) {
		struct gitops_id id;
		unsigned first_input, first_line;
		char what[600];
		const struct gitops_object *o = &s->objs[i];
		if (gitops_object_id(&id, o->json) < 0)
			continue;
		switch (gitops_idset_add(ids, &id, 0, (unsigned)o->line, &first_input, &first_line)) {
		case -1:
			ret = gitops_err_oom(err);
			break;
		case 0:
			gitops_id_format(&id, what, sizeof(what));
			ret = gitops_object_err(err, o, GITOPS_EXIT_INPUT, "%s appears again (first at line %u)", what,
						first_line);
			break;
		}
	}
	gitops_idset_free(ids);
	return ret;
}

int gitops_objset_read(struct gitops_objset *s, const char *file, const struct gitops_limits *limits,
		       struct gitops_err *err)
{
	size_t cap = 0;

	memset(s, 0, sizeof(*s));
	s->name = "<stdin>";
	if (file && strcmp(file, "-")) {
		s->name = file;
		if ((s->fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
			s->fd = 0;
			return gitops_err_errno(err, errno, file);
		}
	}
	if (gitops_stream_reader_fd(&s->reader, s->fd, s->name, limits, 0, err) < 0)
		goto fail;
	for (;;) {
		struct gitops_object obj;
		int got = gitops_stream_read(s->reader, &obj, err);
		if (got < 0)
			goto fail;
		if (!got)
			break;
		if (add(s, &cap, &obj, err) < 0)
			goto fail;
	}
	if (check_unique(s, err) < 0)
		goto fail;
	gitops_stream_reader_status(s->reader, &s->status);
	if (s->status.marker == GITOPS_MARKER_BAD) {
		gitops_err_set(err, GITOPS_EXIT_INPUT, "%s: end-of-stream check failed: %s", s->name, s->status.problem);
		goto fail;
	}
	return 0;
fail:
	{
		const char *name = s->name;
		gitops_objset_release(s);
		s->name = name;
	}
	return -1;
}

void gitops_objset_release(struct gitops_objset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		gitops_object_release(&s->objs[i]);
	free(s->objs);
	gitops_stream_reader_free(s->reader);
	if (s->fd > 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
}
