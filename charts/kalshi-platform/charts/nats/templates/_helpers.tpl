{{/* Name of the chart, overridable. */}}
{{- define "nats.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name: <release>-nats unless the release name already contains it. */}}
{{- define "nats.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "nats.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nats.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: nats
{{- end }}

{{- define "nats.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "nats.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kalshi-platform
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "nats.replicas" -}}
{{- if .Values.config.cluster.enabled }}{{ .Values.config.cluster.replicas }}{{ else }}1{{ end }}
{{- end }}

{{/* nats.conf */}}
{{- define "nats.conf" -}}
server_name: $SERVER_NAME
port: {{ .Values.config.nats.port }}
http_port: {{ .Values.config.monitor.port }}
pid_file: /var/run/nats/nats.pid
lame_duck_duration: {{ .Values.config.lameDuckDuration }}
lame_duck_grace_period: 10s
{{- if .Values.config.jetstream.enabled }}
jetstream {
{{- if .Values.config.jetstream.fileStore.enabled }}
  store_dir: {{ .Values.config.jetstream.fileStore.dir | quote }}
{{- with .Values.config.jetstream.fileStore.maxSize }}
  max_file_store: {{ . }}
{{- end }}
{{- else }}
  max_file_store: 0
{{- end }}
{{- if .Values.config.jetstream.memoryStore.enabled }}
  max_memory_store: {{ .Values.config.jetstream.memoryStore.maxSize }}
{{- else }}
  max_memory_store: 0
{{- end }}
}
{{- end }}
{{- if .Values.config.cluster.enabled }}
{{- $fullname := include "nats.fullname" . }}
cluster {
  name: {{ $fullname }}
  port: {{ .Values.config.cluster.port }}
  no_advertise: true
  routes: [
{{- range $i := until (int .Values.config.cluster.replicas) }}
    nats://{{ $fullname }}-{{ $i }}.{{ $fullname }}-headless:{{ $.Values.config.cluster.port }}
{{- end }}
  ]
}
{{- end }}
{{- end }}
