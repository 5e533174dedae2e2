import type { CodePipelineEvent } from 'aws-lambda';
import { InvalidJobEventError } from './errors';

/** An input artifact as the trigger needs it: where the zip is. */
export interface JobArtifact {
  name: string;
  location?: { type?: string; bucketName?: string; objectKey?: string };
}

/**
 * The parts of the job the trigger uses. The event's `artifactCredentials` are deliberately not
 * copied here, so nothing downstream of this function can log or pass them on by accident.
 */
export interface Job {
  id: string;
  /** `UserParameters` as CodePipeline sent it: a string, or undefined when the action has none. */
  userParameters?: string;
  inputArtifacts: JobArtifact[];
  continuationToken?: string;
}

/**
 * Reads the job out of the event. Only the job id is required: without it no result can be
 * reported at all, so its absence is thrown (a Lambda error) rather than reported.
 */
export function readJob(event: CodePipelineEvent): Job {
  // The event comes from outside; the declared type is a promise, not a guarantee.
  const job = (event as Partial<CodePipelineEvent> | undefined)?.['CodePipeline.job'];
  if (!job || typeof job.id !== 'string' || job.id === '') {
    throw new InvalidJobEventError('The event is not a CodePipeline job: "CodePipeline.job".id is missing. Invoke this function from a CodePipeline Lambda invoke action.');
  }
  const data = job.data ?? ({} as Partial<CodePipelineEvent['CodePipeline.job']['data']>);
  const userParameters: unknown = data.actionConfiguration?.configuration?.UserParameters;
  const continuationToken: unknown = data.continuationToken;
  return {
    id: job.id,
    userParameters: typeof userParameters === 'string' ? userParameters : undefined,
    inputArtifacts: (Array.isArray(data.inputArtifacts) ? data.inputArtifacts : []).map((artifact) => ({
      name: String(artifact?.name ?? ''),
      location: {
        type: artifact?.location?.type,
        bucketName: artifact?.location?.s3Location?.bucketName,
        objectKey: artifact?.location?.s3Location?.objectKey,
      },
    })),
    continuationToken: typeof continuationToken === 'string' && continuationToken !== '' ? continuationToken : undefined,
  };
}
