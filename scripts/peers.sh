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
# The first run installs editly with the machine's own node and npm (apt's nodejs and npm
# only when there is none; apt for the canvas and gl build packages and xvfb), its canvas and
# gl built from source against that node's headers (nothing from nodejs.org or GitHub; gl
# builds ANGLE: 10 minutes or more on 2 cores). If that fails, the script still measures
# simvid and the floor and says what failed, with npm's or node-gyp's error, instead of
# editly's numbers. Each run line gives wall s, video s, frames and CPU s (user+sys, the whole
# process tree, /usr/bin/time), and the load average after it.
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
# npm_env: how npm and node-gyp are run here. node-gyp builds against this node's own
# headers (nodedir: PREFIX/include/node of the node on PATH), never downloading them from
# nodejs.org; canvas (node-pre-gyp) and gl (prebuild-install) build from source instead of
# fetching prebuilt binaries from GitHub; make runs a job per core (gl builds ANGLE).
npm_env=()
node_env() {
  local prefix
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  local h=$prefix/include/node have
  [ -f "$h/node.h" ] && [ -f "$h/common.gypi" ] ||
    { editly_err="node's headers are not under $h (node.h, common.gypi): node-gyp would download them from nodejs.org"; return 1; }
  have=v$(awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/{v = v (v == "" ? "" : ".") $3} END{print v}' "$h/node_version.h")
  [ "$have" = "$(node -v)" ] ||
    { editly_err="the headers in $h are node $have, the node on PATH is $(node -v): canvas and gl would not load"; return 1; }
  npm_env=(env npm_config_nodedir="$prefix" npm_config_build_from_source=true JOBS="$(nproc)")
}

# npm_error LOG: the first lines of LOG that say what failed: the compiler's, node-gyp's, npm's.
npm_error() {
  { grep -m2 -E '(fatal )?error: ' "$1"; grep -m3 'gyp ERR!' "$1"; grep -m3 -E '^npm (error|ERR!)' "$1"; } |
    sed 's/^ *//' | awk 'NR > 1 {printf " | "} {printf "%s", $0}'
}

# install_editly: editly 0.14.2 under $peers with this machine's node and npm (apt's nodejs
# and npm only when there is no node or npm: Debian's npm cannot be installed beside a
# NodeSource nodejs, "held broken packages"), its canvas and gl built from source.
install_editly() {
  local apt=(build-essential libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev libxi-dev
             libglu1-mesa-dev libglew-dev pkg-config python3 xvfb libgl1-mesa-dri)
  command -v node >/dev/null || apt+=(nodejs)
  command -v npm >/dev/null || apt+=(npm)
  scripts/install-deps.sh "${apt[@]}" >&2 ||
    { editly_err="scripts/install-deps.sh ${apt[*]} failed (apt-get, above)"; return 1; }
  node_env || return 1
  loads() { (cd $peers && node -e "require('canvas'); require('gl')") 2>>$peers/npm-rebuild.log; }
  [ -f $peers/.built ] && loads && return 0
  log "installing editly 0.14.2 in $peers with node $(node -v), npm $(npm -v), headers ${npm_env[1]#*=}/include/node (canvas and gl from source; gl builds ANGLE: 10 minutes or more on 2 cores)"
  # allowScripts: npm 11 runs a dependency's install scripts only when the project allows them
  # (or warns and runs them, by version); canvas and gl are built by theirs.
  [ -f $peers/package.json ] ||
    printf '{"name": "peers", "private": true, "allowScripts": {"canvas": true, "gl": true}}\n' >$peers/package.json
  local t0=$SECONDS
  ( cd $peers && "${npm_env[@]}" npm install editly@0.14.2 --foreground-scripts >npm-install.log 2>&1 ) ||
    { editly_err="npm install editly@0.14.2 failed: $(npm_error $peers/npm-install.log) (all of it in $peers/npm-install.log)"; return 1; }
  log "npm install took $((SECONDS - t0)) s"
  if ! loads; then
    # an npm that skipped the install scripts: build the two modules now
    ( cd $peers && "${npm_env[@]}" npm rebuild canvas gl --foreground-scripts >npm-rebuild.log 2>&1 ) ||
      { editly_err="npm rebuild canvas gl failed: $(npm_error $peers/npm-rebuild.log) (all of it in $peers/npm-rebuild.log)"; return 1; }
    loads || { editly_err="editly's canvas or gl module does not load after the rebuild: $(tail -3 $peers/npm-rebuild.log | tr '\n' ' ')"; return 1; }
  fi
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

. scripts/peakrss.sh # peak_rss PID [children]

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}'; }
duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
frames() { ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }
cpu() { awk '{printf "%.2f", $2+$3}' "$1"; } # user+sys from /usr/bin/time -f "%e %U %S"

# simvid's encoder for a moving slide: render.EncoderFor("standard") with its motion tuning
# (render.Encoder.MotionArgs), one x264 with a thread per core (engine.motionEncoder).
x264_args=(-c:v libx264 -preset veryfast -x264-params sync-lookahead=0 -crf 23 -pix_fmt yuv420p -r 30 -threads "$(nproc)")

run_editly() {
  local t0 t1
  rm -f "$work/editly.mp4"
  t0=$(now)
  (cd $peers && /usr/bin/time -f "%e %U %S" -o run/editly.time xvfb-run -a node node_modules/editly/cli.js \
    --json "$(realpath run/spec.json5)" --out "$(realpath run)/editly.mp4" >run/editly.log 2>&1) ||
    { echo "failed"; return; }
  t1=$(now)
  echo "$(secs "$t0" "$t1") $(duration "$work/editly.mp4") $(frames "$work/editly.mp4") $(cpu "$work/editly.time")"
}

run_simvid() {
  local t0 t1 pid peak made
  rm -f "$work/simvid.mp4"
  t0=$(now)
  /usr/bin/time -f "%e %U %S" -o "$work/simvid.time" "$bin" render "${pics[@]}" --audio "$corpus/music.mp3" --duration 3 --transition fade \
    --transition-duration 0.5 --motion zoom-in --motion-strength 0.1 -o "$work/simvid.mp4" \
    >"$work/simvid.log" 2>&1 &
  pid=$!
  peak=$(peak_rss $pid children)
  wait $pid || { echo "failed"; return; }
  t1=$(now)
  # "made in N s": the render itself, after the pictures were read in
  made=$(grep -o 'made in [0-9.]*' "$work/simvid.log" | awk '{print $3}')
  echo "$(secs "$t0" "$t1") $(duration "$work/simvid.mp4") $peak ${made:-0} $(frames "$work/simvid.mp4") $(cpu "$work/simvid.time")"
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
    echo "run $i editly: ${E[i]} (wall s, video s, frames, CPU s)"
    [ "${E[i]}" = failed ] && editly_err="editly's render failed (see $work/editly.log: $(tail -1 "$work/editly.log"))"
    # a real video: about 30 frames a second of it (editly's is 30.5 s, its fades overlapped)
    [ -z "$editly_err" ] && ! awk '{exit !($2 > 20 && $3 >= 29 * $2)}' <<<"${E[i]}" &&
      editly_err="editly's video is not the show: ${E[i]} (wall s, video s, frames, CPU s)"
  fi
  S[i]=$(run_simvid)
  echo "run $i simvid: ${S[i]} (wall s, video s, peak RSS MB, render s after reading the pictures, frames, CPU s)"
  [ "${S[i]}" = failed ] && { log "simvid failed: $(tail -3 "$work/simvid.log")"; exit 1; }
  F[i]=$(run_floor)
  echo "run $i x264 floor: ${F[i]} (wall s, video s)"
  echo "  load after run $i: $(cut -d' ' -f1-3 /proc/loadavg)"
done
rm -f "$work/frames.yuv"

# per video second, then the median over the runs
pvs() { awk '{ if ($2 > 0) printf "%.3f", $1/$2; else print "nan" }' <<<"$1"; }
median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) printf "%.3f", v[(NR+1)/2]; else printf "%.3f", (v[NR/2]+v[NR/2+1])/2 }'; }
range() { sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%s-%s", lo, hi}'; }
sv=() ev=() fv=() made=() peaks=() rf=() rm=() re=() sc=() ec=() rc=()
for ((i = 1; i <= runs; i++)); do
  read -r sw sd sp smade _ scpu <<<"${S[i]}"
  sc+=("$(pvs "$scpu $sd")")
  read -r fw fd <<<"${F[i]}"
  sv+=("$(pvs "$sw $sd")") fv+=("$(pvs "$fw $fd")") peaks+=("$sp")
  made+=("$(awk -v m="$smade" -v d="$sd" 'BEGIN{printf "%.3f", m/d}')")
  rf+=("$(awk -v s="$sw" -v f="$fw" 'BEGIN{printf "%.3f", s/f}')")
  rm+=("$(awk -v s="$smade" -v f="$fw" 'BEGIN{printf "%.3f", s/f}')")
  if [ -z "$editly_err" ]; then
    read -r ew ed _ ecpu <<<"${E[i]}"
    ev+=("$(pvs "$ew $ed")") ec+=("$(pvs "$ecpu $ed")")
    re+=("$(awk -v s="${sv[-1]}" -v e="${ev[-1]}" 'BEGIN{printf "%.3f", s/e}')")
    rc+=("$(awk -v s="${sc[-1]}" -v e="${ec[-1]}" 'BEGIN{printf "%.3f", s/e}')")
  fi
done
show() { printf '%s\n' "$@" | median; printf ' (range '; printf '%s\n' "$@" | range; printf ')'; }
# verdict LIMIT VALUE...: whether the median of the values is within LIMIT
verdict() { local l=$1; shift; printf '%s\n' "$@" | median | awk -v l="$l" '{print ($1 <= l ? "met" : "NOT met")}'; }
echo
echo "seconds of rendering per second of video, median of $runs (range):"
echo "  simvid render (whole command):      $(show "${sv[@]}")"
echo "  simvid render (after reading):      $(show "${made[@]}")"
echo "  x264 alone on simvid's frames:      $(show "${fv[@]}")"
[ -z "$editly_err" ] && echo "  editly 0.14.2:                      $(show "${ev[@]}")"
echo "CPU seconds (user+sys, whole process tree) per second of video:"
echo "  simvid render:                      $(show "${sc[@]}")"
[ -z "$editly_err" ] && echo "  editly 0.14.2:                      $(show "${ec[@]}")"
echo "simvid peak RSS summed over its process tree, MB: $(show "${peaks[@]}")"
echo
echo "targets:"
if [ -z "$editly_err" ]; then
  echo "  simvid <= 0.1x editly per video second:  $(show "${re[@]}"): $(verdict 0.1 "${re[@]}") (in CPU s: $(show "${rc[@]}"))"
else
  echo "  simvid <= 0.1x editly per video second:  NOT MEASURED: $editly_err"
fi
echo "  simvid motion render <= 1.3x the x264 floor: whole command $(show "${rf[@]}"); after reading the pictures $(show "${rm[@]}"): $(verdict 1.3 "${rf[@]}")"
echo "  peak RSS of a motion render <= 300 MB:       $(show "${peaks[@]}"): $(verdict 300 "${peaks[@]}")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
