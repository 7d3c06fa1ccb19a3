# tests/chartrepo/lib.sh: sourced by tests/chartrepo/t-*.  A Helm chart repository on loopback:
# lighttpd serving $WWW (index.yaml and packages) over http on $HTTP_PORT and https on
# $HTTPS_PORT (a certificate of a CA generated here: $CA), /private/ behind basic auth
# (alice:wonderland); charts packaged with the live helm (fresh HELM_* homes).  The helpers of
# tests/git/lib.sh (counters, ports, the CA, fetch) come along.  A script ends with `finish NAME`.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../git/lib.sh"
unset GITOPS_HELM_USERNAME GITOPS_HELM_PASSWORD GITOPS_HELM_TOKEN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export HELM_CACHE_HOME=$W/helm/cache HELM_CONFIG_HOME=$W/helm/config HELM_DATA_HOME=$W/helm/data
mkdir -p "$HELM_CACHE_HOME" "$HELM_CONFIG_HOME" "$HELM_DATA_HOME"
WWW=$W/www
mkdir -p "$WWW/private"
HELM=${HELM:-/usr/local/bin/helm}

start_charts() {
	make_ca || return 1
	HTTP_PORT=$(free_port)
	HTTPS_PORT=$(free_port)
	printf 'alice:wonderland\n' > "$W/users"
	cat > "$W/lighttpd.conf" <<EOF
server.modules = ( "mod_auth", "mod_authn_file", "mod_openssl", "mod_accesslog", "mod_redirect" )
accesslog.filename = "$W/access.log"
url.redirect = ( "^/moved/(.*)\$" => "/\$1" )
server.document-root = "$WWW"
server.bind = "127.0.0.1"
server.stat-cache-engine = "disable"
server.port = $HTTP_PORT
server.errorlog = "$W/lighttpd.log"
server.pid-file = "$W/lighttpd.pid"
mimetype.assign = ( ".yaml" => "text/yaml", ".tgz" => "application/gzip" )
auth.backend = "plain"
auth.backend.plain.userfile = "$W/users"
auth.require = ( "/private/" => ( "method" => "basic", "realm" => "charts", "require" => "valid-user" ) )
\$SERVER["socket"] == "127.0.0.1:$HTTPS_PORT" {
	ssl.engine = "enable"
	ssl.pemfile = "$W/tls/server.pem"
}
EOF
	lighttpd -D -f "$W/lighttpd.conf" 2>>"$W/lighttpd.log" &
	pids+=($!)
	wait_port "$HTTP_PORT" && wait_port "$HTTPS_PORT"
}

# make_chart NAME VERSION [DIR]: a chart directory $W/src/NAME-VERSION/NAME with a ConfigMap,
# a Deployment and a Service, a values.yaml, a helper and a NOTES.txt, packaged with helm into
# DIR (default $WWW)
make_chart() {
	local name=$1 version=$2 dest=${3:-$WWW} d=$W/src/$1-$2/$1
	mkdir -p "$d/templates"
	printf 'apiVersion: v2\nname: %s\nversion: %s\nappVersion: "%s"\ndescription: a test chart\n' \
		"$name" "$version" "$version" > "$d/Chart.yaml"
	printf 'replicas: 2\nimage:\n  repository: nginx\n  tag: "1.25"\ncolor: blue\nport: 8080\n' > "$d/values.yaml"
	printf '{{- define "%s.labels" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\napp.kubernetes.io/version: {{ .Chart.Version | quote }}\n{{- end }}\n' "$name" > "$d/templates/_helpers.tpl"
	cat > "$d/templates/cm.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
  labels:
    {{- include "$name.labels" . | nindent 4 }}
data:
  color: {{ .Values.color | quote }}
  version: {{ .Chart.Version | quote }}
EOF
	cat > "$d/templates/deploy.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    {{- include "$name.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
    spec:
      containers:
      - name: web
        image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        ports:
        - containerPort: {{ .Values.port }}
EOF
	cat > "$d/templates/svc.yaml" <<EOF
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app: {{ .Release.Name }}
  ports:
  - port: 80
    targetPort: {{ .Values.port }}
EOF
	printf 'Thanks for installing {{ .Chart.Name }}.\n' > "$d/templates/NOTES.txt"
	"$HELM" package -d "$dest" "$d" >/dev/null
}

# requests: how many lines the access log has gained since the last call (in $requests), and them in $request_lines
log_seen=0
requests() {
	local n
	kill -HUP "$(cat "$W/lighttpd.pid")" 2>/dev/null && sleep 0.2   # lighttpd flushes its access log
	n=$(wc -l < "$W/access.log" 2>/dev/null || echo 0)
	request_lines=$(tail -n +"$((log_seen + 1))" "$W/access.log" 2>/dev/null | awk '{print $7}')
	requests=$((n - log_seen))
	log_seen=$n
}

# index DIR [URL]: helm repo index of DIR
index() { "$HELM" repo index "$1" ${2:+--url "$2"}; }

# sha DIR/FILE: its sha256
sha() { sha256sum "$1" | cut -d' ' -f1; }
