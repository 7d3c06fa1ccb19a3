# gitops: one non-recursive Makefile (git's shape).
#   make            build lib/libgitops.a and the six programs into $(O)/
#   make check      unit tests (Check), CLI cases, man pages, kubectl, the API server, registry, git
#   make -j2 check  the same, independent suites side by side (each its own temporary files;
#                   the kube suites one after the other on the one API server)
#   make SANITIZE=1 check   the same under ASan+UBSan (objects in build/sanitize)
#   make fuzz FUZZ_SECONDS=N   libFuzzer on the stream reader/writer (clang; FUZZ_TARGET=NAME)
#   make install PREFIX=/usr/local DESTDIR=    (make uninstall, the same variables, removes it)
#   make image      an OCI image of the programs in $(O)/image (scripts/make-image)
#   V=1 shows the commands.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/vendor-completions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
CONFORMANCE ?= ../shared/conformance

ifeq ($(SANITIZE),1)
O         ?= build/sanitize
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPTFLAGS  ?= -O1 -g
else
O         ?= build
SANFLAGS  :=
OPTFLAGS  ?= -O2 -g
endif

CC        ?= cc
PKGS      := yaml-0.1 libcjson libcurl libcrypto libgit2 libpcre2-8 libxcrypt libarchive
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lm
CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS   := $(shell pkg-config --libs check)

WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -Wvla
CFLAGS    ?=
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(OPTFLAGS) $(WARNINGS) $(SANFLAGS) \
              -I. $(PKG_CFLAGS) -DGITOPS_VERSION='"$(VERSION)"' $(CFLAGS)
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)

ifneq ($(V),1)
Q = @
QCC = @echo '  CC     ' $@;
QAR = @echo '  AR     ' $@;
QLD = @echo '  LINK   ' $@;
else
Q =
QCC =
QAR =
QLD =
endif

PROGRAMS  := gitops-fetch gitops-render gitops-diff gitops-apply gitops-bump gitops-sync
LIB_SRCS  := $(sort $(wildcard lib/*/*.c lib/template/funcs/*.c lib/render/helm/*.c))
LIB_HDRS  := $(wildcard lib/*/*.h lib/template/funcs/*.h lib/render/helm/*.h)
LIB_OBJS  := $(LIB_SRCS:%.c=$(O)/%.o)
LIB       := $(O)/lib/libgitops.a
# the programs' tool layer: options, messages, colour, exit codes (the only printers)
TOOL_SRCS := $(sort $(wildcard cmd/tool/*.c))
TOOL_HDRS := $(wildcard cmd/tool/*.h)
TOOL_OBJS := $(TOOL_SRCS:%.c=$(O)/%.o)
# an archive, so that a program links the tool modules it uses only (planref's libgit2 stays out
# of gitops-render, whose start it slowed by loading libgit2, libcurl and GnuTLS)
TOOL_LIB  := $(O)/cmd/tool/libgitops-tool.a
BINS      := $(PROGRAMS:%=$(O)/%)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
MANS      := $(wildcard man/*.1 man/*.7)

# under -j, each target's output in one piece (suites running side by side do not interleave)
MAKEFLAGS += --output-sync=target

.SECONDARY:
.PHONY: all check unit cases mansynopsis kubectl kube clean install uninstall completion fuzz fuzz-all fuzz-check bench demo
all: $(BINS) $(O)/completion.ok

# bash, zsh and fish completions, generated from the programs' --help (scripts/gen-completion):
# $(O)/completion/bash/PROG, $(O)/completion/zsh/_gitops, $(O)/completion/fish/PROG.fish
$(O)/completion.ok: scripts/gen-completion $(BINS)
	@echo '  GEN     ' $(O)/completion
	$(Q)scripts/gen-completion $(O) $(O)/completion && touch $@

$(O)/%.o: %.c $(LIB_HDRS) $(TOOL_HDRS) Makefile | $(O)/layers.ok
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# the library's includes point down its layers only (lib/README.md), and what cJSON allocated
# goes back through cJSON_free (lib/value/value.h): checked before anything is built
$(O)/layers.ok: scripts/check-layers scripts/check-cjson-free $(LIB_SRCS) $(LIB_HDRS) $(wildcard cmd/*.c cmd/*/*.c)
	@mkdir -p $(dir $@)
	$(Q)scripts/check-layers && scripts/check-cjson-free && touch $@

$(LIB): $(LIB_OBJS)
	$(QAR)rm -f $@ && ar rcs $@ $^

$(TOOL_LIB): $(TOOL_OBJS)
	$(QAR)rm -f $@ && ar rcs $@ $^

$(O)/gitops-%: $(O)/cmd/gitops-%.o $(TOOL_LIB) $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# gitops-render uses libcrypto for SHA-256 and base64 alone and links neither libcurl nor libgit2:
# the static archive gives it those few objects, where loading the shared library (its relocations
# and initialisers) took about 0.7 ms of every run, an eighth of a small Kustomize build.  libyaml,
# PCRE2 and libxcrypt come from their static archives too (Debian ships them): loading them took
# another 0.4 ms.  libarchive's shared library pulls in libxml2, ICU and libstdc++ (2.5 ms a run);
# its archive gives only the gzip and tar readers it is asked for, on zlib.  No libm: loading it ran
# its IFUNC resolvers, 380 KiB of a small build's peak RSS, for four functions (now libc's or ours)
RENDER_STATIC := -lcrypto -lyaml -lpcre2-8 -lcrypt -larchive -lz
RENDER_LIBS := $(filter-out $(RENDER_STATIC) -lm,$(PKG_LIBS)) -Wl,-Bstatic $(RENDER_STATIC) -Wl,-Bdynamic \
               $(filter-out -lcrypto,$(shell pkg-config --static --libs libcrypto))
# Linked as a fixed-address executable (as Go links helm and kubectl): a position-independent
# one starts by relocating the 20,000 pointers of its tables (libcrypto's and the template
# functions'), a copy-on-write fault on each page they lie in: 0.5-0.9 ms of a 4 ms chart.
# Shared libraries, the heap and the stack are still placed at random.
RENDER_LDFLAGS := $(if $(SANITIZE),,-no-pie)
$(O)/gitops-render: $(O)/cmd/gitops-render.o $(TOOL_LIB) $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) $(RENDER_LDFLAGS) -o $@ $^ $(RENDER_LIBS)

