/** The page's elements by id, checked: a missing or different element is a bug in the page. */

/** An element class (`HTMLInputElement`, …): `instanceof` narrows to it, so no cast is needed. */
type ElementClass<T extends HTMLElement> = { new (): T; prototype: T };

export function byId(id: string): HTMLElement;
export function byId<T extends HTMLElement>(id: string, type: ElementClass<T>, root?: Document): T;
export function byId(id: string, type: ElementClass<HTMLElement> = HTMLElement, root: Document = document): HTMLElement {
  const el = root.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return el;
}
