# tests/git/lib.sh: sourced by tests/git/t-*.  Real Git servers on loopback,
# each on a free port, each stopped by the EXIT trap of the test that started it:
#   start_daemon              git daemon (git://) serving $SRV
#   start_http                lighttpd + git http-backend (CGI): http:// on $HTTP_PORT
#                             (/git/ open, /private/ basic auth), https:// on $HTTPS_PORT
#                             with a certificate from a CA generated here ($CA)
#   start_sshd                sshd as the current user with its own host key: $SSH_PORT on
#                             127.0.0.1, and port 22 on $SSH_HOST22 (another loopback address,
#                             for the scp-like form, which cannot name a port)
# plus helpers to make repositories, and ok/bad/expect counters.  A script ends with `finish NAME`.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${GITOPS_BIN:-$top/build}
case $bin in /*) ;; *) bin=$top/$bin ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/gitops-git.XXXXXX")
SRV=$W/srv
mkdir -p "$SRV"
export XDG_CACHE_HOME=$W/cache HOME=$W/home GIT_CONFIG_NOSYSTEM=1 LC_ALL=C.UTF-8
mkdir -p "$HOME/.ssh"
unset SSH_AUTH_SOCK GITOPS_GIT_TOKEN GITOPS_GIT_USERNAME GITOPS_GIT_PASSWORD GITOPS_SSH_KEY_PASSPHRASE NO_COLOR
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
pids=()
pass=0 fail=0

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	chmod -R u+w "$W" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then ok; else bad "$1"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -20; fi
}
# expect_match NAME REGEX GOT
expect_match() {
	if [[ $3 =~ $2 ]]; then ok; else bad "$1: '$3' does not match /$2/"; fi
}
finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT [HOST]: until something listens (5 s at most)
wait_port() {
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "nothing listens on ${2:-127.0.0.1}:$1" >&2
	return 1
}

# fetch ARGS...: gitops-fetch; stdout in $out, stderr in $errout, status in $rc
fetch() {
	out=$("$bin/gitops-fetch" "$@" 2>"$W/stderr"); rc=$?
	errout=$(cat "$W/stderr")
}

# --- repositories

# make_repo NAME: $SRV/NAME.git (bare) with branch main: envs/prod/{cm,deploy}.yaml, envs/dev/cm.yaml
make_repo() {
	local wt=$W/wt-$1
	rm -rf "$wt" "$SRV/$1.git"
	git init -q -b main "$wt"
	mkdir -p "$wt/envs/prod" "$wt/envs/dev"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: web\ndata:\n  color: blue\n' > "$wt/envs/prod/cm.yaml"
	printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n' > "$wt/envs/prod/deploy.yaml"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: web-dev\n' > "$wt/envs/dev/cm.yaml"
	git -C "$wt" add -A && git -C "$wt" commit -qm "first"
	git clone -q --bare "$wt" "$SRV/$1.git"
	git -C "$wt" remote add origin "$SRV/$1.git"
}

# commit_change NAME FILE CONTENT: commit in the work tree and push main
commit_change() {
	local wt=$W/wt-$1
	mkdir -p "$(dirname "$wt/$2")"
	printf '%s' "$3" > "$wt/$2"
	git -C "$wt" add -A && git -C "$wt" commit -qm "change $2" && git -C "$wt" push -q origin main
}

head_of() { git -C "$SRV/$1.git" rev-parse "${2:-main}"; }

# --- git daemon

start_daemon() {
	DAEMON_PORT=$(free_port)
	git daemon --reuseaddr --listen=127.0.0.1 --port="$DAEMON_PORT" --base-path="$SRV" --export-all \
		--informative-errors "$SRV" 2>"$W/daemon.log" &
	pids+=($!)
	wait_port "$DAEMON_PORT"
}

# --- lighttpd + git http-backend, http and https

make_ca() {
	CA=$W/tls/ca.pem
	mkdir -p "$W/tls"
	(
		cd "$W/tls" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=gitops test CA" \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext.cnf
		cat server.crt server.key > server.pem
		# a second CA that signed nothing of ours
		openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj "/CN=other CA"
	) >/dev/null 2>&1 || { echo "openssl failed" >&2; return 1; }
}

start_http() {
	make_ca || return 1
	HTTP_PORT=$(free_port)
	HTTPS_PORT=$(free_port)
	mkdir -p "$W/www"
	# basic auth users: a user with a password, and a token as the password of x-access-token
	printf 'alice:wonderland\nx-access-token:tok-123456\n' > "$W/users"
	cat > "$W/lighttpd.conf" <<EOF
server.modules = ( "mod_auth", "mod_authn_file", "mod_alias", "mod_setenv", "mod_cgi", "mod_openssl" )
server.document-root = "$W/www"
server.bind = "127.0.0.1"
server.port = $HTTP_PORT
server.errorlog = "$W/lighttpd.log"
server.pid-file = "$W/lighttpd.pid"
alias.url = ( "/git/" => "/usr/lib/git-core/git-http-backend/", "/private/" => "/usr/lib/git-core/git-http-backend/" )
cgi.assign = ( "" => "" )
setenv.add-environment = ( "GIT_PROJECT_ROOT" => "$SRV", "GIT_HTTP_EXPORT_ALL" => "1" )
auth.backend = "plain"
auth.backend.plain.userfile = "$W/users"
auth.require = ( "/private/" => ( "method" => "basic", "realm" => "git", "require" => "valid-user" ) )
\$SERVER["socket"] == "127.0.0.1:$HTTPS_PORT" {
	ssl.engine = "enable"
	ssl.pemfile = "$W/tls/server.pem"
}
EOF
	lighttpd -D -f "$W/lighttpd.conf" 2>>"$W/lighttpd.log" &
	pids+=($!)
	wait_port "$HTTP_PORT" && wait_port "$HTTPS_PORT"
}

# --- sshd

start_sshd() {
	local d=$W/ssh
	mkdir -p "$d" /run/sshd 2>/dev/null
	SSH_PORT=$(free_port)
	SSH_HOST22=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
	ssh-keygen -q -t ed25519 -N '' -C host -f "$d/host_ed25519" || return 1
	ssh-keygen -q -t ed25519 -N '' -C user -f "$d/user" || return 1
	ssh-keygen -q -t ed25519 -N 'open sesame' -C user-pass -f "$d/user_pass" || return 1
	ssh-keygen -q -t ed25519 -N '' -C stranger -f "$d/stranger" || return 1
	ssh-keygen -q -t ed25519 -N '' -C impostor -f "$d/impostor_host" || return 1
	cat "$d/user.pub" "$d/user_pass.pub" > "$d/authorized_keys"
	SSH_USER=$(id -un)
	cat > "$d/sshd_config" <<EOF
ListenAddress 127.0.0.1:$SSH_PORT
ListenAddress $SSH_HOST22:22
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
AllowUsers $SSH_USER
LogLevel ERROR
EOF
	/usr/sbin/sshd -D -e -f "$d/sshd_config" 2>>"$W/sshd.log" &
	pids+=($!)
	wait_port "$SSH_PORT" || return 1
	SSH22=1
	wait_port 22 "$SSH_HOST22" 2>/dev/null || SSH22=0
	# known_hosts: the right key for both addresses
	KNOWN=$d/known_hosts
	printf '[127.0.0.1]:%s %s\n%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1-2 "$d/host_ed25519.pub")" \
		"$SSH_HOST22" "$(cut -d' ' -f1-2 "$d/host_ed25519.pub")" > "$KNOWN"
}

# start_agent: ssh-agent holding the user key; SSH_AUTH_SOCK exported
start_agent() {
	eval "$(ssh-agent -s -a "$W/agent.sock")" >/dev/null || return 1
	pids+=("$SSH_AGENT_PID")
	ssh-add -q "$W/ssh/user" 2>/dev/null
}
