#!/usr/bin/env bash
# `make bench-peers`: simvid beside editly (../shared/bench/PEERS.md) and beside x264 alone.
#
# Renders the reference show (the twelve numbered pictures of corpus.sh, 3 s each, fades of
# 0.5 s, its music) with a slow zoom on every picture, in turn in one run:
#   editly 0.14.2   zoomDirection 'in', zoomAmount 0.1 (installed under .bench/peers, run
#                   under xvfb-run; its canvas cannot read WebP: those pictures go as PNG)
#   simvid render   --motion zoom-in --motion-strength 0.1 (peak RSS summed over its tree)
#   x264 alone      simvid's motion encoder settings on the frames of simvid's video, dumped
#                   once as raw yuv420p to a file: the encoder's floor
# and prints seconds of rendering per second of video for each, and the targets:
#   simvid <= 0.1x editly per video second; simvid's motion render <= 1.3x the floor.
# editly overlaps its transitions (30.5 s of video), simvid does not (36 s).
#
#   peers.sh [CORPUS_DIR]     env: RUNS (3), SIMVID (a built binary; default: build tmp/simvid),
#                             SKIP_EDITLY=1 (measure simvid and the floor only)
#
# The first run installs editly: apt packages, npm, and a rebuild of its canvas and gl modules
# (gl builds ANGLE: about 8 minutes on 2 cores). If that fails, the script still measures
# simvid and the floor and says what failed instead of editly's numbers.
set -uo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-.bench/corpus}
runs=${RUNS:-3}
peers=.bench/peers
work=$peers/run
mkdir -p "$work"
log() { echo "peers: $*" >&2; }

scripts/install-deps.sh bench >&2 || exit 1
scripts/corpus.sh "$corpus" >/dev/null || exit 1

# --- editly -----------------------------------------------------------------------------
editly_err=""
install_editly() {
  local apt=(build-essential libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev libxi-dev
             libglu1-mesa-dev libglew-dev pkg-config python3 xvfb libgl1-mesa-dri nodejs npm)
  scripts/install-deps.sh "${apt[@]}" >&2 || { editly_err="apt-get install of editly's build packages failed"; return 1; }
  [ -f $peers/.built ] && return 0
  log "installing editly 0.14.2 in $peers (npm; the gl rebuild takes about 8 minutes)"
  ( cd $peers && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install editly@0.14.2 --nodedir=/usr >npm-install.log 2>&1 ) ||
    { editly_err="npm install editly@0.14.2 failed (see $peers/npm-install.log: $(tail -1 $peers/npm-install.log))"; return 1; }
  # Some npm 11 releases run no install scripts they have not been told to trust: then canvas
  # and gl are rebuilt (the npm 11.19 here ran them during the install, and a rebuild would
  # build ANGLE a second time).
  if ! ( cd $peers && node -e "require('canvas'); require('gl')" ) 2>/dev/null; then
    ( cd $peers && npm install-scripts approve canvas gl >>npm-install.log 2>&1 ) || true
    ( cd $peers && npm rebuild canvas gl --nodedir=/usr >npm-rebuild.log 2>&1 ) ||
      { editly_err="npm rebuild canvas gl failed (see $peers/npm-rebuild.log: $(tail -1 $peers/npm-rebuild.log))"; return 1; }
  fi
  ( cd $peers && node -e "require('canvas'); require('gl')" ) 2>>$peers/npm-rebuild.log ||
    { editly_err="editly's canvas or gl module does not load after the rebuild (see $peers/npm-rebuild.log)"; return 1; }
  touch $peers/.built
}

pics=("$corpus"/images/[0-9][0-9].*)
editly_spec() { # writes the editly spec, with WebP pictures converted to PNG
  local clips="" p q
  mkdir -p "$work/png"
  for p in "${pics[@]}"; do
    q=$(realpath "$p")
    if [[ $p == *.webp ]]; then
      q=$(realpath "$work/png")/$(basename "${p%.webp}").png
      [ -f "$q" ] || ffmpeg -v error -y -i "$p" "$q" || return 1
    fi
    clips+="{layers: [{type: 'image', path: '$q', zoomDirection: 'in', zoomAmount: 0.1, resizeMode: 'contain'}]},"
  done
  cat >"$work/spec.json5" <<EOF
{width: 1920, height: 1080, fps: 30, audioFilePath: '$(realpath "$corpus/music.mp3")',
 defaults: {duration: 3, transition: {name: 'fade', duration: 0.5}}, clips: [${clips%,}]}
EOF
}

if [ -n "${SKIP_EDITLY:-}" ]; then
  editly_err="skipped (SKIP_EDITLY is set)"
elif install_editly; then
  editly_spec || editly_err="converting the WebP pictures to PNG failed"
fi
[ -n "$editly_err" ] && log "editly: $editly_err"

# --- simvid -----------------------------------------------------------------------------
bin=${SIMVID:-tmp/simvid}
if [ -z "${SIMVID:-}" ]; then
  log "building $bin"
  CGO_ENABLED=0 go build -trimpath -o "$bin" . || exit 1
fi

# peak_rss PID: the largest RSS summed over PID and its descendants, sampled every 50 ms
# until PID exits, in MB (on stdout).
peak_rss() {
  local pid=$1 peak=0 s p r
  tree() { echo "$1"; local c; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do tree "$c"; done; }
  while kill -0 "$pid" 2>/dev/null; do
    s=0
    for p in $(tree "$pid"); do
      r=$(awk '/^VmRSS/{print $2}' /proc/"$p"/status 2>/dev/null)
      s=$((s + ${r:-0}))
    done
    ((s > peak)) && peak=$s
    sleep 0.05
  done
  echo $((peak / 1024))
}

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }

