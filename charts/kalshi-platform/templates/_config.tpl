{{/* Non-secret environment of each app (ConfigMap data, sorted keys). The pods' checksum/config annotation hashes it. */}}

{{- define "kalshi-platform.config.marketMaker" -}}
{{- include "kalshi-platform.envData" (dict "HEALTH_PORT" .Values.healthPort) }}
{{- end }}

{{- define "kalshi-platform.config.ingestion" -}}
{{- $c := dict
  "NATS_URL" (include "kalshi-platform.natsUrl" .)
  "HEALTH_PORT" .Values.healthPort
  "KALSHI_REST_URL" (include "kalshi-platform.kalshiRestUrl" .)
  "KALSHI_WS_URL" (include "kalshi-platform.kalshiWsUrl" .)
  "INGEST_MARKET_TICKERS" (join "," .Values.ingestion.marketTickers)
  "INGEST_CHANNELS" (join "," .Values.ingestion.channels)
  "PARTITION_COUNT" .Values.tickerPlant.partitions }}
{{- $c = merge $c (include "kalshi-platform.tickStoreConfig" . | fromYaml) }}
{{- include "kalshi-platform.envData" (merge (deepCopy .Values.ingestion.env) $c) }}
{{- end }}

{{- define "kalshi-platform.config.detection" -}}
{{- $d := .Values.detection }}
{{- $c := dict
  "NATS_URL" (include "kalshi-platform.natsUrl" .)
  "HEALTH_PORT" .Values.healthPort
  "KALSHI_REST_URL" (include "kalshi-platform.kalshiRestUrl" .)
  "DETECTION_TAKER_FEE_BPS" $d.takerFeeBps
  "DETECTION_FEE_ROUNDING_TICKS" $d.feeRoundingTicks
  "DETECTION_ARB_SIGNAL_SIZE" $d.arbSignalSize
  "DETECTION_ARB_SIGNAL_TTL_MS" $d.arbSignalTtlMs }}
{{- if or $d.oddsApi.existingSecret $d.oddsApi.apiKey }}
{{- $c = merge $c (dict
  "ODDS_SPORTS" $d.oddsApi.sports
  "ODDS_REGIONS" $d.oddsApi.regions
  "ODDS_POLL_S" $d.oddsApi.pollSeconds
  "SPORTSBOOK_BANKROLL_DOLLARS" $d.sportsbook.bankrollDollars
  "SPORTSBOOK_KELLY_FRACTION" $d.sportsbook.kellyFraction
  "SPORTSBOOK_MIN_EDGE" $d.sportsbook.minEdge
  "SPORTSBOOK_MIN_CONFIDENCE" $d.sportsbook.minConfidence
  "SPORTSBOOK_TTL_MS" $d.sportsbook.ttlMs
  "SPORTSBOOK_MAX_ODDS_AGE_MS" $d.sportsbook.maxOddsAgeMs) }}
{{- end }}
{{- $c = merge $c (include "kalshi-platform.tickStoreConfig" . | fromYaml) }}
{{- include "kalshi-platform.envData" (merge (deepCopy $d.env) $c) }}
{{- end }}

{{- define "kalshi-platform.config.execution" -}}
{{- $e := .Values.execution }}
{{- $fixHost := $e.fixHost }}
{{- $fixPort := $e.fixPort }}
{{- if and (eq $e.route "fix") (not $fixHost) }}
{{- $fixHost = include "kalshi-platform.exchangeHost" . }}
{{- $fixPort = .Values.exchange.fixPort }}
{{- end }}
{{- $c := dict
  "NATS_URL" (include "kalshi-platform.natsUrl" .)
  "KALSHI_REST_URL" (include "kalshi-platform.executionRestUrl" .)
  "KALSHI_WS_URL" (include "kalshi-platform.executionWsUrl" .)
  "EXECUTION_MODE" $e.mode
  "EXECUTION_ROUTE" $e.route
  "KALSHI_FIX_HOST" $fixHost
  "KALSHI_FIX_PORT" (ternary $fixPort "" (gt (int $fixPort) 0))
  "EXECUTION_KINDS" $e.kinds
  "EXECUTION_TIME_IN_FORCE" $e.timeInForce
  "EXECUTION_RATE_TIER" $e.rateTier
  "EXECUTION_MAX_POSITION_CONTRACTS" $e.limits.maxPositionContracts
  "EXECUTION_MAX_EVENT_CONTRACTS" $e.limits.maxEventContracts
  "EXECUTION_MAX_OPEN_ORDERS" $e.limits.maxOpenOrders
  "EXECUTION_MAX_ORDER_DOLLARS" $e.limits.maxOrderDollars
  "EXECUTION_MAX_DAILY_LOSS_DOLLARS" $e.limits.maxDailyLossDollars
  "EXECUTION_PRICE_COLLAR_DOLLARS" $e.limits.priceCollarDollars
  "EXECUTION_MAX_SIGNAL_AGE_MS" $e.limits.maxSignalAgeMs
  "EXECUTION_BREAKER_REJECTS" $e.breaker.rejects
  "EXECUTION_BREAKER_ERRORS" $e.breaker.errors
  "EXECUTION_BREAKER_ERROR_WINDOW_MS" $e.breaker.errorWindowMs
  "EXECUTION_BREAKER_DRAWDOWN_DOLLARS" $e.breaker.drawdownDollars
  "EXECUTION_BREAKER_COOLDOWN_MS" $e.breaker.cooldownMs
  "EXECUTION_BREAKER_MAX_COOLDOWN_MS" $e.breaker.maxCooldownMs
  "EXECUTION_RECONCILE_MS" $e.reconcileMs
  "EXECUTION_RECONCILE_GRACE_MS" $e.reconcileGraceMs
  "EXECUTION_HTTP_PORT" $e.httpPort }}
{{- if not (include "kalshi-platform.hasDatabase" .) }}
{{- $_ := set $c "EXECUTION_DB_DIR" "/data/platform-db" }}
{{- end }}
{{- include "kalshi-platform.envData" (merge (deepCopy $e.env) $c) }}
{{- end }}

{{- define "kalshi-platform.config.operator" -}}
{{- include "kalshi-platform.envData" (dict
  "NATS_URL" (include "kalshi-platform.natsUrl" .)
  "HEALTH_PORT" .Values.healthPort) }}
{{- end }}
