/**
 * Shows a DICOM PN value (`Family^Given^Middle^Prefix^Suffix`, possibly followed by `=`-separated
 * ideographic and phonetic groups) the way people of the active language read names:
 * - en: "FAMILY, Given Middle" (the clinical list order);
 * - tr: "Given Middle FAMILY" (Turkish hospitals write the given name first: Gülşen Şahin);
 * - vi: "FAMILY Middle Given" (Vietnamese names are family-first, without a comma: Nguyễn Thị Đức).
 * Empty components and stray carets never show.
 */
export function formatPersonName(pn: string, language = 'en'): string {
  return personNameParts(pn, language).join('');
}

/**
 * `formatPersonName` as its pieces: the name's components (even indexes) and the separators between
 * them (odd indexes), so that each component can be shown isolated (`<bdi>`), and a bidi override in one
 * (U+202E) never reorders the others or the separators. Joined, they are `formatPersonName`'s text.
 */
export function personNameParts(pn: string, language = 'en'): string[] {
  const alphabetic = pn.split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic.split('^').map((s) => s.trim());
  // Groups of components in reading order; a space within a group, the separator between groups.
  const groups = language === 'tr' ? [[given, middle], [family]] : language === 'vi' ? [[family, middle, given]] : [[family], [given, middle]];
  const separator = language === 'tr' || language === 'vi' ? ' ' : ', ';
  const core: string[] = [];
  for (const group of groups) {
    const components = group.filter(Boolean);
    if (components.length === 0) continue;
    if (core.length > 0) core.push(separator);
    components.forEach((component, index) => (index > 0 ? core.push(' ', component) : core.push(component)));
  }
  const parts: string[] = [];
  for (const piece of [prefix ? [prefix] : [], core, suffix ? [suffix] : []]) {
    if (piece.length === 0) continue;
    if (parts.length > 0) parts.push(' ');
    parts.push(...piece);
  }
  return parts;
}
