/*
 * libFuzzer target: the whole native Kustomize build (issue 13).
 *
 * The input is a small tree: its first part the kustomization, then, after
 * each NUL byte, the next file of resources (res0.yaml, res1.yaml, ...,
 * all named in the kustomization's resources when it names none itself).
 * The files are written into a fresh directory and built with
 * gitops_kustomize_build: any input must build or fail with a one-line
 * error, never crash, leak or hang; a build that succeeds must be the
 * same when run again (the build is a function of its files).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/kustomize/kustomize.h"
#include "lib/value/jsonio.h"
#include "lib/value/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void write_file(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")))
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

static int build(struct kz_resmap *m, struct gitops_err *err)
{
	struct gitops_kustomize_options o = GITOPS_KUSTOMIZE_OPTIONS_INIT;

	return gitops_kustomize_build(m, dir, &o, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gitops_err err = GITOPS_ERR_INIT, err2 = GITOPS_ERR_INIT;
	struct kz_resmap a = KZ_RESMAP_INIT, b = KZ_RESMAP_INIT;
	const uint8_t *p = data, *end = data + size, *nul;
	char name[32];
	int files = 0, ra, rb;
	size_t i;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-kzbuild-%d", (int)getpid());
		mkdir(dir, 0700);
	}
	/* a clean directory each time */
	for (i = 0; i < 8; i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/res%zu.yaml", dir, i);
		unlink(path);
	}
	nul = memchr(p, 0, (size_t)(end - p));
	write_file("kustomization.yaml", p, (size_t)((nul ? nul : end) - p));
	p = nul ? nul + 1 : end;
	while (p < end && files < 8) {
		nul = memchr(p, 0, (size_t)(end - p));
		snprintf(name, sizeof(name), "res%d.yaml", files++);
		write_file(name, p, (size_t)((nul ? nul : end) - p));
		p = nul ? nul + 1 : end;
	}
	ra = build(&a, &err);
	if (ra < 0 && (!err.msg[0] || strchr(err.msg, '\n'))) {
		fprintf(stderr, "an error must be one line: [%s]\n", err.msg);
		abort();
	}
	rb = build(&b, &err2);
	if (ra != rb || (ra == 0 && a.n != b.n)) {
		fprintf(stderr, "two builds of the same files differ: %d/%zu vs %d/%zu\n", ra, a.n, rb, b.n);
		abort();
	}
	for (i = 0; ra == 0 && i < a.n; i++)
		if (!gitops_value_equal_strict(a.v[i], b.v[i])) {
			fprintf(stderr, "object %zu differs between two builds\n", i);
			abort();
		}
	kz_resmap_release(&a);
	kz_resmap_release(&b);
	return 0;
}
