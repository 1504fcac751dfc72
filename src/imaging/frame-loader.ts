/**
 * Cornerstone image loader for the `filmless:` scheme. Filmless fetches frame bytes itself (one
 * request per series where the server allows it, see series-frames.ts) and hands them to Cornerstone's
 * DICOM image loader only to decode, so Cornerstone never sends a request of its own.
 */
import { cache, getEnabledElements, imageLoader, type Types, utilities } from '@cornerstonejs/core';
import { createImage, wadors } from '@cornerstonejs/dicom-image-loader';
import { FilmlessError } from '../errors.js';
import type { DicomJsonDataset } from '../dicomweb/dicom-json.js';
import { Tag, numberValue, stringValue } from '../dicomweb/dicom-json.js';
import type { FrameBytes } from '../dicomweb/client.js';
import { type FrameShape, checkFrame } from '../dicomweb/frame-check.js';
import { prepareNativeFrame } from './native-frames.js';
import { nextTask } from './next-task.js';
import { type CorrectedPixels, type DecodedImage, JS_DCT_JPEG, correctTwelveBitJpeg, jpegCoding } from './jpeg12-correction.js';

export const SCHEME = 'filmless';

/** Supplies the bytes of one frame of a loaded series. */
export interface FrameSource {
  frameBytes(sopInstanceUID: string, frameNumber: number, signal?: AbortSignal): Promise<FrameBytes>;
}

const sources = new Map<string, FrameSource>();
/** The image IDs registered on each source: what leaves Cornerstone's cache and metadata with it. */
const sourceImages = new Map<string, Set<string>>();
let sequence = 0;

/** Transfer syntaxes whose frames are raw pixels, so their length can be checked before decoding. */
const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

/** Registers a series' frame source; returns the key its image IDs are built on. */
export function addFrameSource(source: FrameSource): string {
  sequence += 1;
  const key = `s${sequence}`;
  sources.set(key, source);
  return key;
}

/**
 * Forgets a series no viewport shows any more: its frame source, its metadata (Filmless's and Cornerstone's
 * image loader's), its decoded images in Cornerstone's cache, and a volume (MPR) built from them. Image
 * IDs are made per load (the source key), so no later load can ask for these images again.
 */
export function removeFrameSource(key: string): void {
  sources.delete(key);
  const imageIds = sourceImages.get(key);
  sourceImages.delete(key);
  if (!imageIds) return;
  for (const volume of cache.getVolumes()) {
    const { volumeId } = volume ?? {};
    // A volume still on screen (MPR, which closes when its series goes) is left to its owner to remove:
    // removed under its viewports, Cornerstone's crosshairs would fail on them as they are disabled.
    const shown = getEnabledElements().some(({ viewport }) => (viewport as { hasVolumeId?: (id: string) => boolean }).hasVolumeId?.(volumeId));
    if (volumeId && !shown && volume.imageIds?.some((imageId) => imageIds.has(imageId)) && cache.getVolumeLoadObject(volumeId)) {
      cache.removeVolumeLoadObject(volumeId);
    }
  }
  for (const imageId of imageIds) {
    files.delete(imageId);
    wadors.metaDataManager.remove(imageId);
    // A load still running is cancelled by the cache (its frame request aborted).
    if (cache.getImageLoadObject(imageId)) cache.removeImageLoadObject(imageId, { force: true });
  }
  // The loader's metadata table keeps a key per image it was ever given (remove() only empties it):
  // with no series registered any more, it starts afresh.
  if (sourceImages.size === 0) wadors.metaDataManager.purge();
}

/** Frames whose metadata is registered now (for memoryUsage()). */
export function registeredFrameCount(): number {
  let count = 0;
  for (const imageIds of sourceImages.values()) count += imageIds.size;
  return count;
}

/**
 * Each frame's metadata as the file has it. Cornerstone's copy may describe a frame as it was handed over
 * (native-frames.ts: RGB instead of YBR_FULL_422, 16 instead of 8 bits): checks and conversions read this one.
 */
const files = new Map<string, DicomJsonDataset>();

/**
 * The metadata Cornerstone reads. Its provider reads the Modality of every image (NM checks) and fails
 * inside its decoder without one (minimal secondary captures have none): an empty one is what the file says.
 */
function described(instance: DicomJsonDataset): DicomJsonDataset {
  return instance['00080060'] ? instance : { ...instance, '00080060': { vr: 'CS', Value: [''] } };
}

