#!/usr/bin/env bash
# The native twin of deploy/compose: Prometheus and Alertmanager from locally installed binaries
# (Debian: apt-get install prometheus prometheus-alertmanager), with deploy/'s configuration and
# alert rules, against a Book Creator `serve` that is already running. No Docker, no Grafana.
#
#   deploy/local/stack.sh up [SERVE_URL]     # default $BOOK_CREATOR_URL or http://127.0.0.1:8080
#   deploy/local/stack.sh status
#   deploy/local/stack.sh down
#
# Options (before or after the command) and their environment variables:
#   --state-dir DIR           STACK_STATE_DIR     configs, data, logs and pid files
#                                                 (default ${XDG_STATE_HOME:-~/.local/state}/book-creator-stack)
#   --prometheus-port N       PROMETHEUS_PORT     default 9090
#   --alertmanager-port N     ALERTMANAGER_PORT   default 9093
#   BOOK_CREATOR_HTTP_TOKEN   when serve requires its API token, Alertmanager sends it
#   PROMETHEUS_BIN, ALERTMANAGER_BIN              binaries to use instead of those on the PATH
#
# Both listen on 127.0.0.1 only; Alertmanager's cluster port is off. Prometheus scrapes serve's
# /metrics (job book-creator), itself and Alertmanager, evaluates deploy/prometheus/rules and sends
# alerts to Alertmanager, which posts them to serve's POST /api/alertmanager. `down` stops exactly
# the processes `up` started (pid files in the state directory, checked against their command line).
# Exit codes: 0 done (status: both running), 1 failed, 2 usage or missing binaries, 3 status: not
# (all) running.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEPLOY="$(cd "$HERE/.." && pwd)"
PROG="stack.sh"
COMPONENTS=(prometheus alertmanager)

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

die() {
  echo "$PROG: $*" >&2
  exit 1
}

command=""
SERVE_URL="${BOOK_CREATOR_URL:-http://127.0.0.1:8080}"
STATE_DIR="${STACK_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/book-creator-stack}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
while (($#)); do
  case "$1" in
    up | down | status) command="$1"; shift ;;
    --state-dir) STATE_DIR="${2:?--state-dir needs a directory}"; shift 2 ;;
    --state-dir=*) STATE_DIR="${1#*=}"; shift ;;
    --prometheus-port) PROMETHEUS_PORT="${2:?--prometheus-port needs a port}"; shift 2 ;;
    --prometheus-port=*) PROMETHEUS_PORT="${1#*=}"; shift ;;
    --alertmanager-port) ALERTMANAGER_PORT="${2:?--alertmanager-port needs a port}"; shift 2 ;;
    --alertmanager-port=*) ALERTMANAGER_PORT="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    http://* | https://*) SERVE_URL="$1"; shift ;;
    *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -n "$command" ]] || { usage >&2; exit 2; }
