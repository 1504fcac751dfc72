/**
 * Lets the browser run a task of its own (input, an animation frame, a paint) before the caller goes on:
 * Cornerstone's start-up is a chain of synchronous steps of tens to hundreds of milliseconds each (its
 * modules' evaluation, the WebGL probe, tool registration, the rendering engine), which would otherwise
 * run as one long task right after the first image, stalling the page (issue 11, P4).
 */
export function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  // scheduler.yield() resumes ahead of other queued tasks (Chromium); elsewhere a message is the next task.
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
