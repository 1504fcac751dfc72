/**
 * Checks of WADO-RS rendered images for folder-source.selfcheck.ts. Pixels are compared with
 * dcmtk's rendering (dcm2pnm) of the same file, or with facts of the data (the CT phantom's skull,
 * the air around it, known colours), never with an earlier output of our own.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createFolderSource } from './dicom-folder-source.js';
import { indexDicomFolder, type DicomIndex, type IndexedInstance } from './dicom-index.js';
import {
  decodePng,
  getDicomJson,
  mountOnLocalServer,
  pixelDataByDcmjs,
  renderByDcm2pnm,
  request,
  RGB_FIXTURE,
  writeRgbFixtures,
  type CheckRunner,
  type DecodedImage,
  type FetchedResponse,
} from './folder-selfcheck-support.js';

/** PNG, so pixels compare exactly (the viewer's series strip asks for image/jpeg: see test/node/folder-rendered.test.ts). */
const VIEWER_ACCEPT = 'image/png';
/** Larger than any test image: rendered at its own size, so pixels compare one to one. */
const NATIVE_SIZE = 'viewport=4096,4096';
const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);
const SR_WITHOUT_PIXELS = 'no-pixel-data.dcm';

/** A PNG answer, decoded; fails the check when it is anything else. */
async function fetchPng(url: string, accept: string | undefined = VIEWER_ACCEPT): Promise<{ image: DecodedImage; response: FetchedResponse }> {
  const response = await request(url, accept === undefined ? {} : { accept });
  assert.equal(response.status, 200, `${url} → ${response.status} ${response.body.toString().slice(0, 200)}`);
  assert.equal(response.headers.get('content-type'), 'image/png');
  assert.equal(Number(response.headers.get('content-length')), response.body.length);
  return { image: decodePng(response.body), response };
}