for port in "$PROMETHEUS_PORT" "$ALERTMANAGER_PORT"; do
  [[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || { echo "$PROG: port '$port' is not a port number (1..65535)" >&2; exit 2; }
done
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"

pid_of() { cat "$STATE_DIR/$1.pid" 2>/dev/null || true; }

# The process is alive and is the one `up` started: its command line names this state directory.
ours() {
  local pid="$1" args
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    args="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  else
    args="$(ps -p "$pid" -o args= 2>/dev/null || true)"
  fi
  [[ "$args" == *"$STATE_DIR/"* ]]
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# GET /-/ready answers 200: with curl when there is one, else over bash's /dev/tcp.
ready() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/-/ready" 2>/dev/null
    return
  fi
  local line
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r -t 2 line <&3 && [[ "$line" == "HTTP/1."?" 200"* ]]
  ) 2>/dev/null
}

stop_one() {
  local name="$1" pid
  pid="$(pid_of "$name")"
  [[ -n "$pid" ]] || { echo "$name: not running (no pid file in $STATE_DIR)"; return 0; }
  if ! ours "$pid"; then
    echo "$name: not running (stale pid file for pid $pid removed)"
    rm -f "$STATE_DIR/$name.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: pid $pid ignored SIGTERM for 15 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE_DIR/$name.pid"
  echo "$name: stopped (pid $pid)"
}

down() {
  local name
  for name in alertmanager prometheus; do stop_one "$name"; done
}

status() {
  local all=0 name port pid
  [[ -f "$STATE_DIR/stack.env" ]] && source "$STATE_DIR/stack.env"
  for name in "${COMPONENTS[@]}"; do
    port="$PROMETHEUS_PORT"
    [[ "$name" == alertmanager ]] && port="$ALERTMANAGER_PORT"
    pid="$(pid_of "$name")"
    if [[ -n "$pid" ]] && ours "$pid"; then
      if ready "$port"; then state="ready"; else state="not ready yet"; fi
      echo "$name: running, pid $pid, http://127.0.0.1:$port ($state)"
    else
      echo "$name: not running"
      all=3
    fi
  done
  echo "serve: $SERVE_URL; state: $STATE_DIR"
  return "$all"
}

# The binary for a component: $VAR if set, else the first of the names on the PATH.
find_bin() {
  local override="$1" name
  shift
  if [[ -n "$override" ]]; then
    [[ -x "$override" ]] && { echo "$override"; return 0; }
    command -v "$override" 2>/dev/null && return 0
    return 1
  fi
  for name in "$@"; do command -v "$name" 2>/dev/null && return 0; done
  return 1
}

up() {
  local missing=() prometheus alertmanager
  prometheus="$(find_bin "${PROMETHEUS_BIN:-}" prometheus)" \
    || missing+=("prometheus (${PROMETHEUS_BIN:-prometheus}; Debian package prometheus)")
  alertmanager="$(find_bin "${ALERTMANAGER_BIN:-}" prometheus-alertmanager alertmanager)" \
    || missing+=("alertmanager (${ALERTMANAGER_BIN:-prometheus-alertmanager or alertmanager}; Debian package prometheus-alertmanager)")
  if ((${#missing[@]})); then
    echo "$PROG: did not find these binaries, so nothing was started:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "Install them (apt-get install -y prometheus prometheus-alertmanager) or point PROMETHEUS_BIN / ALERTMANAGER_BIN at them." >&2
    exit 2
  fi

  local running=0 name
  for name in "${COMPONENTS[@]}"; do ours "$(pid_of "$name")" && running=$((running + 1)); done
  if ((running == ${#COMPONENTS[@]})); then
    echo "already running in $STATE_DIR:"
    status || true
    return 0
  elif ((running > 0)); then
    die "partly running in $STATE_DIR; run '$0 down --state-dir $STATE_DIR' first"
  fi

  [[ "$SERVE_URL" =~ ^(https?)://([^/:]+)(:([0-9]+))?/?$ ]] \
    || die "serve URL '$SERVE_URL' is not http(s)://HOST[:PORT] (a path is not supported)"
  local scheme="${BASH_REMATCH[1]}" host="${BASH_REMATCH[2]}" port="${BASH_REMATCH[4]}"
  [[ -n "$port" ]] || { port=80; [[ "$scheme" == https ]] && port=443; }
  SERVE_URL="$scheme://$host:$port"
  local target="$host:$port"

  for name in "${COMPONENTS[@]}"; do
    local p="$PROMETHEUS_PORT"
    [[ "$name" == alertmanager ]] && p="$ALERTMANAGER_PORT"
    listening "$p" && die "127.0.0.1:$p is already in use; choose another port (--$name-port or ${name^^}_PORT)"
  done

  mkdir -p "$STATE_DIR/prometheus-data" "$STATE_DIR/alertmanager-data"
  # deploy/prometheus/prometheus.yml with the compose discovery of Book Creator's processes replaced
  # by this serve as a static target, the other compose service names by local addresses and the
  # repository's rule files by absolute path.
  sed -e "/^    # compose discovery: begin/,/^    # compose discovery: end/c\\
    static_configs:\\
      - targets: ['$target']\\
        labels:\\
          role: all" \
    -e "s|targets: \[alertmanager:9093\]|targets: ['127.0.0.1:$ALERTMANAGER_PORT']|" \
    -e "s|targets: \[localhost:9090\]|targets: ['127.0.0.1:$PROMETHEUS_PORT']|" \
    -e "s|^  - rules/\*\.yml\$|  - '$DEPLOY/prometheus/rules/*.yml'|" \
    "$DEPLOY/prometheus/prometheus.yml" >"$STATE_DIR/prometheus.yml"
  if [[ "$scheme" == https ]]; then
    sed -i -e "s|^  - job_name: book-creator\$|&\n    scheme: https|" "$STATE_DIR/prometheus.yml"
  fi
  grep -q "targets: \['$target'\]" "$STATE_DIR/prometheus.yml" \
    && ! grep -Eq '^    dns_sd_configs|alertmanager:9093|localhost:9090|^  - rules/' "$STATE_DIR/prometheus.yml" \
    || die "deploy/prometheus/prometheus.yml no longer has the shape this script rewrites; update deploy/local/stack.sh"

  # deploy/alertmanager/alertmanager.yml posting to this serve; its token, when set, from a file
  # only the owner can read.
  sed -e "s|url: http://book-creator:8080/api/alertmanager|url: $SERVE_URL/api/alertmanager|" \
    "$DEPLOY/alertmanager/alertmanager.yml" >"$STATE_DIR/alertmanager.yml"
  if [[ -n "${BOOK_CREATOR_HTTP_TOKEN:-}" ]]; then
    (umask 077 && printf '%s' "$BOOK_CREATOR_HTTP_TOKEN" >"$STATE_DIR/book-creator-token")
    sed -i -e "s|credentials_file: /alertmanager/secrets/book-creator-token|credentials_file: $STATE_DIR/book-creator-token|" \
      "$STATE_DIR/alertmanager.yml"
  else
    sed -i -e '/^        http_config:/,/credentials_file:/d' "$STATE_DIR/alertmanager.yml"
  fi
  grep -q "url: $SERVE_URL/api/alertmanager" "$STATE_DIR/alertmanager.yml" \
    && ! grep -q '/alertmanager/secrets/' "$STATE_DIR/alertmanager.yml" \
    || die "deploy/alertmanager/alertmanager.yml no longer has the shape this script rewrites; update deploy/local/stack.sh"

  local promtool amtool
  if promtool="$(command -v promtool)"; then
    "$promtool" check config "$STATE_DIR/prometheus.yml" >"$STATE_DIR/promtool.log" 2>&1 \
      || die "promtool check config failed: $(cat "$STATE_DIR/promtool.log")"
  else
    echo "note: promtool not found (Debian package prometheus); the configuration is not checked before start"
  fi
  if amtool="$(command -v amtool)"; then
    "$amtool" check-config "$STATE_DIR/alertmanager.yml" >"$STATE_DIR/amtool.log" 2>&1 \
      || die "amtool check-config failed: $(cat "$STATE_DIR/amtool.log")"
  else
    echo "note: amtool not found (Debian package prometheus-alertmanager); the configuration is not checked before start"
  fi
  printf 'SERVE_URL=%q\nPROMETHEUS_PORT=%q\nALERTMANAGER_PORT=%q\n' \
    "$SERVE_URL" "$PROMETHEUS_PORT" "$ALERTMANAGER_PORT" >"$STATE_DIR/stack.env"

  if command -v curl >/dev/null 2>&1 && ! curl -fsS -o /dev/null --max-time 2 "$SERVE_URL/readyz" 2>/dev/null; then
    echo "note: $SERVE_URL/readyz does not answer yet; Prometheus shows the target down until serve is up"
  fi

  start alertmanager "$ALERTMANAGER_PORT" "$alertmanager" \
    --config.file="$STATE_DIR/alertmanager.yml" \
    --storage.path="$STATE_DIR/alertmanager-data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
    --cluster.listen-address=
  start prometheus "$PROMETHEUS_PORT" "$prometheus" \
    --config.file="$STATE_DIR/prometheus.yml" \
    --storage.tsdb.path="$STATE_DIR/prometheus-data" \
    --enable-feature=exemplar-storage \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
  echo "Prometheus:   http://127.0.0.1:$PROMETHEUS_PORT (targets: /targets, alerts: /alerts)"
  echo "Alertmanager: http://127.0.0.1:$ALERTMANAGER_PORT"
  echo "scraping $SERVE_URL/metrics; state, logs and pid files in $STATE_DIR; stop with: $0 down --state-dir $STATE_DIR"
}

# Starts one component detached from this shell, records its pid, and waits until it is ready;
# on failure stops everything started so far.
start() {
  local name="$1" port="$2"
  shift 2
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  nohup "${launcher[@]}" "$@" >"$STATE_DIR/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$STATE_DIR/$name.pid"
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$PROG: $name exited at start; the end of $STATE_DIR/$name.log:" >&2
      tail -n 20 "$STATE_DIR/$name.log" >&2
      rm -f "$STATE_DIR/$name.pid"
      down >/dev/null
      exit 1
    fi
    ready "$port" && { echo "$name: started, pid $pid, ready on 127.0.0.1:$port"; return 0; }
    sleep 0.1
  done
  echo "$PROG: $name not ready on 127.0.0.1:$port after 30 s; see $STATE_DIR/$name.log" >&2
  down >/dev/null
  exit 1
}

case "$command" in
  up) up ;;
  down) down ;;
  status) status ;;
esac
