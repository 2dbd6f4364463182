// Flux's real controllers for the bootstrap end-to-end tests, shared within a test file: one set
// of controller processes per Flux namespace of the file's cluster, started from the Deployments
// bootstrap applied there (tests/harness/controllers.mjs) the first time a bootstrap installs the
// components or reaches its health wait, and reused by every later run into that namespace (a
// re-run, a --force, a dry run's real run). The handler has the shape of the status-writing
// stand-in (bootstrap-env.mjs `controllerStandIn`), so a test swaps one for the other; what it
// waits for is written by source-, kustomize-, helm- and notification-controller themselves.
import { controllersBinDir, startFluxControllers } from '../../harness/controllers.mjs';

/**
 * `cluster`: the harness cluster. `podEnvironment`: as for startFluxControllers (what an
 * admission webhook adds to the pods). Call `stopAll()` in the file's after hook.
 */
export function controllerPool(cluster, { binDir = controllersBinDir(), podEnvironment } = {}) {
  /** namespace → Promise of the started controllers */
  const started = new Map();
  const start = (namespace) => {
    let run = started.get(namespace);
    if (!run) {
      run = startFluxControllers(cluster, { namespace, binDir, ...(podEnvironment ? { podEnvironment } : {}) });
      // A failed start is reported by settled(); the next run into the namespace tries again.
      run.catch(() => started.delete(namespace));
      started.set(namespace, run);
    }
    return run;
  };
  const stop = async (namespace) => {
    const run = started.get(namespace);
    started.delete(namespace);
    if (run) await run.then((c) => c.stop()).catch(() => {});
  };

  return {
    binDir,
    /** Starts (or returns) the controllers of `namespace`; resolves when each answers /readyz. */
    async start(namespace) {
      const controllers = await start(namespace);
      await controllers.ready(120_000);
      return controllers;
    },
    /** The running controllers of `namespace`, if any. */
    running: (namespace) => started.get(namespace),
    /**
     * The bootstrap event handler: the controllers of `namespace` start once bootstrap has
     * installed the components (as the pods would start then), or at its health wait when an
     * earlier run installed them. `settled()` resolves once they run (rejects if they could not).
     */
    watch(namespace) {
      const events = [];
      let run;
      const onEvent = (event) => {
        events.push(event);
        const installed = event.type === 'done' && event.step === 'install';
        const waiting = event.type === 'step' && event.step === 'health';
        if ((installed || waiting) && !run) run = start(namespace);
      };
      return { onEvent, events, settled: async () => (run ? await run : undefined) };
    },
    /** The last lines of each controller's log in `namespace`, for a failure message. */
    async logs(namespace, chars = 2000) {
      const controllers = await started.get(namespace)?.catch(() => undefined);
      if (!controllers) return `(no controllers ran in ${namespace})`;
      return Object.keys(controllers.processes)
        .map((name) => `--- ${name}\n${controllers.logs(name).slice(-chars)}`)
        .join('\n');
    },
    /** Stops the controllers of `namespace` (a test done with it frees the machine). */
    stop,
    async stopAll() {
      await Promise.allSettled([...started.keys()].map((ns) => stop(ns)));
    },
    /** Stops every namespace's controllers but those of `keep` (frees the machine between tests). */
    async stopAllExcept(keep) {
      await Promise.allSettled([...started.keys()].filter((ns) => !keep.includes(ns)).map((ns) => stop(ns)));
    },
  };
}