/**
 * Builds the image ID of a frame and registers its metadata with Cornerstone. The ID ends in
 * `/frames/N` because Cornerstone's multi-frame metadata handling reads the frame number from there.
 */
export function frameImageId(sourceKey: string, sopInstanceUID: string, frameNumber: number, instance: DicomJsonDataset): string {
  const imageId = `${SCHEME}:${sourceKey}/instances/${sopInstanceUID}/frames/${frameNumber}`;
  const registered = sourceImages.get(sourceKey) ?? new Set<string>();
  sourceImages.set(sourceKey, registered.add(imageId));
  files.set(imageId, instance);
  wadors.metaDataManager.add(imageId, described(instance) as unknown as Parameters<typeof wadors.metaDataManager.add>[1]);
  return imageId;
}

function parseImageId(imageId: string): { key: string; sop: string; frame: number } {
  const match = /^filmless:([^/]+)\/instances\/([^/]+)\/frames\/(\d+)$/.exec(imageId);
  if (!match) throw new FilmlessError('bad-data', `Not a Filmless image ID: ${imageId}`);
  return { key: match[1]!, sop: match[2]!, frame: Number(match[3]) };
}

/** Rejects frames whose raw byte count cannot hold the image, instead of drawing a black picture. */
function assertCompleteFrame(imageId: string, frame: FrameBytes): void {
  if (!UNCOMPRESSED.has(frame.transferSyntaxUID)) return;
  const instance = files.get(imageId);
  const rows = numberValue(instance, Tag.Rows) ?? 0;
  const columns = numberValue(instance, Tag.Columns) ?? 0;
  // YBR_FULL_422 (and the retired YBR_PARTIAL_422) store two luminance and one shared pair of chroma
  // samples per two pixels: two samples' worth of bytes per pixel, not three.
  const photometric = stringValue(instance, '00280004').trim();
  const samples = photometric.endsWith('_422') ? 2 : (numberValue(instance, '00280002') ?? 1);
  const bitsAllocated = numberValue(instance, '00280100') ?? 16;
  const expected = bitsAllocated === 1 ? Math.ceil((rows * columns * samples) / 8) : rows * columns * samples * (bitsAllocated / 8);
  if (frame.bytes.length < expected) {
    throw new FilmlessError('bad-data', `Frame holds ${frame.bytes.length} bytes, the image needs ${expected}`);
  }
}

/**
 * How long one frame may take to decode. Cornerstone's createImage never settles when its own code throws
 * after decoding (e.g. on metadata it did not expect): a frame that takes this long is reported as not
 * decodable instead of leaving the viewer loading for ever. Generous: a 4k × 4k JPEG 2000 frame decodes
 * in a few seconds on a slow machine.
 */
const DECODE_TIMEOUT_MS = 60_000;

