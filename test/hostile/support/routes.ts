import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';

export interface DiscoveredRoute {
  method: string;
  /** Express-style path, e.g. `/agency/cases/:id`. */
  path: string;
  controller: string;
  handler: string;
  /** Guards on the handler and its class. */
  guards: string[];
  /** Reads a metadata key the way Nest's Reflector.getAllAndOverride does (handler first, then class). */
  meta<T>(key: string): T | undefined;
}

const join = (...parts: string[]): string =>
  `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;

/**
 * Every HTTP route of a booted Nest app, read from its controllers' metadata (the same metadata the router
 * explorer uses), so an endpoint added later cannot escape a test that iterates over them.
 */
export function discoverRoutes(app: INestApplication): DiscoveredRoute[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: DiscoveredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as Type | undefined;
    if (!type || !wrapper.instance) continue;
    const prefixes = [Reflect.getMetadata(PATH_METADATA, type) ?? ''].flat() as string[];
    const classGuards = (Reflect.getMetadata(GUARDS_METADATA, type) ?? []) as { name: string }[];
    const proto = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name] as (...args: unknown[]) => unknown;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || method === undefined) continue;
      const guards = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as { name: string }[])].map((g) => g.name);
      for (const prefix of prefixes) {
        for (const path of [paths].flat()) {
          routes.push({
            method: RequestMethod[method],
            path: join(prefix, path),
            controller: type.name,
            handler: name,
            guards,
            meta: <T>(key: string) => reflector.getAllAndOverride<T>(key, [handler, type]),
          });
        }
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

export const routeName = (r: { method: string; path: string }): string => `${r.method} ${r.path}`;
