import { checkUserProfile } from './user-profile';

describe('checkUserProfile', () => {
  it('keeps a valid profile, trimming the name, canonicalising the locale and the zone name', () => {
    expect(checkUserProfile({ displayName: '  Ana Lima ', locale: 'pt-br', timeZone: 'america/sao_paulo' })).toEqual({
      displayName: 'Ana Lima',
      locale: 'pt-BR',
      timeZone: 'America/Sao_Paulo',
    });
    expect(checkUserProfile({ displayName: null, locale: 'zh-Hant-TW', timeZone: 'UTC' })).toEqual({ displayName: null, locale: 'zh-Hant-TW', timeZone: 'UTC' });
  });

  it('clears blank fields', () => {
    expect(checkUserProfile({ displayName: ' ', locale: '', timeZone: '  ' })).toEqual({ displayName: null, locale: null, timeZone: null });
  });

  it('refuses a locale that is not BCP 47, a zone that is not IANA, and control characters, naming each field', () => {
    let error: unknown;
    try {
      checkUserProfile({ displayName: 'Ana\u0007', locale: 'english please', timeZone: 'Mars/Olympus_Mons' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'VV_VALIDATION' });
    expect((error as { errors: { pointer: string }[] }).errors.map((p) => p.pointer)).toEqual(['/displayName', '/locale', '/timeZone']);
    // An offset is not a zone: it knows no daylight-saving rules.
    expect(() => checkUserProfile({ displayName: null, locale: null, timeZone: '+01:00' })).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
  });
});
