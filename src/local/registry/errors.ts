import { HumanGovError } from '../../kernel/errors.ts';

/** A push or lookup in the local image registry failed; the message says what to change. */
export class RegistryError extends HumanGovError {
  override name = 'RegistryError';
}

/** The tag breaks ECR's (OCI's) tag rules; ECR would refuse the push too. */
export class InvalidImageTagError extends RegistryError {
  override name = 'InvalidImageTagError';
}

/** The context cannot become an image: no package.json, or its build script failed. */
export class ImageBuildError extends RegistryError {
  override name = 'ImageBuildError';
}

export class ImageNotFoundError extends RegistryError {
  override name = 'ImageNotFoundError';
}
