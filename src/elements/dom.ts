/**
 * The few lines of DOM building the results element needs, instead of a UI library: elements made with
 * attributes and children, every text set as text (a document's strings never become markup).
 */

/** What a child may be: a node, text, or nothing (skipped), so that conditions read inline. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attributes: a false, null or undefined value leaves the attribute out. */
export type Attributes = Readonly<Record<string, string | number | boolean | null | undefined>>;

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

function fill<E extends Element>(element: E, attributes: Attributes, children: readonly Child[]): E {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Append children to `parent`, flattening arrays and skipping empty ones. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : (child as Node));
  }
}

/** An HTML element: `h('td', { class: 'median' }, '12.3')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attributes, children);
}

/** An SVG element: `svg('line', { x1: 0, … })`. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return fill(document.createElementNS(SVG_NAMESPACE, tag) as SVGElementTagNameMap[K], attributes, children);
}
