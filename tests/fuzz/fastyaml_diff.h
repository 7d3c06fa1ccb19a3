/*
 * tests/fuzz/fastyaml_diff.h: lib/yaml/fastyaml.c against libyaml on one
 * buffer, for the unit test and the fuzz target.  When the fast source
 * takes the buffer, libyaml must read it without error and give the same
 * events, every field.
 */
#ifndef GITOPS_TESTS_FASTYAML_DIFF_H
#define GITOPS_TESTS_FASTYAML_DIFF_H

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "lib/yaml/fastyaml.h"

static int fyd_mark_eq(yaml_mark_t a, yaml_mark_t b)
{
	return a.index == b.index && a.line == b.line && a.column == b.column;
}

static int fyd_str_eq(const yaml_char_t *a, const yaml_char_t *b)
{
	return (!a && !b) || (a && b && !strcmp((const char *)a, (const char *)b));
}

/* the first difference between two events, or NULL */
static const char *fyd_event_diff(const yaml_event_t *f, const yaml_event_t *l)
{
	if (f->type != l->type)
		return "type";
	if (!fyd_mark_eq(f->start_mark, l->start_mark))
		return "start mark";
	if (!fyd_mark_eq(f->end_mark, l->end_mark))
		return "end mark";
	switch (f->type) {
	case YAML_STREAM_START_EVENT:
		return f->data.stream_start.encoding == l->data.stream_start.encoding ? NULL : "encoding";
	case YAML_DOCUMENT_START_EVENT:
		if (f->data.document_start.implicit != l->data.document_start.implicit)
			return "document start implicit";
		if (f->data.document_start.version_directive || l->data.document_start.version_directive ||
		    f->data.document_start.tag_directives.start != l->data.document_start.tag_directives.start ||
		    f->data.document_start.tag_directives.end != l->data.document_start.tag_directives.end)
			return "directives";
		return NULL;
	case YAML_DOCUMENT_END_EVENT:
		return f->data.document_end.implicit == l->data.document_end.implicit ? NULL : "document end implicit";
	case YAML_SCALAR_EVENT:
		if (f->data.scalar.length != l->data.scalar.length ||
		    memcmp(f->data.scalar.value, l->data.scalar.value, f->data.scalar.length + 1))
			return "scalar value";
		if (f->data.scalar.style != l->data.scalar.style)
			return "scalar style";
		if (f->data.scalar.plain_implicit != l->data.scalar.plain_implicit ||
		    f->data.scalar.quoted_implicit != l->data.scalar.quoted_implicit)
			return "scalar implicit";
		if (!fyd_str_eq(f->data.scalar.anchor, l->data.scalar.anchor) ||
		    !fyd_str_eq(f->data.scalar.tag, l->data.scalar.tag))
			return "scalar anchor or tag";
		return NULL;
	case YAML_SEQUENCE_START_EVENT:
		if (f->data.sequence_start.style != l->data.sequence_start.style ||
		    f->data.sequence_start.implicit != l->data.sequence_start.implicit)
			return "sequence style or implicit";
		if (!fyd_str_eq(f->data.sequence_start.anchor, l->data.sequence_start.anchor) ||
		    !fyd_str_eq(f->data.sequence_start.tag, l->data.sequence_start.tag))
			return "sequence anchor or tag";
		return NULL;
	case YAML_MAPPING_START_EVENT:
		if (f->data.mapping_start.style != l->data.mapping_start.style ||
		    f->data.mapping_start.implicit != l->data.mapping_start.implicit)
			return "mapping style or implicit";
		if (!fyd_str_eq(f->data.mapping_start.anchor, l->data.mapping_start.anchor) ||
		    !fyd_str_eq(f->data.mapping_start.tag, l->data.mapping_start.tag))
			return "mapping anchor or tag";
		return NULL;
	default:
		return NULL;
	}
}

/*
 * NULL when the fast source gives up on data or gives libyaml's events
 * (*accepted says which), else what differs, in a static buffer.
 */
static const char *fastyaml_diff(const void *data, size_t len, int *accepted)
{
	static char msg[256];
	struct gitops_fastyaml *fy = NULL;
	yaml_parser_t p;
	const char *why = NULL;
	size_t i;

	*accepted = gitops_fastyaml_scan(&fy, data, len);
	if (!*accepted)
		return NULL;
	if (!yaml_parser_initialize(&p)) {
		gitops_fastyaml_free(fy);
		return "out of memory";
	}
	yaml_parser_set_input_string(&p, data, len);
	for (i = 0; !why; i++) {
		yaml_event_t f, l;
		int end;
		if (!yaml_parser_parse(&p, &l)) {
			snprintf(msg, sizeof(msg), "event %zu: libyaml fails (%s at line %zu column %zu)", i,
				 p.problem ? p.problem : "?", (size_t)p.problem_mark.line + 1,
				 (size_t)p.problem_mark.column + 1);
			why = msg;
			break;
		}
		if (!gitops_fastyaml_next(fy, &f)) {
			yaml_event_delete(&l);
			why = "out of memory";
			break;
		}
		if ((why = fyd_event_diff(&f, &l))) {
			snprintf(msg, sizeof(msg), "event %zu (libyaml type %d at %zu:%zu, fast type %d at %zu:%zu): %s", i,
				 l.type, (size_t)l.start_mark.line + 1, (size_t)l.start_mark.column + 1, f.type,
				 (size_t)f.start_mark.line + 1, (size_t)f.start_mark.column + 1, why);
			why = msg;
		}
		end = l.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&f);
		yaml_event_delete(&l);
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	gitops_fastyaml_free(fy);
	return why;
}

#endif
