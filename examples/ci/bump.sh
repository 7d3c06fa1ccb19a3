#!/bin/sh
# examples/ci/bump.sh: the GitOps step of a CI job, after the image was built and pushed:
# write the new tag into one environment of the GitOps repository with gitops-bump.
#
#   bump.sh ENVIRONMENT push      commit to the branch itself (staging: deployed at once)
#   bump.sh ENVIRONMENT review    commit to a new branch bump/ENVIRONMENT/NAME-TAG, for a
#                                 pull request that a reviewer merges (production)
#
# Environment (the CI sets it; credentials come from its secrets and are never printed):
#   IMAGE                  the image, without tag (ghcr.io/org/web)
#   TAG                    the tag just pushed, a semantic version (1.4.2)
#   GITOPS_REPO            the GitOps repository (https://... or git@host:path or ssh://...)
#   GITOPS_ENVS_DIR        the directory of the environments in it (default envs)
#   GITOPS_BRANCH          its branch (default: the remote's default branch)
#   GITOPS_AUTHOR          the commit author (default 'CI <ci@example.com>')
#   GITOPS_GIT_TOKEN       https: a token (or GITOPS_GIT_USERNAME and GITOPS_GIT_PASSWORD),
#                          read by gitops-bump itself, never on a command line
#   SSH_KEY_FILE           ssh: the deploy key's file (GITOPS_SSH_KEY_PASSPHRASE if it has one)
#   SSH_KNOWN_HOSTS_FILE   ssh: the server's host keys (default ~/.ssh/known_hosts)
#   CA_FILE                https: CA certificates of a private server
#   GITHUB_OUTPUT          set by GitHub Actions: commit=, branch=, pushed= are written to it
#
# Out-of-order pipelines: --only-newer refuses to replace a newer tag with an older one
# (exit 7).  Running this again with the same TAG is a no-op: exit 0, nothing pushed; in
# review mode a review branch that already holds TAG is left as it is.
# Exit status: gitops-bump's (gitops-bump(1)); 2 for a bad call of this script.
set -eu

usage() { echo "usage: bump.sh ENVIRONMENT push|review" >&2; exit 2; }
[ $# = 2 ] || usage
env=$1 mode=$2
case $mode in push | review) ;; *) usage ;; esac
case $env in '' | */* | .*) echo "bump.sh: '$env' is no environment name" >&2; exit 2 ;; esac
for v in IMAGE TAG GITOPS_REPO; do
	eval "val=\${$v:-}"
	[ -n "$val" ] || { echo "bump.sh: \$$v is not set" >&2; exit 2; }
done

# the options every call shares; the repository address is not echoed (it may hold credentials)
set -- --repo "$GITOPS_REPO" --path-prefix "${GITOPS_ENVS_DIR:-envs}/$env" --only-newer \
	--image "$IMAGE=$TAG" --author "${GITOPS_AUTHOR:-CI <ci@example.com>}"
[ -z "${SSH_KEY_FILE:-}" ] || set -- "$@" --ssh-key "$SSH_KEY_FILE"
[ -z "${SSH_KNOWN_HOSTS_FILE:-}" ] || set -- "$@" --ssh-known-hosts "$SSH_KNOWN_HOSTS_FILE"
[ -z "${CA_FILE:-}" ] || set -- "$@" --ca-file "$CA_FILE"

output() { [ -z "${GITHUB_OUTPUT:-}" ] || printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"; }

if [ "$mode" = push ]; then
	[ -z "${GITOPS_BRANCH:-}" ] || set -- "$@" --branch "$GITOPS_BRANCH"
	commit=$(gitops-bump "$@" --message "$env: {image} {old} -> {new}

{changes}")
	if [ -n "$commit" ]; then
		echo "$env: pushed $commit"
	else
		echo "$env: already at $TAG, nothing pushed"
	fi
	output commit "$commit"
	output pushed "$([ -n "$commit" ] && echo true || echo false)"
	exit 0
fi

# review: a new branch per image and tag, made on the tip of the branch
name=${IMAGE##*/}
branch=bump/$env/$name-$TAG
# a review branch that exists already and holds TAG: a re-run, nothing to do (status 0: no bump
# needed there; 3: no such branch yet; anything else: the push below says what is wrong)
if gitops-bump "$@" --branch "$branch" --check >/dev/null 2>&1; then
	echo "$env: $branch already holds $TAG, nothing pushed"
	output branch "$branch"
	output pushed false
	exit 0
fi
[ -z "${GITOPS_BRANCH:-}" ] || set -- "$@" --branch "$GITOPS_BRANCH"
commit=$(gitops-bump "$@" --push-branch "$branch" --message "$env: {image} {old} -> {new} (for review)

{changes}")
if [ -n "$commit" ]; then
	echo "$env: pushed $commit to $branch for review"
	output branch "$branch"
else
	echo "$env: already at $TAG, no review needed"
fi
output commit "$commit"
output pushed "$([ -n "$commit" ] && echo true || echo false)"
