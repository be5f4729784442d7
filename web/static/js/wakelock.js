// wakelock.js: keeps the screen on while a video renders, where the browser allows it
// (navigator.wakeLock), and takes the lock again when the page becomes visible.
export class WakeLock {
  /** wanted() says whether the lock is still needed (checked when the page returns). */
  constructor(wanted) {
    this.wanted = wanted;
    this.sentinel = null;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.wanted()) this.acquire();
    });
  }

  async acquire() {
    if (!('wakeLock' in navigator) || this.sentinel || document.visibilityState !== 'visible') return;
    try {
      const s = await navigator.wakeLock.request('screen');
      if (!this.wanted()) {
        s.release().catch(() => {});
        return;
      }
      this.sentinel = s;
      s.addEventListener('release', () => { if (this.sentinel === s) this.sentinel = null; });
    } catch {
      // Refused (battery saver, or a permissions policy): the render goes on regardless.
    }
  }

  release() {
    const s = this.sentinel;
    this.sentinel = null;
    if (s) s.release().catch(() => {});
  }
}
