/**
 * The token policy of the gateway: which DICOMweb requests a Filmless access token may make, and how
 * they are sent on so that the PACS can only answer with the token's studies.
 *
 * For every request (after CORS and the method check, which gateway.ts does):
 * 1. the bearer token is verified (token-verifier.ts) → 401 if it is not valid;
 * 2. the raw request target is parsed (gateway-request.ts) → 400 for path and parameter tricks,
 *    404 for anything that is not a DICOMweb route;
 * 3. the study scope is enforced:
 *    - a path under /studies/{uid} must name a study of the token → 403;
 *    - a search at the root (/studies, /series, /instances) needs an exact identifying filter
 *      (AccessionNumber, StudyInstanceUID, PatientID, SeriesInstanceUID or SOPInstanceUID) → 400;
 *      wildcards or backslash value lists in those filters → 400 (a comma list of StudyInstanceUIDs
 *      is accepted when every one is the token's); a StudyInstanceUID filter naming another study → 403;
 *      an AccessionNumber other than the token's `accession` (when it has one) → 403;
 *    - the search goes to the PACS once per allowed study with StudyInstanceUID forced to it (many
 *      PACS, Orthanc among them, answer nothing to a list of UIDs), and every answer is filtered
 *      again: results whose StudyInstanceUID (0020000D) is not the token's are dropped;
 *    - metadata answers are filtered the same way, and lose their BulkDataURIs (they are the PACS's
 *      own addresses, which browsers must not learn and the gateway does not serve);
 * 4. a token with a use limit counts one use per request let through → 401 once used up.
 * Revocations and use counts are kept by a TokenState (token-state.ts): this process's memory, or Redis
 * shared by several gateways. When that state cannot be read the request is refused with 503
 * (`token-state-unavailable`): never let through unchecked.
 * Series, instances and frames named under an allowed study are left to the PACS to locate inside that
 * study (Orthanc answers 404 for a series of another study; test/node checks it): a PACS that does not
 * check the hierarchy must not be put behind this gateway.
 */
import { formatQuery, formatRoute, isRequestProblem, parseDicomwebRequest, Tags, type DicomwebRequest } from './request.js';
import type { FilmlessTokenClaims } from './token-claims.js';
import { MemoryTokenState, TokenStateUnavailableError, type TokenState } from './token-state.js';
import type { UseCounter } from './token-uses.js';
import type { TokenVerifier } from './token-verifier.js';

export interface PolicyRequest {
  /** The raw request path below the gateway's prefix, e.g. `/studies/1.2.3/metadata` (may be empty). */
  rawPath: string;
  /** The raw query string, without `?`. */
  rawQuery: string;
  /** The Authorization header. */
  authorization: string | undefined;
}

/** Who made a request and what it reached, for the audit log. */
export interface AccessSubject {
  jti?: string;
  purpose?: string;
  sub?: string;
  studies: string[];
}

/** How an allowed request is sent to the PACS. */
export type UpstreamPlan =
  /** Forward one request and stream the answer (frames, instances, rendered images). */
  | { mode: 'stream'; path: string }
  /**
   * Send each path (one per study for a root search), ask for DICOM JSON, filter each answer with
   * `filterDatasets` against `allowedStudies`, and answer with the concatenation.
   */
  | { mode: 'json'; paths: string[]; allowedStudies: ReadonlySet<string>; requireStudy: boolean };

export type PolicyDecision =
  | { allow: false; status: 400 | 401 | 403 | 404 | 503; reason: string; subject: AccessSubject }
  | { allow: true; subject: AccessSubject; plan: UpstreamPlan };

export interface GatewayPolicy {
  authorize: (request: PolicyRequest) => Promise<PolicyDecision>;
}

export interface TokenPolicyOptions {
  verifier: TokenVerifier;
  /** Revocations and use counts shared between requests (and gateways); default this process's memory. */
  state?: TokenState;
  /** The use counter of the default memory state (ignored with `state`). */
  uses?: UseCounter;
}

