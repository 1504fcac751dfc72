/**
 * Accept-header negotiation for WADO-RS, for a server that only ever sends data as stored, and
 * rendered images only as PNG.
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

/** The media types that allow a PNG; any of them in an Accept header lets PNG be sent. */
const PNG_RANGES = new Set(['image/png', 'image/*', '*/*']);

/**
 * True when a rendered image may be answered as `image/png`: no Accept header, a range allowing
 * PNG (`image/png`, `image/*`, `*\/*`), or an Accept that names image/jpeg alone. That last case
 * is a deliberate exception: this server bundles no JPEG encoder, and Filmless (like any browser
 * `<img>`) asks for JPEG yet draws whatever image type comes back, so PNG serves it better than
 * a 406. Any other list of only non-PNG types, or one refusing PNG with q=0, is answered 406.
 */
export function acceptsRenderedPng(acceptHeader: string | undefined): boolean {
  if (acceptHeader === undefined || acceptHeader.trim() === '') return true;
  const ranges = parseMediaRanges(acceptHeader);
  const accepted = ranges.filter((range) => !isRefused(range));
  if (ranges.some((range) => range.mediaType === 'image/png' && isRefused(range))) return false;
  if (accepted.some((range) => PNG_RANGES.has(range.mediaType))) return true;
  return accepted.length > 0 && accepted.every((range) => range.mediaType === 'image/jpeg');
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
