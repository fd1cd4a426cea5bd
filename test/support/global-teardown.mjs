// Stops the broker that global-setup started; a broker that was already running is left alone.
export default async function globalTeardown() {
  const port = process.env.WZ_TEST_STARTED_BROKER;
  if (!port || process.env.WZ_TEST_KEEP_BROKER) return;
  const { stopBroker } = await import('../../scripts/kafka.mjs');
  await stopBroker({ port: Number(port), log: () => undefined });
}
