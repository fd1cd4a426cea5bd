import { classifyInquiryType } from './inquiry-type.js';

describe(classifyInquiryType.name, () => {
  it.each([
    ['举报某饭店偷排污水', '举报'],
    ['投诉物业乱收费', '投诉'],
    ['建议在学校门口设置红绿灯', '建议'],
    ['家里生活困难，走投无路，请帮帮我们', '求助'],
    ['请问公积金怎么提取？', '咨询'],
    ['路灯坏了两年没人管', '投诉'],
  ])('reads %s as %s', (text, type) => {
    expect(classifyInquiryType(text)).toBe(type);
  });
});
