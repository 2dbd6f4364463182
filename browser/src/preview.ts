/**
 * The preview: the repository tree under `<path>/<namespace>/` as a vertical tab list, and the
 * selected file, highlighted. Only the selected file is rendered, and only when its content
 * changed, so typing in the form stays quick even with the large gotk-components.yaml.
 */
import type { Manifest } from 'flux-azdo/core/web';

import { byId } from './dom.js';
import { highlightYaml } from './highlight.js';

/** Lines per chunk of a large file; chunks off screen are not laid out (content-visibility). */
const LINES_PER_CHUNK = 200;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

export class Preview {
  private files: Manifest[] = [];
  private selected = 1; // gotk-sync.yaml: small, and the one that shows the URL typed
  private shown: string | undefined;
  private readonly tabs: HTMLElement;
  private readonly content: HTMLElement;

  constructor(private readonly root: Document) {
    this.tabs = this.byId('file-tabs');
    this.content = this.byId('file-content');
    this.tabs.addEventListener('keydown', (event) => this.onKey(event));
  }

  private byId(id: string): HTMLElement {
    return byId(id, HTMLElement, this.root);
  }

  get current(): Manifest | undefined {
    return this.files[this.selected];
  }

  get all(): readonly Manifest[] {
    return this.files;
  }

  show(files: Manifest[]): void {
    const names = files.map((f) => f.path).join('\n');
    const changedPaths = names !== this.files.map((f) => f.path).join('\n');
    this.files = files;
    const folder = files[0]?.path.replace(/[^/]*$/, '') ?? '';
    this.byId('tree-root').textContent = folder === '' ? './' : folder;
    if (changedPaths || this.tabs.childElementCount !== files.length) this.renderTabs();
    else this.updateSizes();
    this.renderSelected();
  }

  private renderTabs(): void {
    this.tabs.replaceChildren(
      ...this.files.map((file, index) => {
        const tab = this.root.createElement('button');
        tab.type = 'button';
        tab.id = `tab-${index}`;
        tab.setAttribute('role', 'tab');
        tab.setAttribute('aria-controls', 'file-panel');
        tab.dataset.file = baseName(file.path);
        tab.append(this.root.createTextNode(baseName(file.path)), this.sizeLabel(file));
        tab.addEventListener('click', () => this.select(index));
        return tab;
      }),
    );
    this.markSelected();
  }

  private sizeLabel(file: Manifest): HTMLElement {
    const size = this.root.createElement('span');
    size.className = 'size';
    size.textContent = formatSize(new TextEncoder().encode(file.content).length);
    return size;
  }

  private updateSizes(): void {
    this.files.forEach((file, index) => {
      this.tabs.children[index]?.querySelector('.size')?.replaceWith(this.sizeLabel(file));
    });
  }

  private markSelected(): void {
    [...this.tabs.children].forEach((tab, index) => {
      const on = index === this.selected;
      tab.setAttribute('aria-selected', String(on));
      tab.setAttribute('tabindex', on ? '0' : '-1');
    });
    this.byId('file-panel').setAttribute('aria-labelledby', `tab-${this.selected}`);
  }

  select(index: number): void {
    if (index < 0 || index >= this.files.length) return;
    this.selected = index;
    this.markSelected();
    this.renderSelected();
  }

  private onKey(event: KeyboardEvent): void {
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const next = (this.selected + step + this.files.length) % this.files.length;
    this.select(next);
    const tab = this.tabs.children[next];
    if (tab instanceof HTMLElement) tab.focus();
  }

  private renderSelected(): void {
    const file = this.current;
    if (!file) return;
    this.byId('file-path').textContent = file.path;
    this.byId('file-size').textContent = formatSize(new TextEncoder().encode(file.content).length);
    const key = `${file.path}\n${file.content}`;
    if (key === this.shown) return;
    this.shown = key;
    this.content.innerHTML = highlightYaml(file.content, LINES_PER_CHUNK);
  }
}
