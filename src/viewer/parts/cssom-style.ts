/**
 * Inline styles set through the CSSOM (`element.style.setProperty`), never through the `style` attribute,
 * which a Content-Security-Policy without `'unsafe-inline'` in `style-src` blocks. (Lit's `styleMap`
 * writes the attribute on its first render.) Used as an element directive: `<div ${cssomStyle({left: '4px'})}>`.
 */
import { noChange } from 'lit';
import { Directive, type ElementPart, directive } from 'lit/directive.js';

class CssomStyle extends Directive {
  private names = new Set<string>();

  render(_styles: Record<string, string>): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [styles]: [Record<string, string>]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const name of this.names) if (!(name in styles)) style.removeProperty(name);
    for (const [name, value] of Object.entries(styles)) style.setProperty(name, value);
    this.names = new Set(Object.keys(styles));
    return noChange;
  }
}

export const cssomStyle = directive(CssomStyle);
