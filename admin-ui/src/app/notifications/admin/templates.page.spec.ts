import type { Problem } from '../../api/problem';
import { templateProblems } from './templates.page';

const problem = (errors: Problem['errors'], detail = 'The template does not parse or uses unknown variables'): Problem => ({
  status: 400,
  code: 'VV_VALIDATION',
  title: 'Validation failed',
  detail,
  errors,
  extensions: {},
});

describe('templateProblems', () => {
  it('names the field and the unknown variable of each problem', () => {
    expect(
      templateProblems(
        problem([
          { pointer: '/subject', message: 'uses unknown variable "data.nope" (not in the sample data)' },
          { pointer: '/html', message: 'is not a valid Liquid template: unexpected end' },
        ]),
      ),
    ).toEqual(['Subject uses unknown variable "data.nope" (not in the sample data)', 'HTML is not a valid Liquid template: unexpected end']);
  });

  it('falls back to the problem itself when it points at no field', () => {
    expect(templateProblems(problem([], 'No template "x"'))).toEqual([expect.stringContaining('No template "x"')]);
  });
});
