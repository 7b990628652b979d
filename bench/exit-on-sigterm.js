// Preloaded (node --import) into servers started with `bench/run.js --cpu-prof`: exit normally on
// SIGTERM, so that Node writes the .cpuprofile (a process killed by a signal writes none).
process.once('SIGTERM', () => process.exit(0));
