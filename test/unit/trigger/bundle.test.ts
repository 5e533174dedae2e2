import * as path from 'path';
import { build } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('the trigger bundle', () => {
  it('carries the clients the trigger calls and no other AWS client (no CloudFormation)', async () => {
    const result = await build({
      entryPoints: [path.join(ROOT, 'functions', 'trigger', 'handler.ts')],
      bundle: true,
      platform: 'node',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const clients = new Set(
      Object.keys(result.metafile.inputs)
        .map((input) => /@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input)?.[1])
        .filter((client): client is string => client !== undefined),
    );
    expect([...clients].sort()).toEqual(['client-codepipeline', 'client-s3', 'client-sfn']);
  });
});
