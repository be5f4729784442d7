// dragsort.js: reordering slide tiles by dragging: HTML5 drag and drop for a mouse, pointer
// events on the tile's handle for touch and pens (where HTML5 drag and drop is unreliable).
export class DragSort {
  /** onDrop(id, beforeId) is called with the dragged slide and the slide it goes before (null: last). */
  constructor(list, onDrop) {
    this.list = list;
    this.onDrop = onDrop;
    this.dragId = null;
    this.target = null;
    this.touch = null;
    list.addEventListener('pointerdown', (e) => this.pointerDown(e));
    list.addEventListener('pointerup', () => this.undrag());
    list.addEventListener('dragstart', (e) => this.start(e));
    list.addEventListener('dragover', (e) => this.over(e));
    list.addEventListener('drop', (e) => this.drop(e));
    list.addEventListener('dragend', () => this.clear());
  }

  // A tile is draggable only while the mouse is down on its picture, so text in its
  // caption field can still be selected with the mouse.
  pointerDown(e) {
    const media = e.target.closest('.tile-media');
    const li = media && media.closest('.slide');
    if (!li) return;
    if (e.pointerType === 'mouse') {
      li.draggable = true;
      return;
    }
    if (e.target.closest('.slide-handle')) this.touchStart(e, li);
  }

  undrag() {
    for (const li of this.list.querySelectorAll('.slide[draggable="true"]')) li.draggable = false;
  }

  start(e) {
    const li = e.target.closest && e.target.closest('.slide');
    if (!li || !li.draggable) return;
    this.dragId = li.dataset.slideId;
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('application/x-simvid-slide', this.dragId);
    li.classList.add('is-dragging');
  }

  over(e) {
    if (!this.dragId) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    this.mark(e.clientX, e.target.closest && e.target.closest('.slide'));
  }

  drop(e) {
    if (!this.dragId) return;
    e.preventDefault();
    e.stopPropagation();
    this.finish();
  }

  // mark shows where the slide would land: before or after the tile under the pointer.
  mark(x, li) {
    for (const el of this.list.querySelectorAll('.drop-before, .drop-after')) {
      el.classList.remove('drop-before', 'drop-after');
    }
    if (!li || !li.dataset.slideId || li.dataset.slideId === this.dragId) {
      this.target = null;
      return;
    }
    const r = li.getBoundingClientRect();
    const after = x > r.left + r.width / 2;
    li.classList.add(after ? 'drop-after' : 'drop-before');
    this.target = { li, after };
  }

  finish() {
    const { target, dragId } = this;
    this.clear();
    if (!target || !dragId) return;
    let before = target.li;
    if (target.after) {
      before = before.nextElementSibling;
      while (before && !before.classList.contains('slide')) before = before.nextElementSibling;
    }
    const beforeId = before ? before.dataset.slideId : null;
    if (beforeId !== dragId) this.onDrop(dragId, beforeId);
  }

  clear() {
    this.mark(0, null);
    for (const el of this.list.querySelectorAll('.is-dragging')) {
      el.classList.remove('is-dragging', 'is-touch-dragging');
      el.style.transform = '';
    }
    this.undrag();
    this.dragId = null;
    this.target = null;
    this.touch = null;
  }

  touchStart(e, li) {
    e.preventDefault();
    this.dragId = li.dataset.slideId;
    this.touch = { x: e.clientX, y: e.clientY, pointer: e.pointerId };
    li.setPointerCapture(e.pointerId);
    li.classList.add('is-dragging', 'is-touch-dragging');
    const move = (ev) => {
      if (!this.touch || ev.pointerId !== this.touch.pointer) return;
      li.style.transform = `translate(${ev.clientX - this.touch.x}px, ${ev.clientY - this.touch.y}px)`;
      const under = document.elementsFromPoint(ev.clientX, ev.clientY)
        .map((el) => el.closest('.slide')).find((el) => el && el !== li);
      this.mark(ev.clientX, under || null);
      if (ev.clientY < 60) window.scrollBy(0, -12);
      else if (ev.clientY > window.innerHeight - 60) window.scrollBy(0, 12);
    };
    const end = (ev) => {
      li.removeEventListener('pointermove', move);
      li.removeEventListener('pointerup', end);
      li.removeEventListener('pointercancel', end);
      if (ev.type === 'pointerup') this.finish();
      else this.clear();
    };
    li.addEventListener('pointermove', move);
    li.addEventListener('pointerup', end);
    li.addEventListener('pointercancel', end);
  }
}
