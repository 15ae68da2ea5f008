{{- define "gatehouse.labels" -}}
app.kubernetes.io/name: gatehouse
{{- end -}}
