// The one way routes are declared: an express Router that matches paths exactly — case-sensitive
// and strict about a trailing slash. Express's default (case-insensitive, optional trailing slash)
// let `/API/v1/simulate` or `/metrics/` reach a handler under a spelling that no other check
// expected; with exact matching a path either is a route, byte for byte, or gets a 404.
import { Router } from 'express';

export function exactRouter(): Router {
  return Router({ caseSensitive: true, strict: true });
}
