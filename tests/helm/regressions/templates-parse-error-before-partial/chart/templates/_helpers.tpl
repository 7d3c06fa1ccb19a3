{{- define "lazy.name" -}}{{ else }}{{- end -}}
