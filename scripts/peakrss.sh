# shellcheck shell=bash
# Sourced by peers.sh and motion-ab.sh: the peak of a process tree's summed RSS, sampled every
# 50 ms with bash builtins only. The sampler it replaces ran awk and cat for every process of
# the tree at each sample; on 2 cores that took enough from the processes it measured to make
# x264 alone 5 s slower (19.9-20.5 s to 25.7-25.9 s for the motion show's frames, 2026-12-06)
# and simvid's motion render 8-10 s slower. No fork per sample here: the tree is read from
# /proc with `read`, and the 50 ms wait is a `read -t` on a pipe opened once.

# _peak_tree PID: appends PID and its descendants to the array _PEAK_TREE.
_peak_tree() {
  local t c kids
  _PEAK_TREE+=("$1")
  for t in /proc/"$1"/task/*/children; do
    kids=()
    read -r -a kids 2>/dev/null <"$t"
    for c in "${kids[@]}"; do _peak_tree "$c"; done
  done
}

# _peak_rss PID: sets _PEAK_KB to PID's VmRSS in kB (0 when it is gone).
_peak_rss() {
  local k v u
  _PEAK_KB=0
  while read -r k v u; do
    if [[ $k == VmRSS: ]]; then _PEAK_KB=$v; return; fi
  done 2>/dev/null <"/proc/$1/status"
}

# peak_rss PID [children] [PARTS_FILE]: the largest RSS summed over PID and its descendants
# (with "children": over its children's trees only, leaving out a wrapper such as
# /usr/bin/time), in MB, printed when PID ends. With PARTS_FILE, the processes of that
# largest sample ("comm MB; ...") are written there.
peak_rss() {
  local pid=$1 mode=${2:-} parts_file=${3:-} peak=0 s p t c kids parts name tick quiet
  exec {tick}< <(exec sleep 100000) # a pipe that stays silent: read -t on it waits without a fork
  quiet=$!
  while kill -0 "$pid" 2>/dev/null; do
    _PEAK_TREE=()
    if [[ $mode == children ]]; then
      for t in /proc/"$pid"/task/*/children; do
        kids=()
        read -r -a kids 2>/dev/null <"$t"
        for c in "${kids[@]}"; do _peak_tree "$c"; done
      done
    else
      _peak_tree "$pid"
    fi
    s=0 parts=""
    for p in "${_PEAK_TREE[@]}"; do
      _peak_rss "$p"
      s=$((s + _PEAK_KB))
      if [[ -n $parts_file ]]; then
        name=?
        read -r name 2>/dev/null <"/proc/$p/comm"
        parts+="$name $((_PEAK_KB / 1024)) MB; "
      fi
    done
    if ((s > peak)); then
      peak=$s
      [[ -n $parts_file ]] && echo "$parts" >"$parts_file"
    fi
    read -r -t 0.05 -u "$tick"
  done
  exec {tick}<&-
  kill "$quiet" 2>/dev/null
  echo $((peak / 1024))
}
