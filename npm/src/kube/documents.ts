/**
 * Splitting a multi-document YAML text into objects. Only apiVersion, kind and metadata are
 * read; each object keeps its original YAML text, which is what gets sent to the server.
 */
import { parse } from '../vendor/yaml.js';
import { FluxAzdoError } from '../errors.js';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** As written in the document; undefined for cluster-scoped objects and when omitted. */
  namespace: string | undefined;
  /** The document's YAML text, byte for byte. */
  text: string;
  /** 0-based position among the non-empty documents. */
  index: number;
}

// A line starting with `---` or `...` (then blank or a space) is always a document boundary: YAML
// forbids these markers inside scalars, and nested content is indented.
const documentMarker = /^(?:---|\.\.\.)(?:[ \t].*)?\r?$/;
const topLevelLine = /^[^\s#]/;
const headKey = /^(?:apiVersion|kind|metadata)\s*:/;

/**
 * Splits `yamlText` at document markers. Only each document's apiVersion, kind and metadata lines
 * are parsed (parsing whole CRDs would cost more than applying them); the body sent is the
 * document's own text, and the API server validates it.
 */
export function splitManifests(yamlText: string, source = 'manifests'): ManifestObject[] {
  const objects: ManifestObject[] = [];
  let position = 0;
  for (const text of documentTexts(yamlText)) {
    position++;
    const lines = text.split('\n');
    const firstContent = lines.find((l) => l.trim().length > 0 && !l.trimStart().startsWith('#'));
    if (firstContent === undefined) continue;
    const head = firstContent.trimStart().startsWith('{') ? text : headLines(lines);
    let doc: unknown;
    try {
      doc = parse(head);
    } catch (err) {
      throw new FluxAzdoError(
        'INVALID_YAML',
        `${source}: YAML document ${position} is not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
    }
    const o = (doc ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
    const apiVersion = str(o.apiVersion);
    const kind = str(o.kind);
    const name = str(o.metadata?.name);
    if (!apiVersion || !kind || !name) {
      throw new FluxAzdoError(
        'INVALID_YAML',
        `${source}: YAML document ${position} lacks apiVersion, kind or metadata.name; every document must be one Kubernetes object`,
      );
    }
    objects.push({ apiVersion, kind, name, namespace: str(o.metadata?.namespace), text, index: objects.length });
  }
  return objects;
}

function documentTexts(yamlText: string): string[] {
  const texts: string[] = [];
  let start = 0;
  let lineStart = 0;
  while (lineStart <= yamlText.length) {
    let lineEnd = yamlText.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = yamlText.length;
    const c = yamlText.charCodeAt(lineStart);
    if ((c === 45 || c === 46) && documentMarker.test(yamlText.slice(lineStart, lineEnd))) {
      texts.push(yamlText.slice(start, lineStart));
      start = lineEnd + 1;
    }
    lineStart = lineEnd + 1;
  }
  if (start < yamlText.length) texts.push(yamlText.slice(start));
  return texts;
}

/** The top-level apiVersion, kind and metadata entries of a block-style document. */
function headLines(lines: string[]): string {
  const head: string[] = [];
  let inHead = false;
  for (const line of lines) {
    if (topLevelLine.test(line)) inHead = headKey.test(line);
    if (inHead) head.push(line);
  }
  return head.join('\n');
}

/** `Kind/namespace/name` or `Kind/name`: how objects are named in messages. */
export function objectRef(o: { kind: string; name: string; namespace?: string | undefined }): string {
  return o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

/** Flux's stage 1: what other objects depend on (CRDs, Namespaces). */
export function isClusterDefinition(o: ManifestObject): boolean {
  return (
    (o.kind === 'CustomResourceDefinition' && o.apiVersion.startsWith('apiextensions.k8s.io/')) ||
    (o.kind === 'Namespace' && o.apiVersion === 'v1')
  );
}
