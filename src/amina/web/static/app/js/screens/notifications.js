// Screen 8: messages from Amina. Titles and bodies come from the server in the person's language.
import { get, post } from "../api.js";
import { append, h } from "../dom.js";
import { errorText } from "../errors.js";
import { t } from "../i18n.js";
import { emit } from "../state.js";
import { formatDateTime } from "../time.js";
import { busy, errorBox, loading, title } from "../ui.js";

export async function unreadCount() {
  const data = await get("/api/v1/me/notifications");
  return ((data && data.items) || []).filter((item) => !item.read_at).length;
}

function item(notification) {
  const unread = !notification.read_at;
  const box = h("article", { class: `card item${unread ? " unread" : ""}` },
    h("h2", { text: notification.title }),
    h("time", { datetime: notification.created_at, text: formatDateTime(notification.created_at) }),
    h("p", { text: notification.body }),
  );
  if (unread) {
    const errors = errorBox();
    const mark = h("button", { type: "button", class: "btn secondary", text: t("mark_read") });
    mark.addEventListener("click", () => busy(mark, async () => {
      await post(`/api/v1/me/notifications/${encodeURIComponent(notification.id)}/read`);
      box.classList.remove("unread");
      mark.remove();
      errors.remove();
      emit("notifications-read");
    }, errors));
    box.append(errors, mark);
  }
  return box;
}

export function render(root) {
  const list = h("div");
  const more = h("button", { type: "button", class: "btn secondary", text: t("show_more"), hidden: true });
  const errors = errorBox();
  let cursor = null;

  const load = async () => {
    const query = cursor ? `?after=${encodeURIComponent(cursor)}` : "";
    const data = await get(`/api/v1/me/notifications${query}`);
    const items = (data && data.items) || [];
    if (!cursor) list.replaceChildren();
    if (!cursor && !items.length) list.append(h("p", { class: "muted", text: t("no_messages") }));
    list.append(...items.map(item));
    cursor = data && data.next;
    more.hidden = !cursor || !items.length;
  };
  more.addEventListener("click", () => busy(more, load, errors));

  list.append(loading());
  append(root, title(t("messages_title")), errors, list, more);
  load().catch((error) => list.replaceChildren(h("p", { class: "error", role: "alert", text: errorText(error) })));
}
