/**
 * A read-only DICOMweb server (QIDO-RS, WADO-RS metadata, frames, Part-10 retrieve and rendered
 * JPEG or PNG images, compressed frames decoded) over a folder index, so the demo runs on a machine without
 * a PACS.
 *
 * It answers one request at a time for a gateway that owns everything else: authentication,
 * CORS and the `/dicom-web` prefix are deliberately not handled here.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DicomIndex, IndexedInstance, IndexedSeries, IndexedStudy } from './dicom-index.js';
import { acceptsStored, renderedMediaType } from './folder-accept.js';
import { readFrames } from './folder-frames.js';
import { multipartClosing, multipartContentType, newBoundary, PART_CLOSING, partOpening } from './folder-multipart.js';
import { NotRenderableError } from './folder-pixels.js';
import { QueryError, runQuery, type QueryLevel } from './folder-qido.js';
import { parseRenderOptions, renderedFile, RenderQueryError, seriesPreviewFrame, type FrameRef } from './folder-render.js';
import { parseRoute, RouteError, type Route } from './folder-routes.js';

/**
 * Serves one DICOMweb request.
 * @param path the request path after the DICOMweb prefix, e.g. `/studies/1.2.3/series`.
 * @param query the request's query parameters (QIDO matching keys, `limit`, `offset`, `includefield`;
 *   `viewport` and `window` for rendered images).
 */
export type DicomWebHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
) => Promise<void>;

/** An answer other than 200, with the status it maps to. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DICOM_JSON = 'application/dicom+json';
const FRAME_PART_TYPE = 'application/octet-stream';
const FILE_PART_TYPE = 'application/dicom';

/**
 * Creates the request handler for an index. The handler never rejects: every failure becomes an
 * HTTP status with a JSON body (400 malformed path or query, 404 unknown UID or frame, 405 method,
 * 406 unsatisfiable Accept or an image that cannot be rendered without a codec, 500 unexpected),
 * or a cut connection once a body has started.
 */
export function createFolderSource(index: DicomIndex): DicomWebHandler {
  return async (req, res, path, query) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        throw new HttpError(405, `${req.method} is not supported; this DICOMweb source is read-only`);
      }
      await serve(index, parseRoute(path), req, res, query);
    } catch (error) {
      answerError(req, res, error);
    }
  };
}

async function serve(
  index: DicomIndex,
  route: Route,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  switch (route.kind) {
    case 'search-studies':
      return search(index, 'study', {}, req, res, query);
    case 'search-series':
      return search(index, 'series', { studyInstanceUID: route.study }, req, res, query);
    case 'search-instances':
      return search(index, 'instance', { studyInstanceUID: route.study, seriesInstanceUID: route.series }, req, res, query);
    case 'metadata':
      return sendJson(req, res, 200, instancesIn(index, route).map(metadataOf), DICOM_JSON);
    case 'frames':
      return sendFrames(findInstance(index, route), route.frameNumbers, req, res);
    case 'retrieve':
      return sendFiles(instancesIn(index, route), req, res);
    case 'rendered':
      return sendRendered(renderTarget(index, route), req, res, query);
  }
}

/** QIDO-RS. A search inside an unknown study or series finds nothing (200, `[]`), as Orthanc answers. */
function search(
  index: DicomIndex,
  level: QueryLevel,
  scope: { studyInstanceUID?: string; seriesInstanceUID?: string },
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): void {
  sendJson(req, res, 200, runQuery(index, level, scope, query), DICOM_JSON);
}

function metadataOf(instance: IndexedInstance): object {
  // Frames are sent as stored, so the stored syntax is the one a client can get.
  return { ...instance.json, '00083002': { vr: 'UI', Value: [instance.transferSyntaxUID] } };
}