$(O)/tests/%.o: tests/unit/%.c $(LIB_HDRS) $(TOOL_HDRS) $(wildcard tests/unit/*.h) Makefile
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

# the fast YAML source's differential check, shared with its fuzz target
$(O)/tests/test_fastyaml.o: tests/fuzz/fastyaml_diff.h

$(O)/tests/test_%: $(O)/tests/test_%.o $(TOOL_LIB) $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

$(O)/tests/kube/%.o: tests/kube/%.c $(LIB_HDRS) $(wildcard tests/unit/*.h) Makefile
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(O)/tests/kube/test_kube: $(O)/tests/kube/test_kube.o $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# tests/kube/t-smp's driver: the library's strategic merge patch beside the API server's
$(O)/tests/kube/smp_check: $(O)/tests/kube/smp_check.o $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# against a real API server: scripts/testenv starts one (or reuses it) and stops what it started.
# Every executable tests/testenv/t-* (first) and tests/kube/t-* runs, one after the other, with
# GITOPS_BIN (the build dir: programs and tests/kube/test_kube) and CONFORMANCE in the environment.
KUBE_TESTS := $(sort $(wildcard tests/testenv/t-*)) $(sort $(wildcard tests/kube/t-*))
kube: $(O)/tests/kube/test_kube $(O)/tests/kube/smp_check $(BINS)
	$(Q)started=$$(scripts/testenv start) || exit 1; eval "$$(scripts/testenv env)"; rc=0; \
		CK_DEFAULT_TIMEOUT=120 $(O)/tests/kube/test_kube || rc=1; \
		for t in $(KUBE_TESTS); do [ -x "$$t" ] || { echo "FAIL $$t: not executable"; rc=1; continue; }; \
			GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(abspath $(CONFORMANCE)) "$$t" || { echo "FAIL $$t"; rc=1; }; \
		done; \
		if [ "$$started" = started ]; then scripts/testenv stop >/dev/null; fi; exit $$rc

# the suites that read the conformance fixtures ($(CONFORMANCE)) ask tests/conformance-check:
# without them each says in one line that it skips what needs them and passes; with
# GITOPS_REQUIRE_CONFORMANCE=1 (.ci/run) their absence fails the suite
# under the sanitizers every test may take four times Check's timeouts (page faults are dear on
# some VM kinds, and the sanitizers' shadow memory makes many)
unit: $(UNIT_BINS)
	$(Q)tests/conformance-check unit $(CONFORMANCE); [ $$? != 2 ] || exit 1; \
	fail=0; for t in $(UNIT_BINS); do \
		CONFORMANCE=$(CONFORMANCE) CK_TIMEOUT_MULTIPLIER=$(if $(SANITIZE),4,1) $$t || fail=1; done; exit $$fail

cases: $(BINS)
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) tests/run-cases

mansynopsis: $(BINS)
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) tests/man-synopsis

kubectl: $(BINS)
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) tests/kubectl-accepts

# lib/ops from the shell: every executable tests/ops/t-* with GITOPS_BIN (its driver is
# tests/ops/opsdrive); the metrics text through the real parser, `promtool check metrics`
# (Debian's prometheus package, from scripts/install-deps: without it the suite fails)
.PHONY: ops
OPS_TESTS := $(sort $(wildcard tests/ops/t-*))
$(O)/tests/ops/%.o: tests/ops/%.c $(LIB_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(O)/tests/ops/opsdrive: $(O)/tests/ops/opsdrive.o $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
ops: $(O)/tests/ops/opsdrive
	$(Q)rc=0; for t in $(OPS_TESTS); do [ -x "$$t" ] || { echo "FAIL $$t: not executable"; rc=1; continue; }; \
		GITOPS_BIN=$(CURDIR)/$(O) "$$t" || { echo "FAIL $$t"; rc=1; }; done; exit $$rc

# gitops-bump: Flux's setter fixtures byte for byte; tag choice against a real docker-registry
.PHONY: image-setters registry
image-setters: $(BINS)
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(abspath $(CONFORMANCE)) tests/image-setters

$(O)/tests/registry/%.o: tests/registry/%.c $(LIB_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(O)/tests/registry/chartpull: $(O)/tests/registry/chartpull.o $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
registry: $(BINS) $(O)/tests/registry/chartpull
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) tests/registry/run

# gitops-fetch against real servers on loopback: git daemon, lighttpd + git http-backend (http, https), sshd
.PHONY: git
git: $(BINS)
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) tests/git/run

# gitops-fetch --chart against a chart repository (lighttpd on loopback) and the live helm
.PHONY: chartrepo bench-chart
chartrepo: $(BINS)
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) tests/chartrepo/run

# gitops-fetch --chart against helm pull on one lighttpd chart repository, cold and warm
bench-chart: $(BINS)
	bench/chart-bench --bin $(O)

# the container image: an OCI layout in $(O)/image and $(O)/gitops-image.tar, no daemon
# (not under SANITIZE: sanitized programs need /proc, which the test's chroot has not)
.PHONY: image image-test
image: $(BINS)
	$(Q)scripts/make-image --archive $(O)/gitops-image.tar $(VERSION) $(O) $(O)/image
image-test: image
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) tests/image/t-image

# The sanitizer pass does not rerun what only compares with the live oracles (template-helm: the
# real helm on the template cases; kubectl kustomize beside each kustomize case): the plain pass
# runs them, and the programs' own side runs sanitized in template and kustomize.
check: unit ops cases kustomize kustomize-diff template $(if $(SANITIZE),,template-helm) helm mansynopsis completion kubectl kube image-setters registry git chartrepo $(if $(SANITIZE),,image-test)

install: $(BINS) $(O)/completion.ok
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7/
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 644 $(PROGRAMS:%=$(O)/completion/bash/%) $(DESTDIR)$(BASHCOMPDIR)/
	install -m 644 $(O)/completion/zsh/_gitops $(DESTDIR)$(ZSHCOMPDIR)/
	install -m 644 $(PROGRAMS:%=$(O)/completion/fish/%.fish) $(DESTDIR)$(FISHCOMPDIR)/

# exactly the files install wrote (the directories stay: they may hold others' files)
uninstall:
	rm -f $(PROGRAMS:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(wildcard man/*.7))
	rm -f $(PROGRAMS:%=$(DESTDIR)$(BASHCOMPDIR)/%) $(DESTDIR)$(ZSHCOMPDIR)/_gitops
	rm -f $(PROGRAMS:%=$(DESTDIR)$(FISHCOMPDIR)/%.fish)

# the completions: make install DESTDIR=tmp and uninstall, loaded and driven in bash, zsh, fish
completion: $(BINS) $(O)/completion.ok
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) MAKE='$(MAKE)' O='$(O)' tests/completion/run

# libFuzzer: one target per tests/fuzz/fuzz_NAME.c (the stream reader + writer, the path
# parser, each patch kind), seeded from the test corpus and tests/fuzz/seeds/NAME/.
#   make fuzz FUZZ_TARGET=NAME FUZZ_SECONDS=N     one target
#   make fuzz-all FUZZ_SECONDS=N                  each target in turn
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= stream
FUZZ_CC ?= clang
FUZZ_DIR := build/fuzz
FUZZ_NAMES := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
# the library is compiled once for all targets (instrumented, not linked with libFuzzer's main)
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -I. $(PKG_CFLAGS) -DGITOPS_VERSION='"$(VERSION)"'
FUZZ_OBJS := $(LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
$(FUZZ_DIR)/obj/%.o: %.c $(LIB_HDRS) | $(O)/layers.ok
	@mkdir -p $(dir $@)
	$(QCC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_OBJS)
	$(QLD)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)
fuzz: $(FUZZ_DIR)/fuzz_$(FUZZ_TARGET)
	tests/fuzz/run $(FUZZ_DIR)/fuzz_$(FUZZ_TARGET) $(FUZZ_SECONDS)
fuzz-all: $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
	for n in $(FUZZ_NAMES); do tests/fuzz/run $(FUZZ_DIR)/fuzz_$$n $(FUZZ_SECONDS) || exit 1; done
# each seed and regression input once, through every target: what CI runs
# (one make target per fuzz target, so that -j2 runs two at once)
.PHONY: $(FUZZ_NAMES:%=fuzz-check-%)
fuzz-check: $(FUZZ_NAMES:%=fuzz-check-%)
$(FUZZ_NAMES:%=fuzz-check-%): fuzz-check-%: $(FUZZ_DIR)/fuzz_%
	$(Q)FUZZ_RUNS_ONLY=1 tests/fuzz/run $(FUZZ_DIR)/fuzz_$* 0

# the strategic-merge-patch table of the built-in Kubernetes types (lib/value/smp_table.c, committed):
# regenerated from kustomize's embedded OpenAPI definitions; needs python3, never needed by a build
.PHONY: smp-table
smp-table:
	scripts/gen-smp-table $(abspath $(CONFORMANCE))/kubernetes-openapi/kubernetes-openapi-union-v1.21.2.bundle-v1.json.gz lib/value/smp_table.c

# the main job, end to end (scripts/demo installs, builds and starts what it needs)
demo:
	scripts/demo

bench: $(BINS)
	bench/run

clean:
	rm -rf build
# the native Kustomize build against the shared conformance cases (and kubectl kustomize, when installed)
.PHONY: kustomize
$(O)/tests/kustomize/%.o: tests/kustomize/%.c $(LIB_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(O)/tests/kustomize/kzcompare: $(O)/tests/kustomize/kzcompare.o $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
kustomize: $(BINS) $(O)/tests/kustomize/kzcompare
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(abspath $(CONFORMANCE)) $(if $(SANITIZE),GITOPS_NO_ORACLE=1) tests/kustomize/run
# lib/template against the shared helm-engine cases (Go's text/template as helm v3.17 runs it)
.PHONY: template
# the function families written so far (issue 16): their case files run too
TEMPLATE_FUNC_CASES := sprig-defaults sprig-strings sprig-lists sprig-conversion sprig-dicts sprig-math helm-serialization sprig-regex-semver sprig-paths-urls sprig-date sprig-encoding
# the project's own cases beyond the corpus, their expected output from the real helm
TEMPLATE_OWN_CASES := $(sort $(wildcard tests/template/funcs-*.yaml))
$(O)/tests/template/%.o: tests/template/%.c $(LIB_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(O)/tests/template/tmplcase: $(O)/tests/template/tmplcase.o $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
$(O)/tests/helm/%.o: tests/helm/%.c $(LIB_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(O)/tests/helm/helmtemplate: $(O)/tests/helm/helmtemplate.o $(LIB)
	$(QLD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
# lib/render/helm against the shared charts, helm's engine cases about charts and helm's goldens,
# tests/helm/regressions and a fixed-seed differential against the live helm (tests/helm/chart-diff)
#   make chart-diff-fuzz MINUTES=N   generated values for every shared chart, fresh seeds, N minutes
.PHONY: helm chart-diff-fuzz
helm: $(O)/tests/helm/helmtemplate $(BINS)
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) tests/helm/run
chart-diff-fuzz: $(O)/tests/helm/helmtemplate $(BINS)
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) nice -n 19 tests/helm/chart-diff --minutes $(MINUTES)
template: $(O)/tests/template/tmplcase
	$(Q)tests/conformance-check template $(CONFORMANCE); c=$$?; [ $$c != 2 ] || exit 1; [ $$c = 1 ] || { \
		$(O)/tests/template/tmplcase $(CONFORMANCE)/helm-engine/text-template.yaml tests/template/known-failures && \
		for f in $(TEMPLATE_FUNC_CASES); do \
		$(O)/tests/template/tmplcase $(CONFORMANCE)/helm-engine/$$f.yaml tests/template/known-failures || exit 1; done; }
	$(Q)$(O)/tests/template/tmplcase tests/template/regressions.yaml tests/template/known-failures
	$(Q)for f in $(TEMPLATE_OWN_CASES); do \
		$(O)/tests/template/tmplcase $$f tests/template/known-failures || exit 1; done
# the live oracle: the real helm v3.17.2 (scripts/install-deps) on the same cases, then on a
# fixed batch of random templates (tests/template/helm-diff); skipped without helm.
#   make template-diff-fuzz MINUTES=N     random batches against helm for N minutes (one chart a batch)
#   make template-func-diff-fuzz MINUTES=N   the same with random calls of every function (gen-func-cases)
MINUTES ?= 5
.PHONY: template-helm template-diff-fuzz template-func-diff-fuzz
template-helm: $(O)/tests/template/tmplcase
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) tests/template/helm-oracle
	$(Q)[ ! -d $(CONFORMANCE) ] || for f in $(TEMPLATE_FUNC_CASES); do GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) \
		CASES=$(CONFORMANCE)/helm-engine/$$f.yaml tests/template/helm-oracle || exit 1; done
	$(Q)for f in $(TEMPLATE_OWN_CASES); do GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) \
		CASES=$(CURDIR)/$$f tests/template/helm-oracle || exit 1; done
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) tests/template/helm-diff 1 400
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) tests/template/helm-diff --funcs 1 400
template-diff-fuzz: $(O)/tests/template/tmplcase
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) tests/template/helm-diff --minutes $(MINUTES)
template-func-diff-fuzz: $(O)/tests/template/tmplcase
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) CONFORMANCE=$(CONFORMANCE) tests/template/helm-diff --funcs --minutes $(MINUTES)

# differential testing: random Kustomize trees (tests/kustomize/gen_overlay.py, from a seed)
# built by gitops-render and `kubectl kustomize`, byte for byte (tests/kustomize/diff-fuzz).
#   make kustomize-diff            the fixed-seed batch (deterministic, under a minute) and
#                                  the saved cases of tests/kustomize/regressions
#   make kustomize-diff-fuzz MINUTES=N   random trees for N minutes (seed from the time);
#                                  each disagreement saved in tests/kustomize/regressions
KZDIFF_SEED ?= 1
KZDIFF_COUNT ?= 150
.PHONY: kustomize-diff kustomize-diff-fuzz
kustomize-diff: $(BINS) $(O)/tests/kustomize/kzcompare
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) tests/kustomize/diff-fuzz --replay --seed $(KZDIFF_SEED) \
		--count $(KZDIFF_COUNT) --save $(O)/kustomize-diff
kustomize-diff-fuzz: $(BINS) $(O)/tests/kustomize/kzcompare
	$(Q)GITOPS_BIN=$(CURDIR)/$(O) tests/kustomize/diff-fuzz --minutes $(MINUTES)
