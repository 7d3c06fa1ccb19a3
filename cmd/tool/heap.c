/* heap.c: a short-lived program's heap on transparent huge pages (see heap.h). */
#include "cmd/tool/heap.h"

#include "lib/kustomize/kustomize.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * The heap on transparent huge pages, as glibc.malloc.hugetlb=1 would put it.
 * A build touches megabytes of fresh heap (the parsed trees, copies for
 * patches, the output), and each first touch of a 4 KiB page is a page
 * fault: about 2,100 of them for kueue's 80 CRDs, a third of its time on a
 * 2-core VM.  The first growth of the heap reserves HEAP_PAD of address
 * space (M_TOP_PAD: nothing is touched) and that range is advised
 * MADV_HUGEPAGE: the first touch of each 2 MiB maps all of it.  The heap
 * starts one small page below a 2 MiB boundary: malloc writes its first
 * chunk there before the advice, and a huge page can only fill a range
 * nothing touched yet.  The heap is not trimmed (a short run), and blocks up
 * to 32 MiB come from it rather than each from a fresh mmap.  Where the
 * kernel has no huge pages to give, or refuses the reservation, it is all as
 * before: 4 KiB faults.
 *
 * No fastbins either (M_MXFAST 0; the per-thread cache still takes small
 * frees): a build frees trees of small nodes while it holds others, and each
 * large block freed or asked for then made malloc_consolidate walk every
 * fastbin chunk, cold, about 6% of the 20k-object overlay's cycles.
 */
#define HEAP_PAD ((uintptr_t)256 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)
void gitops_tool_heap_on_huge_pages(void)
{
	uintptr_t lo, hi, brk0 = (uintptr_t)sbrk(0), small = (uintptr_t)sysconf(_SC_PAGESIZE);
	void *p;

	if (brk0 == (uintptr_t)-1 || small == 0 || small >= HUGE_PAGE)
		return;
	lo = (brk0 + small + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (sbrk((intptr_t)(lo - small - brk0)) == (void *)-1)
		return;
	(void)mallopt(M_MXFAST, 0);
	(void)mallopt(M_TRIM_THRESHOLD, (int)HEAP_PAD);
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	if (!mallopt(M_TOP_PAD, (int)HEAP_PAD))
		return;
	p = malloc(1);
	/* later growth (past HEAP_PAD) in malloc's usual steps */
	(void)mallopt(M_TOP_PAD, 128 << 10);
	if (!p)
		return;
	hi = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	free(p);
}

int gitops_tool_is_kustomization(const char *arg)
{
	return strcmp(arg, "-") && gitops_kustomize_file(arg) != NULL;
}

void gitops_tool_heap_for_kustomizations(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' && gitops_tool_is_kustomization(argv[i])) {
			gitops_tool_heap_on_huge_pages();
			return;
		}
}