function settlesWithin<T>(promise: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No decoded image after ${ms} ms`)), ms);
    const stop = () => clearTimeout(timer);
    signal.addEventListener('abort', stop, { once: true });
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

/** Puts a new pixel array in a decoded image: its frame, its voxel manager, its type and size. */
function usePixels(image: Types.IImage, pixels: CorrectedPixels): void {
  const frame = (image as unknown as { imageFrame: { pixelData: unknown; pixelDataLength: number } }).imageFrame;
  frame.pixelData = pixels;
  frame.pixelDataLength = pixels.length;
  const writable = image as unknown as Record<string, unknown>;
  writable.voxelManager = utilities.VoxelManager.createImageVoxelManager({
    scalarData: pixels,
    width: image.columns,
    height: image.rows,
    numberOfComponents: image.numberOfComponents ?? 1,
  });
  writable.dataType = pixels.constructor.name;
  writable.sizeInBytes = pixels.byteLength;
}

async function loadFrame(imageId: string, signal: AbortSignal): Promise<Types.IImage> {
  const { key, sop, frame } = parseImageId(imageId);
  const source = sources.get(key);
  if (!source) throw new FilmlessError('bad-data', `No frame source for ${imageId}`);
  const bytes = await source.frameBytes(sop, frame, signal);
  // An uncompressed frame is checked and decoded on the main thread (native-frames.ts, decode-router.ts),
  // a few milliseconds each: frames that arrive together (Cornerstone prefetches several at once) take a
  // task each, not one long one (issue 11, P4).
  if (UNCOMPRESSED.has(bytes.transferSyntaxUID)) {
    await nextTask();
    signal.throwIfAborted();
  }
  assertCompleteFrame(imageId, bytes);
  const shape = frameShape(files.get(imageId));
  checkFrame(bytes.bytes, bytes.transferSyntaxUID, shape);
  // Read before decoding: the decoder may be handed (and detach) the bytes.
  const jpeg = JS_DCT_JPEG.has(bytes.transferSyntaxUID) ? jpegCoding(bytes.bytes) : undefined;
  const twelveBitJpeg = jpeg?.precision === 12;
  if (twelveBitJpeg && jpeg.successiveApproximation) {
    throw new FilmlessError('unsupported', `Frame ${frame} of ${sop} is 12-bit JPEG with successive approximation, which Cornerstone's decoder gets wrong`);
  }
  let pixels = bytes.bytes;
  let transferSyntaxUID = bytes.transferSyntaxUID;
  const instance = files.get(imageId);
  if (instance && UNCOMPRESSED.has(transferSyntaxUID)) {
    // Masked high bits, widened signed 8-bit samples, YBR_FULL_422 as RGB (native-frames.ts).
    const prepared = prepareNativeFrame(instance, pixels, transferSyntaxUID);
    ({ samples: pixels, transferSyntaxUID } = prepared);
    if (prepared.overrides) wadors.metaDataManager.add(imageId, { ...described(instance), ...prepared.overrides } as unknown as Parameters<typeof wadors.metaDataManager.add>[1]);
  }
  let image: Types.IImage;
  try {
    image = (await settlesWithin(createImage(imageId, pixels, transferSyntaxUID, {}) as unknown as Promise<Types.IImage>, DECODE_TIMEOUT_MS, signal)) as Types.IImage;
  } catch (error) {
    throw new FilmlessError('bad-data', `Frame ${frame} of ${sop} did not decode`, { cause: error });
  }
  // A decoder that fails quietly hands over an image of another size (none at all: zero pixels wide).
  if (shape.columns > 0 && shape.rows > 0 && (image.columns !== shape.columns || image.rows !== shape.rows)) {
    throw new FilmlessError('bad-data', `Frame ${frame} of ${sop} decoded to ${image.columns}×${image.rows}, its header says ${shape.columns}×${shape.rows}`);
  }
  if (twelveBitJpeg) {
    // Cornerstone's JavaScript decoder gives every 12-bit sample 15 units too high (jpeg12-correction.ts).
    const instance = files.get(imageId);
    const replaced = correctTwelveBitJpeg(image as unknown as DecodedImage, numberValue(instance, '00280103') === 1, numberValue(instance, '00280101') ?? 12);
    if (replaced) usePixels(image, replaced);
  }
  return image;
}

/** The frame's size and sample layout as its header gives them. */
function frameShape(instance: DicomJsonDataset | undefined): FrameShape {
  return {
    columns: numberValue(instance, Tag.Columns) ?? 0,
    rows: numberValue(instance, Tag.Rows) ?? 0,
    samplesPerPixel: numberValue(instance, '00280002') ?? 1,
    bitsAllocated: numberValue(instance, '00280100') ?? 16,
  };
}

function createLoadObject(imageId: string): Types.IImageLoadObject {
  const controller = new AbortController();
  return {
    // Decoding is not abortable: an image decoded after its series was forgotten must not enter the cache.
    promise: loadFrame(imageId, controller.signal).then((image) => {
      controller.signal.throwIfAborted();
      return image;
    }),
    cancelFn: () => controller.abort(),
  } as unknown as Types.IImageLoadObject;
}

/**
 * The loader Cornerstone calls: it puts the load into Cornerstone's cache itself, with its failure
 * observed. Cornerstone's own insertion (loadAndCacheImage, used by its viewports when the user scrolls)
 * leaves that promise unobserved, so a damaged frame, or a frame whose series was left while it loaded
 * (an AbortError), would reach the host page as an unhandled rejection; finding the load cached, it
 * inserts nothing. Whoever asked for the image still gets the failure through the returned promise.
 */
function cachedLoadObject(imageId: string): Types.IImageLoadObject {
  const cached = cache.getImageLoadObject(imageId);
  if (cached) return cached;
  const loadObject = createLoadObject(imageId);
  void cache.putImageLoadObject(imageId, loadObject).catch(() => undefined);
  return loadObject;
}

let registered = false;

export function registerFrameLoader(): void {
  if (registered) return;
  registered = true;
  imageLoader.registerImageLoader(SCHEME, cachedLoadObject);
}

/** Loads a frame into Cornerstone's cache (see cachedLoadObject); the promise fails as the frame did. */
export function loadAndCacheFrame(imageId: string): Promise<Types.IImage> {
  return imageLoader.loadAndCacheImage(imageId);
}
