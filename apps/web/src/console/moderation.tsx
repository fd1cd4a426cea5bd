import { useState } from 'preact/hooks';

/**
 * Photo review and masking happen on each case's page (they need the case's photos and text). This screen
 * says how, and opens a case by its id.
 */
export function Moderation() {
  const [id, setId] = useState('');
  return (
    <section class="card" aria-labelledby="mod-title">
      <h2 id="mod-title" tabIndex={-1} style="margin-top:0">
        照片审核与脱敏
      </h2>
      <p>
        市民上传的照片默认不公开：在案件页的“照片与视频”中逐张选择“公开”或“不公开”并保存，门户网站只显示已公开的照片；
        已公开的照片改为“不公开”后会从门户撤下。公开文字中的电话、身份证号、车牌号（匿名诉求还有自述姓名）已自动遮盖，
        其余个人信息（如他人姓名）在案件页的“公开文本脱敏”中选中或输入后遮盖，每次保存都记录在案。
      </p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) location.hash = `#/case/${encodeURIComponent(id.trim())}`;
        }}
      >
        <div style="flex:1">
          <label for="mod-case">诉求 ID</label>
          <input id="mod-case" value={id} maxLength={64} onInput={(e) => setId(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={!id.trim()}>
          打开案件
        </button>
      </form>
    </section>
  );
}
