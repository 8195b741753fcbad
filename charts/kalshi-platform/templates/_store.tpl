{{/*
A single-replica StatefulSet of a store, its headless governing Service and its client Service.
dict: root, component, store (values), port {name number}, containers (YAML string: the whole containers list),
      dataPath, volumes (YAML string), podSecurityContext (YAML string), annotations (dict)
*/}}
{{- define "kalshi-platform.storeStatefulSet" -}}
{{- $root := .root }}
{{- $c := .component }}
{{- $s := .store }}
{{- $name := include "kalshi-platform.componentName" (list $root $c) }}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $name }}
  labels:
    {{- with (include "kalshi-platform.labels" (list $root $c)) }}{{ . | trim | nindent 4 }}{{ end }}
spec:
  serviceName: {{ $name }}-headless
  replicas: 1
  selector:
    matchLabels:
      {{- with (include "kalshi-platform.selectorLabels" (list $root $c)) }}{{ . | trim | nindent 6 }}{{ end }}
  template:
    metadata:
      labels:
        {{- with (include "kalshi-platform.labels" (list $root $c)) }}{{ . | trim | nindent 8 }}{{ end }}
      {{- with .annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        {{- .podSecurityContext | nindent 8 }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        {{- .containers | nindent 8 }}
      volumes:
        {{- if not $s.persistence.enabled }}
        - name: data
          emptyDir: {}
        {{- end }}
        {{- with .volumes }}
        {{- . | trim | nindent 8 }}
        {{- end }}
  {{- if $s.persistence.enabled }}
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          {{- with (include "kalshi-platform.selectorLabels" (list $root $c)) }}{{ . | trim | nindent 10 }}{{ end }}
      spec:
        accessModes: ["ReadWriteOnce"]
        {{- with $s.persistence.storageClassName }}
        storageClassName: {{ . | quote }}
        {{- end }}
        resources:
          requests:
            storage: {{ $s.persistence.size }}
  {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}-headless
  labels:
    {{- with (include "kalshi-platform.labels" (list $root $c)) }}{{ . | trim | nindent 4 }}{{ end }}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    {{- with (include "kalshi-platform.selectorLabels" (list $root $c)) }}{{ . | trim | nindent 4 }}{{ end }}
  ports:
    - name: {{ .port.name }}
      port: {{ .port.number }}
      targetPort: {{ .port.name }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- with (include "kalshi-platform.labels" (list $root $c)) }}{{ . | trim | nindent 4 }}{{ end }}
spec:
  type: ClusterIP
  selector:
    {{- with (include "kalshi-platform.selectorLabels" (list $root $c)) }}{{ . | trim | nindent 4 }}{{ end }}
  ports:
    - name: {{ .port.name }}
      port: {{ .port.number }}
      targetPort: {{ .port.name }}
      protocol: TCP
{{- end }}

{{/* Security context of a store container (official images that run as their own non-root user). */}}
{{- define "kalshi-platform.storeContainerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}
