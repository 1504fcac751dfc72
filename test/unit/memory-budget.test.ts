import { expect } from 'chai';
import { cacheBudgetBytes, cacheSizeForDevice, defaultCacheSizeMb, effectiveCacheSizeMb, requestCacheSize, withdrawCacheSize } from '../../src/imaging/memory-budget.js';

const MB = 1024 * 1024;

describe('image cache budget', () => {
  it('defaults to an eighth of the device memory, between 32 MB and 1 GB, 512 MB when the browser does not tell', () => {
    expect([0.25, 0.5, 1, 2, 4, 8].map((gb) => cacheSizeForDevice(gb))).to.deep.equal([32, 64, 128, 256, 512, 1024]);
    expect(cacheSizeForDevice(64), 'a device reporting more still gets 1 GB').to.equal(1024);
    expect(cacheSizeForDevice(undefined)).to.equal(512);
    expect(defaultCacheSizeMb(), "this browser's").to.equal(cacheSizeForDevice((navigator as { deviceMemory?: number }).deviceMemory));
  });

  it('counts a cache-size of 0 or nonsense as the default, and below 32 MB as 32', () => {
    for (const value of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, undefined]) expect(effectiveCacheSizeMb(value)).to.equal(defaultCacheSizeMb());
    expect(effectiveCacheSizeMb(10)).to.equal(32);
    expect(effectiveCacheSizeMb(300)).to.equal(300);
  });

  it("gives the page the largest of its connected viewers' budgets, and forgets a viewer that left", () => {
    const [a, b] = [{}, {}];
    requestCacheSize(a, 2000);
    requestCacheSize(b, 100);
    expect(cacheBudgetBytes()).to.equal(2000 * MB);
    withdrawCacheSize(a);
    expect(cacheBudgetBytes()).to.equal(100 * MB);
    requestCacheSize(b, 0);
    expect(cacheBudgetBytes()).to.equal(defaultCacheSizeMb() * MB);
    withdrawCacheSize(b);
    expect(cacheBudgetBytes(), 'no viewer: the default').to.equal(defaultCacheSizeMb() * MB);
  });
});
