// The only way the dashboard builds DOM: elements from fixed tag and attribute names, with every
// piece of data added as a text node (never innerHTML). Cluster data (pod names, labels, DNS names,
// policy YAML) is attacker-controlled, so this file is the XSS boundary: keep it that way.

export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Handler = (event: Event) => void;
export type Attrs = Readonly<Record<string, string | number | boolean | undefined | Handler>>;

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child as readonly Child[]);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child as string | number)));
  }
}

function applyAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (attrs === null || attrs === undefined) return;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      // `onClick` → click: handlers come from our code only.
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (
      /^(href|src|action|formaction|xlink:href)$/i.test(name) &&
      typeof value === 'string' &&
      !/^(#|blob:|\/)/.test(value)
    ) {
      // URL attributes only take our own hash routes, same-origin paths or blob downloads.
      throw new Error(`refusing ${name}=${value}`);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/** An HTML element; string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; string children become text nodes. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Replaces the children of `parent`. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