# simvid's encoder for a moving slide: render.EncoderFor("standard") with its motion tuning
# (render.Encoder.MotionArgs), one x264 with a thread per core (engine.motionEncoder).
x264_args=(-c:v libx264 -preset veryfast -x264-params sync-lookahead=0 -crf 23 -pix_fmt yuv420p -r 30 -threads "$(nproc)")

run_editly() {
  local t0 t1
  rm -f "$work/editly.mp4"
  t0=$(now)
  (cd $peers && xvfb-run -a node node_modules/editly/cli.js --json "$(realpath run/spec.json5)" \
    --out "$(realpath run)/editly.mp4" >run/editly.log 2>&1) || { echo "failed"; return; }
  t1=$(now)
  echo "$(secs "$t0" "$t1") $(duration "$work/editly.mp4")"
}

run_simvid() {
  local t0 t1 pid peak made
  rm -f "$work/simvid.mp4"
  t0=$(now)
  "$bin" render "${pics[@]}" --audio "$corpus/music.mp3" --duration 3 --transition fade \
    --transition-duration 0.5 --motion zoom-in --motion-strength 0.1 -o "$work/simvid.mp4" \
    >"$work/simvid.log" 2>&1 &
  pid=$!
  peak=$(peak_rss $pid)
  wait $pid || { echo "failed"; return; }
  t1=$(now)
  # "made in N s": the render itself, after the pictures were read in
  made=$(grep -o 'made in [0-9.]*' "$work/simvid.log" | awk '{print $3}')
  echo "$(secs "$t0" "$t1") $(duration "$work/simvid.mp4") $peak ${made:-0}"
}

run_floor() {
  local t0 t1
  if [ ! -f "$work/frames.yuv" ]; then
    ffmpeg -v error -y -i "$work/simvid.mp4" -map 0:v -f rawvideo -pix_fmt yuv420p "$work/frames.yuv" || { echo "failed"; return; }
  fi
  t0=$(now)
  ffmpeg -v error -y -f rawvideo -pix_fmt yuv420p -s 1920x1080 -r 30 -i "$work/frames.yuv" \
    "${x264_args[@]}" -f mp4 "$work/floor.mp4" || { echo "failed"; return; }
  t1=$(now)
  echo "$(secs "$t0" "$t1") $(duration "$work/floor.mp4")"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -a E S F
for ((i = 1; i <= runs; i++)); do
  if [ -z "$editly_err" ]; then
    E[i]=$(run_editly)
    echo "run $i editly: ${E[i]} (wall s, video s)"
    [ "${E[i]}" = failed ] && editly_err="editly's render failed (see $work/editly.log: $(tail -1 "$work/editly.log"))"
  fi
  S[i]=$(run_simvid)
  echo "run $i simvid: ${S[i]} (wall s, video s, peak RSS MB, render s after reading the pictures)"
  [ "${S[i]}" = failed ] && { log "simvid failed: $(tail -3 "$work/simvid.log")"; exit 1; }
  F[i]=$(run_floor)
  echo "run $i x264 floor: ${F[i]} (wall s, video s)"
  echo "  load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
rm -f "$work/frames.yuv"

# per video second, then the median over the runs
pvs() { awk '{ if ($2 > 0) printf "%.3f", $1/$2; else print "nan" }' <<<"$1"; }
median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) printf "%.3f", v[(NR+1)/2]; else printf "%.3f", (v[NR/2]+v[NR/2+1])/2 }'; }
range() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%s-%s", lo, hi}'; }
sv=() ev=() fv=() made=() peaks=() rf=() rm=() re=()
for ((i = 1; i <= runs; i++)); do
  read -r sw sd sp smade <<<"${S[i]}"
  read -r fw fd <<<"${F[i]}"
  sv+=("$(pvs "$sw $sd")") fv+=("$(pvs "$fw $fd")") peaks+=("$sp")
  made+=("$(awk -v m="$smade" -v d="$sd" 'BEGIN{printf "%.3f", m/d}')")
  rf+=("$(awk -v s="$sw" -v f="$fw" 'BEGIN{printf "%.3f", s/f}')")
  rm+=("$(awk -v s="$smade" -v f="$fw" 'BEGIN{printf "%.3f", s/f}')")
  if [ -z "$editly_err" ]; then
    ev+=("$(pvs "${E[i]}")")
    re+=("$(awk -v s="${sv[-1]}" -v e="${ev[-1]}" 'BEGIN{printf "%.3f", s/e}')")
  fi
done
show() { printf '%s\n' "$@" | median; printf ' (range '; printf '%s\n' "$@" | range; printf ')'; }
echo
echo "seconds of rendering per second of video, median of $runs (range):"
echo "  simvid render (whole command):      $(show "${sv[@]}")"
echo "  simvid render (after reading):      $(show "${made[@]}")"
echo "  x264 alone on simvid's frames:      $(show "${fv[@]}")"
[ -z "$editly_err" ] && echo "  editly 0.14.2:                      $(show "${ev[@]}")"
echo "simvid peak RSS summed over its process tree, MB: $(show "${peaks[@]}")"
echo
echo "targets:"
if [ -z "$editly_err" ]; then
  echo "  simvid <= 0.1x editly per video second:  $(show "${re[@]}")"
else
  echo "  simvid <= 0.1x editly per video second:  NOT MEASURED: $editly_err"
fi
echo "  simvid motion render <= 1.3x the x264 floor: whole command $(show "${rf[@]}"); after reading the pictures $(show "${rm[@]}")"
echo "  peak RSS of a motion render <= 300 MB:       $(show "${peaks[@]}")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
