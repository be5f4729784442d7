#!/usr/bin/env bash
# The peer of simvid's clips bench (pkg/bench, TestBenchClips): the single ffmpeg command a
# skilled person writes by hand for the same video as reference.sh's, with three clips
# among the twelve pictures: pictures 1-4, clip A, pictures 5-8, clip B, pictures 9-12,
# clip C. Every picture decoded once and letterboxed on black; each clip trimmed (-ss before
# -i), its frames picked at 30 fps, letterboxed (ffmpeg turns a rotated clip upright itself;
# the HLG clip is tone-mapped to SDR BT.709 with zscale and Hable), its last frame held to
# fill its slide; 0.5 s crossfades centred on the cuts (xfade); the music looped, ducked
# 12 dB with 0.25 s ramps under clip A's sound, which is mixed in at its place. simvid's
# "standard" quality settings.
#
#   reference-clips.sh CORPUS_DIR CLIP_A CLIP_B CLIP_C OUT.mp4 [WIDTH HEIGHT]
#
# CLIP_A: 1080p H.264 with sound, played from 1 s to 5 s; CLIP_B: 4K HEVC 10-bit HLG,
# rotated, 0 to 3 s; CLIP_C: 720p VFR, 0.5 s to 4.5 s. Prints the wall seconds it took.
set -euo pipefail
dir=$1 A=$2 B=$3 C=$4 out=$5 W=${6:-1920} H=${7:-1080} FPS=30 D=3 T=0.5
SC="scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:black,setsar=1,format=yuv420p"
TM="zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p"
pics=("$dir"/images/[0-9][0-9].*)
# The slides in order: a picture's index, or a clip as file:in:out:hdr.
slides=(0 1 2 3 "$A:1:5:" 4 5 6 7 "$B:0:3:hlg" 8 9 10 11 "$C:0.5:4.5:")
n=${#slides[@]}
TF=$(awk -v t="$T" -v f=$FPS 'BEGIN{printf "%d", t*f+0.5}')
out_half=$((TF/2)) in_half=$((TF-TF/2))
inputs=() nin=0 fc="" cum=0 offs=() audio_at="" audio_len="" audio_in=""
for ((i=0; i<n; i++)); do
  s=${slides[$i]}
  if [[ $s =~ ^[0-9]+$ ]]; then
    df=$((D*FPS))
  else
    IFS=: read -r file cin cout hdr <<<"$s"
    df=$(awk -v a="$cin" -v b="$cout" -v f=$FPS 'BEGIN{printf "%d", (b-a)*f+0.5}')
  fi
  len=$df
  ((i > 0)) && len=$((len + out_half))
  ((i < n-1)) && len=$((len + in_half))
  k=$nin; nin=$((nin+1))
  if [[ $s =~ ^[0-9]+$ ]]; then
    inputs+=(-i "${pics[$s]}")
    fc+="[$k:v]$SC,loop=loop=$((len-1)):size=1:start=0,setpts=N/${FPS}/TB,fps=${FPS}[v$i];"
  else
    start=$(awk -v a="$cin" -v h=$out_half -v f=$FPS -v i=$i 'BEGIN{s=a-(i>0?h/f:0); if(s<0)s=0; printf "%.6f", s}')
    inputs+=(-ss "$start" -t "$(awk -v l=$len -v f=$FPS 'BEGIN{printf "%.6f", l/f}')" -i "$file")
    tm=""; [ -n "$hdr" ] && tm="$TM,"
    fc+="[$k:v]setpts=PTS-STARTPTS,fps=${FPS},${tm}$SC,tpad=stop_mode=clone:stop=-1,trim=end_frame=$len[v$i];"
    if [ "$file" = "$A" ]; then
      audio_in=$k audio_at=$cum audio_len=$df
    fi
  fi
  offs+=("$(awk -v c=$cum -v df=$df -v h=$out_half -v f=$FPS 'BEGIN{printf "%.6f", (c+df-h)/f}')")
  cum=$((cum + df))
done
prev=v0
for ((i=1; i<n; i++)); do
  fc+="[$prev][v$i]xfade=transition=fade:duration=$(awk -v t=$TF -v f=$FPS 'BEGIN{printf "%.6f", t/f}'):offset=${offs[$((i-1))]}[x$i];"
  prev=x$i
done
music=$nin
s=$(awk -v a=$audio_at -v f=$FPS 'BEGIN{printf "%.6f", a/f}')
e=$(awk -v a=$audio_at -v l=$audio_len -v f=$FPS 'BEGIN{printf "%.6f", (a+l)/f}')
delay=$(awk -v a=$audio_at -v f=$FPS 'BEGIN{printf "%d", a*48000/f}')
fc+="[$music:a]aresample=48000,volume='1-0.748811*clip(min((t-($s-0.25))/0.25,(($e+0.25)-t)/0.25),0,1)':eval=frame[m];"
fc+="[$audio_in:a]aresample=48000,asetpts=PTS-STARTPTS,atrim=start=$(awk -v h=$out_half -v f=$FPS 'BEGIN{printf "%.6f", h/f}'),asetpts=PTS-STARTPTS,adelay=delays=${delay}S:all=1[ca];"
fc+="[m][ca]amix=inputs=2:normalize=0:duration=first[a]"
start=$(date +%s.%N)
ffmpeg -v error -y "${inputs[@]}" -stream_loop -1 -i "$dir/music.mp3" -filter_complex "$fc" \
  -map "[$prev]" -map "[a]" -t "$(awk -v c=$cum -v f=$FPS 'BEGIN{printf "%.6f", c/f}')" \
  -c:v libx264 -preset veryfast -crf 23 -c:a aac -b:a 192k -movflags +faststart "$out"
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.2f\n", e-s}'
