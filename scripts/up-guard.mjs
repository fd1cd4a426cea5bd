// Preloaded into each app that scripts/up.mjs starts (`node --import ./scripts/up-guard.mjs ...`).
// The apps run in their own process group (so Ctrl-C reaches only `up`, which stops them in order), which also
// means nothing would stop them if `up` itself died without cleaning up (kill -9, a crash). `up` holds the
// write end of each app's stdin pipe: when `up` is gone the pipe ends, and the app stops itself gracefully.
process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.on('error', () => {});
process.stdin.resume();
