{{/*
A Deployment of one of the platform's apps serving /healthz and /readyz on a named port, plus its Service.
dict:
  root         $
  component    ingestion | detection | market-maker | operator | execution
  app          the app's values (.Values.<app>)
  args         container args (list; first = the app)
  configName   config helper suffix (kalshi-platform.config.<configName>)
  port         { name, number } of the health/HTTP port
  env          extra env entries (YAML string)
  envFrom      extra envFrom entries (YAML string)
  mounts       extra volumeMounts (YAML string)
  volumes      extra volumes (YAML string)
  initContainers (YAML string)
  replicas     number (ignored with hpa)
  hpa          true when an HPA owns replicas
  recreate     true for Recreate
  serviceAccountName, automountToken
*/}}
{{- define "kalshi-platform.appDeployment" -}}
{{- $root := .root }}
{{- $c := .component }}
{{- $name := include "kalshi-platform.componentName" (list $root $c) }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- with (include "kalshi-platform.labels" (list $root $c)) }}{{ . | trim | nindent 4 }}{{ end }}
spec:
  {{- if not .hpa }}
  replicas: {{ .replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  {{- if .recreate }}
  strategy:
    type: Recreate
  {{- end }}
  selector:
    matchLabels:
      {{- with (include "kalshi-platform.selectorLabels" (list $root $c)) }}{{ . | trim | nindent 6 }}{{ end }}
  template:
    metadata:
      labels:
        {{- with (include "kalshi-platform.labels" (list $root $c)) }}{{ . | trim | nindent 8 }}{{ end }}
      annotations:
        checksum/config: {{ include (printf "kalshi-platform.config.%s" .configName) $root | sha256sum }}
    spec:
      serviceAccountName: {{ .serviceAccountName | default (include "kalshi-platform.serviceAccountName" $root) }}
      automountServiceAccountToken: {{ .automountToken | default false }}
      {{- with (include "kalshi-platform.podCommon" (list $root .app)) }}{{ . | trim | nindent 6 }}{{ end }}
      {{- with .initContainers }}
      initContainers:
        {{- . | trim | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $c }}
          image: {{ include "kalshi-platform.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            {{- range .args }}
            - {{ . | quote }}
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ $name }}
            {{- with .envFrom }}
            {{- . | trim | nindent 12 }}
            {{- end }}
          {{- with .env }}
          env:
            {{- . | trim | nindent 12 }}
          {{- end }}
          ports:
            - name: {{ .port.name }}
              containerPort: {{ .port.number }}
              protocol: TCP
          {{- with (include "kalshi-platform.healthProbes" (list $root .port.name)) }}{{ . | trim | nindent 10 }}{{ end }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          resources:
            {{- toYaml .app.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with .mounts }}
            {{- . | trim | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- with .volumes }}
        {{- . | trim | nindent 8 }}
        {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- with (include "kalshi-platform.labels" (list $root $c)) }}{{ . | trim | nindent 4 }}{{ end }}
    kalshi-platform.io/metrics: "true"
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
