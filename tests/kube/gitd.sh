# gitd.sh (sourced by tests/kube/t-*): a git daemon on 127.0.0.1 serving the repositories under a
# directory (bare or not), so that the cluster tests fetch through a real Git server:
#   gitd_start DIR    sets GITD=git://127.0.0.1:PORT (a repository DIR/NAME is $GITD/NAME); 1 if
#                     nothing listens within 5 s
#   gitd_stop         stops it (call it from the test's EXIT trap)
gitd_start() {
	local port i
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$1" --export-all "$1" 2>/dev/null &
	GITD_PID=$!
	for i in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			GITD=git://127.0.0.1:$port
			return 0
		fi
		sleep 0.05
	done
	return 1
}
gitd_stop() {
	if [ -n "${GITD_PID:-}" ]; then
		kill "$GITD_PID" 2>/dev/null
		wait "$GITD_PID" 2>/dev/null
	fi
	return 0
}
