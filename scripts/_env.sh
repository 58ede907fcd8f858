# shellcheck shell=bash
# Shared by the scripts in this folder: where the Python 3.14 environment lives and how to run in it.
#
# Home Assistant 2026.x needs Python >= 3.14.2. Three ways to get one, tried in this order:
#   1. a python3.14 on PATH (>= 3.14.2)            -> venv in .venv/
#   2. a Python 3.14 that `uv` already manages      -> venv in .venv/
#   3. a Debian host without one (Debian 12 here)   -> a Debian sid sysroot in .sysroot/ made with
#      debootstrap, entered with unshare + chroot; its venv is .sysroot/opt/venv.
# SMSMOBILEAPI_ENV=sysroot forces the third way.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SYSROOT="$ROOT/.sysroot"
MIN_PY="3.14.2"

_py_ok() {
  # $1: interpreter; true when it is at least MIN_PY
  "$1" -c 'import sys; raise SystemExit(sys.version_info < (3, 14, 2))' 2>/dev/null
}

env_kind() {
  if [ -f "$ROOT/.venv/.kind" ]; then cat "$ROOT/.venv/.kind"; return; fi
  if [ -f "$SYSROOT/.ready" ]; then echo sysroot; return; fi
  echo none
}

# Run a command inside the project environment, from the repository root.
in_env() {
  (exec_in_env "$@")
}

# Replace the current shell by a command inside the project environment (scripts/develop uses it
# so that a signal sent to the script reaches the Python process itself).
exec_in_env() {
  case "$(env_kind)" in
    native)
      cd "$ROOT" || return 1
      exec env PATH="$ROOT/.${SMSMOBILEAPI_VENV:-venv}/bin:$PATH" \
        VIRTUAL_ENV="$ROOT/.${SMSMOBILEAPI_VENV:-venv}" "$@"
      ;;
    sysroot)
      exec unshare --mount --propagation private -- /bin/sh -c '
        set -e
        R="$1"; S="$2"; V="$3"; shift 3
        # /tmp first: the repository may itself live under /tmp and must not be hidden by it.
        mount -t proc proc "$S/proc"
        mount --rbind /dev "$S/dev"
        mount -t tmpfs tmpfs "$S/tmp"
        mkdir -p "$S$R"
        mount --bind "$R" "$S$R"
        if [ -d "$R/../shared" ]; then
          mkdir -p "$S$R/../shared" && mount --bind "$R/../shared" "$S$R/../shared"
        fi
        cp /etc/resolv.conf "$S/etc/resolv.conf" 2>/dev/null || true
        exec chroot "$S" /usr/bin/env -i \
          HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
          PATH="$V/bin:/usr/local/bin:/usr/bin:/bin" VIRTUAL_ENV="$V" \
          PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
          SMSMOBILEAPI_API_KEY="${SMSMOBILEAPI_API_KEY:-}" \
          SMSMOBILEAPI_BASE_URL="${SMSMOBILEAPI_BASE_URL:-}" \
          SIMULATOR_PORT="${SIMULATOR_PORT:-}" HA_PORT="${HA_PORT:-}" \
          CALLR_SIMULATOR_PORT="${CALLR_SIMULATOR_PORT:-}" SMSMOBILEAPI_CALLR="${SMSMOBILEAPI_CALLR:-}" \
          /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$R" "$@"
      ' sh "$ROOT" "$SYSROOT" "/opt/${SMSMOBILEAPI_VENV:-venv}" "$@"
      ;;
    *)
      echo "No Python environment yet: run scripts/setup" >&2
      return 1
      ;;
  esac
}

requirements_stamp() {
  cat "$ROOT"/requirements_*.txt | sha256sum | cut -c1-16
}

# Make sure the environment exists and has the project's requirements; quiet when it is ready.
ensure_env() {
  local stamp
  stamp="$(requirements_stamp)"
  if [ "$(env_kind)" != none ] && [ "$(cat "$ROOT/.env-stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  "$ROOT/scripts/setup"
}
