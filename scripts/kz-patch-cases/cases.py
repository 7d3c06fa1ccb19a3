# The cases of tests/unit/kz_patch_cases.h (scripts/gen-kz-patch-cases runs each through kubectl kustomize).
DEP = '''apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: a
        image: a
        env: [{name: X, value: "1"}]
        args: [x1, x2]
        ports: [{containerPort: 80, name: http}]
      - name: b
        image: b
      - name: c
        image: c
      volumes: [{name: v, emptyDir: {}}]
      tolerations: [{key: t1}, {key: t2}]
'''
def smp(body, kind='Deployment', av='apps/v1', name='d'):
    return 'patches:\n- patch: |-\n    apiVersion: %s\n    kind: %s\n    metadata: {name: %s}\n%s' % (
        av, kind, name, ''.join('    ' + l + '\n' for l in body.strip('\n').split('\n')))
def tpl(body):
    # a patch under spec.template.spec
    return smp('spec:\n  template:\n    spec:\n' + ''.join('      ' + l + '\n' for l in body.strip('\n').split('\n')))
CR = '''apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  items: [{name: a, v: 1}, {name: b, v: 2}]
  m: {k1: 1, k2: 2}
  nul: null
  keep: 1
'''
SVC = lambda ports: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: %s\n' % ports
def svcp(ports):
    return smp('spec:\n  ports: %s' % ports, 'Service', 'v1', 's')
MULTI = '''apiVersion: apps/v1
kind: Deployment
metadata: {name: web-a, labels: {app: web, tier: fe}, annotations: {team: x}}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-b, namespace: prod, labels: {app: web, tier: be}}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, labels: {app: db}}
spec: {replicas: 1}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {a: "1", img: "nginx:1.2", host: "a.b.c", num: "3"}
'''
def jp(target, ops):
    return 'patches:\n- target: %s\n  patch: |-\n%s' % (target, ''.join('    ' + l + '\n' for l in ops.strip('\n').split('\n')))
ADD_ANN = '- op: add\n  path: /metadata/annotations/hit\n  value: "1"'

