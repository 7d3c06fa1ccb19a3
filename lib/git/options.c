/*
 * options.c: the cache and authentication options gitops-fetch and
 * gitops-render share (git.h), parsed with no call into libgit2, so that
 * gitops-render can check them without loading it.
 */
#include "lib/git/git.h"

#include <string.h>

#include "lib/base/parse.h"

int gitops_git_option_set(struct gitops_git_cache_options *cache, struct gitops_git_auth *auth, const char *name,
			  const char *arg, struct gitops_err *err)
{
	unsigned long v;

	if (!strcmp(name, "cache-dir")) {
		if (!*arg)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--cache-dir needs a directory");
		cache->cache_dir = arg;
	} else if (!strcmp(name, "lock-timeout")) {
		if (gitops_parse_uint(arg, 86400, &v) < 0)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--lock-timeout takes seconds from 0 to 86400, not '%s'",
					      arg);
		cache->lock_timeout = (unsigned)v;
	} else if (!strcmp(name, "keep")) {
		if (gitops_parse_uint(arg, 100000, &v) < 0)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--keep takes a number from 0 to 100000, not '%s'", arg);
		cache->keep = (unsigned)v;
	} else if (!strcmp(name, "max-size")) {
		if (gitops_parse_size(arg, &cache->max_bytes) < 0)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--max-size takes a positive size (K, M or G suffix), "
					      "not '%s'", arg);
	} else if (!strcmp(name, "max-files")) {
		if (gitops_parse_uint(arg, 100000000, &v) < 0 || v == 0)
			return gitops_err_set(err, GITOPS_EXIT_USAGE, "--max-files takes a positive number, not '%s'", arg);
		cache->max_files = (size_t)v;
	} else if (!strcmp(name, "ssh-key")) {
		auth->ssh_key = arg;
	} else if (!strcmp(name, "ssh-known-hosts")) {
		auth->ssh_known_hosts = arg;
	} else if (!strcmp(name, "no-ssh-agent")) {
		auth->no_ssh_agent = 1;
	} else if (!strcmp(name, "ca-file")) {
		auth->ca_file = arg;
	} else if (!strcmp(name, "netrc-file")) {
		auth->netrc_file = arg;
	} else {
		return 0;
	}
	return 1;
}
