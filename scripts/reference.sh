#!/usr/bin/env bash
# simvid's copy of the benchmark specification in ../shared/bench/reference.sh (keep the two
# behaviourally identical).
#
# The peer that simvid's render speed is measured against: the best single ffmpeg command a
# skilled person writes by hand for the reference slideshow (every picture decoded once,
# letterboxed on black, held, crossfaded with xfade, music muxed), with simvid's timing rule
# (each transition centred on the cut, the video lasts exactly the sum of the slides; with an
# odd transition frame count the outgoing slide gives the smaller half) and the output settings
# of simvid's "standard" quality.
#
#   reference.sh CORPUS_DIR OUT.mp4 [WIDTH HEIGHT SECONDS_PER_SLIDE FADE_SECONDS]
#
# Uses the twelve numbered pictures 01..12 of corpus.sh. Prints the wall seconds it took.
set -euo pipefail
dir=$1 out=$2 W=${3:-1920} H=${4:-1080} D=${5:-3} T=${6:-0.5} FPS=30
SC="scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:black,setsar=1,format=yuv420p"
pics=("$dir"/images/[0-9][0-9].*)
n=${#pics[@]}
DF=$(awk -v d="$D" -v f=$FPS 'BEGIN{printf "%d", d*f+0.5}')
TF=$(awk -v t="$T" -v f=$FPS 'BEGIN{printf "%d", t*f+0.5}')
out_half=$((TF/2)) in_half=$((TF-TF/2))
inputs=() fc=""
for ((i=0; i<n; i++)); do
  len=$DF
  ((i > 0)) && len=$((len + out_half))      # starts when the transition into it starts
  ((i < n-1)) && len=$((len + in_half))     # lasts until the transition out of it ends
  inputs+=(-i "${pics[$i]}")
  fc+="[$i:v]$SC,loop=loop=$((len-1)):size=1:start=0,setpts=N/${FPS}/TB,fps=${FPS}[v$i];"
done
prev=v0
for ((k=1; k<n; k++)); do
  off=$(awk -v k=$k -v df=$DF -v h=$out_half -v f=$FPS 'BEGIN{printf "%.6f", (k*df-h)/f}')
  fc+="[$prev][v$k]xfade=transition=fade:duration=$(awk -v t=$TF -v f=$FPS 'BEGIN{printf "%.6f", t/f}'):offset=$off[x$k];"
  prev=x$k
done
start=$(date +%s.%N)
ffmpeg -v error -y "${inputs[@]}" -stream_loop -1 -i "$dir/music.mp3" -filter_complex "${fc%;}" \
  -map "[$prev]" -map "$n:a" -t "$(awk -v n=$n -v df=$DF -v f=$FPS 'BEGIN{printf "%.6f", n*df/f}')" \
  -c:v libx264 -preset veryfast -crf 23 -c:a aac -b:a 192k -movflags +faststart "$out"
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f\n", e-s}'
