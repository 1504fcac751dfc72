/**
 * Text read from DICOM files (names, descriptions, institutions) is untrusted. Lit puts it in the page
 * as text, never as markup; these helpers also isolate it (`<bdi>`, or FSI and PDI in attributes), so a
 * bidi control inside it (U+202E RIGHT-TO-LEFT OVERRIDE, U+2067 RIGHT-TO-LEFT ISOLATE…) reorders at most
 * itself, never the text around it, and the DOM's text stays the file's own.
 */
import { html } from 'lit';
import { personNameParts } from '../../i18n/person-name.js';

/** A DICOM value shown isolated from its surroundings. */
export const isolated = (text: string | number) => html`<bdi>${text}</bdi>`;

/** A DICOM value for an attribute (title, aria-label): between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE. */
export const isolatedText = (text: string | number) => `\u2068${text}\u2069`;

/** A person name as the language reads it, each component isolated (its separators are ours). */
export const personName = (pn: string, language: string) => personNameParts(pn, language).map((part, index) => (index % 2 === 1 ? part : isolated(part)));

/** The same, for an attribute. */
export const personNameText = (pn: string, language: string) => personNameParts(pn, language).map((part, index) => (index % 2 === 1 ? part : isolatedText(part))).join('');
