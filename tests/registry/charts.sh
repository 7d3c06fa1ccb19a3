# tests/registry/charts.sh: Helm charts stored as OCI artifacts, pulled by
# gitops_registry_chart (through tests/registry/chartpull), against the three
# registries tests/registry/run started (anonymous, basic, token), with the live
# helm as the oracle: what `helm push` stores, chartpull gets byte for byte; what
# push.py stores, `helm pull` and chartpull get the same bytes of.  Sourced by
# tests/registry/run after its own cases (its variables, ok/not_ok/check and the
# registries' storage directories are used here).
pull=$bin/tests/registry/chartpull
helm=${HELM:-$(command -v helm)}
if [ ! -x "$pull" ] || [ -z "$helm" ]; then
	not_ok "charts: $pull (make registry builds it) or helm is missing"
	return 0 2>/dev/null || exit 1
fi
# a helm of its own: nothing from the user's caches, config or logins
hh=$(mktemp -d "$work/helmhome.XXXXXX")
export HELM_CACHE_HOME=$hh/cache HELM_CONFIG_HOME=$hh/config HELM_DATA_HOME=$hh/data
ch=$work/charts
mkdir -p "$ch/out" "$ch/helm"

# mkchart NAME VERSION: a small chart packaged by helm into $ch/NAME-VERSION.tgz
mkchart() {
	rm -rf "$ch/src/$1"
	mkdir -p "$ch/src/$1/templates"
	printf 'apiVersion: v2\nname: %s\nversion: %s\nappVersion: "1.0"\ndescription: chart %s %s\n' "$1" "$2" "$1" "$2" \
		> "$ch/src/$1/Chart.yaml"
	printf 'image:\n  repository: example/app\n  tag: "%s"\n' "$2" > "$ch/src/$1/values.yaml"
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  tag: {{ .Values.image.tag }}\n' \
		> "$ch/src/$1/templates/cm.yaml"
	"$helm" package "$ch/src/$1" -d "$ch" > /dev/null 2>&1 || not_ok "helm package $1 $2"
}
sha() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
# helmpull NAME-IN-REGISTRY VERSION [ARGS...]: helm pull into $ch/helm (emptied first); prints the file pulled
helmpull() {
	local ref=$1 v=$2
	shift 2
	rm -rf "$ch/helm" && mkdir -p "$ch/helm"
	"$helm" pull "oci://$ref" --version "$v" --plain-http -d "$ch/helm" "$@" > "$ch/helm.log" 2>&1 || return 1
	ls "$ch/helm"/*.tgz
}
# cpull NAME TAG DEST [OPTIONS...]: chartpull; status in $rc, digest in $got, stderr in $ch/err
cpull() {
	local n=$1 t=$2 d=$3
	shift 3
	got=$("$pull" --plain-http "$@" "$n" "$t" "$d" 2> "$ch/err")
	rc=$?
	cat "$ch/err" >> "$ch/all-errors"
}
errline() { grep -v '^requests ' "$ch/err"; }

# --- anonymous: helm push, chartpull
mkchart demo 1.2.3
"$helm" push "$ch/demo-1.2.3.tgz" "oci://$anon/charts" --plain-http > "$ch/push.log" 2>&1
check "helm push to the registry" 0 $?
cpull "oci://$anon/charts/demo" 1.2.3 "$ch/out/demo.tgz"
check "chart helm pushed: exit" 0 $rc
check "chart helm pushed: digest" "$(sha "$ch/demo-1.2.3.tgz")" "$got"
cmp -s "$ch/demo-1.2.3.tgz" "$ch/out/demo.tgz" && ok || not_ok "chart helm pushed: not the bytes helm pushed"
check "chart helm pushed: mode" 644 "$(stat -c %a "$ch/out/demo.tgz")"
check "chart helm pushed: 2 requests (manifest, layer)" "requests 2" "$(cat "$ch/err")"
# the same, named without the scheme; and again over the file (replaced whole)
cpull "$anon/charts/demo" 1.2.3 "$ch/out/demo.tgz"
check "name without oci://: exit" 0 $rc
cmp -s "$ch/demo-1.2.3.tgz" "$ch/out/demo.tgz" && ok || not_ok "name without oci://: other bytes"
# a version with build metadata: helm pushes tag 1.4.0_build.7
mkchart demo 1.4.0+build.7
"$helm" push "$ch/demo-1.4.0+build.7.tgz" "oci://$anon/charts" --plain-http > "$ch/push.log" 2>&1
check "helm push of 1.4.0+build.7" 0 $?
cpull "oci://$anon/charts/demo" 1.4.0+build.7 "$ch/out/build.tgz"
check "version with build metadata: exit" 0 $rc
cmp -s "$ch/demo-1.4.0+build.7.tgz" "$ch/out/build.tgz" && ok || not_ok "version with build metadata: other bytes"

# --- anonymous: push.py builds the artifact; helm pull is the oracle
mkchart demo 1.3.0
read -r _ mdig ldig < <(python3 "$here/push.py" "http://$anon" charts/demo --chart "$ch/demo-1.3.0.tgz" 1.3.0)
check "push.py chart: layer digest" "$(sha "$ch/demo-1.3.0.tgz")" "$ldig"
cpull "oci://$anon/charts/demo" 1.3.0 "$ch/out/p.tgz"
check "push.py chart: exit" 0 $rc
check "push.py chart: digest" "$ldig" "$got"
hp=$(helmpull "$anon/charts/demo" 1.3.0) && cmp -s "$hp" "$ch/out/p.tgz" && ok ||
	not_ok "push.py chart: helm pull got other bytes ($hp): $(cat "$ch/helm.log")"
grep -q "^Digest: $mdig\$" "$ch/helm.log" && ok || not_ok "helm pull saw another manifest digest: $(cat "$ch/helm.log")"
cpull "oci://$anon/charts/demo" "$mdig" "$ch/out/bydigest.tgz"
check "by manifest digest: exit" 0 $rc
cmp -s "$ch/demo-1.3.0.tgz" "$ch/out/bydigest.tgz" && ok || not_ok "by manifest digest: other bytes"
cpull "oci://$anon/charts/demo" "sha256:$(printf 'x' | sha256sum | cut -d' ' -f1)" "$ch/out/nodigest.tgz"
check "unknown manifest digest: exit" 7 $rc

# the legacy layer type, and a provenance layer with a layer of another type: accepted as helm accepts them
printf 'a provenance file\n' > "$ch/demo.prov"
for v in "1.3.1-legacy layer-type=application/tar+gzip" "1.3.1-extras prov=$ch/demo.prov extra-layer=text/plain"; do
	set -- $v
	python3 "$here/push.py" "http://$anon" charts/demo --chart "$ch/demo-1.3.0.tgz" "$@" > /dev/null ||
		not_ok "push.py $1"
	cpull "oci://$anon/charts/demo" "$1" "$ch/out/$1.tgz"
	check "$1: exit" 0 $rc
	check "$1: digest" "$ldig" "$got"
	hp=$(helmpull "$anon/charts/demo" "$1") && cmp -s "$hp" "$ch/out/$1.tgz" && ok ||
		not_ok "$1: helm pull got other bytes: $(cat "$ch/helm.log")"
done

# not charts: refused, nothing written
python3 "$here/push.py" "http://$anon" charts/demo --chart "$ch/demo-1.3.0.tgz" 1.3.1-two two-charts=1 > /dev/null
cpull "oci://$anon/charts/demo" 1.3.1-two "$ch/out/two.tgz"
check "two chart layers: exit" 3 $rc
check "two chart layers: message" "chartpull: oci://$anon/charts/demo:1.3.1-two: not a Helm chart (2 chart layers)" "$(errline)"
[ ! -e "$ch/out/two.tgz" ] && ok || not_ok "two chart layers: a file was written"
python3 "$here/push.py" "http://$anon" charts/demo --chart "$ch/demo-1.3.0.tgz" 1.3.1-cfg \
	config-type=application/vnd.oci.image.config.v1+json > /dev/null
cpull "oci://$anon/charts/demo" 1.3.1-cfg "$ch/out/cfg.tgz"
check "image config type: exit" 3 $rc
check "image config type: message" \
	"chartpull: oci://$anon/charts/demo:1.3.1-cfg: not a Helm chart (config media type application/vnd.oci.image.config.v1+json)" \
	"$(errline)"
helmpull "$anon/charts/demo" 1.3.1-cfg > /dev/null && not_ok "helm pulled a chart with an image config" || ok
cpull "oci://$anon/team/app" 1.0.0 "$ch/out/image.tgz"
check "an image: exit" 3 $rc
check "an image: message" \
	"chartpull: oci://$anon/team/app:1.0.0: not a Helm chart (config media type application/vnd.oci.image.config.v1+json)" \
	"$(errline)"
[ ! -e "$ch/out/image.tgz" ] && ok || not_ok "an image: a file was written"

# a missing tag, a missing repository, a tag that is none
cpull "oci://$anon/charts/demo" 9.9.9 "$ch/out/missing.tgz"
check "missing tag: exit" 7 $rc
check "missing tag: message" "chartpull: oci://$anon/charts/demo:9.9.9: not found (HTTP 404, MANIFEST_UNKNOWN)" "$(errline)"
cpull "oci://$anon/charts/nothing" 1.0.0 "$ch/out/missing.tgz"
check "missing repository: exit" 7 $rc
check "missing repository: message" "chartpull: oci://$anon/charts/nothing:1.0.0: not found (HTTP 404, MANIFEST_UNKNOWN)" "$(errline)"
cpull "oci://$anon/charts/demo" '1.0 0' "$ch/out/missing.tgz"
check "not a tag: exit" 2 $rc
[ ! -e "$ch/out/missing.tgz" ] && ok || not_ok "missing tag: a file was written"

# the limit on a chart's size; a destination that cannot be written
cpull "oci://$anon/charts/demo" 1.3.0 "$ch/out/big.tgz" --max 100
check "over --max: exit" 3 $rc
check "over --max: message" \
	"chartpull: oci://$anon/charts/demo:1.3.0: the chart layer is $(stat -c %s "$ch/demo-1.3.0.tgz") bytes, more than the limit of 100" \
	"$(errline)"
cpull "oci://$anon/charts/demo" 1.3.0 "$ch/no/such/dir/x.tgz"
check "unwritable destination: exit" 4 $rc

# a layer whose bytes are not those its digest names: its blob changed in the registry's storage
mkchart corrupt 0.1.0
read -r _ _ cdig < <(python3 "$here/push.py" "http://$anon" charts/corrupt --chart "$ch/corrupt-0.1.0.tgz" 0.1.0)
blobfile=$work/anon/data/docker/registry/v2/blobs/sha256/${cdig:7:2}/${cdig:7}/data
size=$(stat -c %s "$blobfile")
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2] ^= 0xff; open(p,"wb").write(b)' "$blobfile"
printf 'the old chart\n' > "$ch/old"
cp "$ch/old" "$ch/out/corrupt.tgz"
cpull "oci://$anon/charts/corrupt" 0.1.0 "$ch/out/corrupt.tgz"
check "corrupt layer: exit" 3 $rc
check "corrupt layer: message" \
	"chartpull: oci://$anon/charts/corrupt:0.1.0: layer digest mismatch (the manifest says $cdig, the blob is $(sha "$blobfile"))" \
	"$(errline)"
cmp -s "$ch/old" "$ch/out/corrupt.tgz" && ok || not_ok "corrupt layer: the old file was not kept"
check "corrupt layer: no temporary file left" "corrupt.tgz" "$(ls -A "$ch/out" | grep corrupt)"
helmpull "$anon/charts/corrupt" 0.1.0 > /dev/null && not_ok "helm pulled the corrupt layer" || ok
printf 'x' >> "$blobfile"
cpull "oci://$anon/charts/corrupt" 0.1.0 "$ch/out/corrupt.tgz"
check "longer layer: exit" 3 $rc
check "longer layer: message" \
	"chartpull: oci://$anon/charts/corrupt:0.1.0: layer size mismatch (the manifest says $size bytes, the registry sent $((size + 1)))" \
	"$(errline)"
cmp -s "$ch/old" "$ch/out/corrupt.tgz" && ok || not_ok "longer layer: the old file was not kept"

# unreachable: nobody listening; a registry answering 503 forever
cpull "oci://127.0.0.1:$(free_port)/charts/demo" 1.3.0 "$ch/out/dead.tgz"
check "nothing listening: exit" 5 $rc
start_flaky chartdown down
cpull "oci://$flaky/charts/demo" 1.3.0 "$ch/out/dead.tgz"
check "503 forever: exit" 5 $rc
check "503 forever: message" "chartpull: $flaky: HTTP 503 for /v2/charts/demo/manifests/1.3.0, 5 attempts" "$(errline)"
[ ! -e "$ch/out/dead.tgz" ] && ok || not_ok "unreachable: a file was written"

# --- basic auth
python3 "$here/push.py" "http://$basic" charts/demo --chart "$ch/demo-1.3.0.tgz" 1.3.0 auth=ci:s3cret > /dev/null ||
	not_ok "push.py chart with basic auth"
printf '{}\n' > "$ch/empty.json"
cpull "oci://$basic/charts/demo" 1.3.0 "$ch/out/b.tgz" --config "$ch/empty.json"
check "basic auth, no credentials: exit" 6 $rc
check "basic auth, no credentials: message" \
	"chartpull: $basic: authentication required and no credentials for it in the docker config" "$(errline)"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$basic" "$(printf 'ci:s3cret' | base64)" > "$ch/basic.json"
cpull "oci://$basic/charts/demo" 1.3.0 "$ch/out/b.tgz" --config "$ch/basic.json"
check "basic auth: exit" 0 $rc
check "basic auth: digest" "$ldig" "$got"
hp=$(helmpull "$basic/charts/demo" 1.3.0 --username ci --password s3cret) && cmp -s "$hp" "$ch/out/b.tgz" && ok ||
	not_ok "basic auth: helm pull got other bytes: $(cat "$ch/helm.log")"
printf '{"auths": {"%s": {"username": "ci", "password": "wr0ng-s3cret"}}}\n' "$basic" > "$ch/wrong.json"
cpull "oci://$basic/charts/demo" 1.3.0 "$ch/out/bw.tgz" --config "$ch/wrong.json"
check "basic auth, wrong password: exit" 6 $rc
# a registry that sends blobs elsewhere: a relative redirect (credentials go along), then one to
# another origin (they do not: the proxy logs whether it saw them)
python3 "$here/flaky.py" "$work/chartredir.port" "$basic" redirect 2> "$work/chartredir.log" &
pids+=($!)
for i in $(seq 1 50); do [ -s "$work/chartredir.port" ] && break; sleep 0.1; done
flaky=127.0.0.1:$(cat "$work/chartredir.port")
sed "s/$basic/$flaky/" "$ch/basic.json" > "$ch/redir.json"
cpull "oci://$flaky/charts/demo" 1.3.0 "$ch/out/r.tgz" --config "$ch/redir.json"
check "redirects: exit" 0 $rc
cmp -s "$ch/demo-1.3.0.tgz" "$ch/out/r.tgz" && ok || not_ok "redirects: other bytes"
check "redirects: the registry's origin saw the credentials" "redirect auth=yes hop auth=yes" \
	"$(grep -E '^(redirect|hop) ' "$work/chartredir.log" | awk '{ printf "%s%s %s", (NR > 1 ? " " : ""), $1, $3 }')"
check "redirects: the other origin did not" "direct auth=no" "$(awk '$1 == "direct" { print $1, $3 }' "$work/chartredir.log")"
# a redirect to a server that is not there: unreachable, and the URL's query (a signature) not printed
dead=$(free_port)
python3 "$here/flaky.py" "$work/chartdead.port" "$anon" redirect-dead "$dead" 2> "$work/chartdead.log" &
pids+=($!)
for i in $(seq 1 50); do [ -s "$work/chartdead.port" ] && break; sleep 0.1; done
flaky=127.0.0.1:$(cat "$work/chartdead.port")
cpull "oci://$flaky/charts/demo" 1.3.0 "$ch/out/rd.tgz"
check "redirect to nowhere: exit" 5 $rc
case "$(errline)" in
"chartpull: oci://$flaky/charts/demo:1.3.0: the chart layer's download from http://localhost:$dead: "*) ok ;;
*) not_ok "redirect to nowhere: message: $(errline)" ;;
esac
grep -q s1gnature "$ch/err" && not_ok "redirect to nowhere: the URL's signature was printed" || ok
[ ! -e "$ch/out/rd.tgz" ] && ok || not_ok "redirect to nowhere: a file was written"

# --- token auth: a second registry process on the token registry's storage takes the upload
docker-registry serve "$work/token/push.yml" > "$work/token/push2.log" 2>&1 &
pushpid=$!
pids+=($pushpid)
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$pushport/v2/" && break; sleep 0.1; done
python3 "$here/push.py" "http://127.0.0.1:$pushport" charts/demo --chart "$ch/demo-1.3.0.tgz" 1.3.0 > /dev/null ||
	not_ok "push.py chart for the token registry"
kill "$pushpid" 2>/dev/null
cpull "oci://$tok/charts/demo" 1.3.0 "$ch/out/t.tgz" --config "$ch/empty.json"
check "token auth, no credentials: exit" 6 $rc
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$tok" "$(printf 'ci:t0ken' | base64)" > "$ch/token.json"
cpull "oci://$tok/charts/demo" 1.3.0 "$ch/out/t.tgz" --config "$ch/token.json"
check "token auth: exit" 0 $rc
check "token auth: digest" "$ldig" "$got"
cmp -s "$ch/demo-1.3.0.tgz" "$ch/out/t.tgz" && ok || not_ok "token auth: other bytes"
grep -q 'GET /token?service=gitops-test-registry&scope=repository%3Acharts%2Fdemo%3Apull' "$work/token.log" && ok ||
	not_ok "the token service was not asked for repository:charts/demo:pull: $(tail -n 3 "$work/token.log")"
hp=$(helmpull "$tok/charts/demo" 1.3.0 --username ci --password t0ken) && cmp -s "$hp" "$ch/out/t.tgz" && ok ||
	not_ok "token auth: helm pull got other bytes: $(cat "$ch/helm.log")"

# credentials never printed
for s in s3cret wr0ng-s3cret t0ken "$(printf 'ci:s3cret' | base64)" "$(printf 'ci:t0ken' | base64)"; do
	grep -qF -- "$s" "$ch/all-errors" "$ch/helm.log" && not_ok "a credential ($s) was printed" || ok
done
unset HELM_CACHE_HOME HELM_CONFIG_HOME HELM_DATA_HOME
