// Jest's moduleNameMapper does not apply to globalSetup: let `./x.js` imports find `./x.ts` there too.
const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function resolveTsImports(request, ...rest) {
  try {
    return original.call(this, request, ...rest);
  } catch (error) {
    if (request.startsWith('.') && request.endsWith('.js')) return original.call(this, request.slice(0, -3), ...rest);
    throw error;
  }
};
