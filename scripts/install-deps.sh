#!/usr/bin/env bash
# Installs, with Debian's apt-get, the system tools simvid needs and this machine lacks.
# Idempotent: a tool already present is left alone, and `apt-get update` runs only when
# something has to be installed. Works as root on a fresh Debian 12 (sudo otherwise).
#
#   install-deps.sh [runtime|test|bench|all] [PACKAGE...]
#
#   runtime  ffmpeg (ffprobe comes with it): what `simvid all` needs      (the default)
#   test     everything the test suite drives for real: ffmpeg redis-server (its binary
#            also runs the sentinels of the failover tests: redis-server FILE --sentinel) chromium
#            chromium-driver libimage-exiftool-perl postgresql nginx yt-dlp, and
#            fonts-liberation (chromium recommends it: pages render text in screenshots),
#            and versitygw (the S3-compatible server the object-store tests start; a Go
#            module, so `go install`ed into $(go env GOPATH)/bin, not taken from apt)
#   bench    ffmpeg libimage-exiftool-perl (corpus.sh adds the wallpaper packages)
#   all      the same as test
#
# Any other argument is taken as a Debian package name from the list above (or any package,
# checked with dpkg). Prints what it installs, or that nothing was missing.
set -euo pipefail

# gobin: where `go install` puts binaries (often not on PATH; testutil looks there too).
gobin() {
  local d
  d=$(go env GOBIN 2>/dev/null) || true
  [ -n "$d" ] || d="$(go env GOPATH 2>/dev/null | cut -d: -f1)/bin"
  echo "$d"
}

# present PACKAGE: succeeds when what the package provides is already on this machine.
present() {
  case $1 in
    ffmpeg) command -v ffmpeg && command -v ffprobe ;;
    redis-server) command -v redis-server ;;
    chromium) command -v chromium || command -v chromium-browser ;;
    chromium-driver) command -v chromedriver ;;
    libimage-exiftool-perl) command -v exiftool ;;
    postgresql) [ -x /usr/lib/postgresql/15/bin/postgres ] && [ -x /usr/lib/postgresql/15/bin/initdb ] ;;
    nginx) command -v nginx || [ -x /usr/sbin/nginx ] ;;
    yt-dlp) command -v yt-dlp ;;
    versitygw) command -v versitygw || [ -x "$(gobin)/versitygw" ] ;;
    *) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' ;;
  esac >/dev/null 2>&1
}

runtime=(ffmpeg)
testing=(ffmpeg redis-server chromium chromium-driver libimage-exiftool-perl postgresql nginx yt-dlp
         fonts-liberation versitygw)
bench=(ffmpeg libimage-exiftool-perl)

wanted=()
[ $# -eq 0 ] && set -- runtime
for arg in "$@"; do
  case $arg in
    runtime) wanted+=("${runtime[@]}") ;;
    test | all) wanted+=("${testing[@]}") ;;
    bench) wanted+=("${bench[@]}") ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
    *) wanted+=("$arg") ;;
  esac
done

# Go modules installed with `go install` at a pinned version, not with apt.
declare -A gomods=([versitygw]=github.com/versity/versitygw/cmd/versitygw@v1.8.0)

missing=() goinstalled=()
for p in "${wanted[@]}"; do
  present "$p" && continue
  if [ -n "${gomods[$p]-}" ]; then
    command -v go >/dev/null || { echo "install-deps: need go to install $p" >&2; exit 1; }
    echo "install-deps: go install ${gomods[$p]}"
    go install "${gomods[$p]}"
    present "$p" || { echo "install-deps: $p installed but not found" >&2; exit 1; }
    goinstalled+=("$p")
    continue
  fi
  [[ " ${missing[*]-} " == *" $p "* ]] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  [ ${#goinstalled[@]} -eq 0 ] || echo "install-deps: installed ${goinstalled[*]}"
  echo "install-deps: nothing to install (have: $(printf '%s\n' "${wanted[@]}" | sort -u | tr '\n' ' '))"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
command -v apt-get >/dev/null || { echo "install-deps: no apt-get here; install by hand: ${missing[*]}" >&2; exit 1; }

# Packages such as redis-server, postgresql and nginx start a system daemon on install. The
# tests start their own on free ports, so keep apt from starting any (the usual container
# policy-rc.d), unless the machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# installed for the time of simvid install-deps.sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
for p in "${missing[@]}"; do
  present "$p" || { echo "install-deps: $p installed but its tools are still not found" >&2; exit 1; }
done
echo "install-deps: installed ${missing[*]}"