/** Filters that make a root search exact (one patient's or one study's records). */
const IDENTIFYING = new Set<string>([Tags.AccessionNumber, Tags.PatientID, Tags.StudyInstanceUID, Tags.SeriesInstanceUID, Tags.SOPInstanceUID]);
const UID_VALUED = new Set<string>([Tags.StudyInstanceUID, Tags.SeriesInstanceUID, Tags.SOPInstanceUID]);
/** Where a wildcard would widen a search beyond one record. */
const NO_WILDCARDS = new Set<string>([...IDENTIFYING, Tags.IssuerOfAccessionNumber]);
/** Query parameters of WADO-RS retrieval that the gateway passes on (PS3.18 8.3.5). */
const RETRIEVE_PARAMETERS = new Set(['viewport', 'quality', 'window', 'annotation', 'iccprofile', 'charset']);
const UID = /^[0-9]+(\.[0-9]+)*$/;

type Judgement = { status: 400 | 403; reason: string; studies: string[] } | { plan: UpstreamPlan; studies: string[] };

function bearer(authorization: string | undefined): string | undefined {
  return /^Bearer +([^\s]+)$/i.exec(authorization ?? '')?.[1];
}

function judge(request: DicomwebRequest, claims: FilmlessTokenClaims): Judgement {
  const allowed = new Set(claims.studies);
  const { params, route: target } = request;

  if (target.study !== undefined && !allowed.has(target.study)) {
    return { status: 403, reason: 'study-not-allowed', studies: [target.study] };
  }

  if (target.kind === 'retrieve') {
    const unexpected = params.find((p) => !RETRIEVE_PARAMETERS.has(p.key));
    if (unexpected) return { status: 400, reason: 'unexpected-parameter', studies: [target.study] };
    const path = formatRoute(target) + formatQuery(params);
    const plan: UpstreamPlan =
      target.view === 'metadata' ? { mode: 'json', paths: [path], allowedStudies: allowed, requireStudy: false } : { mode: 'stream', path };
    return { plan, studies: [target.study] };
  }

  // A search.
  const filters = params.filter((p) => NO_WILDCARDS.has(p.key) && p.value !== '');
  if (filters.some((p) => /[*?]/.test(p.value))) return { status: 400, reason: 'wildcard', studies: [] };
  // A backslash makes a DICOM value list (`A\B` matches either): as wide as a wildcard here.
  if (filters.some((p) => p.value.includes('\\'))) return { status: 400, reason: 'value-list', studies: [] };
  for (const p of filters) {
    if (UID_VALUED.has(p.key) && !p.value.split(',').every((uid) => uid.length <= 64 && UID.test(uid))) {
      return { status: 400, reason: 'bad-uid', studies: [] };
    }
  }
  const studyFilter = filters.find((p) => p.key === Tags.StudyInstanceUID);
  const askedStudies = studyFilter ? [...new Set(studyFilter.value.split(','))] : undefined;
  const refused = askedStudies?.filter((uid) => !allowed.has(uid)) ?? [];
  if (refused.length > 0) return { status: 403, reason: 'study-not-allowed', studies: refused };
  const accession = filters.find((p) => p.key === Tags.AccessionNumber);
  if (claims.accession !== undefined && accession && accession.value !== claims.accession) {
    return { status: 403, reason: 'accession-not-allowed', studies: [] };
  }

  if (target.study !== undefined) {
    // Scoped by the path to an allowed study; answers are still filtered.
    const path = formatRoute(target) + formatQuery(params);
    return { plan: { mode: 'json', paths: [path], allowedStudies: allowed, requireStudy: false }, studies: [target.study] };
  }
  if (!filters.some((p) => IDENTIFYING.has(p.key))) return { status: 400, reason: 'unfiltered-search', studies: [] };
  // One search per study, each with StudyInstanceUID forced to it.
  const others = params.filter((p) => p.key !== Tags.StudyInstanceUID);
  const paths = (askedStudies ?? claims.studies).map(
    (uid) => formatRoute(target) + formatQuery([...others, { name: 'StudyInstanceUID', value: uid }]),
  );
  return { plan: { mode: 'json', paths, allowedStudies: allowed, requireStudy: true }, studies: [] };
}

