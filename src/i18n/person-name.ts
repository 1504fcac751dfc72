/**
 * Shows a DICOM PN value (`Family^Given^Middle^Prefix^Suffix`, possibly followed by `=`-separated
 * ideographic and phonetic groups) the way people of the active language read names:
 * - en: "FAMILY, Given Middle" (the clinical list order);
 * - tr: "Given Middle FAMILY" (Turkish hospitals write the given name first: Gülşen Şahin);
 * - vi: "FAMILY Middle Given" (Vietnamese names are family-first, without a comma: Nguyễn Thị Đức).
 * Empty components and stray carets never show.
 */
export function formatPersonName(pn: string, language = 'en'): string {
  const alphabetic = pn.split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic.split('^').map((s) => s.trim());
  const givenPart = [given, middle].filter(Boolean).join(' ');
  let core: string;
  if (language === 'tr') core = [givenPart, family].filter(Boolean).join(' ');
  else if (language === 'vi') core = [family, middle, given].filter(Boolean).join(' ');
  else core = [family, givenPart].filter(Boolean).join(', ');
  return [prefix, core, suffix].filter(Boolean).join(' ');
}
