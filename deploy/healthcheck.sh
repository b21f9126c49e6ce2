#!/usr/bin/env bash
# Container health check without curl in the image: `healthcheck [PATH] [HEADER]` asks this
# container's own server (the port of BIND) for PATH (default /readyz) and succeeds on a 2xx answer.
# docker-compose.yml uses it; Kubernetes probes the HTTP routes itself.
set -euo pipefail
port="${BIND##*:}"
path="${1:-/readyz}"
extra=""
if [[ $# -ge 2 ]]; then extra="$2"$'\r\n'; fi
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n%s\r\n' "$path" "$extra" >&3
read -r -t 10 _ status _ <&3
[[ "$status" == 2[0-9][0-9] ]]