/** The policy for Filmless access tokens (see the top of this file). */
export function createTokenPolicy(options: TokenPolicyOptions): GatewayPolicy {
  const { verifier } = options;
  const state = options.state ?? new MemoryTokenState(options.uses);
  return {
    async authorize(request) {
      const seen: AccessSubject = { studies: [] };
      try {
        return await decide(request, seen);
      } catch (error) {
        if (!(error instanceof TokenStateUnavailableError)) throw error;
        return { allow: false, status: 503, reason: 'token-state-unavailable', subject: seen };
      }
    },
  };

  /** `seen` learns the token id as soon as it is known (the audit line of a 503 names it). */
  async function decide(request: PolicyRequest, seen: AccessSubject): Promise<PolicyDecision> {
    const check = await verifier.verify(bearer(request.authorization));
    if (!check.ok) {
      return { allow: false, status: 401, reason: check.reason, subject: { ...(check.jti ? { jti: check.jti } : {}), studies: [] } };
    }
    const { claims } = check;
    seen.jti = claims.jti;
    if (await state.isRevoked(claims.jti)) return { allow: false, status: 401, reason: 'revoked', subject: { jti: claims.jti, studies: [] } };
    const subject: AccessSubject = {
      jti: claims.jti,
      purpose: claims.purpose,
      ...(claims.sub !== undefined ? { sub: claims.sub } : {}),
      studies: [],
    };
    const parsed = parseDicomwebRequest(request.rawPath, request.rawQuery);
    if (isRequestProblem(parsed)) return { allow: false, status: parsed.status, reason: parsed.reason, subject };
    const judgement = judge(parsed, claims);
    subject.studies = judgement.studies;
    if ('status' in judgement) return { allow: false, status: judgement.status, reason: judgement.reason, subject };
    if (claims.uses !== undefined && !(await state.consumeUse(claims.jti, claims.uses, claims.exp * 1000))) {
      return { allow: false, status: 401, reason: 'uses-exhausted', subject };
    }
    return { allow: true, subject, plan: judgement.plan };
  }
}

function studyOf(item: Record<string, unknown>): string | undefined {
  const element = item[Tags.StudyInstanceUID] as { Value?: unknown[] } | undefined;
  const value = element?.Value?.[0];
  return typeof value === 'string' ? value : undefined;
}

/** Removes every BulkDataURI (at any depth of sequences) from a DICOM JSON dataset, in place. */
function stripBulkData(dataset: Record<string, unknown>): void {
  for (const element of Object.values(dataset)) {
    if (!element || typeof element !== 'object') continue;
    const attribute = element as { BulkDataURI?: unknown; Value?: unknown[] };
    delete attribute.BulkDataURI;
    if (Array.isArray(attribute.Value)) {
      for (const item of attribute.Value) if (item && typeof item === 'object' && !Array.isArray(item)) stripBulkData(item as Record<string, unknown>);
    }
  }
}

/**
 * Keeps the DICOM JSON datasets of allowed studies: a dataset naming another study is dropped, and so
 * is one naming none when `requireStudy` (root searches, whose answers must say which study they are
 * from). Returns the kept datasets (BulkDataURIs removed) and the studies they belong to.
 */
export function filterDatasets(
  answer: unknown,
  allowedStudies: ReadonlySet<string>,
  requireStudy: boolean,
): { datasets: Record<string, unknown>[]; studies: string[] } | undefined {
  if (!Array.isArray(answer)) return undefined;
  const datasets: Record<string, unknown>[] = [];
  const studies = new Set<string>();
  for (const item of answer) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
    const dataset = item as Record<string, unknown>;
    const study = studyOf(dataset);
    if (study === undefined ? requireStudy : !allowedStudies.has(study)) continue;
    if (study !== undefined) studies.add(study);
    stripBulkData(dataset);
    datasets.push(dataset);
  }
  return { datasets, studies: [...studies] };
}
