{{- define "lazy/templates/c.yaml" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: c-defined
{{- end -}}
{{- define "lazy/templates/b.yaml" -}}{{- end -}}
