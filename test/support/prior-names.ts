/**
 * Names of the priors tests' fixtures (see prior-studies.ts), shared by the harness (Node) and the
 * browser tests: the patient, its three studies' accession numbers, the known shift of the same frame
 * of reference copy, and the key under which `pacsInfo().studies` names the refusing gateway.
 */
export const PRIORS_PATIENT_ID = 'FL-PRIORS-1';

export const PRIORS = {
  /** The study the tests open: the generated head CT. */
  current: { accession: 'FL-PRIORS-CURRENT' },
  /** The most recent prior: the same files, the same FrameOfReferenceUID, moved along z. */
  sameFor: { accession: 'FL-PRIORS-SAME-FOR' },
  /** The oldest: the generated prior, 5 mm slices in its own frame of reference. */
  otherFor: { accession: 'FL-PRIORS-OTHER-FOR' },
} as const;

/** How far (mm, along z) every image of the same-frame-of-reference prior was moved. */
export const SAME_FOR_SHIFT_MM = 3.4;

/** `pacsInfo().studies[PRIORS_REFUSING_GATEWAY][0]`: a gateway answering 403 to searches by patient. */
export const PRIORS_REFUSING_GATEWAY = 'FL-PRIORS:refusing-gateway';
