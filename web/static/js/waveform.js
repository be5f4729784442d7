// waveform.js: draws a track's peaks as bars on a canvas, in the accent colour inside the
// chosen start..end and muted outside it, and its beats as ticks along the bottom.

/**
 * drawWaveform draws peaks (0..1) of a track lasting duration s; end 0 means to the end.
 * beats (optional) are times in seconds of the whole track, drawn as ticks.
 */
export function drawWaveform(canvas, peaks, duration, start, end, beats) {
  const w = canvas.clientWidth;
  const hgt = canvas.clientHeight;
  if (!w || !hgt || !peaks || !peaks.length) return;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(hgt * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  const css = getComputedStyle(canvas);
  const on = css.getPropertyValue('--wave-on').trim() || '#2251d1';
  const off = css.getPropertyValue('--wave-off').trim() || '#b4bccb';
  const bars = Math.max(1, Math.floor(w / 3));
  const step = peaks.length / bars;
  const a = duration > 0 ? start / duration : 0;
  const b = duration > 0 && end > 0 ? end / duration : 1;
  for (let i = 0; i < bars; i++) {
    const from = Math.floor(i * step);
    const to = Math.max(from + 1, Math.floor((i + 1) * step));
    let v = 0;
    for (let k = from; k < to && k < peaks.length; k++) v = Math.max(v, Number(peaks[k]) || 0);
    const bh = Math.max(1, Math.min(1, v) * (hgt - 4));
    const f = (i + 0.5) / bars;
    ctx.fillStyle = f >= a && f <= b ? on : off;
    ctx.fillRect(i * 3, (hgt - bh) / 2, 2, bh);
  }
  if (!(duration > 0) || !Array.isArray(beats)) return;
  ctx.fillStyle = css.getPropertyValue('--wave-beat').trim() || '#d9480f';
  for (const t of beats) {
    const x = Math.round((Number(t) / duration) * w);
    if (x >= 0 && x < w) ctx.fillRect(x, hgt - 5, 1, 5);
  }
}
