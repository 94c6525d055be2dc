import { describe, expect, it } from 'vitest';
import { requiredRole } from '../../../src/azure/requiredRole';

describe('requiredRole', () => {
  it('finds a role declared once by its name', () => {
    expect(requiredRole('Contributor')).toMatchObject({
      name: 'Contributor',
      scope: 'environmentResourceGroup',
    });
  });

  it('tells the scopes of a role declared twice apart', () => {
    expect(requiredRole('Key Vault Secrets User', 'environmentResourceGroup').scope).toBe(
      'environmentResourceGroup',
    );
    expect(requiredRole('Key Vault Secrets User', 'appKeyVault').scope).toBe('appKeyVault');
  });

  it('refuses to guess the scope of a role declared twice', () => {
    expect(() => requiredRole('Key Vault Secrets User')).toThrow(
      'azure: role "Key Vault Secrets User" is declared for environmentResourceGroup and appKeyVault; name the scope',
    );
  });

  it('names an undeclared role', () => {
    expect(() => requiredRole('Owner')).toThrow('azure: role "Owner" is not declared in requiredRoles.ts');
    expect(() => requiredRole('Contributor', 'appStorage')).toThrow(
      /"Contributor" on appStorage is not declared/,
    );
  });
});
