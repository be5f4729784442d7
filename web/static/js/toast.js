// toast.js: a short message at the bottom of the window with one action (Undo). Whoever
// shows it keeps the clock and hides it; the bar only shows the time running out.
export class Toast {
  constructor(el) {
    this.el = el;
    this.text = el.querySelector('.toast-text');
    this.button = el.querySelector('.toast-action');
    this.action = null;
    this.button.addEventListener('click', () => {
      const f = this.action;
      this.hide();
      if (f) f();
    });
  }

  /** show says text with a button named label that calls action; the bar runs for ms. */
  show(text, label, action, ms) {
    this.text.textContent = text;
    this.button.textContent = label;
    this.action = action;
    this.el.hidden = false;
    this.el.style.setProperty('--toast-ms', `${ms}ms`);
    this.el.classList.remove('is-running');
    void this.el.offsetWidth; // restart the countdown bar
    this.el.classList.add('is-running');
  }

  hide() {
    const hadFocus = this.el.contains(document.activeElement);
    this.el.hidden = true;
    this.action = null;
    if (hadFocus) document.getElementById('photos')?.focus();
  }
}