/** Previews of the Philips CT phantom's axial series (512×512, 140 slices, window 40/80 in the files). */
export async function checkRenderedCt(
  checks: CheckRunner,
  index: DicomIndex,
  base: string,
  studyUid: string,
  seriesUid: string,
): Promise<void> {
  const seriesUrl = `${base}/studies/${studyUid}/series/${seriesUid}`;
  let preview: FetchedResponse | undefined;
  let image: DecodedImage | undefined;

  await checks.run('the axial CT series preview, asked for as image/jpeg, is a 96×96 greyscale PNG', async () => {
    ({ image, response: preview } = await fetchPng(`${seriesUrl}/rendered?viewport=96,96`));
    assert.deepEqual([image.width, image.height, image.channels], [96, 96, 1]);
    return `${preview.body.length} bytes`;
  });
  await checks.run('the preview fits inside a non-square viewport, keeping the square aspect', async () => {
    const { image: wide } = await fetchPng(`${seriesUrl}/rendered?viewport=96,64`);
    const { image: tall } = await fetchPng(`${seriesUrl}/rendered?viewport=40,200`);
    assert.deepEqual([wide.width, wide.height, tall.width, tall.height], [64, 64, 40, 40]);
  });
  await checks.run('the series preview shows the middle slice by position', async () => {
    assert.ok(preview, 'no preview');
    const metadata = await getDicomJson(`${seriesUrl}/metadata`);
    const byHeight = metadata
      .map((m) => ({ sop: String(m['00080018'].Value?.[0]), z: Number((m['00200032'].Value ?? [])[2]) }))
      .sort((a, b) => a.z - b.z);
    // With an even count either of the two central slices is the middle one.
    const central = [byHeight[(byHeight.length - 1) >> 1], byHeight[byHeight.length >> 1]];
    for (const slice of central) {
      const response = await request(`${seriesUrl}/instances/${slice.sop}/rendered?viewport=96,96`);
      if (response.body.equals(preview.body)) return `z = ${slice.z} mm of ${byHeight[0].z}…${byHeight.at(-1)?.z}`;
    }
    assert.fail(`preview is neither slice at z = ${central.map((s) => s.z).join(' or ')}`);
  });
  await checks.run('the preview shows a bright skull ring around a dark inside, and black air in the corners', () => {
    assert.ok(image, 'no preview');
    const { width, pixels } = image;
    const at = (x: number, y: number): number => pixels[Math.round(y) * width + Math.round(x)];
    const centre = (width - 1) / 2;
    // Bone is far above the 40/80 brain window: white. The skull lies 20-45 % of the width from
    // the centre; the phantom's skull has one thin gap, so a few of the 36 rays may miss it.
    const rays = Array.from({ length: 36 }, (_, i) => (i * Math.PI) / 18);
    const hits = rays.filter((angle) => {
      for (let r = 0.2 * width; r <= 0.45 * width; r += 0.5) {
        if (at(centre + r * Math.cos(angle), centre + r * Math.sin(angle)) >= 120) return true;
      }
      return false;
    }).length;
    assert.ok(hits >= 32, `skull found on ${hits} of 36 rays`);
    const inside: number[] = [];
    for (let y = 0; y < width; y++) {
      for (let x = 0; x < width; x++) if (Math.hypot(x - centre, y - centre) < 0.15 * width) inside.push(at(x, y));
    }
    inside.sort((a, b) => a - b);
    const insideMedian = inside[inside.length >> 1];
    assert.ok(insideMedian < 30, `inside median ${insideMedian}`);
    const corner = 12;
    const corners = [0, width - corner].flatMap((x0) => [0, width - corner].map((y0) => {
      let sum = 0;
      for (let y = y0; y < y0 + corner; y++) for (let x = x0; x < x0 + corner; x++) sum += at(x, y);
      return sum / corner ** 2;
    }));
    assert.ok(corners.every((mean) => mean < 5), `corner means ${corners.join(', ')}`);
    return `skull on ${hits}/36 rays, inside median ${insideMedian}, corners ${corners.map((m) => m.toFixed(1)).join('/')}`;
  });
  await checks.run('without a viewport a 512² slice shrinks to 128², each pixel the mean of its 4×4 block (±1)', async () => {
    const sops = metadataSops(index, studyUid, seriesUid);
    const url = `${seriesUrl}/instances/${sops[sops.length >> 1]}/rendered`;
    const { image: full } = await fetchPng(`${url}?viewport=512,512`);
    const { image: small } = await fetchPng(url);
    assert.deepEqual([full.width, small.width, small.height], [512, 128, 128]);
    let worst = 0;
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) {
        let sum = 0;
        for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) sum += full.pixels[(y * 4 + dy) * 512 + x * 4 + dx];
        worst = Math.max(worst, Math.abs(small.pixels[y * 128 + x] - sum / 16));
      }
    }
    assert.ok(worst <= 1, `a pixel differs from its block mean by ${worst}`);
    return `largest difference ${worst.toFixed(2)}`;
  });
  await checks.run('HEAD on a rendered preview answers its headers without a body', async () => {
    const response = await request(`${seriesUrl}/rendered?viewport=96,96`, { method: 'HEAD', accept: VIEWER_ACCEPT });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(Number(response.headers.get('content-length')), preview?.body.length);
    assert.equal(response.body.length, 0);
  });
  await checks.run('PNG is answered when Accept prefers it; JPEG otherwise; 406 when neither is acceptable', async () => {
    const url = `${seriesUrl}/rendered?viewport=32,32`;
    for (const accept of ['image/png', 'image/jpeg;q=0.5, image/png', 'image/jpeg;q=0, */*']) await fetchPng(url, accept);
    for (const accept of [undefined, 'image/*', '*/*', 'image/jpeg', 'text/html, */*;q=0.8']) {
      const response = await request(url, accept === undefined ? {} : { accept });
      assert.equal(response.headers.get('content-type'), 'image/jpeg', String(accept));
    }
    for (const accept of ['image/gif', 'image/png;q=0, image/jpeg;q=0', 'application/dicom']) {
      await expectJsonError(url, 406, accept);
    }
  });
  await checks.run('rendered routes answer 404 for unknown UIDs, frames, and a series without images', async () => {
    const [sop] = metadataSops(index, studyUid, seriesUid);
    await expectJsonError(`${base}/studies/1.2.3/series/${seriesUid}/rendered`, 404);
    await expectJsonError(`${base}/studies/${studyUid}/series/1.2.3/rendered`, 404);
    await expectJsonError(`${seriesUrl}/instances/1.2.3/rendered`, 404);
    await expectJsonError(`${seriesUrl}/instances/${sop}/frames/2/rendered`, 404);
    const report = seriesWhere(index, (files) => files.every((f) => f.frames.length === 0) && files.some((f) => f.filePath.endsWith(SR_WITHOUT_PIXELS)));
    if (report) await expectJsonError(`${base}/studies/${report.studyUid}/series/${report.seriesUid}/rendered`, 404);
    return report ? 'including a structured report' : undefined;
  });
  await checks.run('malformed viewport or window parameters answer 400', async () => {
    const url = `${seriesUrl}/rendered`;
    for (const query of ['viewport=0,96', 'viewport=96', 'viewport=a,b', 'viewport=96,96,0,0,10,10', 'window=40', 'window=40,0', 'window=40,80,cubic']) {
      await expectJsonError(`${url}?${query}`, 400);
    }
  });
  await checks.run('series of compressed images get a preview, or 406 with a JSON reason for 12-bit JPEG', async () => {
    const compressed = allSeries(index).filter(({ files }) =>
      files.some((f) => f.frames.length > 0) && files.every((f) => !UNCOMPRESSED.has(f.transferSyntaxUID)),
    );
    assert.ok(compressed.length > 0, 'no compressed series in the folder');
    let previews = 0;
    for (const { studyUid: study, seriesUid: series } of compressed) {
      const response = await request(`${base}/studies/${study}/series/${series}/rendered?viewport=96,96`, { accept: 'image/png' });
      if (response.status === 200) {
        previews++;
        continue;
      }
      assert.equal(response.status, 406);
      assert.match(String((JSON.parse(response.body.toString()) as { error: string }).error), /JPEG|decode|codec|rendered/);
    }
    return `${previews} of ${compressed.length} series previewed`;
  });
}