CASES = [
    # --- strategic merge, as kyaml merges
    dict(name='smp-container-prepended', res=DEP, kust=tpl('containers: [{name: z, image: z}]')),
    dict(name='smp-patch-order-first', res=DEP, kust=tpl('containers: [{name: c, image: c2}, {name: nn, image: nn}, {name: a, image: a2}]')),
    dict(name='smp-keyless-item-drops-rest', res=DEP, kust=tpl('containers: [{image: noname}, {name: c, image: c2}]')),
    dict(name='smp-env-delete-and-add', res=DEP, kust=tpl('containers:\n- name: a\n  env: [{name: W, value: "2"}, {name: X, $patch: delete}]')),
    dict(name='smp-resource-keyless-items', res=DEP.replace("      - name: b\n        image: b\n", "      - image: noname\n      - image: noname2\n"), kust=tpl('containers: [{name: z, image: z}, {name: a, image: a2}]')),
    dict(name='smp-new-list-keeps-directive', res=DEP, kust=tpl('initContainers: [{name: i1, image: i}, {name: i2, $patch: delete}]\nephemeralContainers: [{$patch: replace}, {name: e}]\nimagePullSecrets: [{$patch: delete}]')),
    dict(name='smp-replace-then-keyless', res=DEP, kust=tpl('volumes: [{$patch: replace}, {emptyDir: {}}, {name: w}]')),
    dict(name='smp-args-replaced', res=DEP, kust=tpl('containers: [{name: a, args: [z]}]')),
    dict(name='smp-list-replace-directive', res=DEP, kust=tpl('volumes: [{$patch: replace}, {name: w, emptyDir: {}}]')),
    dict(name='smp-list-delete-directive', res=DEP, kust=tpl('volumes: [{$patch: delete}]')),
    dict(name='smp-nonmerge-list-keeps-directive', res=DEP, kust=tpl('tolerations: [{key: t2, $patch: delete}]')),
    dict(name='smp-retainkeys-literal', res=DEP, kust=smp('spec:\n  strategy: {$retainKeys: [type], type: Recreate}')),
    dict(name='smp-setelementorder-literal', res=DEP, kust=tpl('$setElementOrder/containers: [{name: c}, {name: a}]\ncontainers: [{name: a, image: a3}]')),
    dict(name='smp-deletefromprimitivelist-literal', res=DEP, kust=tpl('$deleteFromPrimitiveList/args: [x1]')),
    dict(name='smp-finalizers-union', res=DEP.replace('metadata: {name: d}', 'metadata: {name: d, finalizers: [f1, f2]}'), kust='patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d, finalizers: [f3, f1]}\n'),
    dict(name='smp-null-deletes', res=DEP, kust=smp('spec:\n  replicas: null\n  template:\n    spec:\n      volumes: null')),
    dict(name='smp-map-replace', res=DEP, kust=smp('spec:\n  template:\n    spec:\n      $patch: replace\n      containers: [{name: only, image: o}]')),
    dict(name='smp-map-delete', res=DEP, kust=smp('spec:\n  template:\n    $patch: delete')),
    dict(name='smp-resource-delete', res=DEP + '---\n' + CR, kust=smp('$patch: delete')),
    dict(name='smp-cr-lists-replaced', res=CR, kust=smp('spec:\n  items: [{name: a, v: 3}]\n  m: {k1: null, k3: 3}\n  keep: null\n  newnull: null\n  newmap: {a: null, b: 1, c: {$patch: delete}, d: {$patch: replace, e: 1}}', 'Widget', 'example.com/v1', 'w')),
    dict(name='smp-name-kept', res=DEP, kust='patches:\n- target: {kind: Deployment}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: other, namespace: elsewhere}\n    spec: {replicas: 4}\n'),
    dict(name='smp-allow-name-change', res=DEP, kust='patches:\n- target: {kind: Deployment}\n  options: {allowNameChange: true}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: renamed}\n'),
    dict(name='smp-allow-kind-change', res=DEP, kust='patches:\n- target: {kind: Deployment}\n  options: {allowKindChange: true}\n  patch: |-\n    apiVersion: apps/v1\n    kind: StatefulSet\n    metadata: {name: d}\n'),
    dict(name='smp-ports-multikey-order', res=DEP, kust=tpl('containers:\n- name: a\n  ports: [{containerPort: 443, protocol: TCP, name: s}, {containerPort: 80, protocol: TCP, name: h2}]')),
    dict(name='svc-ports-new-first', res=SVC('[{port: 80, protocol: TCP}, {port: 90, protocol: TCP}]'), kust=svcp('[{port: 90, protocol: TCP, name: x}, {port: 81, protocol: TCP}]')),
    dict(name='svc-ports-single-key-patch-order', res=SVC('[{port: 80}, {port: 90}]'), kust=svcp('[{port: 90, name: x}, {port: 81}]')),
    dict(name='svc-ports-mixed', res=SVC('[{port: 80, protocol: UDP}, {port: 90}]'), kust=svcp('[{port: 90, name: x}, {port: 81}]')),
    dict(name='svc-ports-key-sets-differ', res=SVC('[{port: 80}, {port: 90}]'), kust=svcp('[{port: 90, protocol: TCP, name: x}, {port: 81, protocol: TCP}]')),
    dict(name='svc-ports-key-sets-differ2', res=SVC('[{port: 90, protocol: TCP}, {port: 80}]'), kust=svcp('[{port: 90, name: x}, {port: 80, protocol: UDP, name: u}]')),
    dict(name='svc-port-noproto-into-tcp', res=SVC('[{port: 30900, protocol: TCP}]'), kust=svcp('[{port: 30901}]')),
    dict(name='smp-untargeted-by-previous-name', res=DEP, kust='patches:\n- target: {kind: Deployment}\n  options: {allowNameChange: true}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d2}\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d}\n    spec: {replicas: 9}\n'),
    dict(name='smp-no-match-error', res=DEP, kust=smp('spec: {replicas: 2}', name='zz')),
    dict(name='psm-no-match-error', res=DEP, kust='patchesStrategicMerge:\n- |-\n  apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: zz}\n'),
    dict(name='psm-inline', res=DEP, kust='patchesStrategicMerge:\n- |-\n  apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d}\n  spec: {replicas: 7}\n'),
    dict(name='psm-file-two-docs', res=MULTI, kust='patchesStrategicMerge: [p.yaml]\n',
         files={'p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {b: "2"}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n$patch: delete\n'}),
    dict(name='patch-file-path', res=MULTI, kust='patches: [{path: p.yaml, target: {kind: ConfigMap}}]\n',
         files={'p.yaml': '- op: add\n  path: /data/fromfile\n  value: "1"\n'}),
    dict(name='smp-ns-namespaced', res=MULTI, kust='patches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web-b, namespace: prod}\n    spec: {minReadySeconds: 3}\n'),
    # --- JSON 6902 and targets
    dict(name='target-regex', res=MULTI, kust=jp('{kind: Deploy.*, name: web-.*}', ADD_ANN)),
    dict(name='target-regex-anchored', res=MULTI, kust=jp('{name: web}', ADD_ANN)),
    dict(name='target-label-set', res=MULTI, kust=jp('{labelSelector: "app in (web,db),tier!=be"}', ADD_ANN)),
    dict(name='target-label-notin', res=MULTI, kust=jp('{labelSelector: "tier notin (fe)"}', ADD_ANN)),
    dict(name='target-label-absent', res=MULTI, kust=jp('{labelSelector: "!tier"}', ADD_ANN)),
    dict(name='target-label-exists', res=MULTI, kust=jp('{labelSelector: "tier"}', ADD_ANN)),
    dict(name='target-annotation', res=MULTI, kust=jp('{annotationSelector: "team=x"}', ADD_ANN)),
    dict(name='target-ns-default', res=MULTI, kust=jp('{namespace: default}', ADD_ANN)),
    dict(name='target-ns-prod', res=MULTI, kust=jp('{namespace: prod}', ADD_ANN)),
    dict(name='target-group-version', res=MULTI, kust=jp('{group: apps, version: v1}', ADD_ANN)),
    dict(name='target-core-group', res=MULTI, kust=jp('{group: "", kind: ConfigMap}', ADD_ANN)),
    dict(name='target-nothing-silent', res=MULTI, kust=jp('{kind: Nothing}', '- op: remove\n  path: /nope')),
    dict(name='json-inline-json', res=MULTI, kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op": "replace", "path": "/data/a", "value": "9"}, {"op": "copy", "from": "/data/a", "path": "/data/c"}]\'\n'),
    dict(name='json-move-remove-test', res=MULTI, kust=jp('{kind: ConfigMap}', '- op: test\n  path: /data/a\n  value: "1"\n- op: move\n  from: /data/host\n  path: /data/moved\n- op: remove\n  path: /data/img')),
    dict(name='json-needs-target', res=MULTI, kust='patches:\n- patch: |-\n    - op: add\n      path: /data/x\n      value: y1\n'),
    dict(name='json6902-legacy', res=MULTI, kust='patchesJson6902:\n- target: {version: v1, kind: ConfigMap, name: cm}\n  patch: |-\n    - op: add\n      path: /data/legacy\n      value: "1"\n'),
    dict(name='json6902-legacy-file', res=MULTI, kust='patchesJson6902:\n- target: {group: apps, version: v1, kind: Deployment, name: web-a}\n  path: ops.json\n',
         files={'ops.json': '[{"op": "replace", "path": "/spec/replicas", "value": 3}]'}),
    dict(name='smp-targeted-labels', res=MULTI, kust='patches:\n- target: {labelSelector: app=web}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: any}\n    spec: {paused: true}\n'),
    dict(name='smp-targeted-delete', res=MULTI, kust='patches:\n- target: {kind: Deployment, labelSelector: "tier notin (fe)"}\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: any}\n    $patch: delete\n'),
    # --- JSON 6902 as evanphx/json-patch applies it (kustomize's words, its null defaults)
    dict(name='json-err-replace-missing', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"replace","path":"/data/nope/x","value":1}]\'\n'),
    dict(name='json-err-remove-key', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"remove","path":"/data/nope"}]\'\n'),
    dict(name='json-err-add-parent', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"add","path":"/data/nope/x","value":1}]\'\n'),
    dict(name='json-err-test', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"test","path":"/data/a","value":"2"}]\'\n'),
    dict(name='json-err-move-from', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"move","from":"/data/zz","path":"/data/b"}]\'\n'),
    dict(name='json-copy-from-nowhere-null', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"copy","from":"/data/zz","path":"/data/b"}]\'\n'),
    dict(name='json-err-unknown-op', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"bogus","path":"/data/a"}]\'\n'),
    dict(name='json-err-replace-index', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"replace","path":"/spec/containers/5","value":1}]\'\n'),
    dict(name='json-err-add-index', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"add","path":"/spec/containers/5","value":1}]\'\n'),
    dict(name='json-add-append-index', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"add","path":"/spec/containers/1","value":1}, {"op":"add","path":"/spec/containers/-","value":2}]\'\n'),
    dict(name='json-err-remove-index', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"remove","path":"/spec/containers/5"}]\'\n'),
    dict(name='json-missing-value-null', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"replace","path":"/data/a"}, {"op":"add","path":"/data/q"}]\'\n'),
    dict(name='json-err-remove-parent', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"remove","path":"/data/nope/x"}]\'\n'),
    dict(name='json-err-stops-at-first', res='apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1"}\nspec: {containers: [a]}\n', kust='patches:\n- target: {kind: ConfigMap}\n  patch: \'[{"op":"add","path":"/data/ok","value":"1"}, {"op":"test","path":"/data/nope","value":"2"}]\'\n'),
    # --- replacements
    dict(name='repl-typed-int', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, name: cm, fieldPath: data.num}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.replicas]\n'),
    dict(name='repl-delimiter-index', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.img, options: {delimiter: ":", index: 1}}\n  targets:\n  - select: {name: web-a}\n    fieldPaths: [metadata.annotations.team]\n    options: {delimiter: "-", index: 0}\n'),
    dict(name='repl-prefix-suffix-create', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.host}\n  targets:\n  - select: {kind: StatefulSet}\n    fieldPaths: [metadata.annotations.pre]\n    options: {delimiter: ".", index: -1, create: true}\n  - select: {kind: StatefulSet}\n    fieldPaths: [metadata.labels.app]\n    options: {delimiter: "-", index: 5}\n'),
    dict(name='repl-default-fieldpaths', res=MULTI, kust='replacements:\n- source: {kind: StatefulSet}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.dbname]\n    options: {create: true}\n'),
    dict(name='repl-reject', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.a}\n  targets:\n  - select: {kind: Deployment}\n    reject: [{name: web-b}]\n    fieldPaths: [metadata.labels.tier]\n'),
    dict(name='repl-select-label', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.a}\n  targets:\n  - select: {labelSelector: "tier=be"}\n    fieldPaths: [spec.replicas]\n'),
    dict(name='repl-select-not-regex', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.a}\n  targets:\n  - select: {kind: Deploy.*}\n    fieldPaths: [spec.replicas]\n'),
    dict(name='repl-wildcard-match', res=DEP, kust='replacements:\n- source: {kind: Deployment, fieldPath: "spec.template.spec.containers.[name=b].image"}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: ["spec.template.spec.containers.*.image", "spec.template.spec.containers.[name=a].env.[name=X].value"]\n'),
    dict(name='repl-map-value', res=MULTI, kust='replacements:\n- source: {kind: Deployment, name: web-a, fieldPath: metadata.labels}\n  targets:\n  - select: {kind: StatefulSet}\n    fieldPaths: [metadata.labels]\n'),
    dict(name='repl-create-missing-map', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.a}\n  targets:\n  - select: {kind: StatefulSet}\n    fieldPaths: [spec.template.metadata.labels.x]\n    options: {create: true}\n'),
    dict(name='repl-file', res=MULTI, kust='replacements:\n- path: r.yaml\n', files={'r.yaml': 'source: {kind: ConfigMap, fieldPath: data.a}\ntargets:\n- select: {kind: StatefulSet}\n  fieldPaths: [spec.replicas]\n'}),
    dict(name='repl-err-nothing', res=MULTI, kust='replacements:\n- source: {kind: Secret, name: nope}\n  targets:\n  - select: {kind: Deployment}\n'),
    dict(name='repl-err-multiple', res=MULTI, kust='replacements:\n- source: {kind: Deployment}\n  targets:\n  - select: {kind: ConfigMap}\n'),
    dict(name='repl-err-missing-source', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.nope}\n  targets:\n  - select: {kind: Deployment}\n'),
    dict(name='repl-err-missing-target', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.a}\n  targets:\n  - select: {kind: StatefulSet}\n    fieldPaths: [spec.nope.x]\n'),
    dict(name='repl-err-index', res=MULTI, kust='replacements:\n- source: {kind: ConfigMap, fieldPath: data.img, options: {delimiter: ":", index: 4}}\n  targets:\n  - select: {kind: StatefulSet}\n'),
    # --- vars
    dict(name='vars-basic', res='''apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: [{port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: app
        image: busybox
        command: ["run", "$(SVC)", "$(PORT)", "$$(SVC)", "$(NOPE)", "x$(PORT)y", "$(SVC"]
        args: ["$(PORT)"]
        env: [{name: A, value: "$(SVC).$(DNAME)"}, {name: B, value: "$(PORT)"}]
''', kust='''vars:
- name: SVC
  objref: {kind: Service, name: svc, apiVersion: v1}
- name: PORT
  objref: {kind: Service, name: svc, apiVersion: v1}
  fieldref: {fieldpath: 'spec.ports[0].port'}
- name: DNAME
  objref: {kind: Deployment, name: d, apiVersion: apps/v1}
'''),
    dict(name='vars-err-unmapped', res=MULTI, kust='vars:\n- name: X\n  objref: {kind: Deployment, name: web-a}\n'),
    dict(name='vars-err-duplicate', res=MULTI, kust='vars:\n- name: X\n  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n- name: X\n  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n'),
    dict(name='vars-err-field', res=MULTI, kust='vars:\n- name: X\n  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n  fieldref: {fieldpath: data.nope}\n'),
]
