// Paints an inpainting mask over an image, in translucent white (white = fill, as in a --mask file). The mask has the image's own pixel size (depot-sample
// wants the mask and the image to be the same size), and a pixel is in the mask when its centre
// is under the brush, so the painted region is exactly what the server receives: no
// antialiased half-painted pixels, even on an 8x8 image shown 40 times enlarged.
'use strict';

class MaskPainter {
  /** @param imageCanvas shows the image; @param maskCanvas lies on top and takes the strokes. */
  constructor(imageCanvas, maskCanvas) {
    this.imageCanvas = imageCanvas;
    this.maskCanvas = maskCanvas;
    this.brushPixels = 24;   // diameter in screen pixels
    this.width = 0;
    this.height = 0;
    this.last = null;
    this.onchange = () => {};
    maskCanvas.addEventListener('pointerdown', (e) => this.down(e));
    maskCanvas.addEventListener('pointermove', (e) => this.move(e));
    for (const type of ['pointerup', 'pointercancel', 'pointerleave']) {
      maskCanvas.addEventListener(type, () => { this.last = null; });
    }
  }

  /** Shows {@code image} at its own size and starts an empty mask. */
  load(image) {
    this.width = image.naturalWidth;
    this.height = image.naturalHeight;
    for (const canvas of [this.imageCanvas, this.maskCanvas]) {
      canvas.width = this.width;
      canvas.height = this.height;
    }
    this.imageCanvas.getContext('2d').drawImage(image, 0, 0);
    this.mask = new Uint8Array(this.width * this.height);
    this.overlay = this.maskCanvas.getContext('2d').createImageData(this.width, this.height);
    this.clear();
  }

  clear() {
    if (!this.mask) {
      return;
    }
    this.mask.fill(0);
    this.painted = 0;
    this.overlay.data.fill(0);
    this.maskCanvas.getContext('2d').putImageData(this.overlay, 0, 0);
    this.onchange();
  }

  /** Pixels in the mask. */
  count() {
    return this.mask ? this.painted : 0;
  }

  /** The mask as depot-sample reads --mask: a PNG at the image's size, white where to fill. */
  dataUrl() {
    const canvas = document.createElement('canvas');
    canvas.width = this.width;
    canvas.height = this.height;
    const context = canvas.getContext('2d');
    const pixels = context.createImageData(this.width, this.height);
    for (let i = 0; i < this.mask.length; i++) {
      const v = this.mask[i] ? 255 : 0;
      pixels.data.set([v, v, v, 255], i * 4);
    }
    context.putImageData(pixels, 0, 0);
    return canvas.toDataURL('image/png');
  }

  /** Screen position to image coordinates (the canvas is shown scaled). */
  point(event) {
    const box = this.maskCanvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * this.width / box.width,
      y: (event.clientY - box.top) * this.height / box.height,
      scale: this.width / box.width,
    };
  }

  down(event) {
    if (!this.mask) {
      return;
    }
    this.maskCanvas.setPointerCapture(event.pointerId);
    this.last = this.point(event);
    this.stamp(this.last);
    event.preventDefault();
  }

  move(event) {
    if (!this.last || !(event.buttons & 1)) {
      return;
    }
    const p = this.point(event);
    // stamps along the stroke, so that a fast drag leaves no gaps
    const radius = this.radius(p.scale);
    const distance = Math.hypot(p.x - this.last.x, p.y - this.last.y);
    const stepsAlong = Math.max(1, Math.ceil(distance / Math.max(0.5, radius / 2)));
    for (let i = 1; i <= stepsAlong; i++) {
      const t = i / stepsAlong;
      this.stamp({ x: this.last.x + t * (p.x - this.last.x), y: this.last.y + t * (p.y - this.last.y),
        scale: p.scale });
    }
    this.last = p;
  }

  /** Brush radius in image pixels: at least 0.75 pixels, so that a click always takes the nearest pixel. */
  radius(scale) {
    return Math.max(0.75, this.brushPixels * scale / 2);
  }

  stamp(p) {
    const r = this.radius(p.scale);
    const x0 = Math.max(0, Math.floor(p.x - r));
    const x1 = Math.min(this.width - 1, Math.ceil(p.x + r));
    const y0 = Math.max(0, Math.floor(p.y - r));
    const y1 = Math.min(this.height - 1, Math.ceil(p.y + r));
    if (x0 > x1 || y0 > y1) {
      return;
    }
    const data = this.overlay.data;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - p.x;
        const dy = y + 0.5 - p.y;
        if (dx * dx + dy * dy <= r * r) {
          const i = y * this.width + x;
          this.painted += 1 - this.mask[i];
          this.mask[i] = 1;
          data.set([255, 255, 255, 200], i * 4);
        }
      }
    }
    this.maskCanvas.getContext('2d').putImageData(this.overlay, 0, 0, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    this.onchange();
  }
}