/** Each case: a file served alone, rendered at its own size, against dcm2pnm with matching options. */
interface DcmtkCase {
  readonly what: string;
  readonly file: string;
  readonly query?: string;
  readonly frame?: number;
  readonly dcm2pnm: readonly string[];
}

const DCMTK_CASES: readonly DcmtkCase[] = [
  { what: 'CT slice, 12-bit unsigned with rescale, window from the file', file: 'ct-dcmqact-philips-head-phantom/S2020/I700', dcm2pnm: ['+Wi', '1'] },
  { what: 'CT slice, window from the query', file: 'ct-dcmqact-philips-head-phantom/S2020/I700', query: 'window=300,1500', dcm2pnm: ['+Ww', '300', '1500'] },
  { what: 'signed CT, implicit VR little endian', file: 'transfer-syntaxes/cornerstone3d-ctimage/CTImage.dcm_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm', dcm2pnm: ['+Wi', '1'] },
  { what: 'signed CT, explicit VR big endian', file: 'transfer-syntaxes/cornerstone3d-ctimage/CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm', dcm2pnm: ['+Wi', '1'] },
  { what: 'signed CT, deflated', file: 'transfer-syntaxes/cornerstone3d-ctimage/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm', dcm2pnm: ['+Wi', '1'] },
  { what: 'signed 16-bit MR, big endian', file: 'transfer-syntaxes/pydicom-mr-small/MR_small_bigendian.dcm', dcm2pnm: ['+Wi', '1'] },
  { what: 'MR with VOI window, 12-bit', file: 'mr-dcmqadecubitus-siemens-t1-sag/0018_1.3.12.2.1107.5.2.43.67060.2022040715053476137160836.dcm', dcm2pnm: ['+Wi', '1'] },
  { what: 'MONOCHROME1 CR with fractional slope', file: 'robustness/monochrome1-pydicom/CR1_6154', dcm2pnm: ['+Wi', '1'] },
  { what: 'MONOCHROME1 CR, window from the query', file: 'robustness/monochrome1-pydicom/CR1_6154', query: 'window=1000,500', dcm2pnm: ['+Ww', '1000', '500'] },
  { what: 'RGB ultrasound', file: 'robustness/color-pydicom/US1_UNCR.dcm', dcm2pnm: [] },
  { what: 'multi-frame MR frame 3 without a window (min–max)', file: 'robustness/enhanced-mr-pydicom-emri/emri_small.dcm', frame: 3, dcm2pnm: ['+Wm', '+F', '3'] },
  { what: 'multi-frame MR frame 3, big endian (min–max)', file: 'robustness/enhanced-mr-pydicom-emri/emri_small_big_endian.dcm', frame: 3, dcm2pnm: ['+Wm', '+F', '3'] },
  // dcm2pnm reads the functional groups' rescale but not their window, so it is given explicitly.
  { what: 'enhanced CT frame 2, rescale and window from functional groups', file: 'robustness/enhanced-ct-pydicom/eCT_Supplemental.dcm', frame: 2, dcm2pnm: ['+Ww', '49', '102', '+F', '2'] },
];

