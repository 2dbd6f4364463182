/**
 * A small YAML highlighter for the files the core writes (block style, Kubernetes manifests).
 * It returns HTML whose text content is exactly the input, byte for byte: the preview's text is
 * what the user copies and what the tests compare with the Node output.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function escape(text: string): string {
  return text.replace(/[&<>]/g, (c) => ESCAPES[c] ?? c);
}

function span(kind: string, text: string): string {
  return text === '' ? '' : `<span class="y-${kind}">${escape(text)}</span>`;
}

const KEY = /^((?:[^\s#'"{[\]][^:#]*?)|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')(:)(?=\s|$)/;
const SCALAR_WORD = /^(?:true|false|null|~|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/;
const BLOCK_HEADER = /^[|>][-+0-9]*\s*(?:#.*)?$/;

/** A value after `key: ` or `- `. */
function value(text: string): string {
  if (text === '') return '';
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const body = text.slice(lead.length);
  if (body.startsWith('#')) return escape(lead) + span('comment', body);
  if (body.startsWith('"') || body.startsWith("'")) return escape(lead) + span('string', body);
  if (BLOCK_HEADER.test(body)) return escape(lead) + span('punct', body);
  if (/^[&*!]/.test(body)) {
    const tag = /^\S+/.exec(body)?.[0] ?? body;
    return escape(lead) + span('tag', tag) + value(body.slice(tag.length));
  }
  const comment = body.search(/\s#/);
  const plain = comment < 0 ? body : body.slice(0, comment);
  const rest = comment < 0 ? '' : span('comment', body.slice(comment));
  return escape(lead) + span(SCALAR_WORD.test(plain.trim()) ? 'literal' : 'value', plain) + rest;
}

/** One line that is not inside a block scalar. */
function line(text: string): string {
  if (/^(?:---|\.\.\.)(?:\s|$)/.test(text)) return span('doc', text);
  const indent = /^ */.exec(text)?.[0] ?? '';
  let rest = text.slice(indent.length);
  if (rest.startsWith('#')) return escape(indent) + span('comment', rest);
  let html = escape(indent);
  // Sequence markers, possibly nested on one line (`- - a`).
  for (let dash = /^-(?:\s+|$)/.exec(rest); dash; dash = /^-(?:\s+|$)/.exec(rest)) {
    html += span('punct', '-') + escape(dash[0].slice(1));
    rest = rest.slice(dash[0].length);
  }
  const key = KEY.exec(rest);
  if (key) {
    html += span('key', key[1] ?? '') + span('punct', ':');
    rest = rest.slice(key[0].length);
  }
  return html + value(rest);
}

/**
 * The highlighted HTML of `source`. With `linesPerChunk`, every that many lines are wrapped in a
 * `<span class="chunk">` so the page can skip laying out the chunks off screen.
 */
export function highlightYaml(source: string, linesPerChunk = 0): string {
  const out: string[] = [];
  // Inside a block scalar (`key: |`): lines more indented than its key, and blank lines.
  let blockIndent = -1;
  for (const text of source.split('\n')) {
    const indent = text.length - text.trimStart().length;
    if (blockIndent >= 0 && (text.trim() === '' || indent > blockIndent)) {
      out.push(span('string', text));
      continue;
    }
    blockIndent = -1;
    out.push(line(text));
    if (/[:-]\s+[|>][-+0-9]*\s*(?:#.*)?$/.test(text) || /^\s*-?\s*[|>][-+0-9]*$/.test(text)) {
      // The content is indented past its parent: the key (`- key: |`), else the dash or key
      // that starts the line.
      const prefix = /^\s*(?:-\s+)*/.exec(text)?.[0].length ?? indent;
      blockIndent = KEY.test(text.slice(prefix)) ? prefix : indent;
    }
  }
  if (linesPerChunk <= 0 || out.length <= linesPerChunk) return out.join('\n');
  const chunks: string[] = [];
  for (let at = 0; at < out.length; at += linesPerChunk) {
    // Each chunk ends with its last newline, so the text stays the same bytes.
    const last = at + linesPerChunk >= out.length;
    chunks.push(`<span class="chunk">${out.slice(at, at + linesPerChunk).join('\n')}${last ? '' : '\n'}</span>`);
  }
  return chunks.join('');
}
