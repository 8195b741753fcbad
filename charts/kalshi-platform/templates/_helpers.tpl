{{/* ------------------------------------------------------------------------------------------------------------
Names and labels
------------------------------------------------------------------------------------------------------------ */}}

{{- define "kalshi-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-kalshi-platform, or the release name when it already contains the chart name. */}}
{{- define "kalshi-platform.fullname" -}}
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

{{- define "kalshi-platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a component's objects: (list $ "execution") -> <fullname>-execution */}}
{{- define "kalshi-platform.componentName" -}}
{{- $root := index . 0 }}
{{- printf "%s-%s" (include "kalshi-platform.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of a component: (list $ "execution") */}}
{{- define "kalshi-platform.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "kalshi-platform.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* The standard labels of a component: (list $ "execution") */}}
{{- define "kalshi-platform.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ include "kalshi-platform.chart" $root }}
{{ include "kalshi-platform.selectorLabels" . }}
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
app.kubernetes.io/part-of: kalshi-platform
{{- with $root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select every pod of this release (the NetworkPolicies' "all of us"). */}}
{{- define "kalshi-platform.releasePodLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: kalshi-platform
{{- end }}

{{- define "kalshi-platform.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kalshi-platform.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* ------------------------------------------------------------------------------------------------------------
Image and pods
------------------------------------------------------------------------------------------------------------ */}}

{{- define "kalshi-platform.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by the platform's pods: (list $ .Values.<app>) */}}
{{- define "kalshi-platform.podCommon" -}}
{{- $root := index . 0 }}
{{- $app := index . 1 -}}
enableServiceLinks: false
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (default $root.Values.nodeSelector $app.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (default $root.Values.tolerations $app.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (default $root.Values.affinity $app.affinity) }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Probes of an app serving /healthz and /readyz: (list $ "<port name>") */}}
{{- define "kalshi-platform.healthProbes" -}}
{{- $root := index . 0 }}
{{- $port := index . 1 }}
{{- $p := $root.Values.probes -}}
startupProbe:
  httpGet:
    path: /healthz
    port: {{ $port }}
  periodSeconds: {{ $p.startup.periodSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /healthz
    port: {{ $port }}
  periodSeconds: {{ $p.liveness.periodSeconds }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /readyz
    port: {{ $port }}
  periodSeconds: {{ $p.readiness.periodSeconds }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
{{- end }}

{{/* ConfigMap data (sorted KEY: "value") from a dict; empty values are left out. */}}
{{- define "kalshi-platform.envData" -}}
{{- range $k, $v := . }}
{{- if ne (toString $v) "" }}
{{ $k }}: {{ toString $v | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* ------------------------------------------------------------------------------------------------------------
Endpoints
------------------------------------------------------------------------------------------------------------ */}}

{{- define "kalshi-platform.natsFullname" -}}
{{- if .Values.nats.fullnameOverride }}
{{- .Values.nats.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains "nats" .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-nats" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.natsUrl" -}}
{{- if .Values.nats.enabled }}
{{- printf "nats://%s:4222" (include "kalshi-platform.natsFullname" .) }}
{{- else if .Values.externalNats.url }}
{{- .Values.externalNats.url }}
{{- else }}
{{- fail "NATS: set nats.enabled=true or externalNats.url" }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.exchangeHost" -}}
{{- include "kalshi-platform.componentName" (list . "exchange") }}
{{- end }}

{{- define "kalshi-platform.kalshiRestUrl" -}}
{{- if .Values.kalshi.restUrl }}
{{- .Values.kalshi.restUrl }}
{{- else if .Values.exchange.enabled }}
{{- printf "http://%s:%d/trade-api/v2" (include "kalshi-platform.exchangeHost" .) (int .Values.exchange.port) }}
{{- else }}
{{- fail "kalshi.restUrl is required when exchange.enabled is false (e.g. https://external-api.kalshi.com/trade-api/v2)" }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.kalshiWsUrl" -}}
{{- if .Values.kalshi.wsUrl }}
{{- .Values.kalshi.wsUrl }}
{{- else if .Values.exchange.enabled }}
{{- printf "ws://%s:%d/trade-api/ws/v2" (include "kalshi-platform.exchangeHost" .) (int .Values.exchange.port) }}
{{- else }}
{{- fail "kalshi.wsUrl is required when exchange.enabled is false (e.g. wss://external-api-ws.kalshi.com/trade-api/ws/v2)" }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.executionRestUrl" -}}
{{- default (include "kalshi-platform.kalshiRestUrl" .) .Values.execution.kalshi.restUrl }}
{{- end }}

{{- define "kalshi-platform.executionWsUrl" -}}
{{- default (include "kalshi-platform.kalshiWsUrl" .) .Values.execution.kalshi.wsUrl }}
{{- end }}

{{/* "true" when a URL's host is Kalshi's production API (kalshi.com or *.kalshi.com), as execution checks it. */}}
{{- define "kalshi-platform.isProductionKalshi" -}}
{{- $host := lower (urlParse .).host | splitList ":" | first }}
{{- if or (eq $host "kalshi.com") (hasSuffix ".kalshi.com" $host) }}true{{ end }}
{{- end }}

{{/* "true" when an app talks to the mock exchange of this release (no URL override). */}}
{{- define "kalshi-platform.usesMockExchange" -}}
{{- if and .Values.exchange.enabled (not .Values.kalshi.restUrl) }}true{{ end }}
{{- end }}

{{/* ------------------------------------------------------------------------------------------------------------
Secrets and credentials
------------------------------------------------------------------------------------------------------------ */}}

{{/* Name of the Secret with KALSHI_API_KEY_ID and private-key.pem; empty when no credentials are configured. */}}
{{- define "kalshi-platform.kalshiSecret" -}}
{{- if .Values.kalshi.existingSecret }}
{{- .Values.kalshi.existingSecret }}
{{- else if and .Values.kalshi.apiKeyId .Values.kalshi.privateKey }}
{{- include "kalshi-platform.componentName" (list . "kalshi") }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.executionKalshiSecret" -}}
{{- default (include "kalshi-platform.kalshiSecret" .) .Values.execution.kalshi.existingSecret }}
{{- end }}

{{/* Kalshi credential env of a container: (list $ secretName) */}}
{{- define "kalshi-platform.kalshiCredentialsEnv" -}}
{{- if index . 1 -}}
- name: KALSHI_API_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 }}
      key: KALSHI_API_KEY_ID
- name: KALSHI_PRIVATE_KEY_PATH
  value: /var/run/secrets/kalshi/private-key.pem
{{- end }}
{{- end }}

{{- define "kalshi-platform.kalshiCredentialsMount" -}}
{{- if . -}}
- name: kalshi-credentials
  mountPath: /var/run/secrets/kalshi
  readOnly: true
{{- end }}
{{- end }}

{{- define "kalshi-platform.kalshiCredentialsVolume" -}}
{{- if . -}}
- name: kalshi-credentials
  secret:
    secretName: {{ . }}
    defaultMode: 0440
    items:
      - key: private-key.pem
        path: private-key.pem
{{- end }}
{{- end }}

{{- define "kalshi-platform.postgresqlSecret" -}}
{{- default (include "kalshi-platform.componentName" (list . "postgresql")) .Values.postgresql.auth.existingSecret }}
{{- end }}

{{- define "kalshi-platform.redisSecret" -}}
{{- default (include "kalshi-platform.componentName" (list . "redis")) .Values.redis.auth.existingSecret }}
{{- end }}

{{/* true when some PostgreSQL is configured (in-chart or external). */}}
{{- define "kalshi-platform.hasDatabase" -}}
{{- if or .Values.postgresql.enabled .Values.externalDatabase.url .Values.externalDatabase.existingSecret }}true{{ end }}
{{- end }}

{{/* DATABASE_URL env: (list $ "platform"|"exchange"); nothing without a database. */}}
{{- define "kalshi-platform.databaseEnv" -}}
{{- $root := index . 0 }}
{{- $which := index . 1 }}
{{- $v := $root.Values }}
{{- if $v.postgresql.enabled }}
{{- $db := ternary $v.postgresql.auth.exchangeDatabase $v.postgresql.auth.database (eq $which "exchange") }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "kalshi-platform.postgresqlSecret" $root }}
      key: password
- name: DATABASE_URL
  value: {{ printf "postgres://%s:$(POSTGRES_PASSWORD)@%s:5432/%s" $v.postgresql.auth.username (include "kalshi-platform.componentName" (list $root "postgresql")) $db | quote }}
{{- else if or $v.externalDatabase.url $v.externalDatabase.existingSecret }}
{{- $key := "DATABASE_URL" }}
{{- if $v.externalDatabase.existingSecret }}{{ $key = $v.externalDatabase.existingSecretKey }}{{ else if eq $which "exchange" }}{{ $key = "EXCHANGE_DATABASE_URL" }}{{ end }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "kalshi-platform.componentName" (list $root "database")) $v.externalDatabase.existingSecret }}
      key: {{ $key }}
{{- end }}
{{- end }}

{{/* REDIS_URL env (nothing without Redis). */}}
{{- define "kalshi-platform.redisEnv" -}}
{{- if .Values.redis.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "kalshi-platform.redisSecret" . }}
      key: password
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:6379/0" (include "kalshi-platform.componentName" (list . "redis")) | quote }}
{{- else if or .Values.externalRedis.url .Values.externalRedis.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "kalshi-platform.componentName" (list . "redis-external")) .Values.externalRedis.existingSecret }}
      key: {{ ternary .Values.externalRedis.existingSecretKey "REDIS_URL" (not (empty .Values.externalRedis.existingSecret)) }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.hasRedis" -}}
{{- if or .Values.redis.enabled .Values.externalRedis.url .Values.externalRedis.existingSecret }}true{{ end }}
{{- end }}

{{/* Tick store settings (ConfigMap entries as a dict) */}}
{{- define "kalshi-platform.tickStoreConfig" -}}
{{- if eq .Values.tickStore "questdb" }}
TICK_STORE: questdb
{{- if .Values.questdb.enabled }}
QUESTDB_ADDR: {{ printf "%s:9000" (include "kalshi-platform.componentName" (list . "questdb")) }}
QUESTDB_PROTOCOL: http
{{- else if .Values.externalQuestdb.addr }}
QUESTDB_ADDR: {{ .Values.externalQuestdb.addr }}
QUESTDB_PROTOCOL: {{ .Values.externalQuestdb.protocol }}
{{- else }}
{{- fail "tickStore=questdb needs questdb.enabled=true or externalQuestdb.addr (or set tickStore: off)" }}
{{- end }}
{{- else }}
TICK_STORE: "off"
{{- end }}
{{- end }}

{{/* envFrom of the optional QuestDB credentials Secret. */}}
{{- define "kalshi-platform.questdbSecretEnvFrom" -}}
{{- if and (eq .Values.tickStore "questdb") (not .Values.questdb.enabled) .Values.externalQuestdb.existingSecret }}
- secretRef:
    name: {{ .Values.externalQuestdb.existingSecret }}
{{- end }}
{{- end }}

{{/* ------------------------------------------------------------------------------------------------------------
NetworkPolicy peers
------------------------------------------------------------------------------------------------------------ */}}

{{/* An egress rule to a component of this release: (list $ "component" port...) */}}
{{- define "kalshi-platform.egressToComponent" -}}
{{- $root := index . 0 -}}
- to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/instance: {{ $root.Release.Name }}
          app.kubernetes.io/component: {{ index . 1 }}
  ports:
    {{- range (rest (rest .)) }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}

{{/* An egress rule to destinations outside the cluster: (list $ port...) */}}
{{- define "kalshi-platform.egressExternal" -}}
{{- $root := index . 0 -}}
- to:
    {{- range $root.Values.networkPolicy.externalCidrs }}
    - ipBlock:
        cidr: {{ . }}
        {{- with $root.Values.networkPolicy.externalExcept }}
        except:
          {{- toYaml . | nindent 10 }}
        {{- end }}
    {{- end }}
  ports:
    {{- range (rest .) }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}

{{- define "kalshi-platform.egressNats" -}}
{{- if .Values.nats.enabled }}
- to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/name: nats
          app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - port: 4222
      protocol: TCP
{{- else }}
{{- include "kalshi-platform.egressExternal" (list . (int .Values.externalNats.port)) }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.egressDatabase" -}}
{{- if .Values.postgresql.enabled }}
{{- include "kalshi-platform.egressToComponent" (list . "postgresql" 5432) }}
{{- else if (include "kalshi-platform.hasDatabase" .) }}
{{- include "kalshi-platform.egressExternal" (list . (int .Values.externalDatabase.port)) }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.egressRedis" -}}
{{- if .Values.redis.enabled }}
{{- include "kalshi-platform.egressToComponent" (list . "redis" 6379) }}
{{- else if (include "kalshi-platform.hasRedis" .) }}
{{- include "kalshi-platform.egressExternal" (list . (int .Values.externalRedis.port)) }}
{{- end }}
{{- end }}

{{- define "kalshi-platform.egressQuestdb" -}}
{{- if eq .Values.tickStore "questdb" }}
{{- if .Values.questdb.enabled }}
{{- include "kalshi-platform.egressToComponent" (list . "questdb" 9000) }}
{{- else }}
{{- $port := (splitList ":" .Values.externalQuestdb.addr | last) | int }}
{{- include "kalshi-platform.egressExternal" (list . (ternary $port 9000 (gt $port 0))) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Egress to Kalshi: the mock exchange of this release, or Kalshi outside: (list $ restUrl withFix) */}}
{{- define "kalshi-platform.egressKalshi" -}}
{{- $root := index . 0 }}
{{- $url := index . 1 }}
{{- $mock := include "kalshi-platform.exchangeHost" $root }}
{{- if and $root.Values.exchange.enabled (contains (printf "//%s:" $mock) $url) }}
{{- if index . 2 }}
{{- include "kalshi-platform.egressToComponent" (list $root "exchange" (int $root.Values.exchange.port) (int $root.Values.exchange.fixPort)) }}
{{- else }}
{{- include "kalshi-platform.egressToComponent" (list $root "exchange" (int $root.Values.exchange.port)) }}
{{- end }}
{{- else }}
{{- $args := list $root }}
{{- range $root.Values.networkPolicy.externalPorts }}{{ $args = append $args . }}{{ end }}
{{- if and (index . 2) $root.Values.execution.fixHost $root.Values.execution.fixPort }}{{ $args = append $args (int $root.Values.execution.fixPort) }}{{ end }}
{{- include "kalshi-platform.egressExternal" $args }}
{{- end }}
{{- end }}

{{/* Ingress from the metrics scrapers on a port, when the ServiceMonitor is on: (list $ port) */}}
{{- define "kalshi-platform.ingressMetrics" -}}
{{- $root := index . 0 }}
{{- if $root.Values.serviceMonitor.enabled -}}
- from:
    {{- toYaml $root.Values.networkPolicy.metricsFrom | nindent 4 }}
  ports:
    - port: {{ index . 1 }}
      protocol: TCP
{{- end }}
{{- end }}

{{/* Labels of the ticker-plant shard pods, as the operator sets them (apps/operator/src/resources.ts selectorLabels). */}}
{{- define "kalshi-platform.tickerPlantPodLabels" -}}
app.kubernetes.io/name: ticker-plant
app.kubernetes.io/instance: {{ .Values.tickerPlant.name }}
{{- end }}
