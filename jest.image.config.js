/**
 * `npm run test:image`: the app image built from the Dockerfile and run as real containers by
 * the machine's engine (podman or docker). Needs the engine, and the base image (built once by
 * `npm run image:base` when no registry answers); takes a few minutes, so `npm test` leaves it out.
 */
import base from './jest.config.js';

process.env.HUMANGOV_IMAGE_TESTS = '1';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test/image'],
  testPathIgnorePatterns: ['/node_modules/'],
  // One engine, two cores: the files share the engine's storage and take turns.
  maxWorkers: 1,
  testTimeout: 300_000,
};