/**
 * Single files (many share a SOPInstanceUID with another encoding of the same image, so each is
 * served from a folder of its own) rendered at full size and compared with dcm2pnm, plus the
 * planar-configuration fixtures.
 */
export async function checkRenderedFiles(checks: CheckRunner, sharedFolder: string, scratch: string): Promise<void> {
  const renders = new Map<string, DecodedImage>();
  for (const [n, testCase] of DCMTK_CASES.entries()) {
    await checks.run(`renders ${testCase.what} as dcmtk does (±1 grey level)`, async () => {
      const source = join(sharedFolder, testCase.file);
      const image = await renderAlone(source, join(scratch, `dcmtk-${n}`), testCase);
      renders.set(testCase.what, image);
      const reference = renderByDcm2pnm(source, testCase.dcm2pnm);
      if (!reference) return `${image.width}×${image.height}; dcm2pnm not installed, not compared`;
      assert.deepEqual([image.width, image.height, image.channels], [reference.width, reference.height, reference.channels]);
      let worst = 0;
      for (let i = 0; i < image.pixels.length; i++) worst = Math.max(worst, Math.abs(image.pixels[i] - reference.pixels[i]));
      assert.ok(worst <= 1, `differs by up to ${worst}`);
      return `${image.width}×${image.height}×${image.channels}, largest difference ${worst}`;
    });
  }

  await checks.run('the signed CT renders identically in implicit LE, explicit BE and deflated', async () => {
    const variants = ['implicit VR little endian', 'explicit VR big endian', 'deflated'].map((s) => renders.get(`signed CT, ${s}`));
    const explicitLe = await renderAlone(
      join(sharedFolder, 'transfer-syntaxes/cornerstone3d-ctimage/CTImage.dcm_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm'),
      join(scratch, 'explicit-le'),
      {},
    );
    for (const [i, variant] of variants.entries()) {
      assert.ok(variant, 'a variant did not render');
      const same = Buffer.from(variant.pixels).equals(Buffer.from(explicitLe.pixels));
      assert.ok(same, `variant ${i + 1} differs from explicit VR little endian`);
    }
  });

  await checks.run('MONOCHROME1 shows the highest stored value darkest', async () => {
    const source = join(sharedFolder, 'robustness/monochrome1-pydicom/CR1_6154');
    const image = renders.get('MONOCHROME1 CR with fractional slope') ?? (await renderAlone(source, join(scratch, 'mono1'), {}));
    const [stored] = await pixelDataByDcmjs(source);
    const values = Array.from({ length: image.pixels.length }, (_, i) => stored.readUInt16LE(i * 2));
    const brightest = values.indexOf(Math.max(...values));
    const darkest = values.indexOf(Math.min(...values));
    assert.equal(image.pixels[brightest], Math.min(...image.pixels), 'highest value is not the darkest pixel');
    assert.equal(image.pixels[darkest], Math.max(...image.pixels), 'lowest value is not the brightest pixel');
    return `stored ${values[brightest]} → ${image.pixels[brightest]}, stored ${values[darkest]} → ${image.pixels[darkest]}`;
  });

  await checks.run('8-bit RGB renders its known colours in both planar configurations', async () => {
    const folder = join(scratch, 'rgb-planar');
    const ids = await writeRgbFixtures(folder);
    const server = await mountOnLocalServer(createFolderSource(await indexDicomFolder(folder)));
    try {
      for (const sop of ids.sopUids) {
        const url = `${server.baseUrl}/studies/${ids.studyUid}/series/${ids.seriesUid}/instances/${sop}/rendered?${NATIVE_SIZE}`;
        const { image } = await fetchPng(url);
        assert.deepEqual([image.width, image.height, image.channels], [RGB_FIXTURE.width, RGB_FIXTURE.height, 3]);
        assert.deepEqual([...image.pixels], [...RGB_FIXTURE.pixels], `instance ${sop}`);
      }
    } finally {
      await server.close();
    }
  });
}

