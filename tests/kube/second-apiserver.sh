# Sourced by tests that need a second kube-apiserver on the testenv's etcd (with flags of
# their own): second_apiserver_start PORT [FLAG...] sets $second_pid; second_apiserver_stop.
# Needs $work (a temp dir) and the testenv's environment.
second_pid=
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
second_apiserver_start() {
	local port=$1 flags
	shift
	mapfile -t flags < <(grep -v -e '^--secure-port=' -e '^--cert-dir=' "$GITOPS_TESTENV_DIR/kube-apiserver.flags")
	mkdir -p "$work/certs"
	: >"$work/apiserver.stdin" # not /dev/null: kube-apiserver locks its standard input (see scripts/testenv)
	"${GITOPS_TESTENV_CACHE:-/var/cache/gitops-testenv}/bin/kube-apiserver" "${flags[@]}" --secure-port="$port" \
		--cert-dir="$work/certs" "$@" <"$work/apiserver.stdin" >>"$work/apiserver.log" 2>&1 &
	second_pid=$!
	for _ in $(seq 240); do
		curl -fsS --cacert "$GITOPS_TESTENV_CA" -H "Authorization: Bearer $GITOPS_TESTENV_ADMIN_TOKEN" \
			"https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
		kill -0 "$second_pid" 2>/dev/null || { echo "kube-apiserver died:"; tail -5 "$work/apiserver.log"; return 1; }
		sleep 0.25
	done
	echo "kube-apiserver not ready in 60 s"
	return 1
}
second_apiserver_stop() {
	[ -n "$second_pid" ] || return 0
	kill -KILL "$second_pid" 2>/dev/null
	wait "$second_pid" 2>/dev/null
	second_pid=
}
