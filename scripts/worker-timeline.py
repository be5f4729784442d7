#!/usr/bin/env python3
"""Timeline of one TestBenchWorkers render across its processes, from the debug logs that
SIMVID_BENCH_LOG=DIR keeps (DIR/workers-N-ROLE.log): every ffmpeg run (start, end, wall, CPU,
process), the jobs' log lines, then the ffmpeg runs and cores in use every 100 ms of the
render and the core-seconds left idle. Times are seconds from the render's request (the
coordinator's "render started" line less its queue wait).

usage: scripts/worker-timeline.py DIR N    (N: the run's number of workers)"""
import json, sys, glob, os, datetime
d, n = sys.argv[1], sys.argv[2]
def ts(s):
    if isinstance(s, (int, float)): return float(s)
    return datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
def dur(v):
    if isinstance(v, (int, float)): return float(v)
    # "350ms" / "1.2s"
    s = str(v)
    for suf, m in (('ms', 1e-3), ('µs', 1e-6), ('us', 1e-6), ('ns', 1e-9), ('s', 1)):
        if s.endswith(suf):
            try: return float(s[:-len(suf)]) * m
            except ValueError: pass
    return 0.0
ev = []
for f in sorted(glob.glob(os.path.join(d, f'workers-{n}-*.log'))):
    who = os.path.basename(f)[len(f'workers-{n}-'):-4]
    for line in open(f, errors='replace'):
        try: j = json.loads(line)
        except Exception: continue
        t = ts(j.get('ts', 0))
        msg = j.get('msg', '')
        if msg == 'ffmpeg':
            took = dur(j.get('took', 0)); cpu = dur(j.get('cpu', 0))
            ev.append((t - took, t, who, 'ff:' + j.get('kind', '?'), cpu, j))
        else:
            ev.append((t, t, who, msg, 0, j))
ev.sort(key=lambda e: (e[0], e[1]))
# the render window: from the request to "render done"
start = next((e[0] - dur(e[5].get('queued', 0)) for e in ev if e[3] == 'render started'), None)
if start is None:  # a release before the line
    start = next((e[0] for e in ev if e[5].get('render_id')), ev[0][0])
end = max((e[1] for e in ev if e[3] in ('render done',)), default=ev[-1][1])
lo = start - 0.05
print(f'window {end-start:.3f} s')
for s, e, who, what, cpu, j in ev:
    if e < lo - 1 or s > end + 1: continue
    extra = ''
    for k in ('group', 'queued', 'segments', 'frames', 'took', 'encoded', 'waited_for', 'pieces', 'render_id', 'job'):
        if k in j and k not in ('render_id',): extra += f' {k}={j[k]}'
    if what.startswith('ff:'):
        print(f'{s-start:7.3f} {e-start:7.3f} {e-s:6.3f} cpu={cpu:5.2f} {who:8s} {what}{extra}')
    else:
        print(f'{s-start:7.3f}                        {who:8s} {what}{extra}')
# busy profile: ffmpeg processes running over the window, per 100 ms
ffs = [(s, e, who, cpu) for s, e, who, what, cpu, j in ev if what.startswith('ff:') and e > start and s < end]
step = 0.1
t = start; rows = []
idle = 0.0
while t < end:
    run = [x for x in ffs if x[0] < t + step and x[1] > t]
    load = sum(min(x[1], t+step) - max(x[0], t) for x in run) / step
    cores = sum((x[3] / max(1e-6, x[1]-x[0])) * (min(x[1], t+step) - max(x[0], t)) for x in run) / step
    idle += max(0.0, 2 - cores) * step
    rows.append(f'{t-start:5.1f} procs={load:4.2f} cores~{cores:4.2f} ' + ','.join(sorted(set(x[2] for x in run))))
    t += step
print('\n'.join(rows))
print(f'ffmpeg CPU in window {sum(x[3] for x in ffs):.2f} s; est. idle core-seconds {idle:.2f} of {2*(end-start):.2f}')
