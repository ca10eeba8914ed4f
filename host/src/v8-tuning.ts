import { setFlagsFromString } from 'node:v8';

/**
 * V8's allocation-site pretenuring off for the host process (cli.ts imports this first, before anything allocates).
 *
 * Pretenuring watches, at every scavenge, how many objects of each allocation site survived; a site whose objects
 * survived (85% or more of at least 100) is switched to allocating straight into the old generation, for good, and
 * with the young generation at its fixed maximum (README "Memory") the switch is made at the first such scavenge.
 * Under load a warm-up scavenge can meet a batch of requests still in flight, and Node's HTTP sites (IncomingMessage,
 * ServerResponse, their headers and on-finished listeners) were switched: from then on every request's objects were
 * old-generation garbage that only a full mark-compact frees. Measured on PostgreSQL + Redis under wrk with the
 * built-in plugins (the billing plugin's larger boot made the switch happen): 555 MB of old-generation garbage in
 * 20 s against 24 MB, V8's heap sawing between 80 and 300 MB and RSS at 440 MB; with pretenuring off the heap stays
 * at 90-110 MB and RSS near 240 MB. A server's long-lived objects are few and made at boot, so nothing is lost.
 * The flag is read at each collection, so setting it here works as on the command line.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
