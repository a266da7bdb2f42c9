// NODE-ONLY entry: the virtual board's HTTPS server. Browser code must not import this folder.
export { createVirtualHttpsServer, type VirtualHttpsOptions, type VirtualHttpsServer } from "./https-server-node";
export { httpServerModuleHook, type HttpServerHook } from "./module-hook";
