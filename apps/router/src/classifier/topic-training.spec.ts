import { featurize, PLAIN_FEATURES, TITLE_FEATURES, WORD_FEATURES } from './text-features.js';
import { TopicModel } from './topic-model.js';
import { quantise, trainTopicWeights, V3_TRAINING, V4_TRAINING, type LabelledText } from './topic-training.js';

const rows: LabelledText[] = [
  { text: '小区门口道路破损严重多处坑洼请尽快修复路面', label: '城乡建设' },
  { text: '老旧小区改造工程进度缓慢施工围挡占道', label: '城乡建设' },
  { text: '楼顶违章搭建影响采光请城管拆除违建', label: '城乡建设' },
  { text: '工厂夜间偷排废水河道发黑发臭污染严重', label: '环境保护' },
  { text: '烧烤油烟和噪音扰民空气污染请环保部门处理', label: '环境保护' },
  { text: '化工厂排放废气刺鼻气味周边居民头晕', label: '环境保护' },
  { text: '孩子入学报名学位不足学校拒收外地学生', label: '教育文体' },
  { text: '学校违规补课收费老师体罚学生', label: '教育文体' },
  { text: '幼儿园收费过高请教育局核查学费标准', label: '教育文体' },
];

describe('topic training', () => {
  const options = { ...V3_TRAINING, features: { ...TITLE_FEATURES, bits: 14 } };
  const trainedOn = { source: 'spec', rows: rows.length, sha256: '', command: 'spec' };

  it('gives the same weights on every run (fixed order, seeded shuffle)', () => {
    const a = trainTopicWeights(rows, options);
    const b = trainTopicWeights(rows, options);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    expect(Array.from(a.bias)).toEqual(Array.from(b.bias));
  });

  it('learns topics that a quantised model file then predicts on unseen wording', () => {
    const model = new TopicModel(quantise(trainTopicWeights(rows, options), options, trainedOn));
    expect(model.predict('路面坑洼破损请修复道路').label).toBe('城乡建设');
    expect(model.predict('河道污染废水偷排').label).toBe('环境保护');
    expect(model.predict('学校乱收费补课').label).toBe('教育文体');
    const ranked = model.predict('学校乱收费补课').ranked;
    expect(ranked.reduce((s, r) => s + r.p, 0)).toBeCloseTo(1, 6);
  });

  it('trains with jieba word features deterministically and records them in the model file', () => {
    const words = { ...V4_TRAINING, features: { ...WORD_FEATURES, bits: 14 } };
    const a = trainTopicWeights(rows, words);
    const b = trainTopicWeights(rows, words);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    const file = quantise(a, words, trainedOn);
    expect(file.format).toBe('wz-topic-linear-v4');
    expect(file.features.words).toEqual(WORD_FEATURES.words);
    expect(quantise(trainTopicWeights(rows, options), options, trainedOn).format).toBe('wz-topic-linear-v3');
    expect(new TopicModel(file).predict('河道污染废水偷排').label).toBe('环境保护');
  });

  it('rejects a model file whose weights do not fit its feature space', () => {
    const file = quantise(trainTopicWeights(rows, options), options, trainedOn);
    expect(() => new TopicModel({ ...file, features: { ...file.features, bits: 15 } })).toThrow(/feature space/);
  });
});

describe(featurize.name, () => {
  it('adds a title space to long texts only', () => {
    const short = '网约车平台乱收费';
    const long = `${short}${'乘客投诉司机绕路多收车费平台不处理'.repeat(3)}`;
    expect(featurize(short, TITLE_FEATURES)).toEqual(featurize(short, PLAIN_FEATURES));
    expect(featurize(long, TITLE_FEATURES).index.length).toBeGreaterThan(featurize(long, PLAIN_FEATURES).index.length);
  });

  it('adds hashed jieba words and word pairs of the first maxChars characters', () => {
    const text = '小区门口道路破损严重，希望城管部门尽快修复路面';
    const x = featurize(text, WORD_FEATURES);
    expect(x.index.length).toBeGreaterThan(featurize(text, TITLE_FEATURES).index.length);
    expect(x.value.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 5);
    const capped = { ...WORD_FEATURES, words: { ...WORD_FEATURES.words!, maxChars: 4 } };
    expect(featurize(text, capped).index.length).toBeLessThan(x.index.length);
  });

  it('returns an L2-normalised vector', () => {
    const x = featurize('垃圾清运不及时，小区臭气熏天', TITLE_FEATURES);
    expect(x.value.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 5);
  });
});
