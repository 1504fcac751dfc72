/** Node-side facts the browser tests ask for (the PACS, the gateway's log, pixels read from files). */
import { executeServerCommand } from '@web/test-runner-commands';

export interface PacsInfo {
  /** Hospital B's gateway (a second Orthanc), for the several-PACS tests. */
  hospitalBUrl: string;
  /** Where the built dist/ is served from another origin, under a sub-path. */
  cdnUrl: string;
  gatewayUrl: string;
  token: string;
  accessions: Record<string, string>;
  studies: Record<string, string[]>;
}

export interface GatewayRequest {
  /** When the gateway received it (ISO 8601). */
  time: string;
  method: string;
  url: string;
  authorization: string | null;
  status: number;
}

let info: PacsInfo | undefined;

export async function pacsInfo(): Promise<PacsInfo> {
  info ??= (await executeServerCommand('pacs-info')) as PacsInfo;
  return info;
}

export async function gatewayRequests(): Promise<GatewayRequest[]> {
  return (await executeServerCommand('gateway-requests')) as GatewayRequest[];
}

export interface StoredPixel {
  stored: number;
  slope: number;
  intercept: number;
  modalityValue: number;
}

export async function storedPixel(file: string, column: number, row: number): Promise<StoredPixel> {
  return (await executeServerCommand('stored-pixel', { file, column, row })) as StoredPixel;
}


/** One step of real touch input: all fingers' positions (page CSS pixels) at that moment. */
export interface TouchStep {
  type: 'touchStart' | 'touchMove' | 'touchEnd';
  points: [number, number][];
}

export async function touch(steps: TouchStep[]): Promise<void> {
  await executeServerCommand('touch', { steps });
}

export async function screenshot(name: string): Promise<void> {
  await executeServerCommand('screenshot', { name });
}

export async function stopHospitalB(): Promise<void> {
  await executeServerCommand('stop-hospital-b');
}

/** StudyInstanceUIDs the PACS holds for a patient, asked through its own REST API. */
export async function patientStudies(patientId: string): Promise<string[]> {
  return (await executeServerCommand('patient-studies', { patientId })) as string[];
}

/** Emulates user preferences, e.g. `{ 'forced-colors': 'active', 'prefers-reduced-motion': 'reduce' }`. */
export async function emulatePreferences(features: Record<string, string>): Promise<void> {
  await executeServerCommand('media', features);
}
