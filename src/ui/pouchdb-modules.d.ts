// pouchdb-browser and pouchdb-find ship no types; @types/pouchdb-core declares a global Buffer
// that breaks Node's types here, so the inventory types the API it uses in core/registry/pouch-types.ts.
declare module "pouchdb-browser" {
  const PouchDB: { plugin(plugin: unknown): unknown };
  export default PouchDB;
}
declare module "pouchdb-find" {
  const PouchFind: unknown;
  export default PouchFind;
}
