-- docker-compose.yml: runs once, when the postgres-data volume is first initialised (the image's
-- /docker-entrypoint-initdb.d). POSTGRES_DB creates `kalshi` (the platform's relational store, schema `platform`,
-- changed only by `kalshi-platform migrate up`); the mock exchange keeps its venue state in a database of its own.
CREATE DATABASE kalshi_mock;
