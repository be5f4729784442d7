#!/usr/bin/env bash
# The motion render against the encoder's floor, A/B: the show of `make bench-peers` (the
# twelve numbered corpus pictures, 3 s each, fades of 0.5 s, --motion zoom-in
# --motion-strength 0.1) rendered by each of some simvid binaries in turn, and x264 alone (simvid's
# motion settings) on the render's frames read raw from a file, RUNS times interleaved.
# Prints wall and CPU seconds (user+sys of the whole process tree), the peak RSS summed
# over the tree, and the load average beside each: on a shared machine compare CPU seconds
# and the ratios of runs made side by side.
#
#   motion-ab.sh BINARY...     env: RUNS (3), CORPUS (.bench/corpus)
set -uo pipefail
cd "$(dirname "$0")/.."
bins=("$@") corpus=${CORPUS:-.bench/corpus} runs=${RUNS:-3}
work=.bench/motion-ab
mkdir -p "$work"
scripts/corpus.sh "$corpus" >/dev/null || exit 1
pics=("$corpus"/images/[0-9][0-9].*)

. scripts/peakrss.sh # peak_rss

# timed NAME CMD...: runs CMD under /usr/bin/time (its children's CPU included) and prints
# "NAME wall W cpu C peak P MB load L"
timed() {
  local name=$1 pid peak
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  peak=$(peak_rss $pid "" "$work/peak")
  wait $pid || { echo "$name failed: $(tail -3 "$work/$name.log")"; exit 1; }
  read -r wall user sys <"$work/time"
  printf '%-16s wall %7.2f s  cpu %7.2f s  peak %4d MB  load %s  (peak: %s)\n' "$name" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$peak" "$(cut -d' ' -f1 /proc/loadavg)" "$(cat "$work/peak")"
}

show=("${pics[@]}" --audio "$corpus/music.mp3" --duration 3 --transition fade --transition-duration 0.5
      --motion zoom-in --motion-strength 0.1 --timings -o "$work/out.mp4")
x264=(-c:v libx264 -preset veryfast -x264-params sync-lookahead=0 -crf 23 -pix_fmt yuv420p -r 30 -threads "$(nproc)")

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= runs; i++)); do
  for b in "${bins[@]}"; do
    timed "$(basename "$b")" "$b" render "${show[@]}"
  done
  [ -f "$work/frames.yuv" ] ||
    ffmpeg -v error -y -i "$work/out.mp4" -map 0:v -f rawvideo -pix_fmt yuv420p "$work/frames.yuv" || exit 1
  timed floor ffmpeg -v error -y -f rawvideo -pix_fmt yuv420p -s 1920x1080 -r 30 -i "$work/frames.yuv" \
    "${x264[@]}" -f mp4 "$work/floor.mp4"
done
rm -f "$work/frames.yuv"
