/** A local HTTP server (127.0.0.1, port 0) answering with fixed responses per path, logging requests. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FixtureAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}
export type FixtureRoute = FixtureAnswer | ((req: IncomingMessage, server: FixtureServer) => FixtureAnswer);

export interface FixtureServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  requests: { method: string; path: string }[];
  route(path: string, answer: FixtureRoute): void;
  close(): Promise<void>;
}

export async function startFixtureServer(routes: Record<string, FixtureRoute> = {}): Promise<FixtureServer> {
  const table = new Map(Object.entries(routes));
  const requests: FixtureServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ method: req.method ?? "GET", path });
    const route = table.get(path) ?? table.get(path.split("?")[0]);
    const answer: FixtureAnswer =
      route === undefined
        ? { status: 404, headers: { "content-type": "text/plain" }, body: "Not Found" }
        : typeof route === "function"
          ? route(req, fixture)
          : route;
    const body =
      answer.body === undefined
        ? new Uint8Array()
        : typeof answer.body === "string"
          ? new TextEncoder().encode(answer.body)
          : answer.body;
    res.writeHead(answer.status ?? 200, { "content-length": String(body.length), ...answer.headers });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fixture: FixtureServer = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    route: (path, answer) => void table.set(path, answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fixture;
}

export const json = (value: unknown, headers: Record<string, string> = {}): FixtureAnswer => ({
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(value),
});
