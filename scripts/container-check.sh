#!/usr/bin/env bash
# Performs the Containerfile's steps on this host, for machines where no
# container engine can run (nested or rootless containers unavailable):
#
#   1. build stage:   the release binary (or TEAMPANEL_BIN, an existing one)
#   2. runtime stage: a root with only /usr/local/bin/teampanel and /data (0700)
#   3. USER:          run as an unprivileged system user (when started as root)
#   4. ENV / CMD:     TEAMPANEL_BIND=0.0.0.0:$PORT TEAMPANEL_DATA_DIR=/data, `teampanel serve`
#   5. HEALTHCHECK:   curl --fail http://127.0.0.1:$PORT/healthz, with a start period
#
# and then checks what the image promises: the process is not root, the
# data dir holds the database and a 0600 master key, and a backup of the
# running panel passes its checks.
#
#   scripts/container-check.sh                          # release build, port 8080
#   TEAMPANEL_BIN=target/debug/teampanel PORT=18080 scripts/container-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8080}"
RUN_USER="${RUN_USER:-teampanel}"

# ---- 1. build stage --------------------------------------------------------
if [[ -n "${TEAMPANEL_BIN:-}" ]]; then
  bin="$TEAMPANEL_BIN"
else
  cargo build --release --locked --bin teampanel
  bin=target/release/teampanel
fi
[[ -x "$bin" ]] || { echo "container-check: no binary at $bin" >&2; exit 1; }

# ---- 2. runtime layout -----------------------------------------------------
root="$(mktemp -d)"
chmod 0755 "$root"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$root"
}
trap cleanup EXIT
install -D -m 0755 "$bin" "$root/usr/local/bin/teampanel"
mkdir -p "$root/data"
chmod 0700 "$root/data"

# ---- 3. the unprivileged user ----------------------------------------------
as_user=()
if [[ "$(id -u)" == 0 ]]; then
  if ! id "$RUN_USER" >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER"
  fi
  chown "$RUN_USER:" "$root/data"
  as_user=(runuser -u "$RUN_USER" --)
fi

# ---- 4. the container's environment and command -----------------------------
log="$root/panel.log"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  TEAMPANEL_BIND="0.0.0.0:$PORT" TEAMPANEL_DATA_DIR="$root/data" TEAMPANEL_LOG_FORMAT=json \
  "${as_user[@]}" "$root/usr/local/bin/teampanel" serve >"$log" 2>&1 &
server_pid=$!

# ---- 5. the health check (start period 20 s) ------------------------------
healthy=""
for _ in $(seq 1 40); do
  if curl --fail --silent --show-error "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    healthy=yes
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [[ -z "$healthy" ]]; then
  echo "container-check: /healthz did not answer 200" >&2
  cat "$log" >&2
  exit 1
fi

# ---- what the image promises ------------------------------------------------
panel_uid="$(ps -o uid= -p "$(pgrep -P "$server_pid" teampanel || echo "$server_pid")" | tr -d ' ')"
[[ "$panel_uid" != 0 ]] || { echo "container-check: the panel runs as root" >&2; exit 1; }
[[ -f "$root/data/teampanel.db" ]] || { echo "container-check: no database in /data" >&2; exit 1; }
key_mode="$(stat -c %a "$root/data/master.key")"
[[ "$key_mode" == 600 ]] || { echo "container-check: master.key has mode $key_mode" >&2; exit 1; }
head -n 1 "$log" | grep -q '^{' || { echo "container-check: log lines are not JSON" >&2; exit 1; }
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TEAMPANEL_DATA_DIR="$root/data" \
  "${as_user[@]}" "$root/usr/local/bin/teampanel" backup --to "$root/data/check.backup" >/dev/null

echo "container-check: ok (uid $panel_uid, 0.0.0.0:$PORT, /healthz 200, /data private, backup checked)"
