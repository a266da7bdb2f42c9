/**
 * What `pydirect-portal inventory init` installs in the CouchDB database: a design document whose
 * `validate_doc_update` refuses secrets and wrongly shaped documents (CouchDB runs it on every
 * write, replication included), and the Mango indexes the portal queries.
 */
import {
  DEVICE_DOC_PREFIX,
  DEVICE_DOC_TYPE,
  INVENTORY_DOC_FIELDS,
  PRIVATE_KEY_PEM_PATTERN,
  SECRET_FIELD_PATTERN,
  VERIFICATION_FIELDS,
} from "./inventory-doc";

export const INVENTORY_DESIGN_ID = "_design/pydirect-inventory";

/** Mango indexes (POST /{db}/_index bodies): hostname clashes and lookups by MAC. */
export const INVENTORY_INDEXES = [
  { index: { fields: ["hostnameLower"] }, name: "by-hostname", ddoc: "pydirect-index-hostname", type: "json" },
  { index: { fields: ["mac"] }, name: "by-mac", ddoc: "pydirect-index-mac", type: "json" },
] as const;

/**
 * The validation function's source. Plain ES5 (CouchDB 3's JavaScript engine may be the old
 * SpiderMonkey 1.8.5); the allow-list and the secret patterns are the ones the portal checks
 * before writing, spelled into the source so the server refuses the same things on its own.
 * `throw({forbidden: …})` is how CouchDB lets a validation function refuse with HTTP 403.
 */
export function validateDocUpdateSource(): string {
  return `function (newDoc, oldDoc, userCtx, secObj) {
  var ALLOWED = ${JSON.stringify(INVENTORY_DOC_FIELDS)};
  var VERIFICATION = ${JSON.stringify(VERIFICATION_FIELDS)};
  var SECRET_NAME = ${SECRET_FIELD_PATTERN.toString()};
  var PRIVATE_KEY = ${PRIVATE_KEY_PEM_PATTERN.toString()};
  function reject(message) { throw({ forbidden: message }); }
  function isString(v) { return typeof v === "string"; }
  function scan(value, path) {
    if (isString(value)) {
      if (PRIVATE_KEY.test(value)) reject(path + " holds a private key; secrets never go into the inventory.");
    } else if (value && typeof value === "object") {
      for (var key in value) {
        if (SECRET_NAME.test(key)) reject("The field " + path + "." + key + " looks like a secret; secrets never go into the inventory.");
        scan(value[key], path + "." + key);
      }
    }
  }
  if (newDoc._deleted === true) return;
  if (newDoc._id.indexOf("_design/") === 0) return;
  scan(newDoc, "doc");
  if (newDoc._attachments) reject("Device documents carry no attachments.");
  for (var field in newDoc) {
    if (field.charAt(0) === "_") continue;
    if (ALLOWED.indexOf(field) < 0) reject("The field " + field + " is not one the inventory holds.");
  }
  if (newDoc.type !== ${JSON.stringify(DEVICE_DOC_TYPE)}) reject("Only pyDirect device documents (type ${DEVICE_DOC_TYPE}) belong in this database.");
  if (!isString(newDoc.id) || !/^[0-9A-Za-z_-]{1,64}$/.test(newDoc.id)) reject("id must be the board's unique id (hex).");
  if (newDoc._id !== ${JSON.stringify(DEVICE_DOC_PREFIX)} + newDoc.id) reject("_id must be ${DEVICE_DOC_PREFIX} followed by id.");
  if (!isString(newDoc.hostname) || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(newDoc.hostname)) reject("hostname must be a DNS label.");
  if (newDoc.hostnameLower !== newDoc.hostname.toLowerCase()) reject("hostnameLower must be the hostname in lower case.");
  if (!isString(newDoc.chip) || newDoc.chip.length === 0) reject("chip must be a non-empty string.");
  if (!isString(newDoc.mac) || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(newDoc.mac)) reject("mac must look like aa:bb:cc:dd:ee:ff.");
  if (newDoc.firmwareVersion !== null && !isString(newDoc.firmwareVersion)) reject("firmwareVersion must be a string or null.");
  if (!isString(newDoc.certFingerprint) || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$/.test(newDoc.certFingerprint)) reject("certFingerprint must be colon hex.");
  if (!isString(newDoc.provisionedAt) || !/^\\d{4}-\\d{2}-\\d{2}T/.test(newDoc.provisionedAt)) reject("provisionedAt must be an ISO 8601 time.");
  if (newDoc.certificatePem !== undefined && (!isString(newDoc.certificatePem) || newDoc.certificatePem.indexOf("-----BEGIN CERTIFICATE-----") < 0)) reject("certificatePem must be a PEM certificate.");
  var v = newDoc.lastVerification;
  if (v !== undefined) {
    if (!v || typeof v !== "object") reject("lastVerification must be an object.");
    for (var k in v) if (VERIFICATION.indexOf(k) < 0) reject("lastVerification." + k + " is not one the inventory holds.");
    if (!isString(v.at) || typeof v.passed !== "boolean" || !isString(v.summary)) reject("lastVerification needs at, passed and summary.");
  }
}`;
}

export function inventoryDesignDoc(): { _id: string; language: "javascript"; validate_doc_update: string } {
  return { _id: INVENTORY_DESIGN_ID, language: "javascript", validate_doc_update: validateDocUpdateSource() };
}
