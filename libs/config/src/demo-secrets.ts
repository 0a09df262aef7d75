import { ValidateBy, ValidationArguments } from 'class-validator';

/** The credentials of deploy/local/demo.env: published, so anyone can use them. */
export const DEMO_SECRETS: readonly string[] = ['demo-key', 'demo-token', 'demo-admin-key'];

function usesDemoSecret(value: unknown): string | undefined {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/[,:\s]+/) : [];
  return parts.find((part) => DEMO_SECRETS.includes(part));
}

/**
 * Refuses a public demo credential (alone or inside a `tenant:key[:secret],...` list) unless the
 * object's VIGIL_DEMO_MODE is true: a service started with the demo's settings outside the demo
 * must not come up open to anyone who has read the repository.
 */
export function NoDemoSecret(): PropertyDecorator {
  return ValidateBy({
    name: 'noDemoSecret',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        (args?.object as { VIGIL_DEMO_MODE?: boolean } | undefined)?.VIGIL_DEMO_MODE === true || usesDemoSecret(value) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        `uses the public demo credential "${usesDemoSecret(args?.value)}"; choose your own, or set VIGIL_DEMO_MODE=true for the local demo only`,
    },
  });
}
