/*
 * fastyaml.h (internal to lib/yaml): libyaml 0.2.5's events for a whole
 * buffer in a common subset of YAML, scanned in one pass.
 *
 * gitops_fastyaml_scan reads the whole buffer first.  It accepts only what
 * it knows libyaml reads without error and only then: block mappings and
 * sequences, one-line plain and quoted scalars, literal and folded block
 * scalars, empty flow collections, comments, "---" and "..." (see
 * fastyaml.c for the exact subset).  Anything else, valid or not, makes it
 * give up, and the caller then reads the buffer with libyaml from its start;
 * no event has been handed out by then.
 *
 * Accepted, the events come out one by one through gitops_fastyaml_next,
 * each as yaml_parser_parse would fill it: the scalar value malloc'ed, so
 * that yaml_event_delete frees the event as it frees libyaml's.
 */
#ifndef GITOPS_YAML_FASTYAML_H
#define GITOPS_YAML_FASTYAML_H

#include <stddef.h>
#include <yaml.h>

struct gitops_fastyaml;

/*
 * 1: accepted, *out holds the events (the caller's, to free with
 * gitops_fastyaml_free); 0: given up (or out of memory), *out NULL.
 */
int gitops_fastyaml_scan(struct gitops_fastyaml **out, const void *data, size_t len);

/*
 * The next event into *ev (the caller's, for yaml_event_delete): 1, or 0
 * when out of memory.  After STREAM_END: an empty event, as libyaml gives.
 */
int gitops_fastyaml_next(struct gitops_fastyaml *fy, yaml_event_t *ev);

/*
 * From now on a scalar's value comes from cJSON_malloc, for a caller that
 * hands the text on to a cJSON node as it is (lib/value/value.h's pools
 * take it then).  A value the caller does not hand on goes back through
 * cJSON_free, and is set to NULL before yaml_event_delete.
 */
void gitops_fastyaml_cjson_values(struct gitops_fastyaml *fy);

void gitops_fastyaml_free(struct gitops_fastyaml *fy);

#endif
