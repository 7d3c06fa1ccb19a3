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

#endif
