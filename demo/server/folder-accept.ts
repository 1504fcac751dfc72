/**
 * Accept-header negotiation for WADO-RS, for a server that sends data as stored, and rendered
 * images as JPEG or PNG.
 *
 * The question is never "which representation is best" but "may the one we have be sent at all":
 * yes, unless every alternative the client lists names a different media type or transfer syntax.
 */

interface MediaRange {
  readonly mediaType: string;
  readonly parameters: ReadonlyMap<string, string>;
}

/** What the server would send, per part. */
export interface StoredRepresentation {
  /** Media type of each part: `application/octet-stream` for frames, `application/dicom` for files. */
  readonly partType: string;
  /** Transfer syntaxes of the parts; a specific requested syntax must match all of them. */
  readonly transferSyntaxUIDs: readonly string[];
}

/**
 * True when some media range in the Accept header allows the stored representation: `*\/*`,
 * the part type (bare or as `multipart/related; type=...`) with no transfer syntax, `*`, or the
 * stored one. A missing header accepts anything.
 */
export function acceptsStored(acceptHeader: string | undefined, stored: StoredRepresentation): boolean {
  const ranges = parseAccept(acceptHeader ?? '');
  if (ranges.length === 0) return true;
  return ranges.some((range) => rangeAllows(range, stored));
}

function rangeAllows(range: MediaRange, stored: StoredRepresentation): boolean {
  if (range.mediaType === '*/*') return true;
  const partType = range.mediaType === 'multipart/related'
    ? range.parameters.get('type') ?? stored.partType
    : range.mediaType;
  const transferSyntax = range.parameters.get('transfer-syntax');
  const storedSyntaxRequested =
    transferSyntax !== undefined &&
    stored.transferSyntaxUIDs.length > 0 &&
    stored.transferSyntaxUIDs.every((uid) => uid === transferSyntax);
  const anySyntax = transferSyntax === undefined || transferSyntax === '*' || storedSyntaxRequested;
  const [major] = stored.partType.split('/');
  const partTypeAllowed = partType === stored.partType || partType === '*/*' || partType === `${major}/*`;
  // An image/jls (etc.) request that names the stored syntax is satisfied by the stored bytes.
  return (partTypeAllowed && anySyntax) || storedSyntaxRequested;
}

/** The media types a rendered image is answered in; JPEG first, the standard's default (PS3.18 8.7.4). */
export type RenderedMediaType = 'image/jpeg' | 'image/png';
const RENDERED_TYPES: readonly RenderedMediaType[] = ['image/jpeg', 'image/png'];

/**
 * The media type to answer a rendered request in, from its Accept header (RFC 9110 12.5.1): each
 * candidate gets the q of the most specific range that matches it (`image/png` over `image/*`
 * over `*\/*`), the highest q wins, a tie goes to JPEG. No header, or one naming only `*\/*` or
 * `image/*`, gives JPEG. Undefined (406) when every candidate is refused or unlisted, e.g.
 * `image/gif` or `image/png;q=0, image/jpeg;q=0`.
 */
export function renderedMediaType(acceptHeader: string | undefined): RenderedMediaType | undefined {
  if (acceptHeader === undefined || acceptHeader.trim() === '') return 'image/jpeg';
  const ranges = parseMediaRanges(acceptHeader);
  let best: RenderedMediaType | undefined;
  let bestQ = 0;
  for (const type of RENDERED_TYPES) {
    const q = qualityOf(type, ranges);
    if (q > bestQ) {
      best = type;
      bestQ = q;
    }
  }
  return best;
}

/** The q a media type gets from the most specific range matching it; 0 when none does. */
function qualityOf(type: string, ranges: readonly MediaRange[]): number {
  const [major] = type.split('/');
  let specificity = -1;
  let q = 0;
  for (const range of ranges) {
    const level = range.mediaType === type ? 2 : range.mediaType === `${major}/*` ? 1 : range.mediaType === '*/*' ? 0 : -1;
    if (level > specificity) {
      specificity = level;
      const value = Number(range.parameters.get('q') ?? 1);
      q = Number.isFinite(value) ? value : 0;
    }
  }
  return q;
}

/** Media ranges with q=0 (explicitly refused) left out. */
function parseAccept(header: string): MediaRange[] {
  return parseMediaRanges(header).filter((range) => !isRefused(range));
}

/** q=0, or a q that is not a number. */
function isRefused(range: MediaRange): boolean {
  return !(Number(range.parameters.get('q') ?? 1) > 0);
}

function parseMediaRanges(header: string): MediaRange[] {
  return splitOutsideQuotes(header, ',')
    .map((range) => {
      const [mediaType = '', ...parameterTexts] = splitOutsideQuotes(range, ';');
      const parameters = new Map<string, string>();
      for (const text of parameterTexts) {
        const equals = text.indexOf('=');
        if (equals < 0) continue;
        const name = text.slice(0, equals).trim().toLowerCase();
        const value = text.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1');
        parameters.set(name, name === 'type' ? value.toLowerCase() : value);
      }
      return { mediaType: mediaType.trim().toLowerCase(), parameters };
    })
    .filter((range) => range.mediaType !== '');
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (const character of text) {
    if (character === '"') quoted = !quoted;
    if (character === separator && !quoted) {
      pieces.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  pieces.push(current);
  return pieces;
}
