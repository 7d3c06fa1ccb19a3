{{- define "lazy.name" -}}lazy{{- end -}}
