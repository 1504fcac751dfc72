/**
 * The test PACS: a real Orthanc loaded from ../shared/dicom, with one accession number per test (each
 * a copy of a shared study with new UIDs, made through Orthanc's modify API), behind the demo gateway.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { type GatewayLogEntry, startGatewayServer } from '../../demo/server/gateway.js';
import { loadCharsetStudies } from './charset-studies.js';
import { type OrthancServer, copyStudyWithAccession, startOrthanc, uploadFolder } from './orthanc.js';

export const SHARED_DICOM = path.resolve(fileURLToPath(new URL('../../../shared/dicom', import.meta.url)));
export const CT_FOLDER = path.join(SHARED_DICOM, 'ct-dcmqact-philips-head-phantom');
export const MR_FOLDER = path.join(SHARED_DICOM, 'mr-dcmqadecubitus-siemens-t1-sag');

/** Accession numbers the browser tests use; each test owns its own. */
export const ACCESSIONS = {
  ctPixels: { accession: 'FL-CT-PIXELS', from: ['ct'] },
  mr: { accession: 'FL-MR-1', from: ['mr'] },
  mrTools: { accession: 'FL-MR-TOOLS', from: ['mr'] },
  mrAuth: { accession: 'FL-MR-AUTH', from: ['mr'] },
  mrWrongToken: { accession: 'FL-MR-WRONG-TOKEN', from: ['mr'] },
  ambiguous: { accession: 'FL-AMBIG', from: ['ct', 'mr'] },
  switchFirst: { accession: 'FL-SWITCH-A', from: ['ct'] },
  switchSecond: { accession: 'FL-SWITCH-B', from: ['mr'] },
  twoViewersA: { accession: 'FL-TWO-A', from: ['mr'] },
  twoViewersB: { accession: 'FL-TWO-B', from: ['ct'] },
  disconnect: { accession: 'FL-DISCONNECT', from: ['ct'] },
  phone: { accession: 'FL-PHONE', from: ['mr'] },
} as const;

/** Studies the tests generate in specific character sets (see charset-studies.ts). */
export const CHARSET_ACCESSIONS = { vi: 'FL-CHARSET-VI', tr: 'FL-CHARSET-TR' } as const;

export type FixtureName = keyof typeof ACCESSIONS;

/** The token every browser test may use; tests that check headers use their own `test-token-…`. */
export const TEST_TOKEN = 'test-token-shared';

export interface TestPacs {
  orthanc: OrthancServer;
  gatewayUrl: string;
  /** StudyInstanceUIDs created for each accession. */
  studies: Record<string, string[]>;
  requests: GatewayLogEntry[];
  stop: () => Promise<void>;
}

export async function startTestPacs(allowedOrigins: string[] | '*'): Promise<TestPacs> {
  for (const folder of [CT_FOLDER, MR_FOLDER]) {
    if (!existsSync(folder)) throw new Error(`Test data missing: ${folder} (clone the project beside ../shared)`);
  }
  const orthanc = await startOrthanc();
  const [ctStudies, mrStudies] = [await uploadFolder(orthanc, CT_FOLDER), await uploadFolder(orthanc, MR_FOLDER)];
  const originals = { ct: ctStudies[0]!, mr: mrStudies[0]! };
  const studies: Record<string, string[]> = {};
  for (const { accession, from } of Object.values(ACCESSIONS)) {
    studies[accession] = [];
    for (const source of from) {
      studies[accession].push(await copyStudyWithAccession(orthanc, originals[source], accession));
    }
  }
  for (const [accession, uid] of Object.entries(await loadCharsetStudies(orthanc, CHARSET_ACCESSIONS))) studies[accession] = [uid];
  const requests: GatewayLogEntry[] = [];
  const gateway = await startGatewayServer({
    upstream: orthanc.dicomwebUrl,
    // Test tokens: any `test-token-…`; the identity logged is the token's suffix, as a real gateway would log a token id.
    verifyToken: (token) => (token.startsWith('test-token-') ? `id:${token.slice(11)}` : undefined),
    allowedOrigins,
    onRequest: (entry) => requests.push(entry),
  });
  return {
    orthanc,
    gatewayUrl: gateway.url,
    studies,
    requests,
    stop: async () => {
      await gateway.close();
      await orthanc.stop();
    },
  };
}
