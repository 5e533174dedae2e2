import { SandboxInstallError, SandboxUnsupportedOperationError } from './errors';

/**
 * The SDK boundary. Every AWS SDK v3 client sends a command through `Client.prototype.send`; the
 * sandbox puts its own `send` on each service client's prototype, so clients created at module
 * scope (as the Lambda handlers do) reach the sandbox without any change to the code under test.
 * The SDK's middleware (signing, retries, HTTP) is skipped: a throttled answer reaches the caller
 * on the first attempt, which is what lets a test see the state machine's own Retry at work.
 */

/** An SDK command whose input type is `I` and output type is `O` (read from its middleware handler). */
export interface SdkCommand<I extends object, O extends object> {
  readonly input: I;
  resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: O }>;
}

/** A command class: `DescribeStacksCommand`, `GetObjectCommand`. */
export type SdkCommandClass<I extends object, O extends object> = abstract new (...args: never[]) => SdkCommand<I, O>;

/** What a route answers: the output without `$metadata`, which the interceptor adds. */
export type RouteOutput<O> = Omit<O, '$metadata'>;

export interface Route {
  operation: string;
  matches: (command: object) => boolean;
  handle: (input: object) => Promise<object>;
}

/** Declares how the sandbox answers one operation, typed by the SDK's own command class. */
export function route<I extends object, O extends object>(
  operation: string,
  commandClass: SdkCommandClass<I, O>,
  handle: (input: I) => Promise<RouteOutput<O>> | RouteOutput<O>,
): Route {
  return {
    operation,
    matches: (command) => command instanceof commandClass || command.constructor.name === `${operation}Command`,
    handle: async (input) => handle(input as I) as object,
  };
}

/** A client class as far as the interceptor cares: something with a `send` on its prototype. */
export interface ClientClass {
  name: string;
  prototype: object;
}

/** One service the sandbox stands in for: its client class and how its operations are answered. */
export interface ServiceBinding {
  service: string;
  clientClass: ClientClass;
  routes: Route[];
}

/** Called for every command sent to any bound client. */
export type Dispatch = (binding: ServiceBinding, route: Route, command: { input: object }, client: unknown) => Promise<object>;

interface Patch {
  prototype: object;
  hadOwnSend: boolean;
  previous?: PropertyDescriptor;
}

/**
 * Puts `send` on each bound client's prototype; `restore` puts back exactly what was there.
 * Only one interception may be in place at a time: two sandboxes answering the same client would
 * make a test depend on which was installed last.
 */
export class Interceptor {
  private static active: Interceptor | undefined;
  private patches: Patch[] = [];

  constructor(
    private readonly bindings: ServiceBinding[],
    private readonly dispatch: Dispatch,
  ) {}

  static isActive(): boolean {
    return Interceptor.active !== undefined;
  }

  install(): void {
    if (Interceptor.active) {
      throw new SandboxInstallError('A sandbox is already installed; restore it (sandbox.restore()) before installing another.');
    }
    for (const binding of this.bindings) {
      const prototype = binding.clientClass.prototype;
      const previous = Object.getOwnPropertyDescriptor(prototype, 'send');
      this.patches.push({ prototype, hadOwnSend: previous !== undefined, previous });
      const dispatch = this.dispatch;
      Object.defineProperty(prototype, 'send', {
        configurable: true,
        writable: true,
        // The SDK's signature is send(command, options?, callback?); the sandbox answers with a promise only.
        value: function send(this: unknown, command: { input: object }): Promise<object> {
          const matched = binding.routes.find((candidate) => candidate.matches(command));
          if (!matched) {
            const name = command?.constructor?.name ?? 'an unknown command';
            return Promise.reject(
              new SandboxUnsupportedOperationError(
                `The offline sandbox does not implement ${binding.service} ${name.replace(/Command$/, '')}. Add a route for it in local/sandbox/ or keep the code under test to the operations listed in the README.`,
              ),
            );
          }
          return dispatch(binding, matched, command, this);
        },
      });
    }
    Interceptor.active = this;
  }

  restore(): void {
    if (Interceptor.active !== this) throw new SandboxInstallError('This sandbox is not installed.');
    for (const patch of this.patches.reverse()) {
      if (patch.hadOwnSend && patch.previous) Object.defineProperty(patch.prototype, 'send', patch.previous);
      else delete (patch.prototype as { send?: unknown }).send;
    }
    this.patches = [];
    Interceptor.active = undefined;
  }
}
