#!/bin/bash
# Run by the postgres image once, when it creates the primary's data directory: lets the
# optional db-replica service (docker-compose.yml, profile "replica") stream from it, as the
# portal's own user (a superuser in this image, so it may replicate), with its password.
# A primary created before this file existed: add the same line to its pg_hba.conf and
# `SELECT pg_reload_conf();` (docs/scaling.md).
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "${PGDATA}/pg_hba.conf"
