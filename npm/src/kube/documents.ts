/**
 * Splitting a multi-document YAML text into objects. Only apiVersion, kind and metadata are
 * read; each object keeps its original YAML text, which is what gets sent to the server.
 */
import { parseAllDocuments, isMap, type Document } from 'yaml';
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

export function splitManifests(yamlText: string, source = 'manifests'): ManifestObject[] {
  const docs = parseAllDocuments(yamlText, { keepSourceTokens: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const objects: ManifestObject[] = [];
  list.forEach((doc, position) => {
    if (doc.errors.length > 0) {
      throw new FluxAzdoError(
        'INVALID_YAML',
        `${source}: YAML document ${position + 1} is not valid YAML: ${doc.errors[0]?.message ?? 'parse error'}`,
      );
    }
    if (doc.contents === null) return;
    if (!isMap(doc.contents)) {
      throw new FluxAzdoError('INVALID_YAML', `${source}: YAML document ${position + 1} is not a Kubernetes object (not a mapping).`);
    }
    const apiVersion = scalar(doc, ['apiVersion']);
    const kind = scalar(doc, ['kind']);
    const name = scalar(doc, ['metadata', 'name']);
    if (!apiVersion || !kind || !name) {
      throw new FluxAzdoError(
        'INVALID_YAML',
        `${source}: YAML document ${position + 1} lacks apiVersion, kind or metadata.name; every document must be one Kubernetes object.`,
      );
    }
    const [start, , end] = doc.range;
    objects.push({
      apiVersion,
      kind,
      name,
      namespace: scalar(doc, ['metadata', 'namespace']),
      text: yamlText.slice(start, end),
      index: objects.length,
    });
  });
  return objects;
}

function scalar(doc: Document, path: string[]): string | undefined {
  const value: unknown = doc.getIn(path);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
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
