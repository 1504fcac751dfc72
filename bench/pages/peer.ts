/**
 * peer: a minimal Cornerstone3D stack viewer written the way its documentation's "render a stack of
 * images" tutorial does it: init core and the DICOM image loader (default options, plus the bearer
 * header through the loader's documented `beforeSend`), WADO-RS series metadata registered with the
 * loader's metaDataManager under `wadors:` image IDs (what the examples' createImageIdsAndCacheMetaData
 * helper does), image IDs sorted with sortImageIdsAndGetSpacing, one RenderingEngine with one
 * StackViewport, setStack on the middle slice, render. The whole series is then loaded with
 * imageLoader.loadAndCacheImage.
 */
import { Enums, RenderingEngine, imageLoader, init as coreInit, utilities, type Types } from '@cornerstonejs/core';
import { init as dicomImageLoaderInit, wadors } from '@cornerstonejs/dicom-image-loader';
import { markStep, runBenchPage, type BenchViewer } from './harness.js';
import type { PageConfig } from './protocol.js';

type MetadataInstance = Parameters<typeof wadors.metaDataManager.add>[1];

class PeerViewer implements BenchViewer {
  private readonly container = document.querySelector<HTMLDivElement>('#viewport')!;
  private viewport: Types.IStackViewport | undefined;
  private imageIds: string[] = [];
  private middle = 0;
  private index = 0;
  private loadedCount = 0;
  private renderCount = 0;
  private ready: Promise<void> | undefined;

  async firstImage(config: PageConfig): Promise<void> {
    await coreInit();
    dicomImageLoaderInit({ beforeSend: () => ({ Authorization: `Bearer ${config.token}` }) });
    markStep('initialised');

    const root = config.gateway;
    const series = `${root}/studies/${config.studyInstanceUID}/series/${config.seriesInstanceUID}`;
    markStep('request-metadata');
    const response = await fetch(`${series}/metadata`, {
      headers: { Accept: 'application/dicom+json', Authorization: `Bearer ${config.token}` },
    });
    if (!response.ok) throw new Error(`metadata: ${response.status}`);
    const instances = (await response.json()) as Array<Record<string, { Value?: string[] }>>;
    markStep('metadata');
    const imageIds = instances.map((instance) => {
      const sop = instance['00080018']!.Value![0]!;
      const imageId = `wadors:${series}/instances/${sop}/frames/1`;
      wadors.metaDataManager.add(imageId, instance as unknown as MetadataInstance);
      return imageId;
    });
    this.imageIds = utilities.sortImageIdsAndGetSpacing(imageIds).sortedImageIds;
    this.middle = this.index = Math.floor((this.imageIds.length - 1) / 2);

    const renderingEngine = new RenderingEngine('peer-engine');
    const viewportId = 'CT_STACK';
    renderingEngine.enableElement({ viewportId, type: Enums.ViewportType.STACK, element: this.container });
    this.viewport = renderingEngine.getViewport(viewportId) as Types.IStackViewport;
    let shown = -1;
    this.container.addEventListener(Enums.Events.IMAGE_RENDERED, () => {
      const index = this.viewport?.getCurrentImageIdIndex() ?? -1;
      if (index !== shown) this.renderCount += 1;
      shown = index;
    });

    markStep('request-first-frame');
    await this.viewport.setStack(this.imageIds, this.middle);
    markStep('first-frame-decoded');
    const rendered = new Promise<void>((resolve) => this.container.addEventListener(Enums.Events.IMAGE_RENDERED, () => resolve(), { once: true }));
    this.viewport.render();
    await rendered;
    this.loadedCount = 1;
  }

  seriesReady(): Promise<void> {
    this.ready ??= (async () => {
      markStep('request-series');
      await Promise.all(
        this.imageIds.map((imageId, i) =>
          i === this.middle ? undefined : imageLoader.loadAndCacheImage(imageId).then(() => (this.loadedCount += 1)),
        ),
      );
    })();
    return this.ready;
  }

  step(delta: 1 | -1): void {
    this.index = Math.min(this.imageIds.length - 1, Math.max(0, this.index + delta));
    void this.viewport?.setImageIdIndex(this.index);
  }

  start(): number {
    return this.middle;
  }

  count(): number {
    return this.imageIds.length;
  }

  loaded(): number {
    return this.loadedCount;
  }

  renders(): number {
    return this.renderCount;
  }

  element(): Element {
    return this.container;
  }
}

void runBenchPage('peer', new PeerViewer());
