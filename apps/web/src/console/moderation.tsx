/**
 * Photo moderation needs a router action that emits `AttachmentsPublished` (case.events.v1; the ingest-app's
 * read model then publishes the approved photos) and a desk case detail with the attachments. Neither exists
 * in the router yet (docs/agency-api.md), so this screen says so instead of pretending.
 */
export function Moderation() {
  return (
    <section class="card" aria-labelledby="mod-title">
      <h2 id="mod-title" tabIndex={-1} style="margin-top:0">
        照片审核与脱敏
      </h2>
      <p class="notice" role="status">
        路由服务尚未提供照片审核接口（发出 AttachmentsPublished 事件的操作）和含附件的案件详情，暂不能在此审核照片。
        公开门户只显示已审核的照片；文字中的姓名、电话、身份证号、车牌号在公开时自动脱敏。
      </p>
    </section>
  );
}
