export declare const WEB_DIST: string;
export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export declare function startWebServer(options: { routerUrl: string; appUrl: string; port?: number; host?: string; dist?: string }): Promise<WebServer>;
