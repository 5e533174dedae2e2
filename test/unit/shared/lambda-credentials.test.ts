import { defaultProvider } from '../../../functions/shared/lambda-credentials';
import { withEnv } from '../helpers';

const ROLE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_PROFILE: undefined };

describe('the credentials the Lambda bundles use in place of the default chain', () => {
  it('are the execution role credentials Lambda puts in the environment', async () => {
    const credentials = await withEnv(ROLE_CREDENTIALS, () => defaultProvider()());

    expect(credentials).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('fail with the SDK\'s own message when the environment has none, looking nowhere else', async () => {
    const attempt = withEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined }, () => defaultProvider()());

    await expect(attempt).rejects.toThrow('Unable to find environment variable credentials.');
  });
});