/** Serves one file from a folder of its own and renders its single instance at full size. */
async function renderAlone(
  source: string,
  folder: string,
  options: { query?: string; frame?: number },
): Promise<DecodedImage> {
  await mkdir(folder, { recursive: true });
  await copyFile(source, join(folder, basename(source)));
  const index = await indexDicomFolder(folder);
  const [only] = allSeries(index);
  assert.ok(only && only.files.length === 1, `${source} was not indexed`);
  const server = await mountOnLocalServer(createFolderSource(index));
  try {
    const frame = options.frame === undefined ? '' : `/frames/${options.frame}`;
    const query = [NATIVE_SIZE, options.query].filter(Boolean).join('&');
    const url = `${server.baseUrl}/studies/${only.studyUid}/series/${only.seriesUid}/instances/${only.files[0].sopInstanceUID}${frame}/rendered?${query}`;
    return (await fetchPng(url)).image;
  } finally {
    await server.close();
  }
}

async function expectJsonError(url: string, status: number, accept: string = VIEWER_ACCEPT): Promise<{ error: string }> {
  const response = await request(url, { accept });
  assert.equal(response.status, status, `${url} (Accept: ${accept}) → ${response.status}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(response.body.toString()) as { error?: unknown };
  assert.equal(typeof body.error, 'string', 'error body has no message');
  return { error: String(body.error) };
}

interface SeriesFiles {
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly files: readonly IndexedInstance[];
}

function allSeries(index: DicomIndex): SeriesFiles[] {
  return [...index.studies.values()].flatMap((study) =>
    [...study.series.values()].map((series) => ({
      studyUid: study.studyInstanceUID,
      seriesUid: series.seriesInstanceUID,
      files: [...series.instances.values()],
    })),
  );
}

function seriesWhere(index: DicomIndex, predicate: (files: SeriesFiles['files']) => boolean): SeriesFiles | undefined {
  return allSeries(index).find((series) => predicate(series.files));
}

function metadataSops(index: DicomIndex, studyUid: string, seriesUid: string): string[] {
  return [...(index.studies.get(studyUid)?.series.get(seriesUid)?.instances.keys() ?? [])];
}
