import { loadDefinition } from '../../../statemachine/definition';
import { PERCENT_COMPLETE_BY_STATE, latestEntered, latestEnteredState, percentCompleteFor } from '../../../functions/trigger/progress';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { historyInState, readFixture } from './helpers';

describe('progress estimate', () => {
  it('has an estimate for exactly the states of the deploy state machine', () => {
    const states = Object.keys(loadDefinition().States).sort();
    expect(Object.keys(PERCENT_COMPLETE_BY_STATE).sort()).toEqual(states);
  });

  it('stays between 0 and 99 while the execution runs', () => {
    for (const percent of Object.values(PERCENT_COMPLETE_BY_STATE)) {
      expect(percent).toBeGreaterThanOrEqual(0);
      expect(percent).toBeLessThanOrEqual(99);
    }
  });

  it('grows along each path of the state machine', () => {
    const paths = [
      ['Prepare Deployment', 'Check Stack Existence', 'Create Stack', 'Wait Stack Creation', 'Deployment Succeeded'],
      ['Check Stack Existence', 'Delete Failed Stack', 'Wait Failed Stack Deletion', 'Create Stack', 'Wait Stack Creation'],
      ['Check Stack Existence', 'Create Change Set', 'Wait Change Set Creation', 'Inspect Change Set Changes', 'Execute Change Set', 'Wait Stack Update', 'Deployment Succeeded'],
      ['Change Set Created?', 'Delete Empty Change Set', 'Deployment Succeeded'],
      ['Safe to Update Infra?', 'Delete Change Set', 'Deployment Failed'],
    ];
    for (const path of paths) {
      const percents = path.map(percentCompleteFor);
      expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    }
  });

  it('starts at 0 for an unknown or missing state', () => {
    expect(percentCompleteFor(undefined)).toBe(0);
    expect(percentCompleteFor('Some Renamed State')).toBe(0);
  });
});

describe('latestEnteredState', () => {
  it('finds the newest StateEntered event of any state type', () => {
    expect(latestEnteredState(historyInState('Inspect Change Set Changes'))).toBe('Inspect Change Set Changes');
    expect(latestEnteredState(historyInState('Does Stack Exist?', 'ChoiceStateEntered'))).toBe('Does Stack Exist?');
  });

  it.each([
    ['sfn-history-fail-state.json', 'FailState'],
    ['sfn-history-execution-aborted.json', 'State_1'],
    ['sfn-history-lambda-function-failed.json', 'Start'],
  ])('reads the recorded history %s (reversed, as reverseOrder returns it)', (file, state) => {
    const { events } = readFixture<{ events: HistoryEvent[] }>('sfn', file);
    expect(latestEnteredState([...events].reverse())).toBe(state);
  });

  it('finds nothing in a page without a state entered', () => {
    expect(latestEnteredState([{ id: 1, type: 'ExecutionStarted', timestamp: new Date() }])).toBeUndefined();
  });

  it('says how many of the newest events reach the state\'s entry, for a read of its data', () => {
    // The published Lambda task failed: ExecutionFailed, LambdaFunctionFailed, ...Started, ...Scheduled, then TaskStateEntered.
    const { events } = readFixture<{ events: HistoryEvent[] }>('sfn', 'sfn-history-lambda-function-failed.json');
    expect(latestEntered([...events].reverse())).toEqual({ name: 'Start', eventsSinceEntered: 5 });
    expect(latestEntered(historyInState('Await Approval'))).toEqual({ name: 'Await Approval', eventsSinceEntered: 3 });
  });
});
