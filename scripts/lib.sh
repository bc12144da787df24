# Shared helpers for scripts/run, scripts/test, scripts/bench and scripts/wasm-size.
# Everything the project needs is installed here, idempotently; nothing by hand.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="0.2.130"   # must equal the wasm-bindgen crate version in Cargo.lock
SQLX_CLI_VERSION="0.8.6"         # the sqlx crate version in Cargo.lock

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_tools() {
  export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
    log "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
    # no --locked: its lockfile names a crate version the registry no longer serves
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 18 minutes, once)"
    # 0.3.11's locked dependencies need rustc 1.96; no_downloads: tools come from PATH
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  if [ ! -x "$PG_BIN/initdb" ] && [ -z "${DATABASE_URL:-}" ]; then
    log "Installing PostgreSQL 15"
    as_root apt-get update -qq && as_root apt-get install -y -qq postgresql-15 >/dev/null
  fi
  if [ ! -f "$ROOT/end2end/node_modules/.package-lock.json" ] \
     || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    log "Installing end-to-end packages (npm ci: playwright, binaryen's wasm-opt)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# sqlx-cli checks the committed query data (app/.sqlx) against the migrations (scripts/test).
ensure_sqlx_cli() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! cargo sqlx --version 2>/dev/null | grep -q " $SQLX_CLI_VERSION"; then
    log "Installing sqlx-cli $SQLX_CLI_VERSION (about 5 minutes, once)"
    cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --locked --no-default-features --features postgres,rustls
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "Installing Debian's Chromium"
    as_root apt-get update -qq && as_root apt-get install -y -qq chromium >/dev/null
  fi
}

# HAProxy from Debian, for the multi-instance test (scripts/multi-instance). Only the binary is
# used: the package's own service is not needed (and not started where there is no systemd).
ensure_haproxy() {
  if ! command -v haproxy >/dev/null 2>&1; then
    log "Installing Debian's HAProxy"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  fi
}

# A real SMTP server for the e-mail tests: aiosmtpd from PyPI in a virtual environment of the
# project's own (.tools/aiosmtpd); the tests start it with its Mailbox handler and read the
# messages it stored. THRESHOLD_TEST_SMTPD names its Python for the tests.
AIOSMTPD_VERSION=1.4.6
ensure_aiosmtpd() {
  local venv="$ROOT/.tools/aiosmtpd"
  if ! "$venv/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    log "Installing aiosmtpd $AIOSMTPD_VERSION (a real SMTP server for the e-mail tests)"
    rm -rf "$venv"
    python3 -m venv "$venv" || return 1
    "$venv/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION" || return 1
  fi
  export THRESHOLD_TEST_SMTPD="$venv/bin/python"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# pg_start DIR: initialises (once) and starts a private cluster in DIR on a free port with a
# random password; sets PG_DIR and DATABASE_URL (database "threshold").
pg_start() {
  PG_DIR="$1"
  local run_as=()
  if [ "$(id -u)" = 0 ]; then
    run_as=(runuser -u postgres --)
    # As root the server runs as postgres, which must reach PG_DIR: a clone inside a private
    # directory (root's home, a `mktemp -d` folder) is out of its reach, so the cluster then
    # lives under /var/tmp, in a folder named after PG_DIR (kept between runs like .data/pg).
    mkdir -p "$(dirname "$PG_DIR")"
    if ! runuser -u postgres -- test -x "$(dirname "$PG_DIR")"; then
      PG_DIR="/var/tmp/threshold-pg-$(printf '%s' "$PG_DIR" | sha256sum | cut -c1-12)"
      log "PostgreSQL (user postgres) cannot reach $1: the cluster lives in $PG_DIR"
    fi
  fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    log "Creating a private PostgreSQL cluster in $PG_DIR"
    mkdir -p "$PG_DIR/data"
    python3 -c 'import secrets; print(secrets.token_hex(16))' > "$PG_DIR/password"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_DIR" && chmod 700 "$PG_DIR"
    "${run_as[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$PG_DIR/password" -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
    log "Reusing the running PostgreSQL cluster in $PG_DIR"
  else
    local port; port="$(free_port)"
    echo "$port" > "$PG_DIR/port.tmp" && mv "$PG_DIR/port.tmp" "$PG_DIR/port"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR/port"
    "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $PG_DIR -c max_connections=200 -c fsync=${PG_FSYNC:-on}" start >/dev/null
    PG_STARTED_HERE=1
  fi
  local port password
  port="$(cat "$PG_DIR/port")"; password="$(cat "$PG_DIR/password")"
  if ! "${run_as[@]}" psql -h "$PG_DIR" -p "$port" -U postgres -Atqc "select 1 from pg_database where datname='threshold'" postgres | grep -q 1; then
    "${run_as[@]}" psql -h "$PG_DIR" -p "$port" -U postgres -qc "create database threshold" postgres
  fi
  export DATABASE_URL="postgres://postgres:${password}@127.0.0.1:${port}/threshold"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] || return 0
  local run_as=()
  if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi
  "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
}

# The environment cargo-leptos would give the server binary.
leptos_env() {
  export LEPTOS_OUTPUT_NAME=threshold
  export LEPTOS_SITE_ROOT="$ROOT/target/site"
  export LEPTOS_SITE_PKG_DIR=pkg
  export LEPTOS_SITE_ADDR="${1:-127.0.0.1:3000}"
  export LEPTOS_RELOAD_PORT=3001
  export LEPTOS_ENV=PROD
  export LEPTOS_HASH_FILES=true   # hash.txt beside the binary names the hashed CSS/JS/WASM
}

build_release() {
  log "Building the release server and WASM (cargo leptos build --release --precompress --split)"
  # --precompress writes .br and .gz beside each asset; the server sends the smallest the
  # browser accepts instead of compressing the WASM again on every download. --split cuts the
  # lazy routes' code (app/src/lib.rs, `lazy_pages!`) out of the first download into chunks
  # fetched when the user first goes to such a page.
  (cd "$ROOT" && cargo leptos build --release --precompress --split)
}
