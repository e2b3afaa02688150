// `npm run connector`: writes the custom connector definition (examples/logic-apps/connector/)
// from the same generator that serves /api/openapi.json.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { openApiDocument } from '../src/openapi/openApiDocument';
import { httpRoutes } from '../src/routes';
import { projectRoot } from './stack';

export const CONNECTOR_HOST = 'your-function-app.azurewebsites.net';
export const connectorFile = path.join(projectRoot, 'examples/logic-apps/connector/apiDefinition.swagger.json');
export const connectorDefinition = () =>
  `${JSON.stringify(openApiDocument(new URL(`https://${CONNECTOR_HOST}`), httpRoutes), null, 2)}\n`;

if (require.main === module) {
  writeFileSync(connectorFile, connectorDefinition());
  console.log(`wrote ${path.relative(projectRoot, connectorFile)}`);
}
