// This page loads nothing from src/: the element comes only from the built dist/, served by another
// origin under a sub-path, as a hospital would host it.
import { expect } from 'chai';
import { pacsInfo } from '../support/commands.js';

describe('the script-tag distribution', () => {
  it('registers <filmless-viewer> from another origin and shows a study, decoding in its worker', async () => {
    const pacs = await pacsInfo();
    expect(new URL(pacs.cdnUrl).origin).not.to.equal(location.origin);
    const script = document.createElement('script');
    script.type = 'module';
    script.src = `${pacs.cdnUrl}filmless-viewer.js`;
    const loaded = new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error('dist script failed to load'));
    });
    document.head.append(script);
    await loaded;
    await customElements.whenDefined('filmless-viewer');

    // Loading the script a second time (hospital pages do) must not throw.
    const again = document.createElement('script');
    again.type = 'module';
    again.src = `${pacs.cdnUrl}filmless-viewer.js?again`;
    const errors: string[] = [];
    window.addEventListener('error', (e) => errors.push(e.message));
    const secondLoad = new Promise((resolve) => {
      again.onload = resolve;
      again.onerror = resolve;
    });
    document.head.append(again);
    await secondLoad;
    expect(errors).to.deep.equal([]);

    const holder = document.createElement('div');
    holder.innerHTML = `<filmless-viewer style="display:block;width:480px;height:400px" dicomweb-url="${pacs.gatewayUrl}"
      accession-number="${pacs.accessions.distribution}" token="${pacs.token}"></filmless-viewer>`;
    const viewer = holder.firstElementChild as HTMLElement & { status: string };
    const outcome = new Promise<CustomEvent>((resolve) => {
      viewer.addEventListener('filmless-ready', (e) => resolve(e as CustomEvent), { once: true });
      viewer.addEventListener('filmless-error', (e) => resolve(e as CustomEvent), { once: true });
    });
    document.body.append(holder);
    const event = await outcome;
    expect(event.type, JSON.stringify(event.detail)).to.equal('filmless-ready');
    expect(event.detail.imageCount).to.equal(pacs.data.ct.main.count);
    console.log(`CT phantom from dist/ (script tag, another origin): connected → filmless-ready in ${event.detail.timeToFirstImageMs} ms`);
    expect(viewer.status).to.equal('ready');
    // Every other slice is decoded too (by the worker started through the cross-origin shim).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('series did not finish decoding')), 60_000);
      viewer.addEventListener('filmless-progress', (e) => {
        const { loaded, total } = (e as CustomEvent<{ loaded: number; total: number }>).detail;
        if (loaded === total) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    holder.remove();
  });
});
