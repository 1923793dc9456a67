import { fileURLToPath } from 'node:url';

/** This repository: its top-level Dockerfile is the app image (the default context of a container push). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The app's package (the default context of a package push). */
export const APP_DIR = fileURLToPath(new URL('../../../app/', import.meta.url));
