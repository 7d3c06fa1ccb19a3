/*
 * heap.h: the heap of a short run that builds large trees (a kustomize
 * build) on transparent huge pages, with malloc tuned for it: call it first
 * in main, before anything is allocated.  Where the kernel gives no huge
 * pages, nothing changes but malloc's settings.  Costs up to 2 MiB of peak
 * RSS per huge page touched: not for runs that must stay small.
 */
#ifndef GITOPS_TOOL_HEAP_H
#define GITOPS_TOOL_HEAP_H

void gitops_tool_heap_on_huge_pages(void);

/* Is an operand a directory holding a kustomization? (stat() alone: no malloc) */
int gitops_tool_is_kustomization(const char *arg);

/*
 * The heap on huge pages only when an operand names a kustomization: a
 * chart's render is a few MB, where the 2 MiB pages would cost helm's
 * memory goal more than their time.
 */
void gitops_tool_heap_for_kustomizations(int argc, char **argv);

#endif
