/** Saving a chart as a standalone SVG or PNG file, drawn from the SVG the page shows. */

/** The chart's own SVG inside an Observable Plot figure (legends are separate elements). */
export function chartSvg(host: Element): SVGSVGElement | null {
  const svgs = [...host.querySelectorAll('svg')].filter((s) => s.parentElement?.closest('svg') === null);
  // Legend swatches are small SVGs too; the chart is the largest.
  return svgs.sort((a, b) => b.clientWidth * b.clientHeight - a.clientWidth * a.clientHeight)[0] ?? null;
}

/** Serialised SVG with the namespace and a white background, readable by any viewer. */
export function svgMarkup(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.style.background = 'white';
  return new XMLSerializer().serializeToString(clone);
}

function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function downloadSvg(svg: SVGSVGElement, fileName: string): void {
  download(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }), `${fileName}.svg`);
}

/** Rasterise at twice the on-screen size so the PNG stays sharp on slides. */
export async function downloadPng(svg: SVGSVGElement, fileName: string, scale = 2): Promise<void> {
  const width = svg.viewBox.baseVal?.width || svg.clientWidth;
  const height = svg.viewBox.baseVal?.height || svg.clientHeight;
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The chart could not be rendered to an image.'));
      image.src = url;
    });
    const canvas = Object.assign(document.createElement('canvas'), { width: width * scale, height: height * scale });
    const context = canvas.getContext('2d');
    if (!context) throw new Error('No 2D canvas to draw the PNG on.');
    context.fillStyle = 'white';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The PNG could not be encoded.');
    download(blob, `${fileName}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}
