/**
 * Self-check of the embedded DICOMweb source: indexes the shared test data and freshly generated
 * samples, serves each over HTTP as the gateway would, and checks what a viewer would observe.
 * Pixel bytes are compared with an independent reading (dcmjs), never with our own index;
 * rendered previews with dcmtk's dcm2pnm and with facts of the data (folder-selfcheck-rendered.ts).
 *
 *   npx tsx demo/server/folder-source.selfcheck.ts [dicom-folder]
 *
 * Exits non-zero when any check fails. The folder defaults to ../shared/dicom next to the repo.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFolderSource } from './dicom-folder-source.js';
import {
  indexDicomFolder,
  listSampleAccessions,
  listStudies,
  type DicomIndex,
  type IndexedInstance,
  type IndexedStudy,
} from './dicom-index.js';
import { checkRenderedCt, checkRenderedFiles } from './folder-selfcheck-rendered.js';
import {
  CheckRunner,
  getDicomJson,
  mountOnLocalServer,
  pixelDataByDcmjs,
  readMultipart,
  request,
  writeCharsetFixtures,
  type CharsetFixture,
} from './folder-selfcheck-support.js';
import { generateSampleStudies, HEAD_CT_GEOMETRY, headModel } from './sample-studies.js';

const SHARED_FOLDER = resolve(process.argv[2] ?? fileURLToPath(new URL('../../../shared/dicom', import.meta.url)));
const PHILIPS_CT_FOLDER = 'ct-dcmqact-philips-head-phantom';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Implicit LE, explicit LE, explicit BE, deflated: pixel data not encapsulated. */
const NATIVE_SYNTAXES = new Set(['1.2.840.10008.1.2', EXPLICIT_VR_LITTLE_ENDIAN, '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);
const FRAMES_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
const FILES_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';
/** Inputs that no reader should accept (see MANIFEST.md, "Bad inputs"). */
const MUST_BE_SKIPPED = [
  'MR_truncated.dcm',
  'rtplan_truncated.dcm',
  'no_meta.dcm',
  'zipMR.gz',
  'SC_rgb_jpeg.dcm',
  'emri_small_jpeg_2k_lossless_too_short.dcm',
];

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

const checks = new CheckRunner();
const scratch = await mkdtemp(join(tmpdir(), 'filmless-selfcheck-'));
try {
  if (existsSync(SHARED_FOLDER)) await checkSharedFolder(SHARED_FOLDER, join(scratch, 'deflated'));
  else console.log(`(shared test data not found at ${SHARED_FOLDER}; those checks skipped)`);
  await checkSamples(join(scratch, 'samples'));
  await checkCharacterSets(join(scratch, 'charsets'));
} finally {
  await rm(scratch, { recursive: true, force: true });
}
console.log(`\n${checks.passes} passed, ${checks.failures} failed`);
process.exitCode = checks.failures > 0 ? 1 : 0;

async function checkSharedFolder(folder: string, deflatedFolder: string): Promise<void> {
  console.log(`\nShared test data: ${folder}`);
  const started = performance.now();
  const index = await indexDicomFolder(folder);
  const elapsed = Math.round(performance.now() - started);

  await checks.run('indexes the whole folder in a few seconds', () => {
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    return `${index.instanceCount} instances in ${index.studies.size} studies, ${index.skipped.length} files skipped, ${elapsed} ms`;
  });
  await checks.run('skips malformed files instead of failing', () => {
    const indexed = MUST_BE_SKIPPED.filter((name) => allInstances(index).some((i) => i.filePath.endsWith(`/${name}`)));
    assert.deepEqual(indexed, [], `indexed: ${indexed.join(', ')}`);
    const reasons = new Set(index.skipped.map((s) => s.reason.replace(/ of \/.*$| \(.*$|:.*$/, '')));
    return [...reasons].join('; ');
  });
  await checks.run('gives every study an accession number, DEMO-xxxxxx where the files have none', () => {
    const studies = listStudies(index);
    assert.ok(studies.every((s) => s.accessionNumber !== '' && s.accessionNumber !== '-'));
    const demo = studies.filter((s) => /^DEMO-[0-9A-F]{6}$/.test(s.accessionNumber));
    assert.ok(demo.length > 0);
    return `${demo.length} of ${studies.length} assigned`;
  });

  const server = await mountOnLocalServer(createFolderSource(index));
  try {
    const philips = listStudies(index).find((s) => s.folderHint === PHILIPS_CT_FOLDER);
    if (philips) await checkPhilipsCt(index, server.baseUrl, philips.accessionNumber);
    await checkEveryFrameOfEveryInstance(index, server.baseUrl);
    await checkQueries(index, server.baseUrl);
    await checkErrors(index, server.baseUrl);
  } finally {
    await server.close();
  }
  await checkDeflated(index, deflatedFolder);
  console.log('\nRendered images (WADO-RS /rendered)');
  await checkRenderedFiles(checks, folder, join(scratch, 'rendered'));
}

/** The shared deflated file repeats another file's SOPInstanceUID, so it is served from a folder of its own. */
async function checkDeflated(shared: DicomIndex, folder: string): Promise<void> {
  await checks.run('a deflated file serves its inflated pixel data', async () => {
    const candidates = [...shared.skipped.map((s) => s.path), ...allInstances(shared).map((i) => i.filePath)];
    const source = candidates.find((path) => path.endsWith('1.2.840.10008.1.2.1.99.dcm'));
    if (!source) return 'no deflated file in the folder; skipped';
    await mkdir(folder, { recursive: true });
    await copyFile(source, join(folder, basename(source)));
    const index = await indexDicomFolder(folder);
    const [{ studyUid, seriesUid, instance }] = instancesWithUids(index);
    assert.ok(instance.deflated);
    const server = await mountOnLocalServer(createFolderSource(index));
    try {
      const url = `${server.baseUrl}/studies/${studyUid}/series/${seriesUid}/instances/${instance.sopInstanceUID}/frames/1`;
      const response = await request(url, { accept: FRAMES_ACCEPT });
      assert.equal(response.status, 200);
      const [part] = readMultipart(response.body, response.headers.get('content-type') ?? '');
      const [reference] = await pixelDataByDcmjs(source);
      assert.ok(part.body.equals(reference), `${part.body.length} vs ${reference.length} bytes`);
      return `${part.body.length} bytes`;
    } finally {
      await server.close();
    }
  });
}

async function checkPhilipsCt(index: DicomIndex, base: string, accession: string): Promise<void> {
  let studyUid = '';
  let axialSeriesUid = '';
  await checks.run(`QIDO studies by accession ${accession} finds the Philips CT study with its counts`, async () => {
    const studies = await getDicomJson(`${base}/studies?AccessionNumber=${accession}`);
    assert.equal(studies.length, 1);
    const [study] = studies;
    studyUid = String(study['0020000D'].Value?.[0]);
    assert.deepEqual(study['00201206'].Value, [2]);
    assert.deepEqual(study['00201208'].Value, [141]);
    assert.deepEqual(study['00080061'].Value, ['CT']);
    assert.deepEqual(study['00080050'].Value, [accession]);
    for (const tag of ['00100010', '00100020', '00080020', '00081030', '00080005']) assert.ok(study[tag], `missing ${tag}`);
  });
  await checks.run('QIDO series by accession resolves the study and lists both series', async () => {
    const series = await getDicomJson(`${base}/series?AccessionNumber=${accession}`);
    assert.equal(series.length, 2);
    assert.ok(series.every((s) => s['0020000D'].Value?.[0] === studyUid && s['00100010'] && s['00080060']));
    const axial = series.find((s) => s['00201209'].Value?.[0] === 140);
    assert.ok(axial, 'no 140-instance series');
    axialSeriesUid = String(axial['0020000E'].Value?.[0]);
  });
  await checks.run('QIDO instances of the axial series lists 140 instances', async () => {
    const instances = await getDicomJson(`${base}/studies/${studyUid}/series/${axialSeriesUid}/instances`);
    assert.equal(instances.length, 140);
    assert.ok(instances.every((i) => i['00080018'] && i['00200013'] && i['00280010']));
  });
  await checks.run('series metadata has every instance, without pixel data', async () => {
    const metadata = await getDicomJson(`${base}/studies/${studyUid}/series/${axialSeriesUid}/metadata`);
    assert.equal(metadata.length, 140);
    assert.ok(metadata.every((m) => m['00280010'].Value?.[0] === 512 && !m['7FE00010']));
  });
  await checks.run('frame bytes of all 141 Philips CT instances equal PixelData read by dcmjs', async () => {
    const study = index.studies.get(studyUid);
    assert.ok(study);
    let bytes = 0;
    for (const series of study.series.values()) {
      for (const instance of series.instances.values()) {
        const url = `${base}/studies/${studyUid}/series/${series.seriesInstanceUID}/instances/${instance.sopInstanceUID}/frames/1`;
        const response = await request(url, { accept: FRAMES_ACCEPT });
        assert.equal(response.status, 200, url);
        const [part, ...extra] = readMultipart(response.body, response.headers.get('content-type') ?? '');
        assert.equal(extra.length, 0);
        assert.equal(part.headers['content-type'], `application/octet-stream; transfer-syntax=${EXPLICIT_VR_LITTLE_ENDIAN}`);
        const [reference] = await pixelDataByDcmjs(instance.filePath);
        assert.ok(part.body.equals(reference), `${instance.filePath}: ${part.body.length} vs ${reference.length} bytes`);
        bytes += part.body.length;
      }
    }
    return `${(bytes / 1e6).toFixed(1)} MB compared`;
  });
  await checks.run('series retrieve streams the original Part-10 files', async () => {
    const response = await request(`${base}/studies/${studyUid}/series/${axialSeriesUid}`, { accept: FILES_ACCEPT });
    assert.equal(response.status, 200);
    assert.equal(Number(response.headers.get('content-length')), response.body.length);
    const parts = readMultipart(response.body, response.headers.get('content-type') ?? '');
    const files = [...(index.studies.get(studyUid)?.series.get(axialSeriesUid)?.instances.values() ?? [])];
    assert.equal(parts.length, files.length);
    for (const [i, part] of parts.entries()) {
      assert.equal(part.headers['content-type'], 'application/dicom');
      assert.ok(part.body.equals(await readFile(files[i].filePath)), files[i].filePath);
    }
    return `${parts.length} files, ${(response.body.length / 1e6).toFixed(1)} MB`;
  });
  await checkRenderedCt(checks, index, base, studyUid, axialSeriesUid);
}

/**
 * Every frame of every instance, fetched in one request per instance: native frames must tile
 * dcmjs's PixelData exactly; encapsulated frames must concatenate to dcmjs's fragments and each
 * begin with a codestream of the stored transfer syntax.
 */
async function checkEveryFrameOfEveryInstance(index: DicomIndex, base: string): Promise<void> {
  await checks.run('every frame of every instance is served as stored', async () => {
    let frames = 0;
    let encapsulated = 0;
    for (const { studyUid, seriesUid, instance } of instancesWithUids(index)) {
      if (instance.frames.length === 0) continue;
      const list = instance.frames.map((_, i) => i + 1).join(',');
      const url = `${base}/studies/${studyUid}/series/${seriesUid}/instances/${instance.sopInstanceUID}/frames/${list}`;
      const response = await request(url, { accept: FRAMES_ACCEPT });
      assert.equal(response.status, 200, `${url} → ${response.status}`);
      const parts = readMultipart(response.body, response.headers.get('content-type') ?? '');
      assert.equal(parts.length, instance.frames.length, instance.filePath);
      const reference = Buffer.concat(await pixelDataByDcmjs(instance.filePath));
      const served = Buffer.concat(parts.map((p) => p.body));
      if (!NATIVE_SYNTAXES.has(instance.transferSyntaxUID)) {
        encapsulated++;
        assert.ok(served.equals(reference), `${instance.filePath}: fragments differ`);
        for (const part of parts) assertCodestreamStart(part.body, instance);
      } else {
        assert.ok(reference.subarray(0, served.length).equals(served), `${instance.filePath}: pixels differ`);
        assert.ok(parts.every((p) => p.body.length === parts[0].body.length));
      }
      frames += parts.length;
    }
    return `${frames} frames, ${encapsulated} encapsulated instances`;
  });
}

function assertCodestreamStart(frame: Buffer, instance: IndexedInstance): void {
  const syntax = instance.transferSyntaxUID;
  const where = `${instance.filePath} (${syntax})`;
  if (syntax === '1.2.840.10008.1.2.5') {
    // RLE: a 64-byte header whose first word counts the segments (1-15).
    const segments = frame.readUInt32LE(0);
    assert.ok(segments >= 1 && segments <= 15, `${where}: RLE segment count ${segments}`);
  } else if (/\.4\.(9\d|20\d)$/.test(syntax)) {
    assert.equal(frame.readUInt32BE(0), 0xff4fff51, `${where}: no JPEG 2000 SOC+SIZ`);
  } else {
    assert.equal(frame.readUInt16BE(0), 0xffd8, `${where}: no JPEG SOI`);
  }
}

async function checkQueries(index: DicomIndex, base: string): Promise<void> {
  const all = await getDicomJson(`${base}/studies`);
  await checks.run('QIDO without keys lists every study', () => assert.equal(all.length, index.studies.size));
  await checks.run('an accession that does not exist answers 200 with []', async () => {
    assert.deepEqual(await getDicomJson(`${base}/studies?AccessionNumber=NO-SUCH-ACCESSION`), []);
  });
  await checks.run('limit and offset page through studies', async () => {
    const page = await getDicomJson(`${base}/studies?limit=2&offset=1`);
    assert.deepEqual(page, all.slice(1, 3));
  });
  await checks.run('PatientName matches with * wildcards, case-insensitively', async () => {
    const name = all.map(nameOf).find((n) => /^[A-Za-z]{3}/.test(n));
    assert.ok(name, 'no study with a name to search for');
    const prefix = name.slice(0, 3);
    const found = await getDicomJson(`${base}/studies?PatientName=${prefix.toLowerCase()}*`);
    assert.ok(found.length >= 1 && found.every((s) => nameOf(s).toLowerCase().startsWith(prefix.toLowerCase())));
    return `${prefix.toLowerCase()}* found ${found.length}`;
  });
  await checks.run('StudyDate matches exactly and by range', async () => {
    const dated = all.find((s) => typeof s['00080020']?.Value?.[0] === 'string');
    assert.ok(dated);
    const date = String(dated['00080020'].Value?.[0]);
    const uid = dated['0020000D'].Value?.[0];
    const has = (studies: DicomJson[]): boolean => studies.some((s) => s['0020000D'].Value?.[0] === uid);
    assert.ok(has(await getDicomJson(`${base}/studies?StudyDate=${date}`)));
    assert.ok(has(await getDicomJson(`${base}/studies?StudyDate=${date}-${date}`)));
    assert.ok(has(await getDicomJson(`${base}/studies?StudyDate=-${date}`)));
    assert.ok(!has(await getDicomJson(`${base}/studies?StudyDate=${Number(date) + 1}-`)));
  });
  await checks.run('Modality at study level matches ModalitiesInStudy', async () => {
    const mr = await getDicomJson(`${base}/studies?Modality=MR`);
    assert.ok(mr.length > 0 && mr.every((s) => (s['00080061'].Value ?? []).includes('MR')));
    const viaTag = await getDicomJson(`${base}/studies?00080061=MR`);
    assert.equal(viaTag.length, mr.length);
  });
  await checks.run('includefield adds attributes by keyword', async () => {
    const position = [...index.studies.values()].findIndex((study) => firstInstanceOf(study)?.json['00080070']?.Value);
    assert.ok(position >= 0, 'no study names its manufacturer');
    const page = `${base}/studies?limit=1&offset=${position}`;
    const [plain] = await getDicomJson(page);
    const [included] = await getDicomJson(`${page}&includefield=Manufacturer`);
    assert.equal(plain['00080070'], undefined);
    assert.ok(included['00080070']?.Value, 'Manufacturer not included');
    return `Manufacturer ${JSON.stringify(included['00080070'].Value)}`;
  });
  await checks.run('QIDO series and instances within a study', async () => {
    const [study] = all;
    const uid = String(study['0020000D'].Value?.[0]);
    const series = await getDicomJson(`${base}/studies/${uid}/series`);
    assert.equal(series.length, study['00201206'].Value?.[0]);
    const instances = await getDicomJson(`${base}/studies/${uid}/instances`);
    assert.equal(instances.length, study['00201208'].Value?.[0]);
    assert.ok(instances.every((i) => typeof i['00083002']?.Value?.[0] === 'string'));
  });
}

async function checkErrors(index: DicomIndex, base: string): Promise<void> {
  const [{ studyUid, seriesUid, instance }] = instancesWithUids(index).filter(
    (i) => i.instance.transferSyntaxUID === EXPLICIT_VR_LITTLE_ENDIAN && i.instance.frames.length === 1,
  );
  const instanceUrl = `${base}/studies/${studyUid}/series/${seriesUid}/instances/${instance.sopInstanceUID}`;
  const expectStatus = async (url: string, status: number, init: { method?: string; accept?: string } = {}): Promise<void> => {
    const response = await request(url, init);
    assert.equal(response.status, status, `${init.method ?? 'GET'} ${url.replace(base, '')} → ${response.status}`);
    if (status >= 400 && init.method !== 'HEAD') {
      assert.ok(JSON.parse(response.body.toString()).error, 'error body is not JSON with an error message');
    }
  };
  await checks.run('unknown UIDs answer 404 with a JSON body', async () => {
    await expectStatus(`${base}/studies/1.2.3.4.5/metadata`, 404);
    await expectStatus(`${base}/studies/${studyUid}/series/1.2.3/metadata`, 404);
    await expectStatus(`${base}/studies/${studyUid}/series/${seriesUid}/instances/1.2.3/frames/1`, 404);
    await expectStatus(`${instanceUrl}/frames/99`, 404);
  });
  await checks.run('malformed paths and queries answer 400', async () => {
    await expectStatus(`${base}/`, 400);
    await expectStatus(`${base}/studies/${studyUid}/bogus`, 400);
    await expectStatus(`${instanceUrl}/frames/0`, 400);
    await expectStatus(`${instanceUrl}/frames/1,x`, 400);
    await expectStatus(`${base}/studies/1.2%20evil/metadata`, 400);
    await expectStatus(`${base}/studies?limit=-1`, 400);
    await expectStatus(`${base}/studies?StudyDate=yesterday`, 400);
  });
  await checks.run('methods other than GET and HEAD answer 405 with Allow', async () => {
    const response = await request(`${base}/studies`, { method: 'POST' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
    await expectStatus(`${base}/studies/${studyUid}`, 405, { method: 'DELETE' });
  });
  await checks.run('a transfer syntax other than the stored one answers 406', async () => {
    const jpeg = 'multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.4.50';
    await expectStatus(`${instanceUrl}/frames/1`, 406, { accept: jpeg });
    await expectStatus(`${instanceUrl}/frames/1`, 200, { accept: `${jpeg}, ${FRAMES_ACCEPT}` });
    await expectStatus(`${instanceUrl}/frames/1`, 200, {
      accept: `multipart/related; type="application/octet-stream"; transfer-syntax=${EXPLICIT_VR_LITTLE_ENDIAN}`,
    });
    await expectStatus(`${instanceUrl}/frames/1`, 200, {});
    await expectStatus(`${base}/studies/${studyUid}/series/${seriesUid}`, 406, { accept: 'application/dicom+json' });
  });
  await checks.run('HEAD answers headers without a body', async () => {
    const response = await request(`${base}/studies`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.body.length, 0);
    assert.ok(Number(response.headers.get('content-length')) > 0);
  });
}

async function checkSamples(folder: string): Promise<void> {
  console.log(`\nGenerated samples: ${folder}`);
  const started = performance.now();
  const first = await generateSampleStudies(folder);
  const elapsed = Math.round(performance.now() - started);
  await checks.run('generates the head CT, brain MR, prior head CT and chest CT', () => {
    assert.deepEqual(first.map((s) => s.accessionNumber), ['SAMPLE-CT-1', 'SAMPLE-MR-1', 'SAMPLE-CT-PRIOR', 'SAMPLE-CT-CHEST']);
    assert.ok(first.every((s) => s.series.every((series) => series.written)));
    return `${first.flatMap((s) => s.series).reduce((n, s) => n + s.instanceCount, 0)} files in ${elapsed} ms`;
  });
  await checks.run('regenerating reuses the files and the same UIDs', async () => {
    const second = await generateSampleStudies(folder);
    assert.ok(second.every((s) => s.series.every((series) => !series.written)));
    assert.deepEqual(second.map((s) => s.studyInstanceUID), first.map((s) => s.studyInstanceUID));
  });
  const index = await indexDicomFolder(folder);
  await checks.run('dcmdump reads every generated file', () => {
    const files = allInstances(index).map((i) => i.filePath);
    if (spawnSync('dcmdump', ['--version']).error) return 'dcmdump not installed; skipped';
    for (const file of files) {
      const result = spawnSync('dcmdump', ['-q', file]);
      assert.equal(result.status, 0, `${file}: ${result.stderr.toString()}`);
    }
    return `${files.length} files`;
  });

  const server = await mountOnLocalServer(createFolderSource(index));
  const { marker } = headModel();
  const { sliceCount, firstZ, sliceSpacing, size, fieldOfView, center } = HEAD_CT_GEOMETRY;
  try {
    const base = server.baseUrl;
    await checks.run(`QIDO finds SAMPLE-CT-1: 2 series, ${sliceCount + 1} instances`, async () => {
      const [study, ...more] = await getDicomJson(`${base}/studies?AccessionNumber=SAMPLE-CT-1`);
      assert.equal(more.length, 0);
      assert.deepEqual(study['00201206'].Value, [2]);
      assert.deepEqual(study['00201208'].Value, [sliceCount + 1]);
      assert.equal(nameOf(study), 'SAMPLE^HEAD^CT');
      assert.deepEqual(study['00080080'].Value, ['Filmless demo']);
      const series = await getDicomJson(`${base}/series?AccessionNumber=SAMPLE-CT-1`);
      assert.deepEqual(series.map((s) => s['0008103E'].Value?.[0]), ['Scout lateral', 'Head 1.25 mm']);
    });
    await checks.run('the prior is the same patient and modality, a year earlier', async () => {
      const [current] = await getDicomJson(`${base}/studies?AccessionNumber=SAMPLE-CT-1`);
      const [prior] = await getDicomJson(`${base}/studies?AccessionNumber=SAMPLE-CT-PRIOR`);
      assert.deepEqual(prior['00100020'].Value, current['00100020'].Value);
      assert.deepEqual(prior['00080061'].Value, ['CT']);
      assert.ok(String(prior['00080020'].Value?.[0]) < String(current['00080020'].Value?.[0]));
    });
    const ct = await sampleSeries(base, 'SAMPLE-CT-1', 'Head 1.25 mm');
    await checks.run('CT InstanceNumber 1 is the most inferior slice, the last the most superior', async () => {
      const metadata = await getDicomJson(`${base}/studies/${ct.studyUid}/series/${ct.seriesUid}/metadata`);
      const zOf = (n: number): unknown =>
        metadata.find((m) => m['00200013'].Value?.[0] === n)?.['00200032'].Value?.[2];
      assert.equal(metadata.length, sliceCount);
      assert.equal(zOf(1), firstZ);
      assert.equal(zOf(sliceCount), firstZ + (sliceCount - 1) * sliceSpacing);
      assert.ok(metadata.every((m) => m['00281050'].Value?.[0] === 40 && m['00281051'].Value?.[0] === 80));
    });
    await checks.run('CT pixels: the skin marker at patient left, scalp or air opposite, brain inside, air in the corner', async () => {
      const instanceNumber = Math.round((marker.center.z - firstZ) / sliceSpacing) + 1;
      const frame = await sampleFrame(base, ct, instanceNumber);
      const pixel = fieldOfView / size;
      const hu = (x: number, y: number): number => {
        const column = Math.round((x - (center.x - fieldOfView / 2 + pixel / 2)) / pixel);
        const row = Math.round((y - (center.y - fieldOfView / 2 + pixel / 2)) / pixel);
        return frame.readUInt16LE((row * size + column) * 2) - 1024;
      };
      const left = hu(marker.center.x, marker.center.y);
      const right = hu(-marker.center.x, marker.center.y);
      assert.ok(left > 1500, `marker ${left} HU`);
      assert.ok(right < 100, `mirror image of the marker ${right} HU`);
      assert.ok(hu(-fieldOfView / 2 + 5, center.y - fieldOfView / 2 + 5) < -950, 'corner is air');
      return `marker ${left} HU, opposite side ${right} HU`;
    });
    const mr = await sampleSeries(base, 'SAMPLE-MR-1', 'T1 MPRAGE sag 1.2 mm');
    await checks.run('MR pixels: the vitamin E marker only in the left slices', async () => {
      // Instance n lies at x = -76.2 + 1.2 (n - 1); pixel (row, column) at y = -140 + column, z = 112 - row.
      const signal = async (x: number): Promise<number> => {
        const frame = await sampleFrame(base, mr, Math.round((x + 76.2) / 1.2) + 1);
        const row = Math.round(112 - marker.center.z);
        const column = Math.round(marker.center.y + 140);
        return frame.readUInt16LE((row * 256 + column) * 2);
      };
      const left = await signal(marker.center.x);
      const right = await signal(-marker.center.x);
      assert.ok(left > 1000, `left (x = ${marker.center.x.toFixed(1)}) ${left}`);
      assert.ok(right < 400, `right ${right}`);
      return `left ${left}, right ${right}`;
    });
    await checks.run('MR series retrieve returns the 128 generated files', async () => {
      const response = await request(`${base}/studies/${mr.studyUid}/series/${mr.seriesUid}`, { accept: FILES_ACCEPT });
      const parts = readMultipart(response.body, response.headers.get('content-type') ?? '');
      const files = [...(index.studies.get(mr.studyUid)?.series.get(mr.seriesUid)?.instances.values() ?? [])];
      assert.equal(parts.length, 128);
      for (const [i, part] of parts.entries()) assert.ok(part.body.equals(await readFile(files[i].filePath)));
    });
  } finally {
    await server.close();
  }

  await checks.run('listSampleAccessions puts the samples first', async () => {
    const folders = existsSync(SHARED_FOLDER) ? [SHARED_FOLDER, folder] : [folder];
    const combined = await indexDicomFolder(folders);
    const accessions = listSampleAccessions(combined);
    assert.deepEqual(accessions.slice(0, 2), ['SAMPLE-CT-1', 'SAMPLE-MR-1']);
    assert.equal(accessions.length, combined.studies.size);
    return `${accessions.length} accessions`;
  });
}

async function checkCharacterSets(folder: string): Promise<void> {
  console.log('\nSpecific Character Set');
  const fixtures: CharsetFixture[] = [
    { specificCharacterSet: 'ISO_IR 100', accessionNumber: 'CHARSET-100', patientName: 'Müller^René', encoded: Buffer.from('Müller^René', 'latin1') },
    // ISO 8859-9 differs from Latin-1 exactly at the Turkish letters: Ş = 0xDE, İ = 0xDD, Ğ = 0xD0.
    { specificCharacterSet: 'ISO_IR 148', accessionNumber: 'CHARSET-148', patientName: 'ŞAHİN^AYŞE ĞÜL', encoded: Buffer.from([0xde, ...Buffer.from('AH'), 0xdd, ...Buffer.from('N^AY'), 0xde, ...Buffer.from('E '), 0xd0, 0xdc, 0x4c]) },
    { specificCharacterSet: 'ISO_IR 192', accessionNumber: 'CHARSET-192', patientName: 'Nguyễn^Thị Minh', encoded: Buffer.from('Nguyễn^Thị Minh', 'utf8') },
    { specificCharacterSet: '', accessionNumber: 'CHARSET-NONE', patientName: 'DOE^JOHN', encoded: Buffer.from('DOE^JOHN', 'latin1') },
  ];
  await writeCharsetFixtures(folder, fixtures);
  const server = await mountOnLocalServer(createFolderSource(await indexDicomFolder(folder)));
  try {
    for (const fixture of fixtures) {
      await checks.run(`PatientName in "${fixture.specificCharacterSet || 'default'}" decodes to ${fixture.patientName}`, async () => {
        const [study] = await getDicomJson(`${server.baseUrl}/studies?AccessionNumber=${fixture.accessionNumber}`);
        assert.equal(nameOf(study), fixture.patientName);
      });
    }
    await checks.run('PatientName wildcards match non-ASCII names, ignoring case and diacritics', async () => {
      for (const pattern of ['şahi*', 'SAHIN^*', '*gul', 'm?ller*', 'nguyen*']) {
        const found = await getDicomJson(`${server.baseUrl}/studies?PatientName=${encodeURIComponent(pattern)}`);
        assert.equal(found.length, 1, `${pattern} found ${found.map(nameOf).join(', ') || 'nothing'}`);
      }
    });
  } finally {
    await server.close();
  }
}

function firstInstanceOf(study: IndexedStudy): IndexedInstance | undefined {
  const [series] = study.series.values();
  return series ? [...series.instances.values()][0] : undefined;
}

function allInstances(index: DicomIndex): IndexedInstance[] {
  return instancesWithUids(index).map((entry) => entry.instance);
}

function instancesWithUids(index: DicomIndex): { studyUid: string; seriesUid: string; instance: IndexedInstance }[] {
  return [...index.studies.values()].flatMap((study) =>
    [...study.series.values()].flatMap((series) =>
      [...series.instances.values()].map((instance) => ({
        studyUid: study.studyInstanceUID,
        seriesUid: series.seriesInstanceUID,
        instance,
      })),
    ),
  );
}

function nameOf(dataset: DicomJson): string {
  const name = dataset['00100010']?.Value?.[0] as { Alphabetic?: string } | undefined;
  return name?.Alphabetic ?? '';
}

interface SeriesRef {
  studyUid: string;
  seriesUid: string;
  instanceUids: Map<number, string>;
}

async function sampleSeries(base: string, accession: string, description: string): Promise<SeriesRef> {
  const series = await getDicomJson(`${base}/series?AccessionNumber=${accession}`);
  const match = series.find((s) => s['0008103E'].Value?.[0] === description);
  assert.ok(match, `${description} not found`);
  const studyUid = String(match['0020000D'].Value?.[0]);
  const seriesUid = String(match['0020000E'].Value?.[0]);
  const instances = await getDicomJson(`${base}/studies/${studyUid}/series/${seriesUid}/instances`);
  const instanceUids = new Map(instances.map((i) => [Number(i['00200013'].Value?.[0]), String(i['00080018'].Value?.[0])]));
  return { studyUid, seriesUid, instanceUids };
}

async function sampleFrame(base: string, series: SeriesRef, instanceNumber: number): Promise<Buffer> {
  const sop = series.instanceUids.get(instanceNumber);
  const url = `${base}/studies/${series.studyUid}/series/${series.seriesUid}/instances/${sop}/frames/1`;
  const response = await request(url, { accept: FRAMES_ACCEPT });
  assert.equal(response.status, 200, url);
  const [part] = readMultipart(response.body, response.headers.get('content-type') ?? '');
  return part.body;
}
