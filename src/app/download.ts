/** Saving text the page made (an export) as a file, through a Blob and an object URL: nothing goes to a server. */

/** Offer `text` as a download named `fileName`. */
export function downloadText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName, rel: 'noopener' });
  // Firefox only follows a click on a link that is in the document.
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: the browser may read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
