import { localeCandidates } from './template-store';

describe('localeCandidates', () => {
  it('tries a BCP 47 tag from the most specific to its language, then English', () => {
    expect(localeCandidates('de-DE')).toEqual(['de-DE', 'de', 'en']);
    expect(localeCandidates('zh-Hant-TW')).toEqual(['zh-Hant-TW', 'zh-TW', 'zh', 'en']);
    // Three-letter languages are not cut to two.
    expect(localeCandidates('fil-PH')).toEqual(['fil-PH', 'fil', 'en']);
    expect(localeCandidates('en')).toEqual(['en']);
  });

  it('still tries the first part of something that is not a tag', () => {
    expect(localeCandidates('pt_BR')).toEqual(['pt_BR', 'pt', 'en']);
  });
});
