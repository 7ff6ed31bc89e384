/** The rules of who may write to GitHub from Teams, as a table. */
import assert from 'node:assert/strict';
import {
  type ConversationPolicy,
  type GitHubLink,
  type PermissionFacts,
  type TeamsUser,
  type WriteAct,
  mayWrite,
} from '../../../src/teams/identity/write-permission.js';

const MEGAN = { aadObjectId: 'AAD-MEGAN', teamsId: '29:megan' } satisfies TeamsUser;
const ADMIN = { aadObjectId: 'aad-admin', teamsId: '29:admin' } satisfies TeamsUser;
const INSTALLER = { aadObjectId: 'aad-installer', teamsId: '29:installer' } satisfies TeamsUser;
const linked = (login: string): GitHubLink => ({
  aadObjectId: 'x',
  login,
  proof: 'github',
  linkedAt: 0,
});
const asserted = (login: string): GitHubLink => ({
  aadObjectId: 'x',
  login,
  proof: 'self-asserted',
  linkedAt: 0,
});
const entry = (keys: string[], repos: string[] = []) => ({
  keys,
  label: keys.join(','),
  repos,
  addedBy: 'aad-admin',
  addedAt: 0,
});
const policy = (
  allow: ConversationPolicy['allow'] = [],
  installer?: string,
): ConversationPolicy => ({ allow, installer });
const ADMINS = new Set(['aad-admin']);

type Row = [
  name: string,
  user: TeamsUser,
  repo: string,
  act: WriteAct,
  facts: PermissionFacts,
  expected: string,
];

const rows: Row[] = [
  [
    'anonymous user',
    { teamsId: '29:anon' },
    'octo/app',
    'close',
    { link: linked('x'), policy: policy([entry(['*'])]), tenantAdmins: ADMINS },
    'refused:anonymous',
  ],
  [
    'unlinked user, even if allowed',
    MEGAN,
    'octo/app',
    'close',
    { policy: policy([entry(['*'])]), tenantAdmins: ADMINS },
    'refused:unlinked',
  ],
  [
    'unlinked admin',
    ADMIN,
    'octo/app',
    'close',
    { policy: policy(), tenantAdmins: ADMINS },
    'refused:unlinked',
  ],
  [
    'self-asserted link (before sign-in) cannot act, even for an admin',
    ADMIN,
    'octo/app',
    'close',
    { link: asserted('boss'), policy: policy(), tenantAdmins: ADMINS },
    'refused:unlinked',
  ],
  [
    'linked, nobody allowed',
    MEGAN,
    'octo/app',
    'comment',
    { link: linked('megan'), policy: policy(), tenantAdmins: ADMINS },
    'refused:not_allowed',
  ],
  [
    'tenant admin, no allow-list',
    ADMIN,
    'octo/app',
    'approve',
    { link: linked('boss'), policy: policy(), tenantAdmins: ADMINS },
    'allowed:boss',
  ],
  [
    'installer is admin of the conversation',
    INSTALLER,
    'any/repo',
    'close',
    { link: linked('inst'), policy: policy([], 'AAD-INSTALLER'), tenantAdmins: ADMINS },
    'allowed:inst',
  ],
  [
    'installer of another conversation is not',
    INSTALLER,
    'any/repo',
    'close',
    { link: linked('inst'), policy: policy([], 'aad-someone-else'), tenantAdmins: ADMINS },
    'refused:not_allowed',
  ],
  [
    'allowed everyone',
    MEGAN,
    'octo/app',
    'close',
    { link: linked('megan'), policy: policy([entry(['*'])]), tenantAdmins: ADMINS },
    'allowed:megan',
  ],
  [
    'allowed by aad id (case-insensitive)',
    MEGAN,
    'octo/app',
    'reopen',
    { link: linked('megan'), policy: policy([entry(['aad:aad-megan'])]), tenantAdmins: ADMINS },
    'allowed:megan',
  ],
  [
    'allowed by Teams id (a mention)',
    MEGAN,
    'octo/app',
    'comment',
    { link: linked('megan'), policy: policy([entry(['teams:29:megan'])]), tenantAdmins: ADMINS },
    'allowed:megan',
  ],
  [
    'allowed by UPN when known',
    { ...MEGAN, upn: 'Megan@Contoso.com' },
    'octo/app',
    'comment',
    {
      link: linked('megan'),
      policy: policy([entry(['upn:megan@contoso.com'])]),
      tenantAdmins: ADMINS,
    },
    'allowed:megan',
  ],
  [
    'UPN entry, UPN unknown',
    MEGAN,
    'octo/app',
    'comment',
    {
      link: linked('megan'),
      policy: policy([entry(['upn:megan@contoso.com'])]),
      tenantAdmins: ADMINS,
    },
    'refused:not_allowed',
  ],
  [
    'someone else allowed',
    MEGAN,
    'octo/app',
    'close',
    { link: linked('megan'), policy: policy([entry(['aad:aad-other'])]), tenantAdmins: ADMINS },
    'refused:not_allowed',
  ],
  [
    'allowed for that repo',
    MEGAN,
    'Octo/App',
    'close',
    { link: linked('megan'), policy: policy([entry(['*'], ['octo/app'])]), tenantAdmins: ADMINS },
    'allowed:megan',
  ],
  [
    'allowed for the owner',
    MEGAN,
    'octo/other',
    'close',
    { link: linked('megan'), policy: policy([entry(['*'], ['octo'])]), tenantAdmins: ADMINS },
    'allowed:megan',
  ],
  [
    'allowed for another repo only',
    MEGAN,
    'octo/app',
    'close',
    {
      link: linked('megan'),
      policy: policy([entry(['aad:aad-megan'], ['octo/web'])]),
      tenantAdmins: ADMINS,
    },
    'refused:not_allowed',
  ],
  [
    'owner prefix is not a repo prefix',
    MEGAN,
    'octopus/app',
    'close',
    { link: linked('megan'), policy: policy([entry(['*'], ['octo'])]), tenantAdmins: ADMINS },
    'refused:not_allowed',
  ],
];

describe('who may write to GitHub from Teams (mayWrite)', function () {
  for (const [name, user, repo, act, facts, expected] of rows) {
    it(`${name} → ${expected}`, function () {
      const decision = mayWrite(user, repo, act, facts);
      assert.equal(
        decision.allowed ? `allowed:${decision.githubLogin}` : `refused:${decision.code}`,
        expected,
      );
      if (!decision.allowed) assert.ok(decision.reason.length > 20, 'a refusal says what to do');
    });
  }

  it('the refusals say what to do next', function () {
    const unlinked = mayWrite(MEGAN, 'octo/app', 'close', {
      policy: policy(),
      tenantAdmins: ADMINS,
    });
    assert.match(
      !unlinked.allowed ? unlinked.reason : '',
      /Sign in to act: say `@Reynolds sign in`/,
    );
    const notAllowed = mayWrite(MEGAN, 'octo/app', 'close', {
      link: linked('m'),
      policy: policy(),
      tenantAdmins: ADMINS,
    });
    assert.match(!notAllowed.allowed ? notAllowed.reason : '', /allow @you octo\/app/);
  });
});
