import { describe, expect, it } from 'vitest';

import { awaitsRoleAssignment } from '../../dev/deploy';

describe('npm run deploy', () => {
  it("publishes again only when storage refused the app's identity (a role assignment still applying)", () => {
    for (const output of [
      'Uploading package... Error: AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this permission.',
      'Response status code does not indicate success: 403 (This request is not authorized to perform this operation.)',
      'AuthorizationFailure',
    ])
      expect(awaitsRoleAssignment(output), output).toBe(true);
    for (const output of [
      "Can't find app with name calls-app",
      'Unable to connect to Azure. Make sure you have the `az` CLI or `Az.Accounts` PowerShell module installed and logged in',
      'Error: connect ETIMEDOUT',
      'Remote build failed!',
    ])
      expect(awaitsRoleAssignment(output), output).toBe(false);
  });
});
