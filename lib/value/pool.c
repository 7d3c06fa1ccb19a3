/* pool.c: cJSON's nodes and short strings in size classes (see value.h). */
#include "lib/value/value.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

/*
 * A build holds hundreds of thousands of cJSON nodes (64 bytes) and short
 * strings.  glibc puts each in a chunk with an 8-byte header rounded up to
 * 16, and never under 32 bytes: a node takes 80, "name" 32.  Here each
 * size class (16, 32, 48, 64) is cut from 64 KiB chunks of one reserved
 * range, a block takes exactly its class, and a freed block goes on its
 * class's list (last in, first out: the next node of that size lands
 * where a cache still holds it).  Which class a chunk holds is one byte
 * in a table; a pointer outside the range is malloc's and goes back to
 * free().  The range is reserved as address space only (PROT_NONE: no
 * commit charge, even where the kernel counts every writable page, as
 * with vm.overcommit_memory=2) and made writable 256 KiB at a time as the
 * chunks reach it, populated then (MADV_POPULATE_WRITE where the kernel
 * has it) rather than faulted in page by page.  Where that fails, blocks
 * come from malloc from then on.
 *
 * One thread allocates at a time (the programs run cJSON on one thread;
 * lib/template's executor thread runs while the caller waits on it).
 */
#define CLASS_SHIFT 4
#define CLASSES 4 /* 16, 32, 48, 64 */
#define POOLED_MAX ((size_t)CLASSES << CLASS_SHIFT)
#define CHUNK_SHIFT 16
#define CHUNK ((size_t)1 << CHUNK_SHIFT)
#define COMMIT ((size_t)256 << 10) /* a multiple of CHUNK */
#define RANGE_MAX ((size_t)8 << 30)

struct free_block {
	struct free_block *next;
};

static struct {
	char *base, *top, *writable, *end; /* [base, writable) is read-write, [top, end) unused */
	struct free_block *free[CLASSES];
	char *next[CLASSES], *limit[CLASSES];
	unsigned char class_of[RANGE_MAX >> CHUNK_SHIFT];
	size_t blocks; /* in use, for the tests */
} pool;

static void *pool_malloc(size_t size)
{
	size_t c = (size - 1) >> CLASS_SHIFT, bytes;
	struct free_block *b;
	char *p;

	if (size - 1 >= POOLED_MAX) /* 0 wraps round */
		return malloc(size);
	if ((b = pool.free[c])) {
		pool.free[c] = b->next;
		pool.blocks++;
		return b;
	}
	bytes = (c + 1) << CLASS_SHIFT;
	if (pool.next[c] == pool.limit[c]) {
		if (pool.top == pool.writable) {
			if (pool.writable == pool.end || mprotect(pool.writable, COMMIT, PROT_READ | PROT_WRITE) != 0) {
				pool.end = pool.writable; /* full: malloc's from now on */
				return malloc(size);
			}
			(void)madvise(pool.writable, COMMIT, 23 /* MADV_POPULATE_WRITE */);
			pool.writable += COMMIT;
		}
		pool.class_of[(size_t)(pool.top - pool.base) >> CHUNK_SHIFT] = (unsigned char)c;
		pool.next[c] = pool.top;
		pool.limit[c] = pool.top + CHUNK / bytes * bytes;
		pool.top += CHUNK;
	}
	p = pool.next[c];
	pool.next[c] += bytes;
	pool.blocks++;
	return p;
}

static void pool_free(void *p)
{
	size_t off = (size_t)((uintptr_t)p - (uintptr_t)pool.base);
	struct free_block *b = p;
	unsigned c;

	if (off >= (size_t)(pool.top - pool.base)) {
		free(p);
		return;
	}
	c = pool.class_of[off >> CHUNK_SHIFT];
	b->next = pool.free[c];
	pool.free[c] = b;
	pool.blocks--;
}

int gitops_value_pool_install(void)
{
	cJSON_Hooks hooks = { pool_malloc, pool_free };
	size_t size = RANGE_MAX;
	struct rlimit as;
	void *p;

	if (GITOPS_POOL_ASAN)
		return -1; /* AddressSanitizer checks each node and string only when malloc makes it */
	if (pool.base)
		return 0;
	/* under an address-space limit, an eighth of it (the rest for malloc) */
	if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY && as.rlim_cur / 8 < size)
		size = (size_t)(as.rlim_cur / 8) & ~(COMMIT - 1);
	if (size < COMMIT)
		return -1;
	p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	pool.base = pool.top = pool.writable = p;
	pool.end = pool.base + size;
	cJSON_InitHooks(&hooks);
	return 0;
}

int gitops_value_pool_owns(const void *p)
{
	return (size_t)((uintptr_t)p - (uintptr_t)pool.base) < (size_t)(pool.top - pool.base);
}

size_t gitops_value_pool_blocks(void)
{
	return pool.blocks;
}
