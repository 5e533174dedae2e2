/**
 * What the Lambda bundles get in place of `@aws-sdk/credential-provider-node`, the SDK's default
 * credential chain (see BUNDLING in infra/deploy-function.ts): every client's configuration
 * imports that chain, and with it SSO, profile files, web identity, credential processes and
 * instance metadata, with the STS and SSO clients they call, about 130 KB of each bundle. A
 * Lambda function never uses them: the runtime hands it its execution role's credentials in
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, the variables the default chain
 * reads first. Where they are missing, every call fails with the SDK's own "Unable to find
 * environment variable credentials." rather than looking further.
 *
 * Only the bundles use it: tests, the CLI and the local engine run the sources with the full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
