// Node-only: the `pydirect-portal` command line. Never imported by browser code.
import { runCheck } from "./check-command";
import { runInventoryInit } from "./inventory-command";

const USAGE = `usage: pydirect-portal check <manifest or .bin path or URL> [--json] [--chip <family>]
       pydirect-portal inventory init <couchdb database URL> [--member <user>]...

  check   validate an ESP Web Tools manifest and every part it lists: SHA-256 and size,
          ESP image header/checksum/digest, chip id, partition table, app size and offsets.
          A .bin file is checked as one image written at 0x0 (a merged build; ESP8266 builds
          by ESP8266 rules), for the chip its headers name or --chip.
          Exit code 0 when everything passes, 1 when any check fails, 2 on usage errors.
  --json  print the findings as JSON instead of text
  --chip  check only the builds for this chip family (e.g. ESP32-S3)

  inventory init   prepare a CouchDB database as the stations' shared device inventory: create it,
          install the validation function that refuses secrets, and the indexes the portal queries.
          Needs a server admin: https://admin:PASSWORD@host/db, or COUCHDB_USER and COUCHDB_PASSWORD.
  --member  add a CouchDB user (one per station) to the database's members; repeat for each`;

export async function main(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const [command, ...rest] = argv as [string?, ...string[]];
  if (command === "--help" || command === "-h" || command === "help") {
    out(USAGE);
    return 0;
  }
  if (command === "inventory") return inventory(rest, out);
  if (command !== "check") {
    out(command === undefined ? USAGE : `unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let json = false;
  let chip: string | undefined;
  const targets: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--json") json = true;
    else if (arg === "--chip") chip = rest[++i];
    else if (arg.startsWith("--chip=")) chip = arg.slice("--chip=".length);
    else if (arg.startsWith("--")) {
      out(`unknown option ${arg}\n\n${USAGE}`);
      return 2;
    } else targets.push(arg);
  }
  if (targets.length !== 1) {
    out(`check takes exactly one manifest or image path or URL\n\n${USAGE}`);
    return 2;
  }
  return runCheck(targets[0], { json, ...(chip ? { chip } : {}) }, out);
}

async function inventory(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args as [string?, ...string[]];
  if (sub !== "init") {
    out(`${sub === undefined ? "inventory needs a subcommand" : `unknown inventory subcommand "${sub}"`}\n\n${USAGE}`);
    return 2;
  }
  const members: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--member" && rest[i + 1]) members.push(rest[++i]);
    else if (arg.startsWith("--member=")) members.push(arg.slice("--member=".length));
    else if (arg.startsWith("--")) {
      out(`unknown option ${arg}\n\n${USAGE}`);
      return 2;
    } else targets.push(arg);
  }
  if (targets.length !== 1) {
    out(`inventory init takes exactly one CouchDB database URL\n\n${USAGE}`);
    return 2;
  }
  return runInventoryInit(targets[0], { members }, out);
}
