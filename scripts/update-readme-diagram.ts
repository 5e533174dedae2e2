/** Rewrites the README's state machine diagram from the ASL (npm run diagram). */
import * as fs from 'fs';
import * as path from 'path';
import { loadDefinition } from '../statemachine/definition';
import { readmeDiagramBlock, README_DIAGRAM_END, README_DIAGRAM_START } from '../statemachine/diagram';

const readmePath = path.join(__dirname, '..', 'README.md');
const readme = fs.readFileSync(readmePath, 'utf8');
const start = readme.indexOf(README_DIAGRAM_START);
const end = readme.indexOf(README_DIAGRAM_END);
if (start < 0 || end < 0) throw new Error(`README.md lacks the ${README_DIAGRAM_START} … ${README_DIAGRAM_END} markers`);
fs.writeFileSync(readmePath, readme.slice(0, start) + readmeDiagramBlock(loadDefinition()) + readme.slice(end + README_DIAGRAM_END.length));
console.log('README.md diagram updated');
