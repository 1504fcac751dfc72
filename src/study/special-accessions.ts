/**
 * Turkey's SGK image sharing rules give two accession numbers a meaning of their own:
 * - `9999`: the exam was done on an analog device, so there are no digital images to look for;
 * - `9998`: digital images exist, but the modality could not produce an accession number, so they can
 *   only be found through the patient (ID, date, modality).
 */
export type SpecialAccession = 'analog-device' | 'no-accession-number';

export function specialAccession(accessionNumber: string): SpecialAccession | undefined {
  const value = accessionNumber.trim();
  if (value === '9999') return 'analog-device';
  if (value === '9998') return 'no-accession-number';
  return undefined;
}
