/*
 * heap.h: memory for a short run that builds whole trees (gitops-render):
 * cJSON's nodes and short strings in size-class pools (lib/value/value.h),
 * and malloc without fastbins for a kustomize build.
 */
#ifndef GITOPS_TOOL_HEAP_H
#define GITOPS_TOOL_HEAP_H

/* Is an operand a directory holding a kustomization? (stat() alone: no malloc) */
int gitops_tool_is_kustomization(const char *arg);

/* The heap's first MiB and the pools: first in main, before anything is allocated. */
void gitops_tool_heap_for_trees(void);
/* No fastbins from now on (an operand is a kustomization: see heap.c). */
void gitops_tool_heap_for_kustomize(void);

#endif
