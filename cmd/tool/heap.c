/* heap.c: memory for a short run that builds whole trees (see heap.h). */
#include "cmd/tool/heap.h"

#include "lib/kustomize/kustomize.h"
#include "lib/value/value.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * The pools take a node in 64 bytes where malloc takes 80, and a short
 * string in its size where malloc takes 32 at least: a tenth less peak
 * memory for a kustomize build (26.9 MiB instead of 31.2 for 5,000 objects).
 *
 * No fastbins for a kustomize build (M_MXFAST 0; the per-thread cache still
 * takes small frees): it frees trees of small nodes while it holds others,
 * and each large block freed or asked for then made malloc_consolidate walk
 * every fastbin chunk, cold: 2-4% of the 20k-object overlay's time.
 *
 * The heap once lay on transparent huge pages (MADV_HUGEPAGE): 4 KiB page
 * faults were a third of a small build's time on a VM of another kind.
 * Here they are 5% and a huge page costs up to 2 MiB of peak RSS each, past
 * the memory goal on the small trees (kueue: 14.2 MiB against 9.2): not
 * any more.
 */
int gitops_tool_is_kustomization(const char *arg)
{
	return strcmp(arg, "-") && gitops_kustomize_file(arg) != NULL;
}

/*
 * The heap's first MiB made at once: malloc grows the heap a MiB at a time
 * (M_TOP_PAD), and the first is populated in one call (MADV_POPULATE_WRITE)
 * instead of page by page as it is first touched.  A page fault costs some
 * 20 us on a VM whose page tables the host shadows (where these charts
 * render in 6-12 ms and their heaps reach 0.5-1 MiB): 5-10% of a chart's
 * render there; elsewhere a fault costs a tenth of a microsecond and the
 * call about what the faults would.
 */
static void heap_first_mib(void)
{
	uintptr_t a, b;
	void *p;
	char *end;

	if (!mallopt(M_TOP_PAD, 1 << 20) || !(p = malloc(1)))
		return;
	end = sbrk(0);
	a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	b = (uintptr_t)end & ~(uintptr_t)4095;
	if (end != (void *)-1 && b > a && b - a <= (2u << 20))
		(void)madvise((void *)a, b - a, 23 /* MADV_POPULATE_WRITE */);
	free(p);
}

void gitops_tool_heap_for_trees(void)
{
	heap_first_mib();
	(void)gitops_value_pool_install();
}

void gitops_tool_heap_for_kustomize(void)
{
	(void)mallopt(M_MXFAST, 0);
}
