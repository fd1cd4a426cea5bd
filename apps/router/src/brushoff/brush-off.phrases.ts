/**
 * Formula phrases of perfunctory replies (敷衍答复), taken from the shortest official replies in the
 * 2020 Teddy Cup "智慧政务" corpus (../shared/data/corpus/replies.jsonl, 2,816 real replies of a city's
 * message board; examples: "网友：您好！留言已收悉", "您的留言已收悉，关于您反映的问题，已转市住建局调查处理。",
 * "请咨询K市人社部门。", "您好，您所反映的问题，已转交相关部门调查处置。", "感谢您对我们工作的关心、监督与支持。").
 * A reply that is nothing but these (plus greetings, names and dates) answers nothing.
 */
export const FORMULA_PATTERNS: readonly RegExp[] = [
  // Greetings and addressing: "网友：您好！", "尊敬的网友：", "“UU0081182”："
  /(尊敬的)?(网友|市民|先生|女士|同志|朋友)?[:：]?\s*(您|你)好[!！,，.。]?/g,
  /尊敬的(网友|市民)[:：]?/g,
  /[“"]?UU\d+[”"]?[:：]?/g,
  /^(网友|市民)[:：]/g,
  // Dates and signatures: "2019年6月13日", "2019-06-13"
  /\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日/g,
  /\d{4}[-/]\d{1,2}[-/]\d{1,2}/g,
  // Acknowledgements: "留言已收悉", "您所反映的的事情已收悉"
  /(您的|你的)?(留言|来信|诉求|问题|事情|情况)?已(经)?收悉/g,
  /(关于)?(您|你)(所)?反映的(的)?(问题|情况|事情|事项)/g,
  // Forwarding without an answer: "已转市住建局调查处理", "已转交相关部门", "我们已转交市公安局"
  /(我们|我办)?已(经)?转(交|至|办至|办|给|到)?[^。，,；;！!]{0,20}?(调查|核处|处理|办理|处置|核实|查处|调查处理|调查、核处|调查核处|调查处置)*(。|，|,|$)/g,
  /(将|会)(转交|转给|转至|转)?(相关|有关)(部门|单位)[^。]{0,10}/g,
  /(相关|有关)(部门|单位)(已经|已)(答复|回复)/g,
  // Referrals: "请咨询K市人社部门", "请具体咨询K市人社局", "请联系8177025核实相关情况"
  /请(您|你)?(具体|直接)?(咨询|联系|致电|前往|到)[^。]{0,30}/g,
  // Thanks and closing formulas
  /(感谢|谢谢)(您|你)?(对)?[^。]{0,30}(关心|关注|支持|监督|理解)[^。]{0,10}/g,
  /(谢谢|感谢)[!！。]?/g,
  /(现)?回复如下[:：]?/g,
  /(已(经)?(进行过|作出|做过)?(答复|回复))/g,
  /链接[:：]?/g,
  // Units and places named in a forwarding formula leave nothing behind either
  /以便(处理|处置|核实)/g,
  /请(进一步)?完善(个人)?信息/g,
];

/** Punctuation, whitespace and quote marks do not count as content. */
export const NOISE = /[\s\u3000。，,．.、；;：:！!？?“”"'‘’（）()《》\-—…]+/g;