async function sendFrames(
  instance: IndexedInstance,
  frameNumbers: readonly number[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (instance.frames.length === 0) throw new HttpError(404, `instance ${instance.sopInstanceUID} has no pixel data`);
  const missing = frameNumbers.filter((n) => n > instance.frames.length);
  if (missing.length > 0) {
    throw new HttpError(404, `frame ${missing.join(', ')} does not exist; the instance has ${instance.frames.length}`);
  }
  const stored = { partType: FRAME_PART_TYPE, transferSyntaxUIDs: [instance.transferSyntaxUID] };
  if (!acceptsStored(req.headers.accept, stored)) {
    throw new HttpError(406, `frames are only available as stored, in transfer syntax ${instance.transferSyntaxUID}`);
  }

  const frames = await readFrames(instance, frameNumbers.map((n) => n - 1));
  const boundary = newBoundary();
  const partHeaders = { 'Content-Type': `${FRAME_PART_TYPE}; transfer-syntax=${instance.transferSyntaxUID}` };
  const body = Buffer.concat([
    ...frames.flatMap((frame) => [partOpening(boundary, partHeaders), frame, PART_CLOSING]),
    multipartClosing(boundary),
  ]);
  res.writeHead(200, {
    'Content-Type': multipartContentType(FRAME_PART_TYPE, boundary),
    'Content-Length': body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * One frame rendered as JPEG or PNG, as the Accept header prefers; compressed frames are decoded
 * first. The image is small (a few kB for a thumbnail), so it is built whole and sent with its length.
 */
async function sendRendered(target: FrameRef, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const options = parseRenderOptions(query);
  const type = renderedMediaType(req.headers.accept);
  if (!type) throw new HttpError(406, 'rendered images are available as image/jpeg or image/png');
  const { instance, frameIndex } = target;
  const [frame] = await readFrames(instance, [frameIndex]);
  const body = await renderedFile(instance, frameIndex, frame, options, type);
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The frame a rendered route names: the series' preview frame, an instance's first frame, or the
 * one frame of a frame list (a list of several would need a multi-frame media type: 406).
 */
function renderTarget(index: DicomIndex, route: Extract<Route, { kind: 'rendered' }>): FrameRef {
  const series = findSeries(findStudy(index, route.study), route.series);
  if (route.instance === undefined) {
    const preview = seriesPreviewFrame(series);
    if (!preview) throw new HttpError(404, `series ${series.seriesInstanceUID} has no image to render`);
    return preview;
  }
  const instance = findInstanceIn(series, route.instance);
  if (instance.frames.length === 0) throw new HttpError(404, `instance ${instance.sopInstanceUID} has no pixel data`);
  const frameNumbers = route.frameNumbers ?? [1];
  const missing = frameNumbers.filter((n) => n > instance.frames.length);
  if (missing.length > 0) {
    throw new HttpError(404, `frame ${missing.join(', ')} does not exist; the instance has ${instance.frames.length}`);
  }
  if (frameNumbers.length > 1) {
    throw new HttpError(406, 'frames are rendered one at a time; no multi-frame image type is produced');
  }
  return { instance, frameIndex: frameNumbers[0] - 1 };
}

/** Part-10 files as stored, streamed from disk one after the other. */
async function sendFiles(instances: readonly IndexedInstance[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const stored = { partType: FILE_PART_TYPE, transferSyntaxUIDs: instances.map((i) => i.transferSyntaxUID) };
  if (!acceptsStored(req.headers.accept, stored)) {
    throw new HttpError(406, 'instances are only available as stored Part-10 files (application/dicom)');
  }
  const boundary = newBoundary();
  const parts = await Promise.all(
    instances.map(async (instance) => ({
      instance,
      opening: partOpening(boundary, { 'Content-Type': FILE_PART_TYPE }),
      size: (await stat(instance.filePath)).size,
    })),
  );
  const closing = multipartClosing(boundary);
  const length = parts.reduce((sum, p) => sum + p.opening.length + p.size + PART_CLOSING.length, closing.length);
  res.writeHead(200, {
    'Content-Type': multipartContentType(FILE_PART_TYPE, boundary),
    'Content-Length': length,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  for (const part of parts) {
    res.write(part.opening);
    await copyFile(part.instance.filePath, res);
    res.write(PART_CLOSING);
  }
  res.end(closing);
}

/**
 * Copies a file into the response, waiting whenever the client is slower than the disk. Not
 * stream.pipeline: with `end: false` each call would leave listeners behind on the response.
 */
async function copyFile(filePath: string, res: ServerResponse): Promise<void> {
  for await (const chunk of createReadStream(filePath)) {
    if (res.destroyed) throw new Error('client closed the connection');
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The instances a metadata or retrieve route names: a whole study, a series, or one instance. */
function instancesIn(index: DicomIndex, route: { study: string; series?: string; instance?: string }): IndexedInstance[] {
  const study = findStudy(index, route.study);
  if (route.series === undefined) {
    return [...study.series.values()].flatMap((series) => [...series.instances.values()]);
  }
  const series = findSeries(study, route.series);
  if (route.instance === undefined) return [...series.instances.values()];
  return [findInstanceIn(series, route.instance)];
}

function findInstance(index: DicomIndex, route: { study: string; series: string; instance: string }): IndexedInstance {
  return findInstanceIn(findSeries(findStudy(index, route.study), route.series), route.instance);
}

function findStudy(index: DicomIndex, uid: string): IndexedStudy {
  const study = index.studies.get(uid);
  if (!study) throw new HttpError(404, `study ${uid} not found`);
  return study;
}

function findSeries(study: IndexedStudy, uid: string): IndexedSeries {
  const series = study.series.get(uid);
  if (!series) throw new HttpError(404, `series ${uid} not found in study ${study.studyInstanceUID}`);
  return series;
}

function findInstanceIn(series: IndexedSeries, uid: string): IndexedInstance {
  const instance = series.instances.get(uid);
  if (!instance) throw new HttpError(404, `instance ${uid} not found in series ${series.seriesInstanceUID}`);
  return instance;
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, contentType: string): void {
  const text = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': text.length });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function answerError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    // Part of a body is out (or the client left mid-stream): only cutting the connection tells
    // the client its response is incomplete.
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const status =
    error instanceof HttpError ? error.status
    : error instanceof RouteError || error instanceof QueryError || error instanceof RenderQueryError ? 400
    : error instanceof NotRenderableError ? 406
    : 500;
  const message = error instanceof Error ? error.message : String(error);
  sendJson(req, res, status, { status, error: message }, 'application/json');
}
