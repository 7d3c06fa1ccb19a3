/*
 * objset.h: a whole stream of objects in memory, for the programs that must
 * see all of it before they send anything (apply, diff): every object
 * checked, no identity twice, an end-of-stream marker (when there is one)
 * whose count matches.
 */
#ifndef GITOPS_OBJSET_H
#define GITOPS_OBJSET_H

#include "lib/base/err.h"
#include "lib/k8s/stream.h"

struct gitops_objset {
	struct gitops_object *objs;
	size_t n;
	struct gitops_stream_status status;   /* marker NONE or OK (BAD is an error) */
	const char *name;                     /* "<stdin>" or the file */
	struct gitops_stream_reader *reader;  /* owns the objects' source names */
	int fd;
};

/*
 * Read FILE (NULL or "-": standard input).  -1 with err (exit 3 for bad
 * input, naming file, line and document) when anything is wrong; s is then
 * empty but must still be released.
 */
int gitops_objset_read(struct gitops_objset *s, const char *file, const struct gitops_limits *limits,
		       struct gitops_err *err);
void gitops_objset_release(struct gitops_objset *s);

#endif
