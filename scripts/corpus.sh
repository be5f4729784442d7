#!/usr/bin/env bash
# simvid's copy of the benchmark specification in ../shared/bench/corpus.sh (keep the two
# behaviourally identical: same pictures, same order, same ffmpeg arguments).
#
# Builds the reference benchmark corpus: real photographs and artwork that ship in Debian's
# wallpaper packages (3640-4096 px JPEG, PNG and WebP), two phone-style JPEGs whose pixels
# are stored sideways with an EXIF Orientation tag, and a 40 s music track.
#
#   corpus.sh [DIR]      (default: .bench/corpus under the current directory)
#
# Installs what it needs with apt-get when missing. Idempotent; prints DIR on success.
set -euo pipefail
dir=${1:-.bench/corpus}
mkdir -p "$dir/images"
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v exiftool >/dev/null || need+=(libimage-exiftool-perl)
[ -d /usr/share/backgrounds/gnome ] || need+=(gnome-backgrounds)
[ -f /usr/share/backgrounds/the-mouse.jpg ] || need+=(ukui-wallpapers)
if [ ${#need[@]} -gt 0 ]; then
  echo "corpus: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
src=/usr/share/backgrounds
# twelve fixed pictures, mixed formats, in a fixed order
list=(calla.png fluent-color.png string.jpg rollpaper.png city.png gnome/pixels-l.webp
      gnome/wood-d.webp gnome/adwaita-l.webp gnome/truchet-l.webp 2004default.jpg
      the-mouse.jpg rhythm.jpg)
i=0
for f in "${list[@]}"; do
  i=$((i+1))
  out=$(printf '%s/images/%02d.%s' "$dir" "$i" "${f##*.}")
  [ -f "$out" ] || cp "$src/$f" "$out"
done
# phone-style: pixels stored rotated, EXIF says how to turn them upright
if [ ! -f "$dir/images/13-orient6.jpg" ]; then
  ffmpeg -v error -y -i "$src/firstgeneration.jpg" -vf "transpose=2,scale=3024:-2" -q:v 3 "$dir/images/13-orient6.jpg"
  exiftool -q -overwrite_original -Orientation=6 -n "$dir/images/13-orient6.jpg"
  ffmpeg -v error -y -i "$src/rhythm.jpg" -vf "transpose=1,scale=3024:-2" -q:v 3 "$dir/images/14-orient8.jpg"
  exiftool -q -overwrite_original -Orientation=8 -n "$dir/images/14-orient8.jpg"
fi
if [ ! -f "$dir/music.mp3" ]; then
  ffmpeg -v error -y -f lavfi -i "sine=frequency=220:duration=40" -f lavfi -i "sine=frequency=330:duration=40" \
    -f lavfi -i "anoisesrc=d=40:c=pink:a=0.05" -filter_complex "amix=inputs=3,volume=2" \
    -c:a libmp3lame -b:a 192k "$dir/music.mp3"
fi
echo "$dir"
