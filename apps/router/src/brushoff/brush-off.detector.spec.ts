import { detectBrushOff } from './brush-off.detector.js';

const options = { minChars: 20 };

/** Real replies from the Teddy Cup 2020 corpus (../shared/data/corpus/replies.jsonl). */
describe(detectBrushOff.name, () => {
  it.each([
    '已收悉',
    '网友：您好！留言已收悉',
    '请咨询K市人社部门。',
    '您好，您所反映的问题，已转交相关部门调查处置。',
    '您的留言已收悉。关于您反映的问题，已转市教育体育局调查处理。',
    '网友：您好，留言已收悉，已转交相关单位办理。2019年2月1日',
    '感谢您对我们工作的关心、监督与支持。',
    '已收悉，将转交相关部门',
  ])('flags the formula reply %s', (text) => {
    expect(detectBrushOff(text, options)).not.toEqual([]);
  });

  it('flags a reply that is only a formula as formula_only even when it is long enough', () => {
    expect(detectBrushOff('您的留言已收悉，关于您反映的问题，已转市住建局调查处理。', options)).toContain('formula_only');
  });

  it('passes a reply that answers the question', () => {
    const text =
      '网友：您好！您反映的榔梨街道公交站点问题，经县交通运输局调查核实，已协调公交公司于3月1日起增开至东站的夜班线路，末班车延长至22:30。';
    expect(detectBrushOff(text, options)).toEqual([]);
  });

  it('passes a short but concrete answer', () => {
    expect(detectBrushOff('你好。如果你是重度残疾人，是可以领取护理补贴的，请携带残疾证到社区申请。', options)).toEqual([]);
  });
});
