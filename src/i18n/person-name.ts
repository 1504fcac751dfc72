/**
 * DICOM PN values are `Family^Given^Middle^Prefix^Suffix`, possibly with `=`-separated ideographic and
 * phonetic groups. People read "Given Middle Family" in most of our locales; Vietnamese and clinical
 * lists read family name first, so the caller picks the order.
 */
export function formatPersonName(pn: string, order: 'family-first' | 'given-first' = 'family-first'): string {
  const alphabetic = pn.split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic.split('^').map((s) => s.trim());
  const givenPart = [given, middle].filter(Boolean).join(' ');
  const core = order === 'family-first' ? [family, givenPart].filter(Boolean).join(', ') : [givenPart, family].filter(Boolean).join(' ');
  return [prefix, core, suffix].filter(Boolean).join(' ');
}
