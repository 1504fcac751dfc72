/**
 * Starts a module worker from a script URL. A worker script must come from the page's origin, so when
 * Filmless is hosted elsewhere (a CDN, the HIS) the worker is a tiny same-origin blob that imports the
 * real one by URL (module imports may cross origins under CORS, worker constructors may not).
 */
export function startModuleWorker(url: URL, name?: string): Worker {
  const options: WorkerOptions = { type: 'module', ...(name ? { name } : {}) };
  if (url.origin === location.origin) return new Worker(url, options);
  const shim = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(shim), options);
}
