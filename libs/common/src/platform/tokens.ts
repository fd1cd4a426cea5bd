/** Injection tokens of the shared plumbing (classes are their own tokens). */
export const PLATFORM_CONFIG = Symbol('PLATFORM_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
