/** Lit pixels in the panel's blue-white, dark ones black, one canvas pixel per display pixel (CSS scales it up). */
export function paint(canvas: HTMLCanvasElement, pixels: Uint8Array, width: number, height: number): void {
  if (canvas.width !== width || canvas.height !== height) [canvas.width, canvas.height] = [width, height];
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  for (let i = 0; i < pixels.length; i++) {
    const lit = pixels[i] === 1;
    image.data.set(lit ? [210, 235, 255, 255] : [0, 0, 0, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}
