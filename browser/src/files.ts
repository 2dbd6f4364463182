/** Getting text out of the page: the clipboard, single-file downloads and the zip of all files. */
import { strToU8, zipSync, type Zippable } from 'fflate';

/** Copies `text`; falls back to a hidden selection where the async clipboard is unavailable. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Permission refused (e.g. an embedding frame): use the selection instead.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy; select the text and copy it by hand');
}

/** Offers `data` as a file download; the bytes never leave the page. */
export function saveFile(name: string, data: Uint8Array | string, type: string): void {
  // A view of a plain ArrayBuffer, as Blob's types require (fflate's type allows a shared one).
  const blob = new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled, or some browsers cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A zip of `files` (repository path → content), folders implied by the paths. */
export function zipFiles(files: { path: string; content: string }[]): Uint8Array {
  const tree: Zippable = {};
  for (const file of files) tree[file.path] = strToU8(file.content);
  // A fixed date keeps the zip the same bytes for the same files.
  return zipSync(tree, { level: 6, mtime: new Date(2000, 0, 1) });
}
