import type { Rating } from '../contracts/inquiry-interaction.v1.js';

/** Everything the conversation says to a citizen, in one place (Chinese, short enough for one passive reply). */
export const TEXTS = {
  welcome:
    '欢迎关注！这里是市民问政平台，您的咨询、投诉、建议和求助都会在2小时内分派到责任单位，5个工作日内答复。\n' +
    '点击菜单“我要问政”或发送“问政”开始；发送“查询”查看办理进度。',
  help: '发送“问政”开始反映问题，或直接用一段话（15字以上）描述问题；发送“查询”查看办理进度，“补充 内容”补充已提交的问题。',
  opened: '请用文字描述您要反映的问题（时间、地点、经过），可以发送照片、视频、语音和位置。全部发完后回复“提交”，回复“取消”放弃。',
  openedWithText: (text: string) =>
    `已记下您反映的问题：“${clip(text, 40)}”。\n可以继续补充文字、照片、视频或位置；全部发完后回复“提交”，回复“取消”放弃。`,
  addedText: '已补充文字。发完后回复“提交”。',
  addedMedia: (what: string) => `已收到${what}。发完后回复“提交”。`,
  addedVoiceUnrecognised: '已收到语音，但未能识别文字，请再用文字简要描述问题。发完后回复“提交”。',
  addedLocation: (address?: string) => `已记录位置${address ? `：${clip(address, 40)}` : ''}。发完后回复“提交”。`,
  tooManyAttachments: '每个问题最多20个附件，这一个没有收下。回复“提交”即可提交。',
  needText: '请先用文字描述问题，再回复“提交”。',
  submitted: (trackingNo: string) =>
    `已提交，受理编号 ${trackingNo}。\n工作人员将在2小时内分派到责任单位，责任单位在5个工作日内答复，答复会发到这里。发送“查询”可随时查看进度。`,
  cancelled: '已取消，这次的内容不会提交。需要时发送“问政”重新开始。',
  nothingToCancel: '当前没有正在填写的问题。',
  nothingToSubmit: '当前没有正在填写的问题。发送“问政”开始。',
  noCases: '您还没有提交过问题。发送“问政”开始。',
  caseList: (lines: string[]) => `您最近的问题：\n${lines.join('\n')}\n补充信息请发送“补充 内容”。`,
  supplementAdded: (trackingNo: string) => `已补充到问题 ${trackingNo}，会转给办理单位。`,
  infoAnswered: (trackingNo: string) => `已将您的回复转给问题 ${trackingNo} 的工作人员，谢谢配合。`,
  supplementEmpty: '请在“补充”后面写上要补充的内容，例如：补充 事发地点在人民路口。',
  noOpenCase: '您没有正在办理的问题可以补充。发送“问政”反映新问题。',
  rated: (rating: Rating) => `感谢您的评价（${rating}）。${rating === '不满意' ? '我们会督促办理单位重新处理。' : ''}`,
} as const;

const MEDIA_NAMES = { photo: '照片', video: '视频', voice: '语音' } as const;
export const mediaName = (kind: keyof typeof MEDIA_NAMES): string => MEDIA_NAMES[kind];

export const STATUS_NAMES: Record<string, string> = {
  submitted: '已提交',
  received: '已受理',
  queued_for_desk: '待分派',
  assigned: '已分派',
  accepted: '办理中',
  returned: '重新分派中',
  replied: '已答复',
  rated: '已评价',
  reopened: '重新办理',
  merged: '已合并',
  rejected: '不予受理',
  closed: '已办结',
};

export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}
